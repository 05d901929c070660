"""Intercom conversations with their parts (REST API ``GET /conversations/{id}``).

The first message is ``source``; then ``conversation_parts`` in order. ``author.type``
``user``/``lead``/``contact`` is the customer, ``admin``/``team`` the agent, ``bot`` (and
the ``Operator`` admin, whose e-mail starts with ``operator+``) is system, and so is an
opening message sent by automation (``source.delivered_as`` ``automated``,
``campaigns_initiated``, ``operator_initiated``). Parts with a body (``comment``,
``close``, ``open``...) are turns, HTML bodies become text; ``note`` parts are internal
notes (dropped, counted); AI ``call_summary`` parts are summaries (dropped, counted). An assignment to another admin or team after an agent has written
is a transfer, to the assignee's name when a part or the export names them (the id then
goes to the event's ``metadata.target_id``). Times are epoch seconds (``created_at``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from servicecoach.channels import channel_named
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    missing,
    one_record,
    stem,
)
from servicecoach.readers._etl_shape import looks_like_etl
from servicecoach.readers._html import plain_text
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import ReadResult, Source

_AUTHORS = {"user": "customer", "lead": "customer", "contact": "customer", "admin": "agent",
            "team": "agent", "bot": "system"}
_NOTES = {"note", "note_and_reopen"}
_SUMMARIES = {"call_summary", "conversation_summary", "ai_summary"}
_AUTOMATED = {"automated", "campaigns_initiated", "operator_initiated"}
"""``source.delivered_as`` of an opening message no agent wrote: a Series or other automated
outbound, a legacy campaign, a custom bot (sent as an admin all the same)."""
_ASSIGNMENTS = {"assignment", "assign_and_reopen", "assign_and_unsnooze", "away_mode_assignment",
                "default_assignment"}


def _speaker(author: dict[str, Any]) -> str | None:
    if str(author.get("email", "")).startswith("operator+"):
        return "system"
    return _AUTHORS.get(str(author.get("type")))


class IntercomReader(JsonExportReader):
    """Intercom conversation objects (one, a list, or ``{"conversations": [...]}``)."""

    name = "intercom"
    description = "Intercom conversations with conversation parts"

    def sniff(self, source: Source, head: str) -> bool:
        if looks_like_etl(head):  # parts one per row: the etl reader groups them
            return False
        # JSON either way: until 2026-12-07 `and` bound before `or`, so a text transcript
        # quoting '"type": "conversation"', '"source"' and '"author"' was claimed too
        return head.lstrip().startswith(("{", "[")) and ('"conversation_parts"' in head or (
            '"type": "conversation"' in head and '"source"' in head and '"author"' in head))

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        records = data.get("conversations", [data]) if isinstance(data, dict) else data
        for index, record in enumerate(records):
            location = f"conversations[{index}]" if len(records) > 1 else ""
            if not isinstance(record, dict):
                yield missing(source, location, "conversation", None)
                continue
            yield one_record(partial(self.conversation, record, source, location), source,
                             location, str(record.get("id") or "") or None)

    def conversation(
        self, record: dict[str, Any], source: Source, location: str,
        part_locations: Sequence[str] | None = None, names: Mapping[str, str] | None = None,
    ) -> ReadResult:
        """One conversation object as a transcript; `part_locations` name where the source
        message and each part come from in the file (default: their JSON path); `names`
        (admin or team id -> name) name the transfers to an id that no part names."""
        draft = Draft(id=str(record.get("id") or stem(source)),
                      channel=channel_named((record.get("source") or {}).get("type")))
        parts = record.get("conversation_parts") or {}
        first_part = {**(record.get("source") or {}), "part_type": "comment",
                      "created_at": record.get("created_at")}
        agents_so_far: set[str] = set()
        unnamed: list[tuple[dict[str, Any], str]] = []  # transfers to an id, and that id
        known = dict(names or {})
        for index, part in enumerate([first_part, *(parts.get("conversation_parts") or [])]):
            where = part_locations[index] if part_locations else \
                f"{location}{'.' if location else ''}" + (
                    "source" if index == 0 else f"conversation_parts[{index - 1}]")
            kind = part.get("part_type")
            author = part.get("author") or {}
            when = to_epoch(part.get("created_at"))
            if kind in _NOTES:
                draft.drop("internal_notes")
                continue
            if kind in _SUMMARIES:
                draft.drop("summaries")
                continue
            assignee = part.get("assigned_to")
            assignee = assignee if isinstance(assignee, dict) else {}  # ETL rows: may be a string
            if kind in _ASSIGNMENTS and agents_so_far and assignee.get("type") in ("admin", "team") \
                    and str(assignee.get("id")) not in agents_so_far:
                draft.add_event("transfer", at=when, target=assignee.get("name") or
                                f"{assignee['type']} {assignee.get('id')}")
                if not assignee.get("name"):
                    unnamed.append((draft.events[-1], str(assignee.get("id"))))
            body = part.get("body")
            if not body:
                continue
            speaker = _speaker(author)
            if speaker is None:
                return missing(source, where, "author.type", draft.id)
            if index == 0 and speaker == "agent" and first_part.get("delivered_as") in _AUTOMATED:
                speaker = "system"
            draft.add_turn(speaker, plain_text(str(body)), when)
            if speaker == "agent":
                agents_so_far.add(str(author.get("id")))
            if speaker in ("agent", "customer"):
                draft.name(f"{speaker}_name", author.get("name"))
            if isinstance(author.get("name"), str) and author["name"].strip():
                known.setdefault(str(author.get("id")), author["name"].strip())
        for event, target_id in unnamed:  # the name, when the admin writes in it or is listed
            if target_id in known:
                event.update(target=known[target_id], metadata={"target_id": target_id})
        return draft.finish(source, location, self)


READER = IntercomReader()
