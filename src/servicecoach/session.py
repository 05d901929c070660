"""A live conversation: turns arrive one at a time and hints come back at once.

`Coach.score` replays a whole transcript through exactly this path, so a live session
and a batch run give identical findings.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from servicecoach.analyzers.base import Conversation, TurnContext
from servicecoach.errors import (
    InputError,
    ServiceCoachError,
    first_problems,
    problem_in_json_terms,
    quoted,
)
from servicecoach.models import (
    MAX_NESTING,
    START_NAMES,
    Channel,
    Event,
    Finding,
    FindingKind,
    Metadata,
    Report,
    Speaker,
    Turn,
    replace_lone_surrogates,
)
from servicecoach.nlp.matching import BACKTRACKING_READ, MAX_HITS
from servicecoach.nlp.tokens import make_doc
from servicecoach.redact import redact_finding, redact_report
from servicecoach.scoring import score

if TYPE_CHECKING:
    from servicecoach.coach import Coach


NO_TURNS_MARK = "no turns: "
"""How the note of a conversation with no turn begins: summaries count the notes that begin
so, which a results file written before a change of its wording still does."""
NO_TURNS = (NO_TURNS_MARK + "the conversation has no turn at all, so nothing was found and no "
            "category applies (an export cut short, or a chat opened and left unanswered?)")
"""The note of a report whose conversation had no turn (which summaries count): without it
such a conversation read as one scored with nothing to say (overall n/a), until 2026-12-07."""


def input_notes(metadata: Metadata) -> tuple[str, ...]:
    """What the reader assumed or left out, as recorded in the transcript's metadata."""
    extra = metadata.model_extra or {}
    notes = []
    if extra.get("role_source") == "heuristic":
        mapping = extra.get("role_mapping") or {}
        roles = ", ".join(f"{label} = {role}" for label, role in mapping.items())
        notes.append(f"speaker roles were decided by heuristic ({roles}); pass --roles or "
                     "--agent to set them")
    for key, count in extra.items():
        if key.startswith("dropped_") and count:
            notes.append(f"{count} {key.removeprefix('dropped_').replace('_', ' ')} left out "
                         "of the turns")
    return tuple(notes)


class TurnClock:
    """The turns' start times as they arrive: notes a turn that starts before an earlier
    one (clocks that disagree, a file written out of order), which the session takes as
    given. Keeps the latest start, the first such turn and a count, not every time."""

    def __init__(self) -> None:
        self._latest: tuple[float, int] | None = None
        """The latest start so far, and its turn."""
        self._first: tuple[int, float, int, float] | None = None
        """The first turn out of order, its start, and the latest start before it (turn,
        start)."""
        self._count = 0
        self._misnamed: tuple[int, str] | None = None
        """The first untimed turn that gives a time under another name, and the name."""
        self._misnamed_count = 0

    def take(self, index: int, start: float | None, extra: dict[str, Any] | None = None
             ) -> None:
        """Note turn `index`, which starts at `start` (None: untimed, not compared) and has
        the fields `extra` besides its own."""
        if start is None:
            if extra:
                self._take_misnamed(index, extra)
            return
        latest = self._latest
        if latest is None or start >= latest[0]:
            self._latest = (start, index)
            return
        self._count += 1
        if self._first is None:
            self._first = (index, start, latest[1], latest[0])

    def _take_misnamed(self, index: int, extra: dict[str, Any]) -> None:
        """Note an untimed turn that gives its time as ``timestamp``, ``time``... (names
        a CSV export's start goes by), which the rules do not read."""
        name = next((name for name in START_NAMES if extra.get(name) is not None), None)
        if name is not None:
            self._misnamed_count += 1
            self._misnamed = self._misnamed or (index, name)

    def misnamed_note(self) -> str | None:
        """What the report says of turn times given under another name than 'start'."""
        if self._misnamed is None:
            return None
        index, name = self._misnamed
        return (f"turn {index} gives its time as '{name}', which is not read: a turn's time "
                f"is 'start', in seconds ({self._misnamed_count} turn(s) so); reply times "
                "and holds were judged without those turns' times")

    @property
    def in_order(self) -> bool:
        """Whether no turn so far started before an earlier one."""
        return self._first is None

    def note(self) -> str | None:
        """What the report says of turns out of order, or None when there were none."""
        if self._first is None:
            return None
        index, start, before, latest = self._first
        return (f"turn {index} starts at {_seconds(start)} s, before turn {before} "
                f"({_seconds(latest)} s): the "
                f"turn times are out of order ({self._count} turn(s) start before an earlier "
                "one); reply times are not judged where a reply seems to come before the "
                "message it answers")


def _seconds(time: float) -> str:
    """A turn's time as a note writes it: "40", "12.5", "1733500200" (an epoch in full)."""
    return f"{time:.3f}".rstrip("0").rstrip(".")


_NONE_SHOWN: dict[str, float] = {}
"""The signals of a turn that showed none: one shared empty dict, never changed (the report
validates its own copy), not one per turn."""


class Session:
    """Per-conversation state for one `Coach`. Calls from several threads at once (a web
    service handing each message to a worker) are taken one at a time, in the order they
    get the session's lock: feed one conversation from one queue to keep its turns in
    order."""

    def __init__(self, coach: Coach, conversation: Conversation, *, cues: bool = True,
                 check_event_times: bool = True) -> None:
        self._coach = coach
        self._conversation = conversation
        self._dispatch = coach.dispatch if cues else coach.dispatch_without_cues
        self._active = self._dispatch.active[conversation.channel]
        """The analyzers that judge this conversation's channel, by position."""
        self._kept = [(keeper, keeper.new_state(conversation)) for keeper in coach.fact_keepers]
        """The trackers of facts, made first: the family's rules configured alike share them."""
        self._states = {position: coach.analyzers[position].new_state(conversation)
                        for position in self._active}
        self._findings: list[Finding] = []
        self._notes: list[str] = []
        self._clock = TurnClock()
        self._check_event_times = check_event_times
        """Whether an event timed before the turn it follows is taken without its time
        (noted); `Coach.score` turns it off where the report notes events placed by their
        times among turns out of order, which come after turns that started later."""
        self._untimed: tuple[int, Event, int, float] | None = None
        """The first event timed before the turn it follows, taken without its time: its
        index, the event, that turn and its start."""
        self._untimed_count = 0
        """How many events were taken without their time so."""
        self._closed = False
        self._closed_with: tuple[Report, bool] | None = None
        """The report the session was closed with, and whether it keeps the live cues."""
        self._lock = threading.Lock()
        """Held by each call that reads or changes the conversation, so that two turns given
        at once are not read as the same turn."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Everything found so far."""
        return tuple(self._findings)

    def add_turn(self, turn: Turn | Mapping[str, Any]) -> list[Finding]:
        """Score the next turn; return the findings that can be decided now, and on a
        customer turn the live cues for the agent's answer (kind `cue`: ``empathy.needed``,
        ``escalation.risk``), which batch reports keep only when asked (``cues = true``).

        A turn longer than the coach's ``max_turn_chars`` is scored on its first
        ``max_turn_chars`` characters (the report says so in its notes). A turn that is
        refused (it does not validate) raises and leaves the session as it was.
        """
        with self._lock:
            return self._add_turn(turn)

    def _add_turn(self, turn: Turn | Mapping[str, Any]) -> list[Finding]:
        self._check_open()
        conversation = self._conversation
        index = len(conversation.turns)
        if not isinstance(turn, Turn):
            turn = _valid_turn(turn, conversation.id, index)
        coach = self._coach
        limit = coach.config.max_turn_chars
        if len(turn.text) > limit:
            self._notes.append(f"turn {index} has {len(turn.text)} characters: only its first "
                               f"{limit} were scored (max_turn_chars)")
            turn = turn.model_copy(update={"text": turn.text[:limit]})
        if len(turn.text) > BACKTRACKING_READ and coach.matchers.backtracking:
            self._notes.append(f"turn {index}: the expressions that run on Python's re "
                               f"(look-around) read its first {BACKTRACKING_READ} characters")
        ctx = TurnContext(index, turn, make_doc(coach.nlp, turn.text), coach.annotate,
                          coach.matchers, coach.split_sentences, coach.signals)
        conversation.turns.append(turn)  # only once nothing can refuse the turn any more
        self._clock.take(index, turn.start, turn.model_extra)
        self._read_facts(ctx)
        dispatch = self._dispatch
        opened = dispatch.opened.get((conversation.channel, turn.speaker))
        if opened:
            conversation.judged.update(opened)
        found: list[Finding] = []
        for position in dispatch.positions(conversation.channel, turn.speaker,
                                           lambda: ctx.candidates):
            found.extend(coach.analyzers[position].on_turn(self._states[position], conversation,
                                                           ctx))
        if ctx.hits_bounded:
            self._notes.append(f"turn {index}: a phrase list or expression matched more than "
                               f"{MAX_HITS} times; the rules read its first {MAX_HITS} matches")
        return self._keep(self._coach.suppress(found))

    def _read_facts(self, ctx: TurnContext) -> None:
        """What the session keeps of every turn, whatever rules are enabled: the signals it
        showed, with their evidence, the customer's sentiment, and the facts of the
        trackers (the name the customer gave, the agent's promises)."""
        for keeper, state in self._kept:
            keeper.take_in(state, self._conversation, ctx, for_report=True)
        shown = {}
        for signal in self._coach.signals.by_speaker[ctx.turn.speaker]:
            reading = ctx.signal(signal)
            if reading.score > 0:
                shown[signal] = reading
        conversation = self._conversation
        if shown:
            conversation.signals[ctx.index] = {
                signal: round(reading.score, 3) for signal, reading in shown.items()}
        if ctx.turn.speaker is Speaker.CUSTOMER:
            conversation.sentiment[ctx.index] = round(ctx.sentiment, 3)
            if ctx.turn.text.strip():
                conversation.last_customer_turn = ctx.index
                conversation.last_customer_signals = shown

    def add_event(self, event: Event | Mapping[str, Any]) -> list[Finding]:
        """Record a hold or transfer event that happened after the latest turn (its
        ``after_turn``, if given, must be that turn's index, -1 before the first). An event
        that is refused (it does not validate) raises an `InputError` and leaves the
        session as it was."""
        with self._lock:
            return self._add_event(event)

    def _add_event(self, event: Event | Mapping[str, Any]) -> list[Finding]:
        self._check_open()
        conversation = self._conversation
        if not isinstance(event, Event):
            event = _valid_event(event, conversation.id, conversation.events)
        latest = len(conversation.turns) - 1
        if event.after_turn is not None and event.after_turn != latest:
            raise InputError(
                f"event {conversation.events} refused: after_turn: {event.after_turn}, but "
                + (f"the latest turn is {latest}" if latest >= 0 else "no turn was given yet")
                + " (a live session places an event after its latest turn)",
                source=f"session {quoted(conversation.id)}",
                hint=f"give 'after_turn' {latest} or leave it out; to place events among "
                "turns already given, score the whole transcript (coach.score)")
        if event.at is not None and latest >= 0 and self._check_event_times \
                and self._clock.in_order:
            follows = conversation.turns[latest].start
            if follows is not None and event.at < follows:
                self._untimed_count += 1
                self._untimed = self._untimed or (conversation.events, event, latest, follows)
                event = event.model_copy(update={"at": None})
        conversation.events += 1
        found: list[Finding] = []
        analyzers = self._coach.analyzers
        for position in self._active:
            found.extend(analyzers[position].on_event(self._states[position], conversation, event))
        return self._keep(found)

    @property
    def closed(self) -> bool:
        """True once `close` was called: the session takes no more turns or events."""
        return self._closed

    def close(self, *, cues: bool | None = None) -> Report:
        """End the conversation: decide what is still open and return the report (with the
        live cues when `cues`, by default as the coach's configuration says).

        Closing a closed session returns the report of the first close (a service's
        timeout and its last message may both close a conversation); asking it for other
        cues than that report keeps raises a `ServiceCoachError`.
        """
        with self._lock:
            if self._closed_with is not None:
                return self._closed_again(cues, *self._closed_with)
            report = self._close(cues)
            self._closed_with = (report, self._coach.config.cues if cues is None else cues)
            return report

    def _closed_again(self, cues: bool | None, report: Report, kept_cues: bool) -> Report:
        if cues is not None and cues != kept_cues:
            raise ServiceCoachError(
                f"session {quoted(self._conversation.id)} is closed, and its report "
                f"{'keeps' if kept_cues else 'leaves out'} the live cues",
                hint=f"close a session once, with the cues its report should keep "
                f"(close(cues={cues}))")
        return report

    def _close(self, cues: bool | None) -> Report:
        self._check_open()
        analyzers = self._coach.analyzers
        for position in self._active:
            found = analyzers[position].on_end(self._states[position], self._conversation)
            if found:
                self._keep(found)
        self._closed = True
        order = self._coach.rule_order
        keep_cues = self._coach.config.cues if cues is None else cues
        kept = (self._findings if keep_cues
                else [f for f in self._findings if f.kind is not FindingKind.CUE])
        findings = sorted(
            kept,
            key=lambda f: (
                f.turn_index is None,
                f.turn_index if f.turn_index is not None else 0,
                order.get(f.rule_id, len(order)),
            ),
        )
        scores, overall = score(
            findings, self._conversation.judged, self._coach.categories, self._coach.scoring
        )
        report = Report(
            transcript_id=self._conversation.id,
            channel=self._conversation.channel,
            metadata=self._conversation.metadata.model_dump(mode="json", exclude_none=True),
            findings=tuple(findings),
            scores=scores,
            overall=overall,
            packs=dict(self._coach.pack_versions),
            commitments=tuple(sorted(self._conversation.commitments, key=lambda c: c.turn_index)),
            customer_sentiment=tuple(
                self._conversation.sentiment.get(index)
                for index in range(len(self._conversation.turns))
            ),
            signals=tuple(
                self._conversation.signals.get(index) or _NONE_SHOWN
                for index in range(len(self._conversation.turns))
            ),
            notes=(*input_notes(self._conversation.metadata), *self._notes,
                   *filter(None, [self._clock.note(), self._clock.misnamed_note(),
                                   self._untimed_note(),
                                   None if self._conversation.turns else NO_TURNS])),
        )
        return redact_report(report) if self._coach.config.redact else report

    def _untimed_note(self) -> str | None:
        """What the report says of events timed before the turn they follow (a hold on
        another clock than the turns would have lasted decades), or None."""
        if self._untimed is None:
            return None
        index, event, turn, start = self._untimed
        assert event.at is not None
        return (f"event {index} ({event.type.value}) at {_seconds(event.at)} s is before turn "
                f"{turn} ({_seconds(start)} s), which it follows: its time is not used "
                f"({self._untimed_count} event(s) so); give the turns and the events "
                "times on one clock")

    def _keep(self, found: list[Finding]) -> list[Finding]:
        if found and self._coach.config.redact:
            found = [redact_finding(finding) for finding in found]
        self._findings.extend(found)
        return found

    def _check_open(self) -> None:
        if self._closed:
            raise ServiceCoachError(
                f"session {quoted(self._conversation.id)} is closed",
                hint="start a new session with coach.session() for a new conversation",
            )


def _valid_turn(turn: Mapping[str, Any], conversation: str, index: int) -> Turn:
    """`turn` validated; an `InputError` that names the session's turn and what is wrong."""
    try:
        return Turn.model_validate(turn)
    except ValidationError as error:
        raise InputError(f"turn refused: {_problems(error, 'turn')}",
                         source=f"session {quoted(conversation)}", turn=index,
                         hint=_TURN_HINT) from None


def session_id(transcript_id: Any) -> str:
    """A live session's transcript id, read as a transcript's ``id`` is (an integer as its
    digits); an `InputError` when it is empty or not a string, rather than a session that
    takes every turn and fails at `close`, its report lost."""
    if isinstance(transcript_id, int):
        return str(transcript_id)
    if isinstance(transcript_id, str) and transcript_id:
        return str(replace_lone_surrogates(transcript_id))
    shown = "an empty string" if transcript_id == "" else type(transcript_id).__name__
    raise InputError(f"transcript_id refused: {shown}, not a conversation id",
                     source="session", hint="give transcript_id as a non-empty string or an "
                     "integer, the conversation's id: the report and errors carry it")


def session_metadata(metadata: Mapping[str, Any] | None, conversation: str) -> Metadata:
    """The metadata a live session starts with, validated; an `InputError` that names the
    session and what is wrong (the session is not started)."""
    try:
        return Metadata.model_validate(metadata or {})
    except ValidationError as error:
        raise InputError(f"metadata refused: {_problems(error, 'metadata')}",
                         source=f"session {quoted(conversation)}", hint=_METADATA_HINT) from None


def session_channel(channel: Channel | str, conversation: str) -> Channel:
    """The channel a live session is on; an `InputError` naming the session when it is none
    of the known ones."""
    try:
        return Channel(channel)
    except ValueError:
        known = ", ".join(member.value for member in Channel)
        raise InputError(f"channel {quoted(str(channel))} refused: not one of {known}",
                         source=f"session {quoted(conversation)}",
                         hint=f"give channel as one of {known}") from None


def _valid_event(event: Mapping[str, Any], conversation: str, index: int) -> Event:
    """`event` validated; an `InputError` that names the session's event (counted from 0)
    and what is wrong."""
    try:
        return Event.model_validate(event)
    except ValidationError as error:
        raise InputError(f"event {index} refused: {_problems(error, 'event')}",
                         source=f"session {quoted(conversation)}", hint=_EVENT_HINT) from None


def _problems(error: ValidationError, what: str) -> str:
    """A refused turn's, event's or metadata's problems in the words of the JSON a service
    sends (as the batch readers put them), the first few named (`first_problems`)."""
    return first_problems([
        f"{'.'.join(str(part) for part in problem['loc']) or what}: "
        f"{problem_in_json_terms(problem)}" for problem in error.errors()])


_TURN_HINT = ("give 'speaker' (agent, customer or system, in any case), 'text' (a string) "
              "and, if timed, 'start' in seconds from the start")
_METADATA_HINT = ("give metadata as a mapping: customer_name and agent_name as strings, "
                  f"other keys with values nested at most {MAX_NESTING} levels deep")
_EVENT_HINT = ("give 'type' (hold_start, hold_end or transfer) and 'at' (seconds from the "
               "start) or 'after_turn' (the index of the turn it follows)")

