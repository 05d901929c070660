"""Masking personal data in what servicecoach writes: e-mail addresses, phone numbers,
payment card numbers (Luhn-checked) and account numbers (``Coach(redact=True)``,
``--redact``).

Every expression runs on RE2 (linear time), over the text with digits of any script and
Unicode spaces, dashes and full-width punctuation read as their ASCII look-alikes. A masked
value becomes ``[email]``, ``[phone]``, ``[card]`` or ``[account]``; spans keep the offsets
of the original turn.

An e-mail address in the ``agent_name`` metadata field (an agent an export knows only by
address) becomes a pseudonym, ``[email 1a2b3c4d5e]``, the same for the same address
(case aside) in every run, so that the agents stay apart in summaries by agent. It is a
hash of the address, not a secret: whoever guesses an address can check it against the
pseudonym (agents named by name are written as they are, too).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

from pydantic import BaseModel

from servicecoach.models import Evidence, Finding, Metadata, Report, Span, Transcript
from servicecoach.nlp.safe_regex import linear

_CARD = linear(r"\b\d(?:[ .-]?\d){12,18}\b")
_SPLIT_CARD = linear(r"\b\d(?:[ ./_-]{0,3}(?:\r\n?|\n)? ?\d){12,18}\b")
"""A card split by '/', '_', a few spaces or a line break, read once `_CARD` has masked the
cards on one line (so that a number on the line before one stays out of it)."""
_ACCOUNT = linear(r"(?i)\b(?:account|acct|a/c|iban)(?:\s+(?:number|no\.?|num|#))?\s*[:#]?\s*"
                  r"([A-Za-z]{0,2}\d[\d -]{3,30}\d)")
_IBAN = linear(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_EMAIL = linear(r"[\pL\pN._%+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)*\.\pL{2,}")
_DIGIT_GROUP = re.compile("[0-9]+")
"""The digit groups of a card expression's match (at most 19 digits: bounded)."""
_PHONE = linear(r"(?:\+\d|\(\d|\b\d)[\d ().-]{6,20}\d\b")


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
"""A digit's value where the Luhn check doubles it (the digits of twice it summed)."""


def _luhn_sums(digits: str) -> tuple[list[int], list[int]]:
    """Prefix sums of `digits`' Luhn values, one list for each parity of the last digit's
    index (the digits of the other parity are doubled): any run's check in one step."""
    sums: tuple[list[int], list[int]] = ([0], [0])
    for index, char in enumerate(digits):
        value = int(char)
        for parity, prefix in enumerate(sums):
            prefix.append(prefix[-1] + (value if index % 2 == parity else _DOUBLED[value]))
    return sums


def _luhn(sums: tuple[list[int], list[int]], start: int, end: int) -> bool:
    """Whether the digits from `start` to `end` (of those `_luhn_sums` read) pass Luhn."""
    prefix = sums[(end - 1) % 2]
    return (prefix[end] - prefix[start]) % 10 == 0


Mask = tuple[int, int, str]
"""A value to mask: its start and end in the text, and what replaces it."""


_PLAIN_SEPARATORS = frozenset({" ", ".", "-"})
"""What `_CARD` reads between a card's digit groups, in any layout."""
_CARD_LAYOUTS = frozenset({(4, 6, 4), (4, 6, 5)} | {(4, 4, 4, last) for last in (1, 2, 3, 4)}
                          | {(4, 4, 4, 4, last) for last in (1, 2, 3)})
"""Digit group lengths as cards print them (groups of four; American Express and Diners
Club 4-6-5 and 4-6-4), which dates (12/05/2026) and other numbers are rarely laid out in."""


def _split_as_card(groups: list[tuple[int, int]], separators: list[str]) -> bool:
    """Whether digit `groups` (start, end) split by `separators`, not only spaces, dots or
    dashes (`_CARD` reads those), are a card number as written: laid out as a card's and
    split by one separator throughout (a line break, where a card was typed over lines,
    aside)."""
    if all(separator in _PLAIN_SEPARATORS for separator in separators):
        return False
    within_lines = {s for s in separators if "\n" not in s and "\r" not in s}
    return (len(within_lines) <= 1
            and tuple(end - start for start, end in groups) in _CARD_LAYOUTS)


def _card(text: str, base: int, *, split: bool = False, checked: int = 0) -> Mask | None:
    """The longest run of whole digit groups of `text`, a card expression's match at `base`
    (the earliest of equal length), that is a card number: the expression also takes a
    number written next to a card (its expiry or security code, a count), which no card
    number is with. `split`: a match of `_SPLIT_CARD`, whose runs must be split as a card
    (`_split_as_card`). Runs that end by `checked` (in the text the match is of) were read
    in an earlier match and held no card."""
    groups = [(group.start(), group.end()) for group in _DIGIT_GROUP.finditer(text)]
    digits = "".join(text[start:end] for start, end in groups)
    separators = [text[end:start] for (_, end), (start, _) in pairwise(groups)]
    before = [0]  # digits before each group
    for start, end in groups:
        before.append(before[-1] + end - start)
    runs = [(before[last + 1] - before[first], first, last)
            for last in range(len(groups)) if groups[last][1] > checked - base
            for first in range(last + 1) if 13 <= before[last + 1] - before[first] <= 19]
    sums = _luhn_sums(digits)
    for _, first, last in sorted(runs, key=lambda run: (-run[0], run[1])):
        if _luhn(sums, before[first], before[last + 1]) and (
                not split or _split_as_card(groups[first:last + 1], separators[first:last])):
            return base + groups[first][0], base + groups[last][1], "[card]"
    return None


def _account(match: Any) -> Mask | None:
    return (match.start(1), match.end(), "[account]") if sum(
        c.isdigit() for c in match.group(1)) >= 5 else None


def _phone(match: Any) -> Mask | None:
    digits = sum(c.isdigit() for c in match.group(0))
    return (match.start(), match.end(), "[phone]") if 8 <= digits <= 15 else None


_NOT_ASCII = linear(r"[^\x00-\x7f]")


def _cards(expression: Any, text: str, *, split: bool = False) -> list[Mask]:
    """The cards `expression` (`_CARD`, or `_SPLIT_CARD` when `split`) reads in `text`.

    A match holds at most 19 digits, so a number written just before a card (an order
    number, on the line before) can take the card's first groups and leave its last one
    out: a match that holds no card is read again from its second digit group, for the
    runs of digit groups that end past it (the others were read: reading them again made
    100,000 characters of "1 1 1 ..." take 9 s). The text
    is read as ASCII bytes, encoded once (RE2 encodes a text at every reading, which made
    such re-reading quadratic); the expressions read no character beyond ASCII (RE2's
    digits and word boundaries are ASCII's), so each other one is NUL there, one for one."""
    data = (text if text.isascii() else _NOT_ASCII.sub("\0", text)).encode("ascii")
    found: list[Mask] = []
    at = checked = 0
    while (match := expression.search(data, at)) is not None:
        card = _card(match.group(0).decode("ascii"), match.start(), split=split,
                     checked=checked)
        if card is not None:
            found.append(card)
            at = card[1]
        else:
            first_group = _DIGIT_GROUP.match(text, match.start())
            at = first_group.end() if first_group else match.end()
            checked = match.end()
    return found


def _each(expression: Any, mask: Callable[[Any], Mask | None], text: str) -> list[Mask]:
    """What `mask` makes of each match of `expression` in `text`."""
    return [each for each in map(mask, expression.finditer(text)) if each is not None]


_MASKERS: tuple[Callable[[str], list[Mask]], ...] = (
    partial(_cards, _CARD), partial(_cards, _SPLIT_CARD, split=True),
    partial(_each, _ACCOUNT, _account),
    partial(_each, _IBAN, lambda match: (match.start(), match.end(), "[account]")),
    partial(_each, _EMAIL, lambda match: (match.start(), match.end(), "[email]")),
    partial(_each, _PHONE, _phone))
"""What reads each kind of value, in order: each reads the text with the values the ones
before it masked blanked out."""


_LOOK_ALIKES = {
    **{c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
       "\u2009\u200a\u202f\u205f\u3000"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"},
    "\uff20": "@", "\uff0e": ".", "\uff0b": "+", "\uff08": "(", "\uff09": ")"}
"""Characters the expressions read as their ASCII look-alike: no-break and other spaces,
dashes, full-width punctuation (digits of every script are read as ASCII digits too)."""


_FOLDING_MEMORY = 65_536
"""The most characters `_Folding` keeps the answer for (the others are worked out again)."""


class _Folding(dict[int, int]):
    """`str.translate`'s table giving each character the expressions read as another its
    ASCII look-alike (a digit of any script, one of `_LOOK_ALIKES`), made as characters
    come: one character for one, so that offsets do not move."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        digit = unicodedata.decimal(char, None)
        folded = ord(str(digit)) if digit is not None else ord(_LOOK_ALIKES.get(char, char))
        if len(self) < _FOLDING_MEMORY:  # a text of many scripts must not grow it for good
            self[code] = folded
        return folded


_FOLDING = _Folding()


def masks(text: str) -> list[Mask]:
    """The values of `text` to mask, in order of their start (they never overlap)."""
    if not any(c.isdigit() or c in "@\uff20" for c in text):
        return []
    if not text.isascii():
        text = text.translate(_FOLDING)
    found: list[Mask] = []
    for read in _MASKERS:
        new = read(text)
        if new:
            # blanked with NUL, which no expression reads, as none reads the tokens
            text = masked(text, [(start, end, "\0" * (end - start)) for start, end, _ in new])
            found += new
    return sorted(found)


def masked(text: str, found: list[Mask]) -> str:
    """`text` with the values `found` (by `masks`) replaced."""
    pieces, last = [], 0
    for start, end, token in found:
        pieces += [text[last:start], token]
        last = end
    return "".join(pieces) + text[last:]


def masked_offset(offset: int, found: list[Mask], *, end: bool = False) -> int:
    """Where `offset` of a text falls in it once the values `found` are masked: an offset
    inside a value moves to the start of its token (to its end for the `end` of a span)."""
    shift = 0
    for start, stop, token in found:
        if stop <= offset:
            shift += len(token) - (stop - start)
        elif start < offset:
            return start + shift + (len(token) if end else 0)
        else:
            break
    return offset + shift


def redact_text(text: str) -> str:
    """`text` with e-mail addresses, card, account and phone numbers masked."""
    found = masks(text)
    return masked(text, found) if found else text


_AGENT_FIELD = "agent_name"
"""The metadata field whose e-mail addresses become pseudonyms (`_pseudonymised`)."""


def _pseudonymised(text: str) -> str:
    """`text` masked as `redact_text` masks it, but each e-mail address as a pseudonym of
    its own, ``[email`` and the first ten hex digits of the SHA-256 of the address (NFKC,
    case-folded) ``]``: the same address, the same pseudonym, in any run."""
    found = masks(text)
    return masked(text, [(start, end, _pseudonym(text[start:end]) if token == "[email]"
                          else token) for start, end, token in found]) if found else text


def _pseudonym(address: str) -> str:
    folded = unicodedata.normalize("NFKC", address).casefold()
    return f"[email {hashlib.sha256(folded.encode('utf-8')).hexdigest()[:10]}]"


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


_KEPT_NUMBERS = ("_at", "time", "timestamp", "date", "id", "_ms", "seconds", "duration")
"""How the names of fields whose whole numbers are times or ids end (``started_at``,
``contactId``): such a number is kept, not read as a phone number."""


def _value(value: Any, key: str = "") -> Any:
    """A metadata value with its texts masked, however nested; a whole number (an export's
    phone or card number as a JSON number) becomes its mask when its digits are masked,
    unless its field names a time or an id (`_KEPT_NUMBERS`: an epoch ``started_at`` is
    ten digits, as a phone number is)."""
    if isinstance(value, str):
        return _pseudonymised(value) if key == _AGENT_FIELD else redact_text(value)
    if (isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e19
            and value == int(value)  # NaN and infinities fail the bound
            and not key.lower().endswith(_KEPT_NUMBERS)):
        digits = str(int(value))
        return masked_digits if (masked_digits := redact_text(digits)) != digits else value
    if isinstance(value, dict):
        return {name: _value(item, str(name)) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_value(item, key) for item in value]
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


def redact_transcript(transcript: Transcript) -> Transcript:
    """`transcript` with its turns' text, its metadata values, a transfer's target and the
    fields it keeps without reading them (a record's, a turn's, an event's) masked as a
    report's are (`convert --redact`: canonical transcripts to share without the personal
    data). Times, turn places, ids and metadata keys are written as they are."""
    metadata = _value(transcript.metadata.model_dump(mode="json", exclude_none=True))
    return transcript.model_copy(update={
        **_extras(transcript),
        "metadata": Metadata.model_validate(metadata),
        "turns": tuple(turn.model_copy(update={**_extras(turn), "text": redact_text(turn.text)})
                       for turn in transcript.turns),
        "events": tuple(event.model_copy(update={
            **_extras(event),
            "target": None if event.target is None else redact_text(event.target)})
            for event in transcript.events)})


def _extras(model: BaseModel) -> dict[str, Any]:
    """The fields servicecoach keeps without reading them (an export's own), masked."""
    return {key: _value(value, key) for key, value in (model.model_extra or {}).items()}
