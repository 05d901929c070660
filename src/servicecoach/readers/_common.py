"""Plumbing shared by the export readers: options, lenient JSON, and building transcripts.

A reader collects one conversation in a `Draft` (turns with raw times, events, metadata,
counts of what it dropped on purpose) and `Draft.finish` turns it into a validated
`Transcript`, or an `InputError` that names the file, record and field.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import Transcript
from servicecoach.nlp.safe_regex import linear
from servicecoach.readers._roles import check_roles, resolve_roles, spelt_as_speakers
from servicecoach.readers._time import UnusableTime, boolean_time, iso_utc, usable_time
from servicecoach.readers.base import (
    DECODER,
    InvalidUtf8,
    ReadResult,
    Source,
    continue_turn,
    file_lines,
    joined,
    json_hint,
    json_loads,
    noted,
    validation_problem,
)
from servicecoach.speaker_labels import is_generic_label

_ELISION = linear(r"(?m)^[ \t\r]*(?:\.\.\.|…)[ \t\r]*,?[ \t\r]*$")


class BaseReader:
    """A reader with keyword options; `configure` returns a configured copy.

    Every reader takes ``roles`` (label -> agent|customer|system) and ``agent`` (the
    agent's name or label) for exports whose speakers carry no role; subclasses list
    further options in `option_names`.
    """

    name = ""
    description = ""
    extensions: tuple[str, ...] = (".json",)
    option_names: frozenset[str] = frozenset({"roles", "agent"})

    def __init__(self, **options: Any) -> None:
        unknown = sorted(set(options) - self.option_names)
        if unknown:
            raise ServiceCoachError(
                f"input format {self.name!r} has no option {', '.join(map(repr, unknown))}",
                hint=f"its options are: {', '.join(sorted(self.option_names))}",
            )
        try:
            roles = check_roles(options.get("roles") or {})
        except ValueError as error:
            raise ServiceCoachError(str(error), hint="e.g. --roles spk_0=agent") from None
        self.options: dict[str, Any] = {**options, "roles": roles}

    def configure(self, **options: Any) -> BaseReader:
        """A copy of this reader with `options` added to (and overriding) its own."""
        return type(self)(**{**self.options, **options})

    @property
    def user_roles(self) -> dict[str, str]:
        """The user's role mapping (label -> role)."""
        return dict(self.options.get("roles") or {})

    @property
    def agent(self) -> str | None:
        """The user's agent name, if given."""
        return self.options.get("agent")


class JsonExportReader(BaseReader):
    """A reader for a JSON export: parses leniently, then `transcripts` maps the data."""

    def read(self, source: Source) -> Iterator[ReadResult]:
        """Transcripts or errors for every conversation in the file."""
        try:
            data = load_json(source)
        except InputError as error:
            yield error
            return
        yield from guarded(self.transcripts(data, source), source)

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        """Map decoded JSON to transcripts; implemented by each format."""
        raise NotImplementedError


def guarded(results: Iterator[ReadResult], source: Source) -> Iterator[ReadResult]:
    """`results`, with a record whose structure the reader did not expect (a list where an
    object belongs, a number for a name...) an `InputError` after the records before it,
    never a traceback."""
    count = 0
    try:
        for result in results:
            count += 1
            yield result
    except _STRUCTURE_ERRORS as error:
        yield InputError(f"unexpected structure after {count} record(s): {_said(error)}",
                         source=source.name, hint="this is not a complete export of this "
                         "format; pass --input-format if it is another one")


_STRUCTURE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError)
"""What a reader raises on a record whose structure it did not expect."""


def _said(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def one_record(
    build: Callable[[], ReadResult], source: Source, location: str, conversation: str | None,
) -> ReadResult:
    """`build()`, one conversation of a file that holds several; when its record has a
    structure the reader did not expect (a message that is a string, an index that is a
    word), an `InputError` naming that record, so that the records after it are read."""
    try:
        return build()
    except _STRUCTURE_ERRORS as error:
        return InputError(f"unexpected structure: {_said(error)}", source=source.name,
                          location=location, transcript_id=conversation,
                          hint="fix or remove this conversation's record in the export")


def load_json(source: Source) -> Any:
    """The decoded JSON of a source, tolerating the defects seen in vendor doc samples.

    ``//`` line comments and stray closing braces after the document are ignored; a file
    of one JSON value per line (JSON Lines) becomes a list. A file elided with ``...``
    lines, or otherwise invalid, raises `InputError` naming the line.
    """
    text = source.document()
    try:
        return json_loads(text)
    except json.JSONDecodeError as first:
        if elided := _ELISION.search(text):
            line = text.count("\n", 0, elided.start()) + 1
            raise InputError(
                "the file is elided with '...' (a documentation excerpt, not an export)",
                source=source.name, location=f"line {line}",
                hint="export the complete record from the platform",
            ) from None
        cleaned = _strip_line_comments(text)
        try:
            value, end = DECODER.raw_decode(cleaned.lstrip())
        except (ValueError, RecursionError):
            raise _json_error(source, first) from None
        rest = cleaned.lstrip()[end:]
        if not rest.strip(" \t\r\n}]"):
            return value
        lines = [line for line in file_lines(text) if line.strip()]
        try:
            return [json_loads(line) for line in lines]
        except json.JSONDecodeError:
            raise _json_error(source, first) from None


def _json_error(source: Source, error: json.JSONDecodeError) -> InputError:
    return InputError(
        f"invalid JSON: {error.msg}", source=source.name,
        location=f"line {error.lineno} column {error.colno}",
        hint=json_hint(error, "fix the JSON syntax, or pass --input-format if this is another "
                   "format"),
    )


def _strip_line_comments(text: str) -> str:
    """Remove ``//`` comments that are outside JSON strings."""
    out: list[str] = []
    in_string = escaped = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            escaped = char == "\\" and not escaped
            in_string = not (char == '"' and not escaped)
        elif char == '"':
            in_string = True
        elif text.startswith("//", index):
            index = text.find("\n", index)
            if index < 0:
                break
            continue
        out.append(char)
        index += 1
    return "".join(out)


def stem(source: Source) -> str:
    """The file name without its suffixes: the default conversation id."""
    return PurePath(source.name).stem or "transcript"


def missing(source: Source, location: str, field_name: str, conversation: str | None) -> InputError:
    """The error for a record that lacks a required field."""
    return InputError(
        f"missing or invalid field {field_name!r}", source=source.name, location=location,
        transcript_id=conversation, hint="the record is incomplete; check the export",
    )


@dataclass
class Draft:
    """One conversation being collected: raw turns, events, metadata and drop counts.

    Times are either `relative` (seconds from the start already) or absolute epoch
    seconds, which `finish` shifts so that `origin` (default: the earliest turn or event)
    is at 0 and records as ``started_at`` metadata. A turn
    may leave `speaker` None and give a `label` instead; `finish` then maps labels to
    roles (user mapping, else the heuristic in `_roles`).
    """

    id: str
    channel: str | None = None
    """voice, chat, social or email where the export says; None leaves it to the
    configured channel (``--channel``), else chat."""
    relative: bool = False
    origin: float | None = None
    labels_are_names: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    turns: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    def add_turn(
        self, speaker: str | None, text: str, start: float | None = None,
        end: float | None = None, label: str | None = None,
    ) -> None:
        """Add a turn; `speaker` None means 'decide from `label`'. A time of true or false
        is no time (`boolean_time`): refused when the conversation is finished."""
        self.turns.append({"speaker": speaker, "text": text, "start": _not_boolean(start),
                           "end": _not_boolean(end), "label": label})

    def extend_turn(self, more: str) -> None:
        """Add `more` to the latest turn's text (`continue_turn`: joined when finished)."""
        continue_turn(self.turns[-1], more)

    def add_event(
        self, kind: str, at: float | None = None, target: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add a hold or transfer event; without a time it goes after the last turn so far.
        `details` (e.g. ``{"target_id": ...}`` when `target` is a name) become the event's
        ``metadata``."""
        self.events.append(
            {"type": kind, "at": _not_boolean(at), "target": target,
             "after": len(self.turns) - 1, "metadata": details or None}
        )

    def drop(self, what: str, count: int = 1) -> None:
        """Count something left out of the turns on purpose (``internal_notes``...)."""
        self.dropped[what] += count

    def name(self, key: str, value: Any) -> None:
        """Set ``customer_name``/``agent_name`` once, from the first usable value."""
        if isinstance(value, str) and value.strip() and not self.metadata.get(key):
            self.metadata[key] = value.strip()

    def keep(self, key: str, value: Any) -> None:
        """Record a fact the export gives (``queue``, ``team``, ``subject``...) as metadata,
        unless it is empty, not a plain value, or already set."""
        if isinstance(value, str):
            value = value.strip()
        if isinstance(value, (str, int, float, bool)) and value != "" and key not in self.metadata:
            self.metadata[key] = value

    def finish(
        self, source: Source, location: str = "", reader: BaseReader | None = None,
    ) -> ReadResult:
        """The validated transcript, or an error naming file, record and problem."""
        self.turns = [joined(collected) for collected in self.turns]
        self._drop_turns_without_text()
        if not self.turns:
            what = "no turns with text"
            if self.dropped:
                what += " (left out: " + ", ".join(f"{n} {k}" for k, n in self.dropped.items()) + ")"
            return InputError(what, source=source.name, location=location, transcript_id=self.id)
        if bad := self._unusable_time():
            return InputError(bad[0], source=source.name, location=location,
                              transcript_id=self.id, turn=bad[1],
                              hint="fix or remove that time in the export")
        if unmatched := self._resolve_roles(reader):
            return InputError(unmatched, source=source.name, location=location,
                              transcript_id=self.id,
                              hint="use one of those names or labels (any case)")
        origin = 0.0 if self.relative else self._origin()
        if not self.relative and origin:
            self.metadata.setdefault("started_at", iso_utc(origin))
        order = list(range(len(self.turns)))
        if all(turn["start"] is not None for turn in self.turns):
            order.sort(key=lambda i: self.turns[i]["start"])  # stable: ties keep file order
        new_index = {old: new for new, old in enumerate(order)}
        turns = [self._turn(self.turns[i], origin) for i in order]
        events = [self._event(event, origin, new_index) for event in self.events]
        events.sort(key=lambda e: (e.get("at") is None, e.get("at") or 0))
        metadata = dict(self.metadata)
        metadata.update({f"dropped_{k}": n for k, n in self.dropped.items() if n})
        record = {"id": self.id, "metadata": metadata, "turns": turns, "events": events}
        if self.channel is not None:
            record["channel"] = self.channel
        try:
            return noted(Transcript.model_validate(record), location)
        except ValidationError as error:
            problem, turn = validation_problem(error)
            if turn is not None:  # the turns were put in the order of their times
                turn = order[turn] if turn < len(order) else turn
            return InputError(problem, source=source.name,
                              location=location, transcript_id=self.id, turn=turn,
                              hint="fix that value in the export")

    def _drop_turns_without_text(self) -> None:
        """Leave out (and count) turns whose text is blank (an HTML body of only an image);
        an event placed after such a turn stays after the turn before it."""
        last_kept = -1
        kept_before: list[int] = []  # old index -> new index of the last turn kept so far
        for turn in self.turns:
            last_kept += 1 if turn["text"].strip() else 0
            kept_before.append(last_kept)
        if last_kept == len(self.turns) - 1:
            return
        for event in self.events:
            if event["after"] >= 0:
                event["after"] = kept_before[event["after"]]
        self.drop("messages_without_text", len(self.turns) - last_kept - 1)
        self.turns = [turn for turn in self.turns if turn["text"].strip()]

    def _unusable_time(self) -> tuple[str, int | None] | None:
        """(what is wrong, turn index in file order) for the first NaN, infinite or too
        large time, or None when every time can be used."""
        if self.origin is not None and not usable_time(self.origin):
            return f"the conversation's start time {_shown(self.origin)} is not a usable time", None
        for index, turn in enumerate(self.turns):
            for key in ("start", "end"):
                if turn[key] is not None and not usable_time(turn[key]):
                    return f"{key} time {_shown(turn[key])} is not a usable time", index
        for index, event in enumerate(self.events):
            if event["at"] is not None and not usable_time(event["at"]):
                return (f"event {index} ({event['type']}) time {_shown(event['at'])} is not "
                        "a usable time"), None
        return None

    def _origin(self) -> float:
        if self.origin is not None:
            return self.origin
        times = [t["start"] for t in self.turns if t["start"] is not None]
        times += [e["at"] for e in self.events if e["at"] is not None]
        return min(times, default=0.0)

    @staticmethod
    def _turn(turn: dict[str, Any], origin: float) -> dict[str, Any]:
        shifted = {"speaker": turn["speaker"], "text": turn["text"]}
        for key in ("start", "end"):
            if turn[key] is not None:
                shifted[key] = round(turn[key] - origin, 3)
        return shifted

    @staticmethod
    def _event(event: dict[str, Any], origin: float, new_index: dict[int, int]) -> dict[str, Any]:
        placed: dict[str, Any] = {"type": event["type"], "target": event["target"]}
        if event["at"] is not None:
            placed["at"] = round(event["at"] - origin, 3)
        else:
            placed["after_turn"] = new_index.get(event["after"], -1)
        if event.get("metadata"):
            placed["metadata"] = event["metadata"]
        return placed

    def _resolve_roles(self, reader: BaseReader | None) -> str | None:
        """Decide the speakers' roles; a problem with the user's speaker options, or None."""
        # the user's speaker options matter where the export does not give every role
        unknown = any(t["speaker"] is None for t in self.turns)
        labels = [] if not unknown else list(
            dict.fromkeys(t["label"] for t in self.turns if t["label"] is not None))
        try:
            user, agent = spelt_as_speakers(labels, reader.user_roles if reader else {},
                                            reader.agent if reader else None)
        except ValueError as error:
            return str(error)
        if any(t["speaker"] is None or t["label"] in user or (agent and t["label"] == agent)
               for t in self.turns):
            self._map_labels(user, agent)
        if self.labels_are_names:
            for turn in self.turns:
                if turn["label"] is not None and turn["speaker"] in ("agent", "customer") \
                        and not is_generic_label(turn["label"]):
                    self.name(f"{turn['speaker']}_name", turn["label"])
        return None

    def _map_labels(self, user: dict[str, str], agent: str | None) -> None:
        order = list(dict.fromkeys(t["label"] for t in self.turns if t["label"] is not None))
        texts: dict[str, list[str]] = {}
        for turn in self.turns:
            if turn["label"] is not None:
                texts.setdefault(turn["label"], []).append(turn["text"])
        known = {t["label"]: t["speaker"] for t in self.turns
                 if t["speaker"] is not None and t["label"] is not None}
        mapping, how = resolve_roles(order, texts, known=known, user=user, agent=agent)
        for turn in self.turns:
            if turn["label"] is not None and (turn["speaker"] is None or turn["label"] in user
                                              or turn["label"] == agent):
                turn["speaker"] = mapping[turn["label"]]
        self.metadata["role_mapping"] = mapping
        self.metadata["role_source"] = how


def _not_boolean(time: float | None) -> float | None:
    return boolean_time(time) if isinstance(time, bool) else time


def _shown(value: Any) -> str:
    """A time for an error message: NaN, inf, its first digits, or the text of a date
    that is no date."""
    text = repr(value)
    if isinstance(value, UnusableTime):
        return text
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"


def first(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The first key of `keys` present with a non-empty value in `mapping`."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def companions(source: Source, accept: Callable[[str], bool]) -> tuple[Any, ...]:
    """Decoded JSON of the ``.json`` files beside `source` whose start passes `accept`.

    This is how a reader joins metadata kept in separate files (an Amazon Connect contact
    record next to a Contact Lens file, Genesys conversation details next to a transcript).
    The folder is scanned once per `accept` (cached until the folder changes).
    """
    path = Path(source.name)
    if not path.is_file():
        return ()
    folder = path.parent.resolve()
    found = _scan(str(folder), accept, folder.stat().st_mtime_ns)
    return tuple(data for name, data in found if name != path.name)


@lru_cache(maxsize=64)
def _scan(folder: str, accept: Callable[[str], bool], _mtime: int) -> tuple[tuple[str, Any], ...]:
    found = []
    for candidate in sorted(Path(folder).glob("*.json")):
        if not candidate.is_file():  # a device (read without end), a pipe (hangs), a folder
            continue
        companion = Source.from_path(candidate)
        try:
            if accept(companion.head()):
                found.append((candidate.name, load_json(companion)))
        except (InputError, InvalidUtf8, OSError):
            continue
    return tuple(found)


def nested_texts(root: Any, texts: Callable[[dict[str, Any]], Iterable[str]]) -> str | None:
    """The texts of a tree of elements (objects whose children are in ``elements``, and
    lists of them), in document order, one per line, as rich cards and interactive
    templates nest them: `texts` gives an object's own; None when there are none. Walked
    without recursion, so any depth is read."""
    lines: list[str] = []
    pending = [root]
    while pending:
        part = pending.pop()
        if isinstance(part, list):
            pending.extend(reversed(part))
        elif isinstance(part, dict):
            lines += [text.strip() for text in texts(part) if text.strip()]
            pending.append(part.get("elements"))
    return "\n".join(lines) or None
