"""Amazon Connect: Contact Lens analysis (voice and chat), chat transcripts, segment streams.

- Contact Lens voice analysis (``Analysis/Voice/...json``, schema ``1.1.0`` or
  ``VOICE-2022-11-30``): ``Transcript[]`` turns with ``ParticipantId`` (looked up in
  ``Participants[]`` for the role) and ``BeginOffsetMillis``/``EndOffsetMillis``.
- Contact Lens chat analysis and raw chat transcripts (``ChatTranscriptVersion``
  ``2019-08-26``): items with ``ParticipantRole``, ``DisplayName`` and ``AbsoluteTime``;
  ``Type`` ``EVENT`` items are not turns, ``transfer.succeeded`` events become transfers,
  attachments are counted; an interactive message's JSON template is read as its prompt
  and options, and the customer's clicks on its buttons (``interactive.response``) are
  counted, not turns.
- Real-time segment streams (Kinesis ``EventType`` ``SEGMENTS``): final ``Transcript``
  segments; partial ``Utterance`` segments are skipped.
- A contact record (CTR) in the same folder with the same ``ContactId`` adds the agent's
  user name, hold counts and a transfer event. A CTR on its own is metadata only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from servicecoach.channels import channel_named
from servicecoach.errors import InputError, MetadataOnly, clipped, first_few
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    companions,
    missing,
    nested_texts,
    one_record,
    stem,
)
from servicecoach.readers._time import seconds, to_epoch
from servicecoach.readers.base import ReadResult, Source, json_loads

_ROLES = {"AGENT": "agent", "SUPERVISOR": "agent", "CUSTOMER": "customer", "SYSTEM": "system",
          "CUSTOM_BOT": "system"}
_TRANSFER = "application/vnd.amazonaws.connect.event.transfer.succeeded"
_INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
"""A bot's interactive message: Content is a JSON template (list picker, quick replies...)."""
_INTERACTIVE_RESPONSE = _INTERACTIVE + ".response"
"""The customer's click on an interactive message's action button (show more...): JSON."""
_VERSION = re.compile(r'"Version"\s*:\s*"(?:CHAT-|VOICE-|2019-08-26")')
_NOT_A_NAME = re.compile(r"^(?:\[.*\]|SYSTEM_MESSAGE|BOT|Customer|Agent)$")


def _template_text(content: str) -> str | None:
    """The words an interactive message shows: the titles and subtitles of its template's
    ``data.content`` (the prompt, then each option), one per line."""
    try:
        template = json_loads(content)
    except json.JSONDecodeError:
        return None
    data = template.get("data") if isinstance(template, dict) else None
    return nested_texts(data.get("content") if isinstance(data, dict) else None,
                        lambda part: [part[key] for key in ("title", "subtitle")
                                      if isinstance(part.get(key), str)])


def _is_ctr(head: str) -> bool:
    return '"ContactId"' in head and '"InitiationTimestamp"' in head


class ConnectReader(JsonExportReader):
    """Amazon Connect Contact Lens, chat transcript and segment-stream JSON."""

    name = "connect"
    description = "Amazon Connect Contact Lens analysis (voice/chat), chat transcripts"

    def sniff(self, source: Source, head: str) -> bool:
        if not head.lstrip().startswith(("{", "[")):
            return False
        if '"AccountId"' in head and '"Transcript"' not in head:
            head = source.head(65536)  # analysis files can open with long Categories blocks
        contact_lens = ('"ParticipantId"' in head and '"ParticipantRole"' in head) or (
            '"ChatTranscriptVersion"' in head or _VERSION.search(head) is not None)
        stream = '"EventType"' in head and '"ContactId"' in head
        return contact_lens or stream or _is_ctr(head)

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        records = data if isinstance(data, list) else [data]
        if records and all(isinstance(r, dict) and "EventType" in r for r in records):
            yield from self._stream(records, source)
            return
        for index, record in enumerate(records):
            location = f"record {index}" if isinstance(data, list) else ""
            if not isinstance(record, dict) or not isinstance(record.get("Transcript"), list):
                if isinstance(record, dict) and "InitiationTimestamp" in record:
                    yield MetadataOnly(
                        "a contact record (CTR) is metadata only, with no conversation text",
                        source=source.name, location=location,
                        transcript_id=record.get("ContactId"),
                        hint="put it in the folder of the Contact Lens file; they are joined on ContactId",
                    )
                else:
                    yield missing(source, location, "Transcript", None)
                continue
            yield one_record(partial(self._contact, record, source, location), source, location,
                             str(record.get("ContactId") or "") or None)

    def _contact(self, record: dict[str, Any], source: Source, location: str) -> ReadResult:
        contact_id = (record.get("CustomerMetadata") or {}).get("ContactId") or record.get(
            "ContactId") or stem(source)
        voice = str(record.get("Channel", "")).upper() == "VOICE" or any(
            "BeginOffsetMillis" in item for item in record["Transcript"] if isinstance(item, dict))
        draft = Draft(id=str(contact_id), channel="voice" if voice else "chat", relative=voice)
        roles = {p.get("ParticipantId"): p.get("ParticipantRole")
                 for p in record.get("Participants") or [] if isinstance(p, dict)}
        for index, item in enumerate(record["Transcript"]):
            where = f"{location + ', ' if location else ''}Transcript[{index}]"
            if not isinstance(item, dict):
                return missing(source, where, "Transcript item", draft.id)
            kind = item.get("Type", "MESSAGE")
            when = seconds(item["BeginOffsetMillis"], 1000) if voice and isinstance(
                item.get("BeginOffsetMillis"), (int, float)) else to_epoch(item.get("AbsoluteTime"))
            if kind == "EVENT":
                if item.get("ContentType") == _TRANSFER:
                    draft.add_event("transfer", at=when)
                continue
            if kind == "ATTACHMENT":
                draft.drop("attachments")
                continue
            role = item.get("ParticipantRole") or roles.get(item.get("ParticipantId")) or (
                item.get("ParticipantId") if item.get("ParticipantId") in _ROLES else None)
            speaker = _ROLES.get(str(role).upper())
            if speaker is None:
                return missing(source, where, "ParticipantRole", draft.id)
            text = item.get("Content")
            if not isinstance(text, str):
                return missing(source, where, "Content", draft.id)
            if item.get("ContentType") == _INTERACTIVE_RESPONSE:
                draft.drop("interactive_responses")
                continue
            if item.get("ContentType") == _INTERACTIVE:
                text = _template_text(text) or text
            end = item.get("EndOffsetMillis")
            draft.add_turn(speaker, text.strip(), when,
                           seconds(end, 1000) if voice and isinstance(end, (int, float)) else None)
            display = item.get("DisplayName")
            if speaker != "system" and isinstance(display, str) and not _NOT_A_NAME.match(display):
                draft.name(f"{speaker}_name", display)
        self._join_ctr(draft, source)
        return draft.finish(source, location, self)

    def _join_ctr(self, draft: Draft, source: Source) -> None:
        for ctr in companions(source, _is_ctr):
            if not isinstance(ctr, dict) or ctr.get("ContactId") != draft.id:
                continue
            agent = ctr.get("Agent") or {}
            draft.name("agent_name", agent.get("Username"))
            draft.keep("queue", (ctr.get("Queue") or {}).get("Name"))
            if agent.get("NumberOfHolds"):
                draft.metadata["holds"] = agent["NumberOfHolds"]
                draft.metadata["hold_seconds"] = agent.get("CustomerHoldDuration")
            if ctr.get("NextContactId") or ctr.get("TransferredToEndpoint"):
                target = (ctr.get("TransferredToEndpoint") or {}).get("Address")
                at = to_epoch(ctr.get("TransferCompletedTimestamp"))
                start = to_epoch(agent.get("ConnectedToAgentTimestamp"))
                offset = at - start if draft.relative and at and start else None
                draft.add_event("transfer", at=offset if draft.relative else at, target=target)
            draft.metadata["ctr_joined"] = True

    def _stream(self, events: list[dict[str, Any]], source: Source) -> Iterator[ReadResult]:
        contacts: dict[str, Draft] = {}
        kinds_of: dict[str, set[str]] = {}  # each contact's event types, for an error
        for event in events:
            contact_id = str(event.get("ContactId") or stem(source))
            draft = contacts.setdefault(contact_id, Draft(
                id=contact_id, channel=channel_named(event.get("Channel", "VOICE")) or "chat",
                relative=True))
            kinds_of.setdefault(contact_id, set()).add(str(event.get("EventType")))
            for segment in event.get("Segments") or []:
                final = segment.get("Transcript") if isinstance(segment, dict) else None
                if not isinstance(final, dict):
                    continue
                speaker = _ROLES.get(str(final.get("ParticipantRole")).upper())
                if speaker and isinstance(final.get("Content"), str):
                    draft.add_turn(speaker, final["Content"],
                                   seconds(final.get("BeginOffsetMillis", 0), 1000),
                                   seconds(final.get("EndOffsetMillis", 0), 1000))
                else:
                    draft.drop("segments_without_role_or_content")
        for contact_id, draft in contacts.items():
            if draft.turns:
                yield draft.finish(source, reader=self)
            else:
                kinds = first_few([repr(clipped(kind, _SHOWN))
                                   for kind in sorted(kinds_of[contact_id])])
                yield InputError(
                    f"segment-stream event(s) {kinds} carry no transcript segments",
                    source=source.name, transcript_id=contact_id,
                    hint="read the SEGMENTS events (e.g. all events of a contact as JSON Lines)",
                )


_SHOWN = 40
"""Characters of an event type an error shows."""


READER = ConnectReader()
