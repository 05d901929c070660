"""Twilio Conversations (and Flex) messages, joined with the conversation's participants.

Messages (``{"messages": [...]}`` from ``/v1/Conversations/{sid}/Messages``) are grouped by
``conversation_sid`` and ordered by ``index``; ``date_created`` gives the time, ``body`` the
text (media-only messages are counted, not turns). Authors are identities or phone
addresses, not roles: a participants list in the same folder (``/Participants``, joined
on ``conversation_sid``) gives the role when a participant's ``attributes`` JSON holds
``{"role": "agent"|"customer"}``; the ``roles``/``agent`` options map authors; otherwise an
author that is a phone or channel address (``+1555...``, ``whatsapp:...``) is the customer,
``system`` is system, and the role heuristic decides the rest. Conversation lists,
participant lists, Flex interactions and Insights segments on their own are metadata only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from servicecoach.errors import MetadataOnly
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    companions,
    missing,
    one_record,
    stem,
)
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import ReadResult, Source, json_loads

_ADDRESS = re.compile(r"^(?:\+\d{6,}|(?:whatsapp|messenger|sms|rcs):.+)$")
_ROLE_WORDS = {"agent": "agent", "worker": "agent", "customer": "customer", "system": "system",
               "bot": "system"}


def _is_participants(head: str) -> bool:
    return '"participants"' in head and '"conversation_sid"' in head


class TwilioReader(JsonExportReader):
    """Twilio Conversations messages (+ participants); other Twilio objects are metadata."""

    name = "twilio"
    description = "Twilio Conversations / Flex messages (+ participants)"

    def sniff(self, source: Source, head: str) -> bool:
        return head.lstrip().startswith(("{", "[")) and (
            '"conversation_sid"' in head or '"account_sid"' in head
            or "://flex-api.twilio.com/" in head)

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        messages = data.get("messages") if isinstance(data, dict) else data
        if not isinstance(messages, list):
            kind = next((k for k in ("participants", "conversations") if isinstance(data, dict)
                         and k in data), "Flex or Insights object")
            yield MetadataOnly(
                f"a Twilio {kind} record is metadata only (no messages)", source=source.name,
                hint="read the conversation's Messages list; a Participants list in the same "
                     "folder is joined to it for roles",
            )
            return
        conversations: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for index, message in enumerate(messages):
            sid = str(message.get("conversation_sid") or stem(source))
            conversations.setdefault(sid, []).append((index, message))
        for sid, numbered in conversations.items():
            yield one_record(partial(self._conversation, sid, numbered, source), source, "", sid)

    def _conversation(
        self, sid: str, messages: list[tuple[int, dict[str, Any]]], source: Source,
    ) -> ReadResult:
        draft = Draft(id=sid, labels_are_names=True)
        roles = _participant_roles(source, sid)
        messages.sort(key=lambda numbered: (numbered[1].get("index") is None,
                                            numbered[1].get("index") or 0, numbered[0]))
        for index, message in messages:
            author = message.get("author")
            if not isinstance(author, str) or not author:
                return missing(source, f"messages[{index}]", "author", sid)
            body = message.get("body")
            if not isinstance(body, str) or not body.strip():
                draft.drop("media_messages" if message.get("media") else "empty_messages")
                continue
            address = _ADDRESS.match(author) is not None  # a phone number is not a name
            speaker = roles.get(author) or ("customer" if address else
                                            "system" if author == "system" else None)
            draft.add_turn(speaker, body.strip(), to_epoch(message.get("date_created")),
                           label=None if address else author)
        return draft.finish(source, reader=self)


def _participant_roles(source: Source, sid: str) -> dict[str, str]:
    """Author (identity or address) -> role, from participants lists beside the file."""
    roles: dict[str, str] = {}
    for listing in companions(source, _is_participants):
        for participant in listing.get("participants", []) if isinstance(listing, dict) else []:
            if participant.get("conversation_sid") != sid:
                continue
            try:
                attributes = json_loads(participant.get("attributes") or "{}")
            except json.JSONDecodeError:
                continue
            role = _ROLE_WORDS.get(str(attributes.get("role", "")).lower()) if isinstance(
                attributes, dict) else None
            binding = participant.get("messaging_binding") or {}
            author = participant.get("identity") or binding.get("address")
            if role and author:
                roles[author] = role
    return roles


READER = TwilioReader()
