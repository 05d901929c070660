"""What one run writes besides (or instead of) its reports: the summary (`--summary`) and
the HTML report (`--report FILE`). Used by `servicecoach score` and `summarize`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from servicecoach.errors import ServiceCoachError
from servicecoach.html_report import HtmlReport
from servicecoach.models import Report, Transcript, Turn
from servicecoach.parallel import Located, Rendered
from servicecoach.summary.aggregate import SummaryBuilder
from servicecoach.summary.grouping import UnseenFields, shadowed
from servicecoach.summary.table import ConversationTable
from servicecoach.summary.text import render_summary_text
from servicecoach.writers import Writer, render_jsonl

SUMMARY_FORMATS = ("text", "json", "csv")


class SummaryOutput:
    """The summary of the reports added, written at the end as text, JSON or CSV (one row
    per conversation)."""

    def __init__(self, fmt: str, by: Sequence[str] = (), top: int = 10) -> None:
        if fmt not in SUMMARY_FORMATS:
            raise ServiceCoachError(f"a summary is written as {', '.join(SUMMARY_FORMATS)}, "
                                    f"not {fmt}", hint="choose --format text, json or csv")
        self._format = fmt
        self._builder = SummaryBuilder(by=by, top=top)
        self._table = ConversationTable() if fmt == "csv" else None

    def add(self, report: Report) -> None:
        """Count one report."""
        if self._table is not None:
            self._table.add(report)
        else:
            self._builder.add(report)

    def write(self, out: TextIO) -> None:
        """Write the summary."""
        if self._table is not None:
            self._table.write(out)
        elif self._format == "json":
            out.write(self._builder.summary().model_dump_json(indent=2) + "\n")
        else:
            out.write(render_summary_text(self._builder.summary()))


class RunOutputs:
    """The outputs of a `score` run: its `writer` (None with `--summary`), the summary and
    the HTML report, fed from one stream of results.

    `redact` masks the turns the HTML report shows, as a redacting coach masks the reports.

    Wrap the scoring with `track` so each result is matched with the transcript it came
    from (the HTML report shows the turns), `emit` each rendered result, then `close`.
    """

    def __init__(self, writer: Writer | None, out: TextIO, summary: SummaryOutput | None = None,
                 html: Path | None = None, by: Sequence[str] = (), top: int = 10,
                 redact: bool = False) -> None:
        if summary is None and html is None and by:
            raise ServiceCoachError("--by groups the summary and the HTML report",
                                    hint="add --summary or --report FILE")
        self._writer = writer
        self._out = out
        self._summary = summary
        self._html_path = html
        self._html = HtmlReport(by=by, top=top, redact=redact) if html is not None else None
        self._turns: tuple[Turn, ...] | None = None
        self._by = tuple(by)
        self.shadowed: set[str] = set()
        """The `--by` fields read as computed that some report's metadata also has."""
        self.unseen = UnseenFields(("--by", field) for field in by)
        """The `--by` fields no report has a value for."""
        self._direct = writer is not None and summary is None and html is None
        self.render: Callable[[Report], str] = (
            writer.render if writer is not None and self._direct else render_jsonl)
        """What the scorers render: the writer's own format, or JSON the outputs read back."""

    def track(self, items: Iterable[Any],
              run: Callable[[Iterable[Any]], Iterator[Any]]) -> Iterator[Any]:
        """`run(items)`, each result remembered with the item it came from (results come
        one per item, in order)."""
        pending: deque[Any] = deque()

        def tapped() -> Iterator[Any]:
            for item in items:
                pending.append(item)
                yield item

        for result in run(tapped()):
            source = pending.popleft()
            transcript = source.transcript if isinstance(source, Located) else source
            self._turns = transcript.turns if isinstance(transcript, Transcript) else None
            yield result

    def emit(self, rendered: Rendered) -> None:
        """Write or count one scored conversation."""
        if self._direct:
            assert self._writer is not None
            self._writer.emit(rendered.text)
            return
        report = Report.model_validate_json(rendered.text)
        self.shadowed |= shadowed(self._by, report)
        self.unseen.add(report)
        if self._summary is not None:
            self._summary.add(report)
        elif self._writer is not None:
            self._writer.write(report)
        if self._html is not None:
            self._html.add(report, self._turns)

    def close(self) -> None:
        """Finish the reports, write the summary and the HTML report."""
        if self._summary is not None:
            self._summary.write(self._out)
        elif self._writer is not None:
            self._writer.close()
        if self._html is not None and self._html_path is not None:
            self._html.write(self._html_path)
