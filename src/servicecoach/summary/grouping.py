"""What a `--by` field reads from a report: a metadata field, or `channel`, `source`, or the
day, week or month the conversation started (`date`, `week`, `month`). ``metadata.NAME``
always reads the metadata field NAME, for an export whose metadata has a `date` or a
`channel` of its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from servicecoach.models import Report
from servicecoach.suggest import closest

NONE = "(none)"
"""The group of reports that do not have the field."""
UNREADABLE_DATE = "(unreadable date)"
"""The `date` group of reports whose started_at is neither ISO 8601 nor a Unix time."""
CALENDAR = frozenset({"date", "week", "month"})
"""The fields whose groups are listed in calendar order, not busiest first."""
COMPUTED = {
    "date": "the day of started_at",
    "week": "the ISO week of started_at",
    "month": "the month of started_at",
    "channel": "the transcript's channel",
    "source": "the file the transcript was read from",
}
"""The fields `group_key` works out rather than reads from the metadata, and what they are."""
METADATA = "metadata."
"""The prefix of a field read from the metadata whatever its name (``metadata.date``)."""


def _text(value: Any) -> str:
    """A metadata value as a group: a text with its spaces normalised (`spaced`), blank as
    `NONE`; another value as JSON."""
    if isinstance(value, str):
        value = spaced(value)
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def spaced(text: str) -> str:
    """`text` without leading or trailing white space, each run of it inside one space: a
    redacted export's "Agent " or "Sam  Lee" is the group of "Agent" and "Sam Lee" (they
    were two groups of one agent, until 2026-12-07). Case is kept."""
    return " ".join(text.split())


def started_date(report: Report) -> str:
    """The day the conversation started (YYYY-MM-DD) from metadata.started_at: an ISO 8601
    date or time (its own day, whatever its zone), or a Unix time in seconds (the UTC day)."""
    value = report.metadata.get("started_at")
    if value is None or value == "":
        return NONE
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return UNREADABLE_DATE
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            return UNREADABLE_DATE
    return UNREADABLE_DATE


def _week(report: Report) -> str:
    """The ISO week the conversation started (``2026-W45``), from `started_date`."""
    day = started_date(report)
    if day in (NONE, UNREADABLE_DATE):
        return day
    year, week, _ = datetime.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _month(report: Report) -> str:
    """The month the conversation started (``2026-11``), from `started_date`."""
    day = started_date(report)
    return day if day in (NONE, UNREADABLE_DATE) else day[:7]


def group_key(field: str) -> Callable[[Report], str]:
    """The function giving a report's value of `field`: `date`, `week` or `month` (from
    started_at), `channel`, `source` (the file it was read from), ``metadata.NAME`` or any
    other name: a metadata field."""
    if field.startswith(METADATA) and len(field) > len(METADATA):
        name = field[len(METADATA):]
        return lambda report: _text(report.metadata.get(name))
    if field == "date":
        return started_date
    if field == "week":
        return _week
    if field == "month":
        return _month
    if field == "channel":
        return lambda report: report.channel.value
    if field == "source":
        return lambda report: report.source.file if report.source is not None else NONE
    return lambda report: _text(report.metadata.get(field))


def shadowed(fields: Iterable[str], report: Report) -> set[str]:
    """The `COMPUTED` fields among `fields` that the report's metadata also has: ``--by
    date`` groups on the day of started_at, not on the report's own `date`."""
    return {field for field in fields if field in COMPUTED and field in report.metadata}


def shadowed_warning(field: str) -> str:
    """What to tell the user of a `shadowed` field."""
    return (f"{field} is {COMPUTED[field]}, but the reports also have a metadata field "
            f"{field!r}: write {METADATA}{field} to group or filter on that field")


class UnseenFields:
    """The `--by` and `--where` fields no report has a value for (a misspelt name, 'agent'
    for agent_name), each told in a warning with the reports' metadata fields and the
    nearest of them: a field no report has groups everything under '(none)' or leaves
    everything out."""

    SHOWN = 20
    """The metadata fields a warning lists at most."""

    def __init__(self, fields: Iterable[tuple[str, str]]) -> None:
        """`fields`: the option and field of each --by and --where."""
        self._fields = list(dict.fromkeys(fields))
        self._unseen = {field: group_key(field) for _, field in self._fields}
        self._keys: set[str] = set()
        self._reports = 0

    def add(self, report: Report) -> None:
        """Note the fields this report has a value for, and its metadata fields."""
        self._reports += 1
        if self._unseen:
            if len(self._keys) < 10 * self.SHOWN:
                self._keys.update(report.metadata)
            for field in [f for f, read in self._unseen.items() if read(report) != NONE]:
                del self._unseen[field]

    def warnings(self) -> list[str]:
        """One warning per field no report had a value for (none when there were no reports)."""
        if not self._reports:
            return []
        keys = sorted(self._keys)
        listed = ", ".join(keys[:self.SHOWN]) + (", ..." if len(keys) > self.SHOWN else "")
        fields = (f"the reports' metadata fields are {listed}; or " if keys else
                  "the reports have no metadata fields; the others are ") + ", ".join(COMPUTED)
        return [f"{option} {field}: no report has a started_at (the time it is read from)"
                if field in CALENDAR else
                f"{option} {field}: no report has this field ({_nearest(field, keys)}{fields})"
                for option, field in self._fields if field in self._unseen]


def _nearest(field: str, keys: list[str]) -> str:
    """``did you mean 'x'? `` for the metadata fields nearest to `field`: the closest
    spelling, else those it is part of ('agent' of agent_name); empty when there are none."""
    name = field.removeprefix(METADATA).lower()
    near = closest(name, keys)
    found = [near] if near is not None else [key for key in keys if name in key.lower()][:3]
    return f"did you mean {' or '.join(repr(key) for key in found)}? " if found else ""
