"""Reports as flat rows for tables: one row per conversation (scores, findings, the report
as JSON, or the error that stopped it) and one row per finding.

Plain Python, no data-frame library: `servicecoach.integrations.spark` turns these rows
into Spark DataFrames, and any other table-shaped integration can do the same.
"""

from __future__ import annotations

from typing import Any

from servicecoach.coach import Coach
from servicecoach.errors import InputError
from servicecoach.models import Finding, FindingKind, Report, Transcript
from servicecoach.readers.canonical import transcript_from_record

FINDING_FIELDS = (
    "rule_id", "kind", "severity", "category", "turn_index", "speaker", "span_start",
    "span_end", "span_text", "message", "suggestion",
)
"""The fields of a finding row, in order (after the conversation's ``transcript_id``)."""

CONVERSATION_FIELDS = (
    "transcript_id", "channel", "overall", "category_scores", "issues", "strengths",
    "findings", "report_json", "error",
)
"""The fields of a conversation row, in order."""


def finding_row(finding: Finding) -> dict[str, Any]:
    """A finding flattened: its span as ``span_start``, ``span_end`` and ``span_text``
    (null when it anchors no span); evidence is left to the report's JSON."""
    span = finding.span
    return {
        "rule_id": finding.rule_id,
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "category": finding.category,
        "turn_index": finding.turn_index,
        "speaker": finding.speaker.value if finding.speaker is not None else None,
        "span_start": span.start if span is not None else None,
        "span_end": span.end if span is not None else None,
        "span_text": span.text if span is not None else None,
        "message": finding.message,
        "suggestion": finding.suggestion,
    }


def conversation_row(report: Report) -> dict[str, Any]:
    """One conversation's row: overall and per-category scores (null when not applicable),
    counts of issues and strengths, every finding, and the whole report as JSON."""
    return {
        "transcript_id": report.transcript_id,
        "channel": report.channel.value,
        "overall": report.overall,
        "category_scores": {score.category: score.score for score in report.scores},
        "issues": sum(1 for f in report.findings if f.kind is FindingKind.ISSUE),
        "strengths": sum(1 for f in report.findings if f.kind is FindingKind.STRENGTH),
        "findings": [finding_row(finding) for finding in report.findings],
        "report_json": report.model_dump_json(),
        "error": None,
    }


def error_row(error: InputError) -> dict[str, Any]:
    """The row of a conversation that could not be read or scored: its id when known and
    the one-line error; every other field is null."""
    row: dict[str, Any] = dict.fromkeys(CONVERSATION_FIELDS)
    row["transcript_id"] = error.transcript_id
    row["error"] = str(error)
    return row


def score_record(coach: Coach, record: Any, *, source: str) -> dict[str, Any]:
    """Score one conversation given as a decoded canonical transcript (``id``, ``turns``,
    optional ``channel``, ``metadata``, ``events``) and return its conversation row; a
    record that cannot be read or scored gives an error row, never an exception."""
    read = transcript_from_record(record, source=source, location="")
    if isinstance(read, InputError):
        return error_row(read)
    return conversation_row_or_error(coach, read, source=source)


def conversation_row_or_error(coach: Coach, transcript: Transcript, *, source: str
                              ) -> dict[str, Any]:
    """`transcript` scored as a conversation row, or an error row when scoring fails (a
    bug in a rule or in servicecoach), so that one conversation never stops the job."""
    try:
        report = coach.score(transcript)
    except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001
        what = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        return error_row(InputError(
            f"could not be scored ({what})", source=source, transcript_id=transcript.id,
            hint="a bug in servicecoach or a rule pack: please report it"))
    return conversation_row(report)
