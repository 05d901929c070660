"""The plain-text transcript form, one turn per line.

```
%% id: call-42
%% channel: voice
%% customer_name: Dana Reyes
[00:03] Agent: Thanks for calling Acme, this is Sam.
[00:07] Customer: Hi, my order never arrived.
I checked the tracking page twice.
[01:10] @hold_start
[02:05] @hold_end
@transfer billing
---
Agent: a second conversation in the same file
```

``%% key: value`` headers set the id, the channel and metadata; ``@event [target]``
lines are hold and transfer events; ``#`` lines are comments (the rule-test harness reads
its annotations from them); ``---`` starts a new conversation. A line without a speaker
label continues the turn above it (a wrapped or multi-line message); so does an untimed
``Word: ...`` line under a timed turn (``Reason: ...`` is text when every turn has a time).
Lines before the first turn are left out and counted (``dropped_unlabelled_lines``); a
conversation with no speaker line at all is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from servicecoach.errors import InputError, quoted
from servicecoach.models import Transcript, speaker_named
from servicecoach.readers._time import clock_seconds
from servicecoach.readers.base import (
    ReadResult,
    Source,
    continue_turn,
    file_lines,
    joined,
    validation_problem,
)

_TIME = r"\[(?P<time>(?:\d+:)?\d{1,2}:\d{2}(?:\.\d+)?)\]\s*"
_TURN = re.compile(rf"^(?:{_TIME})?(?P<speaker>[A-Za-z]+)\s*:\s?(?P<text>.*)$")
_EVENT = re.compile(rf"^(?:{_TIME})?@(?P<type>[a-z_]+)(?:\s+(?P<target>.+))?$")
_ODD_LABEL = re.compile(r"^(?:agent|customer|system)\s*(?:\([^)]{1,40}\)|\[[^\]]{1,40}\]|-\s*[^:]{1,40})\s*:",
                        re.IGNORECASE)
"""A speaker label in a form this format does not take (``Agent (Sam):``): an error, never
more text of the turn above."""
_HEADER = re.compile(r"^%%\s*(?P<key>[A-Za-z_-]+)\s*:\s*(?P<value>.*)$")
EXPECTATION_HEADERS = frozenset({"expect", "expect-not", "min-score"})
"""Headers that carry CI expectations (servicecoach.expectations), not metadata."""
_LABEL_CHARS = 30
"""The longest would-be speaker label an error quotes."""


def _unreadable(line: str) -> str:
    """Why a line is not a turn, quoting at most what stands where its speaker label should
    (a short excerpt before a colon), never what the line says: errors end up in logs."""
    label, colon, _ = line.partition(":")
    if colon and len(label) <= _LABEL_CHARS:
        return f"cannot read line: {label!r} is not a speaker label"
    return "cannot read line: it does not start with a speaker label"


_LIST_HEADERS = frozenset({"expect", "expect-not", "min-score"})
"""Headers whose value is a comma-separated list (expectations, docs/ci.md): lines of one
add up, as a long list is written on several lines."""
_EVENT_TYPES = frozenset({"hold_start", "hold_end", "transfer"})
_HINT = "write turns as 'Agent: ...', 'Customer: ...' or 'System: ...' (docs/formats.md#text)"


@dataclass
class TextBlock:
    """One conversation of a text file, with the file line of each turn and comment."""

    first_line: int
    headers: dict[str, str] = field(default_factory=dict)
    turns: list[dict[str, Any]] = field(default_factory=list)
    turn_lines: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_lines: list[int] = field(default_factory=list)
    comments: list[tuple[int, str, int]] = field(default_factory=list)
    """(file line, comment text without '#', index of the next turn)."""
    errors: list[tuple[int, str]] = field(default_factory=list)
    preamble: list[tuple[int, str]] = field(default_factory=list)
    """(file line, problem) of the unlabelled lines before the first turn."""


def parse_seconds(stamp: str) -> float:
    """``mm:ss``, ``hh:mm:ss`` or with fractions, to seconds.

    Raises ValueError when a minute or second after the first part is 60 or more
    (``[99:99]``): a clock never reads so, and a lenient reading put the turn hours on."""
    return clock_seconds(stamp)


_NEW_ID = "a new id "
_NEW_ID_HINT = ("put a line '---' before its '%% id:' header to start a new conversation "
                "(docs/formats.md#text)")
_TIME_PROBLEM = "cannot read the time: "
_TIME_HINT = "write a time as [mm:ss] or [hh:mm:ss] (docs/formats.md#text)"


def parse_blocks(lines: Iterable[str]) -> Iterator[TextBlock]:
    """Split text into conversations and parse each line; problems are kept, not raised."""
    block = TextBlock(first_line=1)
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if stripped == "---":
            if _has_content(block):
                yield block
            block = TextBlock(first_line=number + 1)
            continue
        if not stripped:
            continue
        if stripped.startswith("#"):
            block.comments.append((number, stripped[1:].strip(), len(block.turns)))
            continue
        if line[:1] in (" ", "\t") and block.turns:
            continue_turn(block.turns[-1], "\n" + stripped)
            continue
        if header := _HEADER.match(stripped):
            key, value = header["key"].lower(), header["value"].strip()
            if key == "id" and block.turns and value != block.headers.get("id", value):
                block.errors.append((number, (  # the id kept names the turns read
                    f"{_NEW_ID}{quoted(value)} comes after the turns of "
                    f"{quoted(block.headers['id'])}: a conversation has one id")))
                continue
            if key in _LIST_HEADERS and block.headers.get(key, "").strip(" ,") and value:
                value = f"{block.headers[key]}, {value}"
            block.headers[key] = value
            continue
        if event := _EVENT.match(stripped):
            if event["type"] not in _EVENT_TYPES:
                block.errors.append((number, (
                    f"unknown event {'@' + event['type'][:30]!r}: events are @hold_start, "
                    "@hold_end and @transfer [target], after a turn")))
                continue
            placed: dict[str, Any] = {"type": event["type"], "target": event["target"],
                                      "after_turn": len(block.turns) - 1}
            if event["time"]:
                try:
                    placed["at"] = parse_seconds(event["time"])
                except ValueError as error:
                    block.errors.append((number, f"{_TIME_PROBLEM}{error}"))
                    continue
            block.events.append(placed)
            block.event_lines.append(number)
            continue
        if _ODD_LABEL.match(stripped):
            label = stripped.partition(":")[0][:30]  # never the text after it (logs)
            block.errors.append((number, f"cannot read the speaker label {label!r}"))
            continue
        turn = _TURN.match(stripped)
        named = speaker_named(turn["speaker"]) if turn else None
        speaker = named.value if named is not None else None
        if speaker is None and _continues(block, turn):
            continue_turn(block.turns[-1], "\n" + stripped)
            continue
        if turn is None:
            block.preamble.append((number, _unreadable(stripped)))
            continue
        if speaker is None:
            block.errors.append((number, f"unknown speaker {turn['speaker']!r}"
                                 if len(turn["speaker"]) <= _LABEL_CHARS
                                 else _unreadable(stripped)))
            continue
        parsed: dict[str, Any] = {"speaker": speaker, "text": turn["text"].strip()}
        if turn["time"]:
            try:
                parsed["start"] = parse_seconds(turn["time"])
            except ValueError as error:
                block.errors.append((number, f"{_TIME_PROBLEM}{error}"))
                continue
        block.turns.append(parsed)
        block.turn_lines.append(number)
    if _has_content(block):
        yield block


def _continues(block: TextBlock, turn: re.Match[str] | None) -> bool:
    """True when a line that names no known speaker is more text of the turn above: it has
    no label at all, or it is an untimed ``Word: ...`` under a timed turn."""
    if not block.turns:
        return False
    return turn is None or (not turn["time"] and "start" in block.turns[-1])


def _has_content(block: TextBlock) -> bool:
    """A block with turns, headers, events or unreadable lines (comments alone are not)."""
    return bool(block.turns or block.errors or block.headers or block.events or block.preamble)


def block_to_transcript(block: TextBlock, *, source: str, default_id: str) -> ReadResult:
    """Validate one parsed block as a `Transcript`."""
    headers = dict(block.headers)
    transcript_id = headers.pop("id", default_id)
    if block.errors:
        line, problem = block.errors[0]
        return InputError(
            problem, source=source, location=f"line {line}", transcript_id=transcript_id,
            hint=_TIME_HINT if problem.startswith(_TIME_PROBLEM)
            else _NEW_ID_HINT if problem.startswith(_NEW_ID) else _HINT,
        )
    if not block.turns and block.preamble:
        line, problem = block.preamble[0]
        return InputError(
            f"no speaker line in this conversation: {problem}", source=source,
            location=f"line {line}", transcript_id=transcript_id, hint=_HINT,
        )
    if not block.turns:
        return InputError(
            "this conversation has no turns", source=source, location=f"line {block.first_line}",
            transcript_id=transcript_id, hint=_HINT,
        )
    record: dict[str, Any] = {
        "id": transcript_id,
        "turns": [joined(turn) for turn in block.turns],
        "events": block.events,
        "metadata": {
            k: v for k, v in headers.items() if k != "channel" and k not in EXPECTATION_HEADERS
        },
    }
    if "channel" in headers:
        record["channel"] = headers["channel"]
    if block.preamble:
        record["metadata"]["dropped_unlabelled_lines"] = len(block.preamble)
    try:
        return Transcript.model_validate(record)
    except ValidationError as error:
        problem, turn = validation_problem(error)
        line = block.turn_lines[turn] if turn is not None else block.first_line
        loc = error.errors()[0]["loc"]
        if loc[:1] == ("events",) and len(loc) > 1 and isinstance(loc[1], int) \
                and loc[1] < len(block.event_lines):
            line = block.event_lines[loc[1]]  # an event's problem, at its line
        return InputError(
            problem, source=source, location=f"line {line}", transcript_id=transcript_id,
            turn=turn, hint=_validation_hint(loc),
        )


def _validation_hint(loc: tuple[int | str, ...]) -> str:
    """How to fix what did not validate: a turn, an event, or a ``%%`` header (a channel
    that is none was given the hint for writing turns)."""
    if loc[:1] == ("events",):
        return ("write events as @hold_start, @hold_end or @transfer [target], after a turn "
                "(docs/formats.md#text)")
    if loc[:1] == ("metadata",) and len(loc) > 1 and isinstance(loc[1], str) \
            and len(loc[1]) <= _LABEL_CHARS:
        return f"fix the '%% {loc[1]}:' header (docs/formats.md#text)"
    if loc[:1] in (("channel",), ("metadata",), ("id",)):
        return f"fix the '%% {loc[0]}:' header (docs/formats.md#text)"
    return _HINT


def parse_transcripts(text: str, *, source: str = "<text>") -> list[ReadResult]:
    """Every conversation in a text, as transcripts or errors (for quick trials and tests)."""
    return list(_read_lines(file_lines(text), source=source))


def _read_lines(lines: Iterable[str], *, source: str) -> Iterator[ReadResult]:
    stem = PurePath(source).name.split(".")[0] or "transcript"
    for index, block in enumerate(parse_blocks(lines), start=1):
        default_id = stem if index == 1 else f"{stem}#{index}"
        yield block_to_transcript(block, source=source, default_id=default_id)


class TextReader:
    """``Agent:`` / ``Customer:`` lines with optional ``[mm:ss]`` times."""

    name = "text"
    description = "plain text, one 'Agent: ...' or 'Customer: ...' turn per line"
    extensions: tuple[str, ...] = (".txt", ".transcript")

    def sniff(self, source: Source, head: str) -> bool:
        for line in file_lines(head):
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "%%", "@", "---")):
                continue
            turn = _TURN.match(stripped)
            return turn is not None and speaker_named(turn["speaker"]) is not None
        return False

    def read(self, source: Source) -> Iterator[ReadResult]:
        empty = True
        for result in _read_lines(source.open_text(), source=source.name):
            empty = False
            yield result
        if empty:
            yield InputError("no conversation in the file (only comments or blank lines)",
                             source=source.name, hint=_HINT)


TEXT_READER = TextReader()

