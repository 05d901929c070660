"""Zendesk: Support ticket comments and audits, Chat (Zopim) history, Sunshine Conversations.

- Support: a comment, ``{"comments": [...]}``, an audit, ``{"audits": [...]}`` or
  ``{"audit": ..., "ticket": ...}``; one transcript per ticket. The ticket's
  ``requester_id`` (from the ticket or the audit's Create event) is the customer, other
  authors are agents, unless users sideloaded with the comments (``include=users``) give
  the author's ``role`` (``end-user``, ``agent``, ``admin``) and name; without either,
  ``author_id`` values are labels (``roles`` option or heuristic). ``public: false`` comments are internal notes (dropped, counted);
  ``html_body`` is turned into text; trigger Notification emails are counted, not turns;
  VoiceComment transcriptions are customer turns.
- Chat: ``history[]`` ``chat.msg`` items; ``visitor.name`` is the customer, ``agent_names``
  the agents; ``department_name`` is the queue; a ``chat.comment`` (post-chat rating) goes
  to metadata.
- Sunshine Conversations: ``messages[]`` (list messages) or webhook ``events[]``
  (``conversation:message``); ``author.type`` ``user`` = customer, ``business`` = agent,
  but system when its ``source.type`` is a bot or the survey (``zd:answerBot``,
  ``ultimate``, ``zd:surveys``); the ``text`` of text messages, image and file captions
  and carousel/list fallbacks (media without text counted); ``switchboard:passControl``
  (bot to agent handoff) is a transfer.
- Talk call and leg records (hold time, transfers) are metadata only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from servicecoach.channels import channel_named
from servicecoach.errors import MetadataOnly
from servicecoach.readers._common import (
    Draft,
    JsonExportReader,
    first,
    missing,
    one_record,
    stem,
)
from servicecoach.readers._etl_shape import looks_like_etl
from servicecoach.readers._html import plain_text
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import ReadResult, Source

_BOT_SOURCES = {"zd:answerBot", "ultimate", "zd:surveys"}
"""Sunshine ``source.type`` of business messages that no agent wrote: Zendesk's bot (Answer
Bot, flow builder), an Ultimate bot, the satisfaction survey."""
_USER_ROLES = {"end-user": "customer", "agent": "agent", "admin": "agent"}
"""Zendesk user ``role`` (of users sideloaded with ``include=users``) to the speaker."""
_TEXT_TYPES = {"text", "image", "file", "carousel", "list"}
"""Sunshine ``content.type`` values whose ``text`` is what the message says: the text, the
caption of an image or file, the text fallback of a carousel or list."""


class ZendeskReader(JsonExportReader):
    """Zendesk Support comments/audits, Chat history and Sunshine Conversations messages."""

    name = "zendesk"
    description = "Zendesk ticket comments/audits, Chat history, Sunshine Conversations"

    def sniff(self, source: Source, head: str) -> bool:
        if not head.lstrip().startswith("{") or looks_like_etl(head):
            return False
        support = '"author_id"' in head and ('"public"' in head or '"events"' in head)
        chat = '"history"' in head and ('"visitor"' in head or '"agent_names"' in head)
        sunshine = '"author"' in head and '"content"' in head and (
            '"received"' in head or '"conversation:message"' in head)
        switchboard = '"switchboard:' in head or '"activeSwitchboardIntegration"' in head
        talk = '"hold_time"' in head and ('"talk_time"' in head or '"call_id"' in head)
        return support or chat or sunshine or switchboard or talk

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        if not isinstance(data, dict):
            yield missing(source, "", "object", None)
        elif "history" in data or "chats" in data:
            for index, chat in enumerate(data.get("chats", [data])):
                where = f"chats[{index}]" if "chats" in data else ""
                yield one_record(partial(self._chat, chat, source, where), source, where, None)
        elif "messages" in data or "webhook" in data:
            yield self._sunshine(data, source)
        elif "hold_time" in data:
            yield MetadataOnly(
                "a Zendesk Talk call or leg record is metadata only (no conversation text)",
                source=source.name, transcript_id=str(data.get("ticket_id") or data.get("id")),
                hint="read the ticket's comments or audits for the conversation",
            )
        else:
            yield from self._support(data, source)

    def _chat(self, chat: dict[str, Any], source: Source, location: str) -> ReadResult:
        draft = Draft(id=str(chat.get("id") or stem(source)))
        visitor = str((chat.get("visitor") or {}).get("name") or "")
        agents = set(chat.get("agent_names") or [])
        draft.name("customer_name", visitor)
        draft.keep("queue", chat.get("department_name"))
        for index, item in enumerate(chat.get("history") or []):
            kind = item.get("type")
            if kind == "chat.comment":
                draft.metadata["rating_comment"] = item.get("new_comment") or item.get("comment")
                continue
            if kind != "chat.msg":
                continue
            name = str(item.get("name") or "")
            nick = str(item.get("nick") or "")
            if name == visitor or nick.startswith("visitor"):
                speaker: str | None = "customer"
            elif name in agents or nick.startswith("agent"):
                speaker = "agent"
            else:
                speaker = None
            if not isinstance(item.get("msg"), str):
                return missing(source, f"{location}history[{index}]", "msg", draft.id)
            draft.add_turn(speaker, item["msg"], to_epoch(item.get("timestamp")), label=name)
            if speaker == "agent":
                draft.name("agent_name", name)
        return draft.finish(source, location, self)

    def _sunshine(self, data: dict[str, Any], source: Source) -> ReadResult:
        messages: list[dict[str, Any]] = list(data.get("messages") or [])
        draft = Draft(id=stem(source))
        for event in data.get("events") or []:
            payload = event.get("payload") or {}
            conversation = payload.get("conversation") or {}
            if conversation.get("id"):
                draft.id = str(conversation["id"])
            if event.get("type") == "conversation:message" and "message" in payload:
                messages.append(payload["message"])
            elif event.get("type") == "switchboard:passControl":
                target = (payload.get("nextSwitchboardIntegration")
                          or conversation.get("activeSwitchboardIntegration") or {}).get("name")
                draft.add_event("transfer", at=to_epoch(event.get("createdAt")), target=target)
        for index, message in enumerate(messages):
            author = message.get("author") or {}
            speaker = {"user": "customer", "business": "agent"}.get(author.get("type") or "")
            if speaker is None:
                return missing(source, f"messages[{index}]", "author.type", draft.id)
            if speaker == "agent" and (message.get("source") or {}).get("type") in _BOT_SOURCES:
                speaker = "system"
            content = message.get("content") or {}
            text = content.get("text") if content.get("type") in _TEXT_TYPES else None
            if content.get("type") != "text" and not (isinstance(text, str) and text.strip()):
                draft.drop("non_text_messages")
                continue
            draft.add_turn(speaker, str(text or ""), to_epoch(message.get("received")))
            draft.channel = draft.channel or channel_named((message.get("source") or {}).get("type"))
            if speaker != "system":
                draft.name(f"{speaker}_name", author.get("displayName"))
        return draft.finish(source, reader=self)

    def _support(self, data: dict[str, Any], source: Source) -> Iterator[ReadResult]:
        ticket = data.get("ticket") or {}
        audits = data.get("audits") or ([data["audit"]] if "audit" in data else None)
        if audits is None and "events" in data:
            audits = [data]
        if audits is None:  # bare comments: treat as one audit each
            comments = data.get("comments") or [data]
            audits = [{"created_at": c.get("created_at"), "events": [c]} for c in comments]
        users = {str(user["id"]): user for user in data.get("users") or []
                 if isinstance(user, dict) and user.get("id") is not None}  # include=users
        tickets: dict[str, list[dict[str, Any]]] = {}
        for audit in audits:
            tickets.setdefault(str(audit.get("ticket_id") or ticket.get("id") or stem(source)),
                               []).append(audit)
        for ticket_id, ticket_audits in tickets.items():
            yield self.ticket(ticket_id, ticket_audits, ticket, source, users=users)

    def ticket(
        self, ticket_id: str, audits: list[dict[str, Any]], ticket: dict[str, Any], source: Source,
        audit_locations: Sequence[str] | None = None, location: str = "",
        users: Mapping[str, dict[str, Any]] | None = None,
    ) -> ReadResult:
        """One ticket's audits (a bare comment is an audit of one event) as a transcript;
        `audit_locations` name where each audit comes from in the file; `users` (user id ->
        sideloaded user record) give the authors' roles and names."""
        users = users or {}
        # via.channel of the ticket, an audit or a comment ("email", "twitter", "web"...)
        vias = [ticket, *audits, *(e for a in audits for e in a.get("events") or [])]
        draft = Draft(id=ticket_id, channel=channel_named(
            *((v.get("via") or {}).get("channel") for v in vias if isinstance(v, dict))))
        requester = ticket.get("requester_id")
        for audit in audits:
            for event in audit.get("events") or []:
                if event.get("type") == "Create" and event.get("field_name") == "requester_id":
                    requester = event.get("value")
        if requester is not None:
            draft.name("customer_name", (users.get(str(requester)) or {}).get("name"))
        for a_index, audit in enumerate(audits):
            for e_index, event in enumerate(audit.get("events") or []):
                where = audit_locations[a_index] if audit_locations else \
                    f"audits[{a_index}].events[{e_index}]"
                kind = event.get("type")
                when = to_epoch(event.get("created_at") or audit.get("created_at"))
                if kind == "Notification":
                    draft.drop("notifications")
                elif kind == "VoiceComment":
                    draft.channel = "voice"
                    call = event.get("data") or {}
                    text = call.get("transcription_text")
                    if isinstance(text, str) and text.strip():
                        draft.add_turn("customer", text.strip(), when or to_epoch(call.get("started_at")))
                    else:
                        draft.drop("voice_comments_without_transcription")
                elif kind == "Comment":
                    if event.get("public") is False:
                        draft.drop("internal_notes")
                        continue
                    body = first(event, "html_body", "plain_body", "body")
                    if not isinstance(body, str):
                        return missing(source, where, "body", ticket_id)
                    author = event.get("author_id")
                    if author is None:
                        return missing(source, where, "author_id", ticket_id)
                    user = users.get(str(author)) or {}
                    speaker = _USER_ROLES.get(str(user.get("role"))) or (
                        None if requester is None else
                        "customer" if str(author) == str(requester) else "agent")
                    draft.add_turn(speaker, plain_text(body), when, label=str(author))
                    if speaker is not None:
                        draft.name(f"{speaker}_name", user.get("name"))
        return draft.finish(source, location, self)


READER = ZendeskReader()
