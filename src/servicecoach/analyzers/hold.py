"""Hold etiquette: ``hold.no-permission``, ``hold.no-estimate``, ``hold.no-thanks``, ``hold.too-long``.

A hold starts with a ``hold_start`` event, or with an agent turn that asks the customer
to hold or wait or says it is putting them on hold (`hold`; in voice also `brief`: "one
moment please", which in chat is only a working-on-it note). Agent turns that keep
announcing belong to the same hold; the first agent turn after it that announces nothing
(and is not a `checkin`, "still checking, bear with me") is the return, or, with events,
the first agent turn after ``hold_end``.

When the hold begins (the event, or the return without events) the start is judged:
permission (the agent asked, `ask` or a question, and the customer did not `refuse`; or the
customer offered to wait just before, `agree`) and estimate (`estimate`: "two minutes"; in
chat also `moment`, said as the hold is announced or just before a hold event). A refused hold that the agent
drops (a callback instead) is no hold. The return is judged for `thanks` and for time:
longer than the stated duration or than ``limit_seconds`` (default 120) since the start
or the last check-in, with ``grace_seconds`` (default 10) for the announcing turn itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    FamilyTracker,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence, anchored
from servicecoach.models import Channel, Event, EventType, Evidence, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule

_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90, "couple": 2, "few": 3,
    "so": 2,
}
_UNITS = {"sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z-]+")


_VAGUE = frozenset({"a", "an", "couple", "few", "so"})
"""Count words that give no number of their own ("a few", "a couple of")."""


def stated_seconds(phrase: str) -> float | None:
    """Seconds an estimate states ("one or two minutes" -> 120), the larger bound; or None,
    also for "a few seconds" or "a couple of seconds", a way of saying "briefly" that sets
    no limit of 3 seconds (the hold is still estimated; ``limit_seconds`` applies)."""
    words = _TOKEN.findall(phrase.lower())
    unit = next((_UNITS[w.rstrip("s")] for w in words if w.rstrip("s") in _UNITS), None)
    counted = [w for w in words if w[0].isdigit() or w in _COUNTS]
    if unit is None or not counted or (unit == 1 and _VAGUE.issuperset(counted)):
        return None
    return max(float(w) if w[0].isdigit() else _COUNTS[w] for w in counted) * unit


@dataclass
class _Hold:
    """One hold, from its first announcement (or event) to the agent's return."""

    turn: int | None
    """The agent turn that started it (the anchor of start findings)."""
    asked: bool = False
    refused: bool = False
    estimate: Evidence | None = None
    stated: float | None = None
    clock: float | None = None
    """When the current waiting stretch began: the start or the last check-in."""
    by_event: bool = False
    ended_at: float | None = None
    ended: bool = False
    began: bool = False


@dataclass(frozen=True)
class _Cues:
    """What one agent turn says about holding."""

    hold: Evidence | None
    asked: bool
    question: bool
    """The turn asks the customer something (`ask`, "is that alright?")."""
    estimate: Evidence | None
    stated: float | None
    checkin: bool
    time: float | None


@dataclass(frozen=True)
class HoldStep:
    """What one turn or event did to the hold: the same for every rule of the family."""

    began: _Hold | None = None
    """The hold that began now (its start is judged now)."""
    returned: _Hold | None = None
    """The hold the agent returned from on this turn (its return is judged now)."""


_NOTHING = HoldStep()


@dataclass
class HoldTracker(FamilyTracker):
    """The open hold and the latest agent turn: one tracker per conversation for the
    family's rules configured alike, each turn and event read once."""

    hold: _Hold | None = None
    last_agent: int | None = None
    last_cues: Callable[[], _Cues] | None = None
    """Reads the latest agent turn's words, for a hold event that follows it (most agent
    turns say nothing of a hold, and no event follows them: they are read only then)."""
    latest: HoldStep = _NOTHING
    """What the latest turn or event did."""
    agreed: bool = False
    """The latest customer turn offered to wait ("I can hold while you check"): the next hold
    the agent starts was agreed to (CHECKS.md: "the customer ... did not agree"); the offer
    is spent by that hold, not carried to the next."""


class HoldAnalyzer(PhraseListsAnalyzer):
    """Tracks holds; subclasses judge the start (`judge_start`) or the return (`judge_return`)."""

    lists = ("hold", "estimate", "refuse")
    optional_lists = ("brief", "ask", "moment", "thanks", "checkin", "agree")
    defaults: ClassVar[dict[str, Any]] = {"grace_seconds": 10.0, "limit_seconds": 120.0}
    speakers = frozenset({Speaker.AGENT, Speaker.CUSTOMER})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self._tracker_key = self.tracker_key("hold", lists=True)
        """Rules whose lists and settings are equal share one tracker."""

    def new_state(self, conversation: Conversation) -> HoldTracker:
        return self.family_tracker(conversation, self._tracker_key, HoldTracker)

    def on_turn(self, state: HoldTracker, conversation: Conversation, ctx: TurnContext
                ) -> list[Finding]:
        if state.takes_turn(ctx.index):  # the first rule of the family reads the turn
            state.latest = self._take_in(state, conversation, ctx)
        step = state.latest
        found = self._begin(step, conversation)
        if step.returned is not None:
            found += self.judge_return(step.returned, conversation, ctx)
        return found

    def _take_in(self, tracker: HoldTracker, conversation: Conversation, ctx: TurnContext
                 ) -> HoldStep:
        hold = tracker.hold
        if ctx.turn.speaker is Speaker.CUSTOMER:
            tracker.agreed = False
            if hold is None:
                tracker.agreed = bool(self.hits(ctx, "agree"))  # for the next hold
            elif not hold.began:
                if self.hits(ctx, "refuse"):
                    hold.refused = True
                elif self.hits(ctx, "agree"):
                    hold.asked = True  # agreed to the hold announced, before it began
            return _NOTHING
        if ctx.turn.speaker is not Speaker.AGENT:
            return _NOTHING
        if hold is None and not self._hold_hits(conversation, ctx):
            # nothing to fold in now: the words are read only if a hold event follows
            tracker.last_agent = ctx.index
            tracker.last_cues = lambda: self._cues(conversation, ctx, before_event=True)
            return _NOTHING
        cues = self._cues(conversation, ctx)
        step = _NOTHING
        if hold is None:
            if cues.hold is not None:
                tracker.hold = self._announce(self._new_hold(tracker, ctx.index), cues)
        elif not hold.ended and (cues.hold is not None or cues.checkin):
            self._announce(hold, cues)  # still announcing, or checking in during the hold
        elif hold.refused and not hold.began:
            tracker.hold = None  # the customer could not hold and the agent did not hold them
        else:
            step = HoldStep(began=None if hold.began else hold, returned=hold)
            hold.began = True
            tracker.hold = None
        tracker.last_agent, tracker.last_cues = ctx.index, lambda: cues
        return step

    def on_event(self, state: HoldTracker, conversation: Conversation, event: Event
                 ) -> list[Finding]:
        if state.takes_event(conversation):  # the first rule of the family reads it
            state.latest = self._take_event(state, event)
        return self._begin(state.latest, conversation)

    def _take_event(self, tracker: HoldTracker, event: Event) -> HoldStep:
        hold = tracker.hold
        if event.type is EventType.HOLD_START:
            if hold is not None and hold.by_event and not hold.ended:
                return _NOTHING  # a repeated hold_start, no hold_end between: the same hold
            if hold is None or hold.by_event:
                hold = tracker.hold = self._new_hold(tracker, tracker.last_agent)
                if tracker.last_cues is not None:
                    self._announce(hold, tracker.last_cues(), asking=True)
            hold.by_event = True
            hold.clock = event.at if event.at is not None else hold.clock
        elif event.type is EventType.HOLD_END and hold is not None:
            if not hold.ended:  # a hold_end repeated, no hold_start between: the first ended it
                hold.ended_at = event.at
            hold.by_event = hold.ended = True
        else:
            return _NOTHING
        if hold.began:
            return _NOTHING
        hold.began = True
        return HoldStep(began=hold)

    @staticmethod
    def _new_hold(tracker: HoldTracker, turn: int | None) -> _Hold:
        """A hold starting at `turn`, asked when the customer had just offered to wait (the
        offer spent: a second hold before the customer speaks again was not agreed to)."""
        hold = _Hold(turn, asked=tracker.agreed)
        tracker.agreed = False
        return hold

    def _hold_hits(self, conversation: Conversation, ctx: TurnContext) -> list[Hit]:
        """The agent turn's hold words (`hold`, and `brief` on a call)."""
        voice = conversation.channel is Channel.VOICE
        return self.hits(ctx, "hold") + (self.hits(ctx, "brief") if voice else [])

    def _cues(self, conversation: Conversation, ctx: TurnContext, before_event: bool = False
              ) -> _Cues:
        """What the agent turn says about holding (`before_event`: a hold event follows it,
        so in chat its `moment` is the hold's estimate, as it is on a turn announcing one;
        a check-in's "one moment" is none)."""
        voice = conversation.channel is Channel.VOICE
        hits = self._hold_hits(conversation, ctx)
        asked = bool(self.hits(ctx, "ask")) or any(
            ctx.sentence_text(ctx.sentence_of(hit.token_start)).rstrip().endswith("?")
            for hit in hits
        )
        estimates = self.hits(ctx, "estimate")
        if not voice and (hits or before_event):
            estimates = estimates or self.hits(ctx, "moment")
        stated = max((s for h in estimates
                      if (s := stated_seconds(ctx.turn.text[h.start:h.end])) is not None),
                     default=None)
        return _Cues(
            hold=evidence_of(hits[0], ctx.index, note="hold") if hits else None,
            asked=asked and bool(hits),
            question=bool(self.hits(ctx, "ask")),
            estimate=evidence_of(estimates[0], ctx.index, note="estimate") if estimates else None,
            stated=stated,
            checkin=bool(self.hits(ctx, "checkin")),
            time=_time_after(ctx),
        )

    @staticmethod
    def _announce(hold: _Hold, cues: _Cues, asking: bool = False) -> _Hold:
        """Fold an announcing or check-in turn into the hold (`asking`: the turn before a
        hold event, where a question counts as asking even without hold words)."""
        if cues.hold is not None and hold.refused:  # announced again after a "no"
            hold.refused, hold.asked, hold.turn = False, cues.asked, cues.hold.turn_index
        hold.asked = hold.asked or cues.asked or (asking and cues.question)
        hold.estimate = hold.estimate or cues.estimate
        hold.stated = cues.stated if cues.stated is not None else hold.stated
        hold.clock = cues.time if cues.time is not None else hold.clock
        return hold

    def _begin(self, step: HoldStep, conversation: Conversation) -> list[Finding]:
        """This rule's findings on the start of a hold that began at this step."""
        if step.began is None:
            return []
        conversation.judged.add(self.rule.category)
        return self.judge_start(step.began, conversation)

    def judge_start(self, hold: _Hold, conversation: Conversation) -> list[Finding]:
        """Findings about how the hold started."""
        return []

    def judge_return(self, hold: _Hold, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        """Findings about the agent's return from the hold."""
        return []

    def start_finding(self, hold: _Hold, conversation: Conversation, note: str) -> list[Finding]:
        """A finding on the turn that started the hold (none for a hold before any turn)."""
        if hold.turn is None:
            return []
        finding = build_finding(self.rule, None, span=None, slots=base_slots(conversation),
                                evidence=(absence(hold.turn, note),))
        return [anchored(finding, hold.turn, conversation)]


def _time_after(ctx: TurnContext) -> float | None:
    turn = ctx.turn
    return turn.end if turn.end is not None else turn.start


class NoPermissionAnalyzer(HoldAnalyzer):
    """``hold.no-permission``: the hold began and the customer was not asked, or said no."""

    def judge_start(self, hold: _Hold, conversation: Conversation) -> list[Finding]:
        if hold.asked and not hold.refused:
            return []
        note = "the customer refused the hold" if hold.refused else "no question before the hold"
        return self.start_finding(hold, conversation, note)


class NoEstimateAnalyzer(HoldAnalyzer):
    """``hold.no-estimate``: the hold began with no duration stated."""

    def judge_start(self, hold: _Hold, conversation: Conversation) -> list[Finding]:
        if hold.estimate is not None:
            return []
        return self.start_finding(hold, conversation, "no duration said before the hold")


class NoThanksAnalyzer(HoldAnalyzer):
    """``hold.no-thanks``: the first agent turn after the hold does not thank the customer."""

    def judge_return(self, hold: _Hold, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        if self.hits(ctx, "thanks"):
            return []
        evidence = (absence(ctx.index, f"no thanks on return from the hold of turn {hold.turn}"),)
        return [build_finding(self.rule, ctx, span=None, evidence=evidence,
                              slots=base_slots(conversation))]


class TooLongAnalyzer(HoldAnalyzer):
    """``hold.too-long``: the hold outlasted the stated duration or the limit."""

    def judge_return(self, hold: _Hold, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        end = hold.ended_at if hold.ended_at is not None else ctx.turn.start
        if end is None or hold.clock is None:
            return []
        waited = end - hold.clock
        grace = self.setting("grace_seconds")
        limits = [self.setting("limit_seconds")]
        if hold.stated is not None:
            limits.append(hold.stated)
        limit = min(limits)
        if waited <= limit + grace:
            return []
        said = f"{hold.stated:.0f} s stated" if hold.stated is not None else "no duration stated"
        evidence = (Evidence(source="timing", score=round(waited, 1), turn_index=ctx.index,
                             note=f"held {waited:.0f} s without a check-in ({said}; "
                                  f"limit {limit:.0f} s)"),)
        slots = base_slots(conversation) | {"detail": f"{waited:.0f} seconds"}
        return [build_finding(self.rule, ctx, span=None, evidence=evidence, slots=slots)]


@builtin("hold_permission")
def hold_permission(rule: BuiltinRule) -> NoPermissionAnalyzer:
    """Factory for ``analyzer: hold_permission``."""
    return NoPermissionAnalyzer(rule)


@builtin("hold_estimate")
def hold_estimate(rule: BuiltinRule) -> NoEstimateAnalyzer:
    """Factory for ``analyzer: hold_estimate``."""
    return NoEstimateAnalyzer(rule)


@builtin("hold_thanks")
def hold_thanks(rule: BuiltinRule) -> NoThanksAnalyzer:
    """Factory for ``analyzer: hold_thanks``."""
    return NoThanksAnalyzer(rule)


@builtin("hold_duration")
def hold_duration(rule: BuiltinRule) -> TooLongAnalyzer:
    """Factory for ``analyzer: hold_duration``."""
    return TooLongAnalyzer(rule)
