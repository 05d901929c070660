"""LivePerson Messaging Interactions API (conversation history search responses).

Each ``conversationHistoryRecords[]`` entry is a conversation: ``messageRecords[]`` with
``sentBy`` ``Consumer`` (customer) or ``Agent`` (agent; a participant whose
``userTypeName`` is ``Bot`` or ``System`` is system), text in ``messageData.msg.text`` (HTML for ``TEXT_HTML`` messages; else the ``text``
elements of a structured-content card, or a file's caption) and time in ``timeL`` (epoch
ms). The customer's name comes from ``consumerParticipant[]``
(first/last name) or the personal-info SDE, the agent's from ``agentParticipants[]``.
``transfers[]`` become transfer events (target: skill, or agent).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

from servicecoach.channels import channel_named
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    first,
    missing,
    nested_texts,
    one_record,
)
from servicecoach.readers._html import plain_text
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import ReadResult, Source, json_loads

_UNSET = {None, "", "undefined", "null"}


def _clean(value: Any) -> str | None:
    return None if value in _UNSET else str(value)


def _card_text(content: Any) -> str | None:
    """The words of a structured-content card (``messageData.richContent.content``, a JSON
    string or its decoded object): its ``text`` elements, however nested, one per line."""
    if isinstance(content, str):
        try:
            content = json_loads(content)
        except json.JSONDecodeError:
            return None
    return nested_texts(content, lambda element: [element["text"]] if (
        element.get("type") == "text" and isinstance(element.get("text"), str)) else [])


def _unreadable_card(message: dict[str, Any]) -> bool:
    """Whether `message` is a structured-content card whose content is no JSON object or
    array (cut off, plain text, a number): a card, not an image, that could not be read."""
    rich = (message.get("messageData") or {}).get("richContent")
    if message.get("type") != "RICH_CONTENT" and rich is None:
        return False
    content = (rich or {}).get("content")
    if isinstance(content, str):
        try:
            content = json_loads(content)
        except json.JSONDecodeError:
            return True
    return not isinstance(content, (dict, list))


def _message_text(data: dict[str, Any], html: bool) -> str | None:
    """What a message says: its text (`html`: turned into plain text), else the text of its
    card, else its file's caption."""
    text = (data.get("msg") or {}).get("text")
    if isinstance(text, str):
        return plain_text(text) if html else text
    caption = (data.get("file") or {}).get("caption")
    return _card_text((data.get("richContent") or {}).get("content")) or (
        caption if isinstance(caption, str) and caption.strip() else None)


class LivePersonReader(JsonExportReader):
    """LivePerson conversation history records."""

    name = "liveperson"
    description = "LivePerson Messaging Interactions conversations (with transfers)"

    def sniff(self, source: Source, head: str) -> bool:
        # JSON only: until 2026-12-07 a text transcript quoting the keys was claimed too
        return head.lstrip().startswith(("{", "[")) and (
            '"conversationHistoryRecords"' in head
            or ('"messageRecords"' in head and '"sentBy"' in head))

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        records = data.get("conversationHistoryRecords", [data]) if isinstance(data, dict) else data
        for index, record in enumerate(records):
            where = f"conversationHistoryRecords[{index}]"
            yield one_record(partial(self._conversation, record, source, where), source, where, None)

    def _conversation(self, record: dict[str, Any], source: Source, location: str) -> ReadResult:
        info = record.get("info") or {}
        draft = Draft(id=str(info.get("conversationId") or location),
                      origin=to_epoch(info.get("startTimeL")), channel=channel_named(info.get("source")))
        automatic = {str(a.get("agentId")) for a in record.get("agentParticipants") or []
                if a.get("userTypeName") in ("Bot", "System")}
        for index, message in enumerate(record.get("messageRecords") or []):
            where = f"{location}.messageRecords[{index}]"
            sent_by = message.get("sentBy")
            speaker = {"consumer": "customer", "agent": "agent"}.get(str(sent_by).lower())
            if speaker is None:
                return missing(source, where, "sentBy", draft.id)
            if speaker == "agent" and str(message.get("participantId")) in automatic:
                speaker = "system"
            text = _message_text(message.get("messageData") or {}, message.get("type") == "TEXT_HTML")
            if text is None:
                if message.get("type") in ("TEXT_PLAIN", "TEXT_HTML", None):
                    return missing(source, where, "messageData.msg.text", draft.id)
                draft.drop("unreadable_rich_cards" if _unreadable_card(message)
                           else "non_text_messages")
                continue
            draft.add_turn(speaker, text, to_epoch(first(message, "timeL", "time")))
        for consumer in record.get("consumerParticipant") or []:
            full = " ".join(filter(None, (_clean(consumer.get("firstName")),
                                          _clean(consumer.get("lastName")))))
            draft.name("customer_name", full or _clean(consumer.get("consumerName")))
        for event in (record.get("sdes") or {}).get("events") or []:
            person = (event.get("personalInfo") or {}).get("personalInfo") or {}
            full = " ".join(filter(None, (_clean(person.get("name")), _clean(person.get("surname")))))
            draft.name("customer_name", full)
        humans = [a for a in record.get("agentParticipants") or [] if str(a.get("agentId")) not in automatic]
        if humans:
            draft.name("agent_name", _clean(first(humans[0], "agentFullName", "agentNickname")))
        for transfer in record.get("transfers") or []:
            target = _clean(transfer.get("targetSkillName")) or _clean(
                transfer.get("assignedAgentFullName")) or _clean(transfer.get("assignedAgentId"))
            draft.add_event("transfer", at=to_epoch(first(transfer, "timeL", "time")), target=target)
        if info.get("closeReason"):
            draft.metadata["close_reason"] = info["closeReason"]
        draft.keep("queue", info.get("latestSkillName"))
        draft.keep("team", info.get("latestAgentGroupName"))
        return draft.finish(source, location, self)


READER = LivePersonReader()
