"""Writers render reports: text for people, JSON and JSON Lines for programs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TextIO

from servicecoach.models import FindingKind, Report


class Writer(Protocol):
    """Writes reports one at a time, in order, to a text stream.

    `render` is a pure function of the report (so worker processes can run it), `emit`
    writes what it rendered, and `write` does both.
    """

    render: Callable[[Report], str]

    def emit(self, rendered: str) -> None:
        """Write one rendered report."""

    def write(self, report: Report) -> None:
        """Write one report."""

    def close(self) -> None:
        """Finish the output (closing brackets); does not close the stream."""


def render_jsonl(report: Report) -> str:
    """A report as one line of JSON."""
    return report.model_dump_json() + "\n"


def render_json(report: Report) -> str:
    """A report as indented JSON, for an element of a JSON array."""
    return report.model_dump_json(indent=2)


def render_text(report: Report) -> str:
    """A readable summary of a report: each finding with its turn, then the scores."""
    overall = "n/a" if report.overall is None else f"{report.overall:.0f}"
    lines = [f"{report.transcript_id}  overall {overall}"]
    for finding in report.findings:
        where = "transcript" if finding.turn_index is None else f"turn {finding.turn_index}"
        mark = {FindingKind.STRENGTH: "+", FindingKind.CUE: ">"}.get(finding.kind, "-")
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
    return "\n".join(lines) + "\n\n"


class _StreamWriter:
    """Reports rendered one after the other, with nothing between them."""

    render = staticmethod(render_text)

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def emit(self, rendered: str) -> None:
        self._out.write(rendered)

    def write(self, report: Report) -> None:
        self.emit(self.render(report))

    def close(self) -> None:
        self._out.flush()


class JsonLinesWriter(_StreamWriter):
    """One report per line."""

    render = staticmethod(render_jsonl)


class TextWriter(_StreamWriter):
    """A readable summary per transcript: each finding with its turn, then the scores."""

    render = staticmethod(render_text)


class JsonWriter(_StreamWriter):
    """A JSON array of reports, streamed: nothing is held in memory."""

    render = staticmethod(render_json)

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._count = 0

    def emit(self, rendered: str) -> None:
        self._out.write(("[\n" if self._count == 0 else ",\n") + rendered)
        self._count += 1

    def close(self) -> None:
        self._out.write("[]\n" if self._count == 0 else "\n]\n")
        self._out.flush()


WRITERS = {"text": TextWriter, "json": JsonWriter, "jsonl": JsonLinesWriter}


def make_writer(name: str, out: TextIO) -> Writer:
    """The writer for a ``--format`` name."""
    return WRITERS[name](out)  # type: ignore[no-any-return]


__all__ = ["WRITERS", "JsonLinesWriter", "JsonWriter", "TextWriter", "Writer", "make_writer"]
