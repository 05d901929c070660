"""CSV for spreadsheets: `score --format csv` writes one row per finding, each with its
conversation's metadata, in a fixed column order (`FINDING_COLUMNS`).

Cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are written with a leading ``'``: transcripts are
untrusted, and a spreadsheet must show their text, not evaluate it. No line of the CSV starts
with ``::`` after spaces, which GitHub Actions runs as a workflow command when a step prints
it (`csv_rows`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

from servicecoach.models import Finding, Report
from servicecoach.nlp.safe_regex import linear
from servicecoach.scoring import finding_points

CONVERSATION_COLUMNS = (
    "transcript_id", "channel", "source_file", "source_record", "source_line",
    "agent_name", "customer_name", "queue", "team", "started_at",
)
"""The conversation's columns, first in every CSV; metadata fields not named here are in
the last column, ``metadata``, as a JSON object."""
FINDING_COLUMNS = (
    *CONVERSATION_COLUMNS, "overall", "rule_id", "kind", "severity", "category", "turn_index",
    "speaker", "span_start", "span_end", "span_text", "message", "suggestion", "points",
    "metadata",
)
"""The columns of `score --format csv`, in order; ``points`` is what the finding cost the
overall score (`scoring.finding_points`), empty for a cue."""
_NAMED_METADATA = CONVERSATION_COLUMNS[5:]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BREAK_BEFORE_COMMAND = linear(r"[\r\n][\t-\r \x1c-\x1f\x{85}\pZ]*::")
"""A line break, then a line that starts with ``::`` after spaces (any that .NET or Python
trims)."""


def cell(value: Any) -> Any:
    """`value` as a CSV cell: text a spreadsheet would evaluate gets a leading ``'``;
    None is empty; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, (bool, int, float)):
        return value
    return cell(json.dumps(value, ensure_ascii=False, sort_keys=True))


def conversation_cells(report: Report) -> list[Any]:
    """The `CONVERSATION_COLUMNS` of a report."""
    source = report.source
    return [cell(v) for v in (
        report.transcript_id, report.channel.value,
        source.file if source else None, source.record if source else None,
        source.line if source else None,
        *(report.metadata.get(name) for name in _NAMED_METADATA))]


def other_metadata(report: Report) -> str:
    """The metadata fields without a column of their own, as a JSON object ('' when none)."""
    rest = {k: v for k, v in report.metadata.items() if k not in _NAMED_METADATA}
    return cell(json.dumps(rest, ensure_ascii=False, sort_keys=True, default=str)) if rest else ""


def _finding_cells(finding: Finding | None, cost: dict[tuple[str, int | None], float]
                   ) -> list[Any]:
    if finding is None:
        return [""] * 12
    span = finding.span
    points = cost.get((finding.rule_id, finding.turn_index))
    return [cell(v) for v in (
        finding.rule_id, finding.kind.value, finding.severity.value, finding.category,
        finding.turn_index, finding.speaker.value if finding.speaker else None,
        span.start if span else None, span.end if span else None, span.text if span else None,
        finding.message, finding.suggestion,
        None if points is None else round(points, 1) + 0.0)]  # + 0.0: no -0.0


def _no_command_line(value: Any) -> Any:
    """A cell with each line break before a line starting with ``::`` (after spaces) made a
    space: inside a quoted cell, that line is a line of the output."""
    if isinstance(value, str) and "::" in value:
        return _BREAK_BEFORE_COMMAND.sub(
            lambda found: found.group(0).replace("\r", " ").replace("\n", " "), value)
    return value


def _csv_row(writer: Any, buffer: io.StringIO, row: Sequence[Any]) -> str:
    """One row as CSV text, its first cell quoted when it starts with ``::`` (after spaces),
    as the csv module quotes a cell only when its text needs it."""
    buffer.seek(0)
    buffer.truncate()
    cells = [_no_command_line(value) for value in row]
    writer.writerow(cells)
    line = buffer.getvalue()
    first = cells[0] if cells else None
    if isinstance(first, str) and first.lstrip().startswith("::") and line.startswith(first):
        line = f'"{first}"{line[len(first):]}'  # unquoted, so it holds no quote to double
    return line


def csv_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as CSV text (RFC 4180 quoting, ``\\r\\n`` line ends), no line of it starting
    with ``::``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    return "".join(_csv_row(writer, buffer, row) for row in rows)


def render_findings_csv(report: Report) -> str:
    """A report's rows: one per finding, or one with empty finding columns when it has
    none (so that every scored conversation appears)."""
    head = conversation_cells(report)
    overall = cell(report.overall)
    rest = other_metadata(report)
    findings: Sequence[Finding | None] = report.findings or (None,)
    cost = finding_points(report.scores)
    return csv_rows([[*head, overall, *_finding_cells(f, cost), rest] for f in findings])


class FindingsCsvWriter:
    """`score --format csv`: the header, then each report's rows as they come."""

    render = staticmethod(render_findings_csv)

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started = False

    def emit(self, rendered: str) -> None:
        """Write one report's rows (the header first)."""
        if not self._started:
            self._out.write(csv_rows([FINDING_COLUMNS]))
            self._started = True
        self._out.write(rendered)

    def write(self, report: Report) -> None:
        """Write one report."""
        self.emit(self.render(report))

    def close(self) -> None:
        """Write the header if no report came; flush."""
        if not self._started:
            self.emit("")
        self._out.flush()
