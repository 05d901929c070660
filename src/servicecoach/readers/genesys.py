"""Genesys Cloud: speech-and-text analytics transcripts, joined with conversation details.

- Speech & Text Analytics transcript (transcript-url JSON, one file per communication):
  ``transcripts[].phrases[]`` with ``participantPurpose`` (``internal`` = agent,
  ``external`` = customer), ``decoratedText`` (else ``text``), ``startTimeMs`` (epoch ms)
  and ``duration.milliseconds``. Times count from ``conversationStartTime``.
- Analytics conversation details (``/api/v2/analytics/conversations/details``):
  participant names (``participantName`` of the customer and agent), hold segments
  (``segmentType`` ``hold``) and agent transfers (``disconnectType`` ``transfer`` or
  ``consultTransfer`` on an agent segment; the ACD's own ``transfer`` is routing to the
  agent, not an event). Details hold no message text: next to a transcript with the same
  ``conversationId`` they are joined into it; alone they are reported as metadata only.
- Conversations API objects (``GET /api/v2/conversations/{id}``, see
  `genesys_conversation`): joined the same way (matched on their ``id``), metadata only alone.

A transfer is named after the agent who picks the conversation up next when the export
names them; the export's own target id stays in the event's ``metadata.target_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from servicecoach.channels import channel_named
from servicecoach.errors import MetadataOnly
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    companions,
    first,
    missing,
    stem,
)
from servicecoach.readers._time import seconds, to_epoch
from servicecoach.readers.base import ReadResult, Source
from servicecoach.readers.genesys_conversation import (
    Leg,
    add_transfer,
    conversation_records,
    is_conversation,
    is_conversation_record,
    join_conversation,
    picked_up_by,
)

_PURPOSES = {"internal": "agent", "agent": "agent", "user": "agent", "external": "customer",
             "customer": "customer", "ivr": "system", "acd": "system", "workflow": "system",
             "bot": "system"}
_TRANSFERS = {"transfer", "consultTransfer", "transfer.forward", "transfer.consult"}


def _is_companion(head: str) -> bool:
    return _is_details(head) or is_conversation(head)


def _is_details(head: str) -> bool:
    return '"conversationId"' in head and ('"segmentType"' in head or '"purpose"' in head)


class GenesysReader(JsonExportReader):
    """Genesys Cloud speech-and-text analytics transcripts and conversation details."""

    name = "genesys"
    description = "Genesys Cloud analytics transcripts (+ conversation details: holds, transfers)"

    def sniff(self, source: Source, head: str) -> bool:
        transcript = '"conversationId"' in head and ('"phrases"' in head or '"transcripts"' in head
                                                     or '"participantPurpose"' in head)
        return head.lstrip().startswith("{") and (transcript or _is_details(head)
                                                  or is_conversation(head))

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        if isinstance(data, dict) and isinstance(data.get("transcripts"), list):
            yield self._transcript(data, source)
            return
        records = data.get("conversations", [data]) if isinstance(data, dict) else data
        if isinstance(data, dict) and not _is_details_record(data) \
                and all(map(is_conversation_record, conversation_records(data))):
            yield from _conversations_alone(conversation_records(data), source)
            return
        for index, record in enumerate(records if isinstance(records, list) else [records]):
            conversation = record.get("conversationId") if isinstance(record, dict) else None
            yield MetadataOnly(
                "Genesys conversation details are metadata only (no message text)",
                source=source.name, location=f"record {index}", transcript_id=conversation,
                hint="put them in the folder of the speech-and-text analytics transcript "
                     "with the same conversationId; they are joined into it",
            )

    def _transcript(self, data: dict[str, Any], source: Source) -> ReadResult:
        conversation = str(data.get("conversationId") or stem(source))
        media = str(data.get("mediaType", "call")).lower()
        draft = Draft(id=conversation, channel=channel_named(data.get("messageType"), media) or "chat",
                      origin=to_epoch(data.get("conversationStartTime")))
        for t_index, transcript in enumerate(data["transcripts"]):
            for p_index, phrase in enumerate(transcript.get("phrases") or []):
                where = f"transcripts[{t_index}].phrases[{p_index}]"
                speaker = _PURPOSES.get(str(phrase.get("participantPurpose")).lower())
                if speaker is None:
                    return missing(source, where, "participantPurpose", conversation)
                text = first(phrase, "decoratedText", "text")
                if not isinstance(text, str):
                    return missing(source, where, "text", conversation)
                start = to_epoch(phrase.get("startTimeMs"))
                length = (phrase.get("duration") or {}).get("milliseconds")
                end = start + seconds(length, 1000) if start is not None and length is not None \
                    else None
                draft.add_turn(speaker, text, start, end)
        for found in companions(source, _is_companion):
            if isinstance(found, dict) and not _is_details_record(found):
                for record in conversation_records(found):
                    if is_conversation_record(record) and record.get("id") == conversation:
                        join_conversation(draft, record, _PURPOSES)
                continue
            for record in found.get("conversations", [found]) if isinstance(found, dict) else []:
                if isinstance(record, dict) and record.get("conversationId") == conversation:
                    _join_details(draft, record)
        return draft.finish(source, reader=self)


def _is_details_record(data: dict[str, Any]) -> bool:
    """Analytics details (one, or a query result under ``conversations``)."""
    return "conversationId" in data or isinstance(data.get("conversations"), list)


def _conversations_alone(records: list[Any], source: Source) -> Iterator[ReadResult]:
    for index, record in enumerate(records):
        yield MetadataOnly(
            "a Genesys Conversations API object is metadata only (names, holds, transfers; "
            "no message text)", source=source.name,
            location=f"entities[{index}]" if len(records) > 1 else "",
            transcript_id=str(record.get("id")),
            hint="put it in the folder of the speech-and-text analytics transcript with the "
                 "same conversation id; it is joined into it",
        )


def _join_details(draft: Draft, details: dict[str, Any]) -> None:
    """Names, holds and transfers from analytics conversation details."""
    if draft.origin is None:
        draft.origin = to_epoch(details.get("conversationStart"))
    agents = [(p, Leg(_first_start(p), p.get("participantName"), p.get("userId")))
              for p in details.get("participants") or []
              if _PURPOSES.get(str(p.get("purpose")).lower()) == "agent"]
    for participant in details.get("participants") or []:
        role = _PURPOSES.get(str(participant.get("purpose")).lower())
        if role in ("agent", "customer"):
            draft.name(f"{role}_name", participant.get("participantName"))
        for session in participant.get("sessions") or []:
            for segment in session.get("segments") or []:
                start, end = to_epoch(segment.get("segmentStart")), to_epoch(segment.get("segmentEnd"))
                if segment.get("segmentType") == "hold" and start is not None:
                    draft.add_event("hold_start", at=start)
                    if end is not None:
                        draft.add_event("hold_end", at=end)
                if role == "agent" and segment.get("disconnectType") in _TRANSFERS:
                    taker = picked_up_by((leg for p, leg in agents if p is not participant),
                                         _first_start(participant))
                    add_transfer(draft, end, segment.get("queueId"), taker)
    draft.metadata["details_joined"] = True


def _first_start(participant: dict[str, Any]) -> float | None:
    """When an analytics details participant joined: its first segment's start."""
    starts = [to_epoch(segment.get("segmentStart"))
              for session in participant.get("sessions") or []
              for segment in session.get("segments") or []]
    return min((start for start in starts if start is not None), default=None)


READER = GenesysReader()
