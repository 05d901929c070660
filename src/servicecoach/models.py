"""Public data models: transcripts in, reports out.

Input models (`Transcript`, `Turn`, `Event`) validate what readers produce and what
users pass to the API. Output models (`Finding`, `Report`, ...) are frozen: a report is a
value that can be shared between threads, cached and serialised without copying.
Both publish a JSON Schema (`Transcript.model_json_schema()`, `Report.model_json_schema()`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Speaker(str, Enum):
    """Who said a turn: agent, customer or system, in any case ("AGENT", "Customer"), as
    the file readers take it."""

    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"

    @classmethod
    def _missing_(cls, value: object) -> Speaker | None:
        """Any spelling `speaker_named` reads (``Speaker("AGENT")``): the live API and
        canonical JSON take the spellings the file readers take."""
        return speaker_named(value) if isinstance(value, str) else None


def speaker_named(spelling: str) -> Speaker | None:
    """The speaker `spelling` names, in any case and with spaces around it (``AGENT``,
    `` Customer ``); None for any other word. Readers that take a role by its name (a text
    transcript's ``Agent:``, ``--roles spk_0=Agent``) and the live API read it so."""
    folded = spelling.strip().lower()
    return next((speaker for speaker in Speaker if speaker.value == folded), None)


class Channel(str, Enum):
    """How the conversation took place; some checks differ between channels, and a pack's
    channel profiles (docs/channels.md) say how."""

    VOICE = "voice"
    CHAT = "chat"
    SOCIAL = "social"
    """Public or private messages on a social network (Twitter/X, Facebook, Weibo...)."""
    EMAIL = "email"


class Severity(str, Enum):
    """How much a finding matters, lowest first."""

    SUGGESTION = "suggestion"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for suggestion, 1 for warning, 2 for critical."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.SUGGESTION: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class FindingKind(str, Enum):
    """An `issue` is something to coach; a `strength` is something to praise; a `cue` tells a
    live agent what the customer's turn needs before they answer (not scored)."""

    ISSUE = "issue"
    STRENGTH = "strength"
    CUE = "cue"


class EventType(str, Enum):
    """Telephony and routing events that are not spoken turns."""

    HOLD_START = "hold_start"
    HOLD_END = "hold_end"
    TRANSFER = "transfer"


_SURROGATE = re.compile("[\ud800-\udfff]")


def not_a_boolean(value: Any) -> Any:
    """`value` unless it is True or False, which Python (and pydantic) would read as the
    number 1 or 0: a time or a turn index given as one is a mistake, not a number."""
    if isinstance(value, bool):
        raise ValueError(f"takes a number, not true or false ({value})")  # noqa: TRY004 (pydantic reports ValueError)
    return value


def a_time(value: Any) -> Any:
    """`value` for a turn's or an event's time in seconds, refused as `not_a_boolean`
    refuses true and false, and when it is a finite number past `MAX_SECONDS` saying what it
    looks like: epoch milliseconds (JavaScript's ``Date.now()``) or microseconds, given
    in seconds (pydantic's bound said only "less than or equal to 100000000000")."""
    value = not_a_boolean(value)
    if isinstance(value, (int, float)) and MAX_SECONDS < value < math.inf:
        raise ValueError(_past_the_latest(value))
    if isinstance(value, str) and (why := _not_seconds(value)) is not None:
        raise ValueError(why)
    return value


_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2}(?:\.\d+)?)")


def _not_seconds(text: str) -> str | None:
    """Why a time written as a date and time (ISO 8601) or a clock time (``mm:ss``) is no
    number of seconds, with the seconds to give; None for any other text (pydantic says
    what is wrong with it, "unable to parse string as a number", or reads it)."""
    stripped = text.strip()
    if clock := _CLOCK.fullmatch(stripped):
        hours, minutes, seconds = clock.groups()
        total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
        return (f"{stripped!r} is a clock time, not a number of seconds: give "
                f"{total:g} (seconds from the conversation's start)")
    if len(stripped) > 40 or not stripped[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(stripped.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    unix = (f"{moment.timestamp():.3f}".rstrip("0").rstrip(".") + " " if moment.tzinfo
            else "")
    return (f"{stripped!r} is a date and time, not a number of seconds: give its Unix time "
            f"{unix}(datetime.fromisoformat(time).timestamp()), or seconds from the "
            "conversation's start")


def _past_the_latest(value: float) -> str:
    """Why a time past `MAX_SECONDS` is refused, and what it looks like."""
    if value >= 1e17:
        return "later than 10^11 s (some 3,000 years): give seconds"
    unit, per_second = ("milliseconds", 1e3) if value < 1e14 else ("microseconds", 1e6)
    seconds = f"{value / per_second:.3f}".rstrip("0").rstrip(".")
    return (f"{value} is later than 10^11 s: it looks like epoch {unit}: give seconds "
            f"({seconds}), from the epoch or from the conversation's start")


def replace_lone_surrogates(value: Any) -> Any:
    """A string with its lone UTF-16 surrogates (from a JSON ``"\\ud800"`` escape, which no
    UTF-8 output can hold) replaced by U+FFFD; surrogate pairs become their character."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


MAX_NESTING = 64
"""How deep lists and objects may nest in metadata and in the fields servicecoach keeps
without reading them: reports and `convert` write them, and JSON output cannot hold
much deeper data (pydantic stops at 255 levels, the report's own included)."""


def _encodable_data(value: Any, depth: int = 0) -> Any:
    """JSON-like `value` (strings, lists, objects) with every string and key passed through
    `replace_lone_surrogates`; nested deeper than `MAX_NESTING`, a `ValueError`."""
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, (dict, list, tuple)) and depth >= MAX_NESTING:
        raise ValueError(f"lists and objects nested more than {MAX_NESTING} levels deep "
                         "(reports cannot hold them: flatten the field or leave it out)")
    if isinstance(value, dict):
        return {replace_lone_surrogates(key): _encodable_data(item, depth + 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encodable_data(item, depth + 1) for item in value]
    return value


def _extras_encodable(cls: type[BaseModel], data: Any) -> Any:
    """`data` for an input model with the fields it does not know (which it keeps, and
    `convert` and reports write) made encodable by `_encodable_data`; its own fields have
    validators of their own."""
    if isinstance(data, dict) and not data.keys() <= cls.model_fields.keys():
        return {replace_lone_surrogates(key): value if key in cls.model_fields
                else _encodable_data(value) for key, value in data.items()}
    return data


MAX_SECONDS = 1e11
"""The latest time a turn or event may have, in seconds from the start (some 3,000 years):
larger, infinite and NaN times are refused, so no duration ever overflows."""

Weight = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
"""A category's weight in the overall score: finite, 0 to 1,000."""
Points = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
"""Points a finding moves its category's score by: finite, 0 to 100."""

START_NAMES = ("start", "start_time", "timestamp", "time", "created_at", "offset", "begin")
"""The names a turn's start time goes by in exports: a CSV column of any of them is the
turns' start; a canonical turn or a live one reads `start` and notes the others."""

_STRICT = ConfigDict(extra="forbid", frozen=True)
_INPUT = ConfigDict(extra="allow", frozen=True)
"""Inputs keep fields they do not know (export-specific ids, times): nothing is dropped."""


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


class _SharedFieldsSet(BaseModel):
    """A frozen model, input (turns, events) or output (findings, evidence...), whose set of
    explicitly given fields is shared between the instances that give the same fields
    (pydantic makes one set per instance, 200 to 700 bytes, more than the values: a report
    of many findings would be mostly these sets). Frozen instances never change the set;
    `model_copy` copies it."""

    def model_post_init(self, context: Any, /) -> None:
        if self.__pydantic_extra__ == {}:  # an input model (turn, event) without extra fields
            object.__setattr__(self, "__pydantic_extra__", None)
        given = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


_OTHER_NAMES = {
    "speaker": ("role", "author", "sender", "from", "participant", "participant_role", "party"),
    "text": ("content", "message", "body", "utterance", "transcript", "msg"),
}
"""Names other systems give a turn's speaker and text, which a turn is refused naming."""

_EVENT_OTHER_NAMES = {"type": ("kind", "event", "event_type", "name", "action")}
"""Names other systems give an event's type, which an event is refused naming."""


def _refuse_other_names(data: Any, other_names: Mapping[str, tuple[str, ...]]) -> Any:
    """`data` unless it lacks a field it gives under another name (``role`` for a turn's
    ``speaker``, ``kind`` for an event's ``type``): that is refused naming the field to
    rename, where pydantic said only "speaker: Field required"."""
    if isinstance(data, dict):
        for name, others in other_names.items():
            if data.get(name) is None and (other := next(
                    (o for o in others if data.get(o) is not None), None)) is not None:
                raise ValueError(f"no {name!r}, but {other!r}: name it {name!r}")
    return data


class Turn(_SharedFieldsSet):
    """One utterance or chat message. Times are seconds from the start of the conversation."""

    model_config = _INPUT

    speaker: Speaker = Field(description="agent, customer or system")
    text: str = Field(description="What was said or written, as plain text")
    start: float | None = Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False,
                                description="Start time in seconds")
    end: float | None = Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False,
                              description="End time in seconds")

    _text_encodable = field_validator("text", mode="before")(replace_lone_surrogates)
    _times_numbers = field_validator("start", "end", mode="before")(a_time)
    _extras_encodable = model_validator(mode="before")(_extras_encodable)

    @model_validator(mode="before")
    @classmethod
    def _named_otherwise(cls, data: Any) -> Any:
        """A turn whose speaker or text is under another name (``role`` and ``content`` as
        a chat API's messages have them, ``message``...) is refused naming it."""
        return _refuse_other_names(data, _OTHER_NAMES)

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Turn:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


_LONGEST_EVENT_TYPE = 20
"""Longer text is no event type: left as given for pydantic to refuse (and to quote cut)."""


class Event(_SharedFieldsSet):
    """A hold or transfer event at a point in time (seconds from the start)."""

    model_config = _INPUT

    type: EventType = Field(description="hold_start, hold_end or transfer")
    at: float | None = Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False,
                             description="When it happened, in seconds")
    after_turn: int | None = Field(
        default=None,
        ge=-1,
        description="Index of the last turn before the event, when times are unknown (-1: first)",
    )
    target: str | None = Field(default=None, description="Transfer target (team, queue, agent)")

    _target_encodable = field_validator("target", mode="before")(replace_lone_surrogates)
    _at_number = field_validator("at", mode="before")(a_time)
    _after_turn_number = field_validator("after_turn", mode="before")(not_a_boolean)

    @field_validator("type", mode="before")
    @classmethod
    def _type_as_written(cls, value: Any) -> Any:
        """The type as telephony exports write it, in any case, with ``-`` or a space for
        ``_`` ("HOLD_START", "hold-start", "Hold start")."""
        if isinstance(value, str) and len(value) <= _LONGEST_EVENT_TYPE:
            return value.strip().lower().replace("-", "_").replace(" ", "_")
        return value

    @model_validator(mode="before")
    @classmethod
    def _named_otherwise(cls, data: Any) -> Any:
        """An event whose type is under another name (``kind``, ``event_type``...) is
        refused naming it."""
        return _refuse_other_names(data, _EVENT_OTHER_NAMES)

    _extras_encodable = model_validator(mode="before")(_extras_encodable)

    @model_validator(mode="after")
    def _placed_in_time(self) -> Event:
        if self.at is None and self.after_turn is None:
            extra = self.model_extra or {}
            other = next((name for name in START_NAMES if extra.get(name) is not None), None)
            raise ValueError("an event needs 'at' (seconds) or 'after_turn' (turn index)"
                             + (f", and gives its time as {other!r}: name it 'at'"
                                if other is not None else ""))
        return self


class Metadata(BaseModel):
    """Facts about the conversation. Unknown keys are kept (export-specific fields)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    customer_name: str | None = Field(default=None, description="The customer's name, if known")
    agent_name: str | None = Field(default=None, description="The agent's name, if known")

    @model_validator(mode="before")
    @classmethod
    def _encodable(cls, data: Any) -> Any:
        return _encodable_data(data)


class Transcript(BaseModel):
    """A whole conversation in servicecoach's canonical form."""

    model_config = _INPUT

    id: str = Field(min_length=1, description="Conversation id, unique within a batch")
    channel: Channel = Field(default=Channel.CHAT, description="voice, chat, social or email "
                             "(when not given: the configured channel, else chat)")
    metadata: Metadata = Field(default_factory=Metadata)
    turns: tuple[Turn, ...] = Field(description="Turns in the order they happened")
    events: tuple[Event, ...] = Field(default=(), description="Hold and transfer events")

    _extras_encodable = model_validator(mode="before")(_extras_encodable)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else replace_lone_surrogates(value)

    @model_validator(mode="after")
    def _events_after_turns_that_exist(self) -> Transcript:
        """An event placed after a turn the transcript does not have is refused, not moved."""
        for number, event in enumerate(self.events):
            if event.after_turn is not None and event.after_turn >= len(self.turns):
                raise ValueError(
                    f"event {number} ({event.type.value}) is placed after turn "
                    f"{event.after_turn}, but the transcript has {len(self.turns)} turn(s) "
                    f"(after_turn counts from 0; -1 places it before the first turn)")
        return self


class Span(_SharedFieldsSet):
    """Character offsets into one turn's text, with the text they cover."""

    model_config = _STRICT

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _in_order(self) -> Span:
        if self.end < self.start:  # a report read back (summarize) can say anything
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Evidence(_SharedFieldsSet):
    """Why a finding fired: which phrase, pattern, score or absence."""

    model_config = _STRICT

    source: Literal[
        "phrase", "lemma", "pattern", "regex", "fuzzy", "sentiment", "event", "absence", "timing",
        "signal", "model",
    ] = Field(description="What kind of matcher or measure fired ('signal': a cue of a pack's "
              "signal; 'model': a shipped text model, with the words that drove it)")
    pattern: str | None = Field(default=None, description="The phrase, pattern or regex")
    score: float | None = Field(default=None, description="Fuzzy ratio, sentiment compound...")
    turn_index: int | None = Field(default=None, ge=0, description="The turn the evidence is in")
    note: str = Field(default="", description="Anything else that explains the decision")


class Finding(_SharedFieldsSet):
    """One coaching point: an issue to fix or a strength to keep."""

    model_config = _STRICT

    rule_id: str
    kind: FindingKind
    severity: Severity
    category: str
    turn_index: int | None = Field(ge=0, description="0-based turn, or null for the whole "
                                   "transcript")
    speaker: Speaker | None = Field(description="Speaker of the anchored turn")
    span: Span | None = Field(default=None, description="Where in the turn's text")
    message: str = Field(description="What happened")
    suggestion: str = Field(description="What to say or do instead, concretely")
    evidence: tuple[Evidence, ...] = ()


class ScoreContribution(_SharedFieldsSet):
    """How much one finding moved its category's score."""

    model_config = _STRICT

    rule_id: str
    turn_index: int | None = Field(ge=0)
    points: float = Field(description="Negative for issues, positive for strengths")


class CategoryScore(BaseModel):
    """A 0-100 score for one category, or not applicable when nothing was judged."""

    model_config = _STRICT

    category: str
    applicable: bool = Field(description="False when the conversation gave nothing to judge")
    score: float | None = Field(ge=0, le=100, description="None when not applicable")
    weight: float = Field(ge=0, description="Weight in the overall score")
    contributions: tuple[ScoreContribution, ...] = ()


class Commitment(_SharedFieldsSet):
    """A promise the agent made, with its time frame when it has one."""

    model_config = _STRICT

    turn_index: int
    span: Span = Field(description="The promise in the turn's text")
    time_frame: str | None = Field(description="'by 3 pm tomorrow', or None when vague")


class Source(BaseModel):
    """Where a transcript was read from: the file and, within it, the record or line."""

    model_config = _STRICT

    file: str = Field(description="The file's path as given, or '-' for stdin")
    record: int | None = Field(default=None, description="1-based record number in the file")
    line: int | None = Field(default=None, description="1-based line where the record starts")

    _file_encodable = field_validator("file", mode="before")(replace_lone_surrogates)


class Report(BaseModel):
    """Everything servicecoach found in one transcript."""

    model_config = _STRICT

    transcript_id: str
    channel: Channel = Field(default=Channel.CHAT, description="voice, chat, social or email")
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="The conversation's metadata as read (agent_name, customer_name, queue, "
        "team, started_at and any field the export gives), plus fields added for a run",
    )
    source: Source | None = Field(default=None, description="Where the transcript was read from")
    findings: tuple[Finding, ...]
    scores: tuple[CategoryScore, ...]
    overall: float | None = Field(ge=0, le=100, description="None when no category applies")
    packs: dict[str, str] = Field(default_factory=dict, description="Pack name -> version")
    commitments: tuple[Commitment, ...] = Field(
        default=(), description="Every promise the agent made, in turn order"
    )
    customer_sentiment: tuple[float | None, ...] = Field(
        default=(),
        description="Per turn: the customer's sentiment (-1..1) on customer turns, else null",
    )
    signals: tuple[dict[str, float], ...] = Field(
        default=(),
        description="Per turn: the signals the turn showed, by id, with their score (0-1) "
        "(customer.distress, customer.strong, agent.ack...); absent signals read 0",
    )
    notes: tuple[str, ...] = Field(
        default=(),
        description="What servicecoach had to assume about the input (roles decided by "
        "heuristic, records left out of the turns on purpose)",
    )

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata_encodable(cls, value: Any) -> Any:
        return _encodable_data(value)

    def issues(self, min_severity: Severity = Severity.SUGGESTION) -> tuple[Finding, ...]:
        """Issues at or above a severity."""
        return tuple(
            f
            for f in self.findings
            if f.kind is FindingKind.ISSUE and f.severity.rank >= min_severity.rank
        )

    def strengths(self) -> tuple[Finding, ...]:
        """Strengths, in turn order."""
        return tuple(f for f in self.findings if f.kind is FindingKind.STRENGTH)

    def cues(self) -> tuple[Finding, ...]:
        """Live cues (in a batch report only when asked for), in turn order."""
        return tuple(f for f in self.findings if f.kind is FindingKind.CUE)

    def for_turn(self, turn_index: int) -> tuple[Finding, ...]:
        """Findings anchored on one turn."""
        return tuple(f for f in self.findings if f.turn_index == turn_index)
