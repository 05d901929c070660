"""Masking personal data in what servicecoach writes: e-mail addresses, phone numbers,
payment card numbers (Luhn-checked) and account numbers (``Coach(redact=True)``,
``--redact``).

Every expression runs on RE2 (linear time). A masked value becomes ``[email]``,
``[phone]``, ``[card]`` or ``[account]``; spans keep the offsets of the original turn.
"""

from __future__ import annotations

from typing import Any

from servicecoach.models import Evidence, Finding, Report, Span
from servicecoach.nlp.safe_regex import linear

_CARD = linear(r"\b\d(?:[ -]?\d){12,18}\b")
_ACCOUNT = linear(r"(?i)\b(?:account|acct|a/c|iban)(?:\s+(?:number|no\.?|num|#))?\s*[:#]?\s*"
                  r"([A-Za-z]{0,2}\d[\d -]{3,30}\d)")
_IBAN = linear(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_EMAIL = linear(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = linear(r"(?:\+\d|\(\d|\b\d)[\d ().-]{6,20}\d\b")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: Any) -> str:
    digits = "".join(c for c in match.group(0) if c.isdigit())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else str(match.group(0))


def _account(match: Any) -> str:
    whole, number = str(match.group(0)), str(match.group(1))
    return whole[: match.start(1) - match.start(0)] + "[account]" if sum(
        c.isdigit() for c in number) >= 5 else whole


def _phone(match: Any) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return "[phone]" if 8 <= digits <= 15 else str(match.group(0))


def redact_text(text: str) -> str:
    """`text` with e-mail addresses, card, account and phone numbers masked."""
    if not any(c.isdigit() or c == "@" for c in text):
        return text
    text = _CARD.sub(_card, text)
    text = _ACCOUNT.sub(_account, text)
    text = _IBAN.sub("[account]", text)
    text = _EMAIL.sub("[email]", text)
    return str(_PHONE.sub(_phone, text))


def _evidence(evidence: Evidence) -> Evidence:
    return evidence.model_copy(update={
        "pattern": None if evidence.pattern is None else redact_text(evidence.pattern),
        "note": redact_text(evidence.note)})


def _span(span: Span | None) -> Span | None:
    return None if span is None else span.model_copy(update={"text": redact_text(span.text)})


def redact_finding(finding: Finding) -> Finding:
    """`finding` with its span, message, suggestion and evidence masked."""
    return finding.model_copy(update={
        "span": _span(finding.span), "message": redact_text(finding.message),
        "suggestion": redact_text(finding.suggestion),
        "evidence": tuple(_evidence(e) for e in finding.evidence)})


def _value(value: Any) -> Any:
    """A metadata value with its texts masked, however nested."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    return value


def redact_report(report: Report) -> Report:
    """`report` with every text that can hold personal data masked (findings, promises,
    notes, metadata values); its findings are expected to be masked already when a
    session made them."""
    return report.model_copy(update={
        "metadata": _value(report.metadata),
        "commitments": tuple(c.model_copy(update={"span": _span(c.span)})
                             for c in report.commitments),
        "notes": tuple(redact_text(note) for note in report.notes)})
