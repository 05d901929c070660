"""Freshdesk ticket conversations (``GET /api/v2/tickets/{id}/conversations``).

A list of conversation entries (or a ticket with ``conversations``): ``incoming`` true is
the customer, false an agent; ``private`` true is an internal note (dropped, counted).
Text is ``body_text``, else the HTML ``body`` turned into text; the agent's name comes
from ``from_email`` (``Rachel <rachel@...>``) and the customer's from the ticket's
``requester.name`` when the ticket is known: in the same file
(``?include=conversations``) or as a ticket file in the same folder (joined on the ticket
id). The ticket's ``description`` is the customer's first message. Times are ISO
``created_at``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from servicecoach.channels import freshdesk_channel
from servicecoach.errors import MetadataOnly
from servicecoach.nlp.safe_regex import linear
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    companions,
    first,
    missing,
    one_record,
    stem,
)
from servicecoach.readers._html import plain_text
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import ReadResult, Source

_DISPLAY_NAME = linear(r'^\s*"?(?P<name>[^"<]+?)"?\s*<[^>]+>\s*$')


def _is_ticket(head: str) -> bool:
    return '"requester_id"' in head and '"description_text"' in head


class FreshdeskReader(JsonExportReader):
    """Freshdesk conversations, optionally inside their ticket."""

    name = "freshdesk"
    description = "Freshdesk ticket conversations"

    def sniff(self, source: Source, head: str) -> bool:
        entries = '"incoming"' in head and '"private"' in head and '"body_text"' in head
        return head.lstrip().startswith(("{", "[")) and (entries or _is_ticket(head))

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        ticket = data if isinstance(data, dict) else {}
        entries = ticket.get("conversations") if ticket else data
        if not isinstance(entries, list):
            yield MetadataOnly(
                "a Freshdesk ticket without its conversations", source=source.name,
                transcript_id=str(ticket.get("id")) if ticket.get("id") else None,
                hint="put it next to the ticket's conversations list (joined on the ticket id), "
                     "or export GET /api/v2/tickets/{id}?include=conversations",
            )
            return
        tickets: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        key = str(ticket.get("id") or stem(source))
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                key = str(entry.get("ticket_id") or ticket.get("id") or stem(source))
            # an entry that is no object costs the ticket it stands in (`_ticket` names it)
            tickets.setdefault(key, []).append((index, entry))
        beside = {str(t.get("id")): t for t in companions(source, _is_ticket) if isinstance(t, dict)}
        for key, numbered in tickets.items():
            yield one_record(partial(self._ticket, key, numbered, ticket or beside.get(key, {}),
                                     source), source, "", key)

    def _ticket(
        self, key: str, entries: list[tuple[int, dict[str, Any]]], ticket: dict[str, Any],
        source: Source,
    ) -> ReadResult:
        draft = Draft(id=key, channel=freshdesk_channel(ticket, [entry for _, entry in entries]))
        draft.name("customer_name", (ticket.get("requester") or {}).get("name"))
        for fact in ("subject", "priority", "status", "group_id", "responder_id"):
            draft.keep(fact, ticket.get(fact))
        description = first(ticket, "description_text", "description")
        if isinstance(description, str):
            draft.add_turn("customer", plain_text(description), to_epoch(ticket.get("created_at")))
        for index, entry in entries:
            where = f"[{index}]"
            if entry.get("private"):
                draft.drop("internal_notes")
                continue
            if not isinstance(entry.get("incoming"), bool):
                return missing(source, where, "incoming", key)
            text = entry.get("body_text")
            if not isinstance(text, str):
                if not isinstance(entry.get("body"), str):
                    return missing(source, where, "body_text", key)
                text = plain_text(entry["body"])
            speaker = "customer" if entry["incoming"] else "agent"
            draft.add_turn(speaker, text.strip(), to_epoch(entry.get("created_at")))
            match = _DISPLAY_NAME.match(str(entry.get("from_email") or ""))
            if match:
                draft.name(f"{speaker}_name", match["name"])
        return draft.finish(source, reader=self)


READER = FreshdeskReader()
