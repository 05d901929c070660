"""Genesys Cloud Conversations API objects (``GET /api/v2/conversations/{conversationId}``).

Such an object has no message text: ``participants[]`` with a ``purpose`` (``customer``,
``agent``, ``acd``, ``ivr``...), a ``name`` and their communications (``calls[]``,
``chats[]``, ``messages[]``...), each with ``segments[]`` (``type`` ``Interact``, ``Hold``,
``Alert``...; ``startTime``/``endTime``) and a ``disconnectType``. Joined into the
transcript with the same conversation id it gives the customer's and agent's names, hold
events (``Hold`` segments) and transfers (an agent's communication that ends with a
``transfer`` disconnect), each transfer named after the agent who picks the call up next.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from servicecoach.readers._common import Draft
from servicecoach.readers._time import to_epoch

_MEDIA = ("calls", "chats", "messages", "emails", "callbacks", "videos", "screenshares",
          "cobrowsesessions", "socialExpressions")
TRANSFERS = frozenset({"transfer", "consultTransfer", "transfer.forward", "transfer.consult",
                       "transfer.conference", "transfer.noanswer", "transfer.notavailable"})
"""``disconnectType`` values that end an agent's part of the conversation with a transfer."""


def is_conversation(head: str) -> bool:
    """True when the start of a file looks like a Conversations API object (or a page of
    them): participants with a purpose and their communications, no analytics sessions."""
    media = ('"calls"', '"chats"', '"participantType"', '"connectedTime"')
    return ('"participants"' in head and '"purpose"' in head and any(m in head for m in media)
            and '"sessions"' not in head and '"phrases"' not in head)


def conversation_records(data: Any) -> list[Any]:
    """The conversation objects in decoded JSON: one, a list, or a page (``entities``)."""
    if isinstance(data, dict):
        return list(data["entities"]) if isinstance(data.get("entities"), list) else [data]
    return list(data) if isinstance(data, list) else [data]


def is_conversation_record(record: Any) -> bool:
    """A decoded Conversations API object (not analytics details, which have ``conversationId``)."""
    return isinstance(record, dict) and "conversationId" not in record and "id" in record \
        and isinstance(record.get("participants"), list)


@dataclass(frozen=True)
class Leg:
    """One agent's part of a conversation: when it started, who, and the user id."""

    start: float | None
    name: str | None
    user_id: str | None


def picked_up_by(legs: Iterable[Leg], after: float | None) -> Leg | None:
    """The agent leg that starts first after `after`: who took the call over."""
    later = [leg for leg in legs if leg.start is not None and (after is None or leg.start > after)]
    return min(later, key=lambda leg: leg.start or 0.0, default=None)


def add_transfer(draft: Draft, at: float | None, target_id: Any, taker: Leg | None) -> None:
    """A transfer event to the agent who took over, by name when the export has it; the
    ids (the export's own target id, the agent's user id) go to the event's metadata."""
    name = taker.name if taker else None
    given = str(target_id) if target_id not in (None, "") else None
    details = {}
    if name and given:
        details["target_id"] = given
    if taker and taker.user_id:
        details["target_user_id"] = str(taker.user_id)
    draft.add_event("transfer", at=at, target=name or given, details=details)


def join_conversation(draft: Draft, record: dict[str, Any], roles: dict[str, str]) -> None:
    """Names, holds and transfers from a Conversations API object; `roles` maps a
    participant ``purpose`` to agent/customer/system."""
    if draft.origin is None:
        draft.origin = to_epoch(record.get("startTime"))
    participants = [p for p in record.get("participants") or [] if isinstance(p, dict)]
    participants.sort(key=lambda p: to_epoch(p.get("startTime")) or 0.0)  # stable
    agents = [(p, Leg(to_epoch(p.get("startTime")), _name(p), p.get("userId")))
              for p in participants if roles.get(str(p.get("purpose")).lower()) == "agent"]
    holds: set[tuple[str, float]] = set()
    for participant in participants:
        role = roles.get(str(participant.get("purpose")).lower())
        if role in ("agent", "customer"):
            draft.name(f"{role}_name", _name(participant))
        for communication in _communications(participant):
            for segment in communication.get("segments") or []:
                if str(segment.get("type")).lower() == "hold":
                    for kind, key in (("hold_start", "startTime"), ("hold_end", "endTime")):
                        when = to_epoch(segment.get(key))
                        if when is not None and (kind, when) not in holds:
                            holds.add((kind, when))
                            draft.add_event(kind, at=when)
            if role == "agent" and communication.get("disconnectType") in TRANSFERS:
                this = to_epoch(participant.get("startTime"))
                taker = picked_up_by((leg for p, leg in agents if p is not participant), this)
                at = to_epoch(communication.get("disconnectedTime") or participant.get("endTime"))
                add_transfer(draft, at, None, taker)
    draft.metadata["conversation_joined"] = True


def _name(participant: dict[str, Any]) -> str | None:
    name = participant.get("name")
    return name.strip() or None if isinstance(name, str) else None


def _communications(participant: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in _MEDIA:
        for communication in participant.get(key) or []:
            if isinstance(communication, dict):
                yield communication
