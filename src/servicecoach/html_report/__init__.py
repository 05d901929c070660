"""One self-contained HTML file for a batch: the summary and its charts (inline SVG), then
every conversation, searchable and paginated, each on its own page with its turns, each
finding highlighted on its words with its suggestion beside it, and the customer's sentiment
over the turns.

The conversations are embedded as JSON that the page's script renders one page at a time
(so 10,000 conversations are 10,000 records, not 10,000 pages of DOM), always as text: the
transcripts are untrusted. A Content-Security-Policy lets only the report's own script and
style run, and nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import tempfile
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from servicecoach.batch.output import replacing
from servicecoach.errors import ServiceCoachError, clipped
from servicecoach.html_report import charts
from servicecoach.models import Finding, Report, Turn
from servicecoach.redact import Mask, masked, masked_offset, masks
from servicecoach.scoring import finding_points
from servicecoach.summary.aggregate import SummaryBuilder, top_issue
from servicecoach.summary.grouping import CALENDAR
from servicecoach.summary.text import signed_points

AGENT_FIELD = "agent_name"
GROUP_ROWS = 200
"""Rows per grouping table (the most conversations first; days, weeks and months in calendar
order); the text summary lists all."""
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})
"""JSON inside a <script> element: no character of the data can end the element."""
SHOWN_CHARS, SHOWN_CUT = 100, 60
"""A transcript id, an agent's name or a group's value longer than SHOWN_CHARS is shown in
the page's tables and charts by its first SHOWN_CUT characters and "…" (the page's data, and
so its search and the conversation's page, keep it whole)."""


def _shown(value: object) -> str:
    return clipped(str(value), SHOWN_CHARS, SHOWN_CUT, "…")


def _template_text(name: str) -> str:
    return resources.files("servicecoach.html_report").joinpath("templates", name).read_text(
        encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _json_finite(value: Any) -> Any:
    """`value` with every NaN or infinite number (which Python's json writes as `NaN`,
    `Infinity`, and JSON.parse refuses) as None, as JSON reports write them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _json_finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_finite(item) for item in value]
    return value


def _span(finding: Finding, masked_turns: dict[int, list[Mask]]) -> list[int | None]:
    """A finding's span start and end in its turn's text as the page shows it: moved with
    the values masked before it when its turn is in `masked_turns`."""
    span = finding.span
    if span is None:
        return [None, None]
    found = masked_turns.get(-1 if finding.turn_index is None else finding.turn_index)
    if not found:
        return [span.start, span.end]
    return [masked_offset(span.start, found), masked_offset(span.end, found, end=True)]


def _points(points: float | None) -> float | None:
    """A finding's points of the overall score, to one decimal (None: not scored)."""
    return None if points is None else round(points, 1) + 0.0  # no -0.0


def conversation_record(report: Report, turns: Sequence[Turn] | None,
                        redact: bool = False) -> dict[str, Any]:
    """What the page knows of one conversation (findings as arrays: rule id, kind,
    severity, category, turn, span start, span end, span text, message, suggestion, the
    points of the overall score the finding moved, None for a cue) and
    its top issue (the rule that took the most points off the overall score, as in the
    summary's worst list).
    `redact` masks the turns' texts as the report's findings are, and moves the spans with
    them."""
    masked_turns = {n: masks(t.text) for n, t in enumerate(turns)} if redact and turns else {}
    cost = finding_points(report.scores)
    source = report.source
    return {
        "id": report.transcript_id,
        "channel": report.channel.value,
        "metadata": _json_finite(report.metadata),
        "source": None if source is None else ":".join(
            str(part) for part in (source.file, source.record or source.line) if part is not None),
        "overall": report.overall,
        "scores": {s.category: s.score for s in report.scores if s.applicable},
        "turns": None if turns is None else [
            [t.speaker.value, masked(t.text, masked_turns.get(n, []))]
            for n, t in enumerate(turns)],
        "findings": [[f.rule_id, f.kind.value, f.severity.value, f.category, f.turn_index,
                      *_span(f, masked_turns), f.span.text if f.span else None, f.message,
                      f.suggestion, _points(cost.get((f.rule_id, f.turn_index)))]
                     for f in report.findings],
        "sentiment": _json_finite(report.customer_sentiment),
        "top_issue": top_issue(report),
    }


class HtmlReport:
    """Add reports (with their transcript's turns when at hand), then `write` the file.

    Conversations wait in a temporary file until `write`, so memory does not grow with
    the batch. `by` adds grouping tables (the agent chart is always there when reports
    name an agent); `top` is the length of the worst and best lists; `redact` masks the
    turns' texts (`Coach(redact=True)` masks the reports only).
    """

    def __init__(self, by: Sequence[str] = (), top: int = 10, redact: bool = False) -> None:
        self._summary = SummaryBuilder(by=[AGENT_FIELD, *(f for f in by if f != AGENT_FIELD)],
                                       top=top)
        # open until `write`: the conversations wait there between calls
        self._records = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._with_turns = False
        self._packs: dict[str, str] = {}
        self._redact = redact

    def add(self, report: Report, turns: Sequence[Turn] | None = None) -> None:
        """Add one conversation; `turns` are its transcript's turns (None: not at hand)."""
        self._summary.add(report)
        self._packs.update(report.packs)
        self._with_turns |= turns is not None
        record = json.dumps(conversation_record(report, turns, self._redact), ensure_ascii=False,
                            default=str, allow_nan=False)
        self._records.write(record.translate(_SCRIPT_SAFE) + "\n")

    def _lines(self) -> Iterator[Markup]:
        self._records.seek(0)
        for line in self._records:
            yield Markup(line.rstrip("\n"))

    def write(self, path: Path, title: str = "servicecoach report") -> None:
        """Write the report to `path` (through a temporary file renamed when complete; into
        `path` itself when it is a named pipe or a device)."""
        if not path.parent.is_dir():
            raise ServiceCoachError(f"cannot write --report {path}: the folder {path.parent} "
                                    "does not exist", hint="create it first, or fix the path")
        environment = Environment(loader=PackageLoader("servicecoach.html_report"),
                                  autoescape=select_autoescape(default=True))
        environment.filters["points"] = signed_points
        environment.filters["shown"] = _shown
        template = environment.get_template("report.html.j2")
        script = _template_text("highlight.js") + _template_text("report.js")
        style = _template_text("report.css")
        summary = self._summary.summary()
        agents = charts.by_agent(summary, AGENT_FIELD)
        if not any(g.value != "(none)" for g in summary.groups.get(AGENT_FIELD, [])):
            agents = []
            summary.groups.pop(AGENT_FIELD, None)
        chunks = template.generate(
            title=title, summary=summary, with_turns=self._with_turns,
            packs=", ".join(f"{name} {version}" for name, version in sorted(self._packs.items())),
            distribution=charts.score_distribution(summary),
            categories=charts.category_means(summary), rules=charts.issues_by_points(summary),
            agents=agents, conversations=self._lines(), group_rows=GROUP_ROWS, calendar=CALENDAR,
            script=Markup(script), style=Markup(style),
            script_hash=_csp_hash(script), style_hash=_csp_hash(style))
        try:
            with replacing(path) as out:
                out.writelines(chunks)
        finally:
            self._records.close()
