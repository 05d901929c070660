"""Writers render reports: text for people, JSON and JSON Lines for programs."""

from __future__ import annotations

from typing import Protocol, TextIO

from servicecoach.models import FindingKind, Report


class Writer(Protocol):
    """Writes reports one at a time, in order, to a text stream."""

    def write(self, report: Report) -> None:
        """Write one report."""

    def close(self) -> None:
        """Finish the output (closing brackets); does not close the stream."""


class JsonLinesWriter:
    """One report per line."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, report: Report) -> None:
        self._out.write(report.model_dump_json() + "\n")

    def close(self) -> None:
        self._out.flush()


class JsonWriter:
    """A JSON array of reports, streamed: nothing is held in memory."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._count = 0

    def write(self, report: Report) -> None:
        self._out.write(("[\n" if self._count == 0 else ",\n") + report.model_dump_json(indent=2))
        self._count += 1

    def close(self) -> None:
        self._out.write("[]\n" if self._count == 0 else "\n]\n")
        self._out.flush()


class TextWriter:
    """A readable summary per transcript: each finding with its turn, then the scores."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, report: Report) -> None:
        overall = "n/a" if report.overall is None else f"{report.overall:.0f}"
        lines = [f"{report.transcript_id}  overall {overall}"]
        for finding in report.findings:
            where = "transcript" if finding.turn_index is None else f"turn {finding.turn_index}"
            mark = "+" if finding.kind is FindingKind.STRENGTH else "-"
            lines.append(
                f"  {mark} {where:<10} {finding.severity.value:<10} {finding.rule_id}: "
                f"{finding.message}"
            )
            if finding.kind is FindingKind.ISSUE:
                lines.append(f"      try: {finding.suggestion}")
        scores = ", ".join(
            f"{s.category} {'n/a' if s.score is None else f'{s.score:.0f}'}" for s in report.scores
        )
        lines.append(f"  scores: {scores}")
        lines.extend(f"  note: {note}" for note in report.notes)
        self._out.write("\n".join(lines) + "\n\n")

    def close(self) -> None:
        self._out.flush()


WRITERS = {"text": TextWriter, "json": JsonWriter, "jsonl": JsonLinesWriter}


def make_writer(name: str, out: TextIO) -> Writer:
    """The writer for a ``--format`` name."""
    return WRITERS[name](out)  # type: ignore[no-any-return]


__all__ = ["WRITERS", "JsonLinesWriter", "JsonWriter", "TextWriter", "Writer", "make_writer"]
