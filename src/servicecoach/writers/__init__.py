"""Writers render reports: text for people, JSON and JSON Lines for programs, CSV for
spreadsheets."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, TextIO

from servicecoach.models import Finding, FindingKind, Report, replace_lone_surrogates
from servicecoach.scoring import costs_text, rule_costs, signed_points
from servicecoach.writers.csv import FindingsCsvWriter


class Writer(Protocol):
    """Writes reports one at a time, in order, to a text stream.

    `render` is a pure function of the report (so worker processes can run it), `emit`
    writes what it rendered, and `write` does both.
    """

    def render(self, report: Report) -> str:
        """The report as this writer prints it (a pure function of the report)."""
        ...

    def emit(self, rendered: str) -> None:
        """Write one rendered report."""

    def write(self, report: Report) -> None:
        """Write one report."""

    def close(self) -> None:
        """Finish the output (closing brackets); does not close the stream."""


_TERMINAL = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]?"  # CSI: ESC [ parameters, intermediates, final byte
    "|\x1b[]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"  # OSC, DCS...: up to BEL or ST
    "|\x1b[ -/]*[0-~]?"  # any other escape
    "|\x9b[0-?]*[ -/]*[@-~]?"  # an 8-bit CSI
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # other controls, bidi overrides
)
"""What a terminal would act on rather than show. No repeat is nested: linear time."""
_SPACE = re.compile("[\t\n]")


def printable(text: str) -> str:
    """`text` as a terminal shows it safely on one line: escape sequences (``ESC [ ...``,
    ``ESC ] ... BEL``), control characters and bidirectional overrides removed; tabs and
    line breaks become spaces; lone surrogates (a file name that is not UTF-8) become
    U+FFFD, so that the text can be written as UTF-8."""
    return replace_lone_surrogates(_TERMINAL.sub("", _SPACE.sub(" ", text)))


def line_start(text: str) -> str:
    """`text` from a transcript, a label or a pack where it starts a line of output (after
    any indent): `printable`, and quoted when it would start with ``::``, which GitHub
    Actions runs as a workflow command (an annotation, ``add-mask``) even after spaces."""
    shown = printable(text)
    return repr(shown) if shown.lstrip().startswith("::") else shown


def render_jsonl(report: Report) -> str:
    """A report as one line of JSON."""
    return report.model_dump_json() + "\n"


def render_json(report: Report) -> str:
    """A report as indented JSON, for an element of a JSON array."""
    return report.model_dump_json(indent=2)


def grade(finding: Finding) -> str:
    """How a finding reads in a listing: ``strength`` or ``cue``, or an issue's severity (a
    strength and a cue have none to coach)."""
    return finding.severity.value if finding.kind is FindingKind.ISSUE else finding.kind.value


def render_text(report: Report) -> str:
    """A readable summary of a report: each finding with its turn, then the scores and the
    points of the overall score each rule's findings cost (`scoring.rule_costs`). Text
    that comes from a transcript or a pack is `printable`: a transcript cannot drive the
    terminal."""
    overall = "n/a" if report.overall is None else f"{report.overall:.0f}"
    lines = [f"{line_start(report.transcript_id)}  overall {overall}"]
    for finding in report.findings:
        where = "transcript" if finding.turn_index is None else f"turn {finding.turn_index}"
        mark = {FindingKind.STRENGTH: "+", FindingKind.CUE: ">"}.get(finding.kind, "-")
        lines.append(
            f"  {mark} {where:<10} {grade(finding):<10} {printable(finding.rule_id)}: "
            f"{printable(finding.message)}"
        )
        if finding.kind is FindingKind.ISSUE:
            lines.append(f"      try: {printable(finding.suggestion)}")
    scores = ", ".join(
        f"{printable(s.category)} {'n/a' if s.score is None else f'{s.score:.0f}'}"
        for s in report.scores
    )
    lines.append(f"  scores: {scores}")
    costs = rule_costs(report.scores)
    if costs and report.overall is not None:
        lines.append(f"  cost to the overall score ({report.overall:.1f}): "
                     + printable(costs_text(costs)))
    lines.extend(f"  note: {printable(note)}" for note in report.notes)
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


WRITERS: dict[str, Callable[[TextIO], Writer]] = {
    "text": TextWriter, "json": JsonWriter, "jsonl": JsonLinesWriter, "csv": FindingsCsvWriter}


def make_writer(name: str, out: TextIO) -> Writer:
    """The writer for a ``--format`` name."""
    return WRITERS[name](out)


__all__ = ["WRITERS", "JsonLinesWriter", "JsonWriter", "TextWriter", "Writer", "make_writer",
           "printable", "signed_points"]
