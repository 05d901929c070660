"""Salesforce Chat (Live Agent) transcripts: the ``LiveChatTranscript.Body`` text or HTML.

```
Chat Started: Wednesday, February 26, 2025, 10:27:21 (+0800)
( 2s ) Pepper Chatbot: Hi, I'm Pepper
( 12s ) Visitor: Hello
Chat Transferred From Pepper Chatbot To Support
( 1m 32s ) Support: How can I help?
```

The HTML body (``<p align="center">Chat Started: ...</p>...<br>``) is turned into text
first. ``( 1m 32s )`` offsets count from the latest ``Chat Started`` header (a transfer
starts a new one); times are seconds from the first. ``Visitor`` is the customer, a
speaker whose name contains "bot" is system, and when a ``Visitor`` speaks every other name
is an agent; otherwise (the visitor's own name is shown) the ``roles``/``agent`` options or
the role heuristic decide. ``Chat Transferred From X To Y``
lines are transfers to Y. A file may hold several chats, each starting with a
``Chat <number>`` line or separated by a line of asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from servicecoach.nlp.safe_regex import linear
from servicecoach.readers._common import BaseReader, Draft, stem
from servicecoach.readers._html import html_to_text, looks_like_html
from servicecoach.readers._time import iso_utc, relative_seconds, to_epoch, usable_time
from servicecoach.readers.base import ReadResult, Source

_TURN = linear(r"^\(\s*(?P<offset>[\dhms. ]+?)\s*\)\s*(?P<name>[^:]{1,80}?):\s?(?P<text>.*)$")
_STARTED = re.compile(r"^Chat Started:\s*(?P<when>.+)$")
_TRANSFERRED = re.compile(r"^Chat Transferred From (?P<source>.+?) To (?P<target>.+)$")
_SKILL_TRANSFER = re.compile(r"^Agent (?P<source>.+?) successfully transferred the chat to (?P<target>.+)$")
_AGENT_JOINED = re.compile(r"^Agent (?P<name>[A-Z0-9][\w.'-]*(?: [A-Z0-9][\w.'-]*){0,3})$")
_ORIGIN = re.compile(r"^Chat Origin:\s*(?P<origin>.+)$")
_CHAT_ID = re.compile(r"^Chat (?P<id>[\w-]+)$")
_SEPARATOR = re.compile(r"^\*{3,}$")
_BOT = re.compile(r"bot\b", re.IGNORECASE)


@dataclass
class _Chat:
    """Parsing state of one chat."""

    draft: Draft
    first_start: float | None = None
    section_start: float = 0.0
    skill_transfers: list[tuple[float | None, str]] = field(default_factory=list)
    agents: set[str] = field(default_factory=set)
    """Names the body shows joining as agents (``Agent X`` lines, transfer lines)."""
    transferred: bool = False
    new_section: bool = False
    """True after a second ``Chat Started`` header until the next turn."""


class SalesforceReader(BaseReader):
    """Salesforce LiveChatTranscript bodies (plain text or HTML)."""

    name = "salesforce"
    description = "Salesforce Chat transcript body (LiveChatTranscript.Body, text or HTML)"
    extensions = (".txt", ".html", ".htm")

    def sniff(self, source: Source, head: str) -> bool:
        text = html_to_text(head) if looks_like_html(head) else head
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return any(_STARTED.match(line) for line in lines[:5]) or sum(
            bool(_TURN.match(line)) for line in lines[:10]) >= 2

    def read(self, source: Source) -> Iterator[ReadResult]:
        text = source.document()
        if looks_like_html(text):
            text = html_to_text(text)
        chat: _Chat | None = None
        count = 0
        for raw in text.splitlines():
            line = raw.strip()
            new_id = _CHAT_ID.match(line)
            if _SEPARATOR.match(line) or (new_id and chat and chat.draft.turns):
                if chat is not None:
                    yield self._finish(chat, source)
                chat = None
                if not new_id:
                    continue
            if not line:
                continue
            if chat is None:
                count += 1
                chat = _Chat(Draft(id=stem(source) if count == 1 else f"{stem(source)}#{count}",
                                   relative=True, labels_are_names=True))
            self._line(chat, line, new_id)
        if chat is not None:
            yield self._finish(chat, source)

    @staticmethod
    def _line(chat: _Chat, line: str, new_id: re.Match[str] | None) -> None:
        draft = chat.draft
        offset = chat.section_start - (chat.first_start or 0.0)
        at = offset if chat.new_section else None  # else: after the last turn
        if new_id:
            draft.id = new_id["id"]
        elif started := _STARTED.match(line):
            when = to_epoch(started["when"])
            if when is not None:
                chat.new_section = chat.first_start is not None
                chat.first_start = chat.first_start if chat.first_start is not None else when
                chat.section_start = when
                if usable_time(when):  # else the turns timed from it are refused, naming it
                    draft.metadata.setdefault("started_at", iso_utc(when))
        elif transfer := _TRANSFERRED.match(line):
            target = transfer["target"].strip()
            draft.add_event("transfer", at=at if at is not None else _last_time(chat), target=target)
            chat.transferred = True
            chat.agents.update({transfer["source"].strip(), target})
        elif joined := _AGENT_JOINED.match(line):
            chat.agents.add(joined["name"])
        elif skill := _SKILL_TRANSFER.match(line):
            chat.skill_transfers.append((at if at is not None else _last_time(chat), skill["target"]))
            chat.agents.add(skill["source"].strip())
        elif origin := _ORIGIN.match(line):
            draft.metadata["chat_origin"] = origin["origin"]
        elif turn := _TURN.match(line):
            name = turn["name"].strip()
            seconds = relative_seconds(turn["offset"])
            chat.new_section = False
            start = offset + seconds if seconds is not None else None
            if name == "Visitor":
                draft.add_turn("customer", turn["text"].strip(), start)
            else:
                speaker = "system" if _BOT.search(name) else "agent" if name in chat.agents else None
                draft.add_turn(speaker, turn["text"].strip(), start, label=name)
        elif draft.turns:
            draft.extend_turn("\n" + line)
        else:
            draft.drop("unrecognised_lines")

    def _finish(self, chat: _Chat, source: Source) -> ReadResult:
        draft = chat.draft
        if any(t["speaker"] == "customer" for t in draft.turns):  # a Visitor: others are agents
            for turn in draft.turns:
                if turn["speaker"] is None:
                    turn["speaker"] = "agent"
        if not chat.transferred:
            for at, target in chat.skill_transfers:
                chat.draft.add_event("transfer", at=at, target=target)
        return chat.draft.finish(source, reader=self)


def _last_time(chat: _Chat) -> float:
    """When a transfer line happened, as near as the body says: the time of the message
    before it (the body gives no time to the transfer itself), else the start of its section."""
    section = chat.section_start - (chat.first_start or 0.0)
    # the last timed message, looked for from the end (not a list of every turn's time for
    # each transfer line: a long chat of many transfers is read in linear time)
    last = next((t["start"] for t in reversed(chat.draft.turns) if t["start"] is not None), None)
    return section if last is None else max(section, last)


READER = SalesforceReader()
