"""Sentiment escalation: ``escalation.rising``, ``.supervisor-request``, ``.threat``,
``.unresolved`` and the strength ``escalation.deescalated``.

Every customer turn gets a level from the turn's signals (``rules/core/signals/``, read
once per turn whatever rules are enabled) and VADER (the lowest sentence compound):

- strongly negative: the `strong_signal` (customer.strong: insults, anger, accusation,
  "ridiculous", shouting, sarcasm, very low VADER) at `strong_at_least` or more;
- negative: VADER below ``neutral_floor`` (default -0.05), distress, a request for someone
  else or a threat (a calm "if it's not fixed I'll complain to the regulator" is a threat,
  not anger); VADER's reading alone does not make negative a turn in which the customer
  thanks the agent or says the problem is solved (the `satisfied_signal` at
  `satisfied_at_least`) in one of its first `satisfied_within` sentences: "oh thank god.
  sorry for shouting, it's been a long week" has a negative sentence and is no negative
  turn, while a long complaint that ends "nevertheless, thank you for your reply" is one;
- otherwise neutral or positive.

No alert storm: a run of strongly negative turns fires ``rising`` once, and a supervisor
request in the very words of the customer's previous turn is not a new one; a
neutral or positive turn after an escalation fires ``deescalated``. A threat is one on each
turn that makes it, said again after the agent's answer or not (the labelled real
dialogues count a threat repeated after the answer as a threat again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    FamilyTracker,
    TurnContext,
    base_slots,
    build_finding,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.nlp.sentiment import load_sentiment
from servicecoach.rules.schema import BuiltinRule
from servicecoach.signals.reading import SignalReading


class Level(Enum):
    """How a customer turn sounds."""

    CALM = "neutral or positive"
    NEGATIVE = "negative"
    STRONG = "strongly negative"


@dataclass(frozen=True)
class TurnReading:
    """The level of one customer turn and what decided it."""

    level: Level
    score: float
    """The turn's VADER compound (lowest sentence)."""
    turn_index: int
    cue: SignalReading | None = None
    """The strong-negativity signal, when it decided the level."""
    supervisor: SignalReading | None = None
    """The turn's request for someone else, if any."""
    threat: SignalReading | None = None
    """The turn's threat, if any."""
    supervisor_words: str | None = None
    """The words of the turn that asked for someone else (lower-cased), if any."""

    @cached_property
    def evidence(self) -> Evidence:
        """The evidence for the level (built when a finding needs it)."""
        if self.cue is not None and self.cue.evidence is not None:
            return self.cue.evidence
        return Evidence(source="sentiment", pattern="VADER compound (lowest sentence)",
                        score=round(self.score, 3), turn_index=self.turn_index)


@dataclass(frozen=True)
class Step:
    """What one customer turn did to the escalation: the same for every rule of the family."""

    reading: TurnReading
    rising: bool
    """A fall from calm to strongly negative, or a third strong turn in a row (once a run)."""
    run: int
    """Strongly negative customer turns in a row, this one included."""
    supervisor: SignalReading | None
    """A new request for someone else (not the previous turn's words again)."""
    threat: SignalReading | None
    """The turn's threat."""
    calmed: bool
    """A neutral or positive turn while an escalation was open."""


@dataclass
class EscalationTracker(FamilyTracker):
    """The customer's recent levels and which escalations are still open: one per session
    for the family's configuration, shared by its rules, each turn read once."""

    previous: Level | None = None
    run: int = 0
    run_fired: bool = False
    last_supervisor: str | None = None
    """The words of the previous customer turn's request (the same words said again right
    after: not a new request)."""
    escalated: bool = False
    """An escalation issue fired and no neutral or positive turn has followed."""
    latest: Step | None = None
    """What the latest customer turn did."""

    def take_in(self, index: int, reading: Callable[[], TurnReading]) -> Step:
        """The step of customer turn `index`: read (`reading()`) and taken in by the first
        rule of the family that sees the turn, then the same for the others."""
        if self.takes_turn(index) or self.latest is None:
            self.latest = self.step(reading())
        return self.latest

    def step(self, reading: TurnReading) -> Step:
        """Move on by one customer turn."""
        rising = self._rising(reading.level)
        again = reading.supervisor_words is not None \
            and reading.supervisor_words == self.last_supervisor
        supervisor = None if again else reading.supervisor
        self.last_supervisor = reading.supervisor_words
        calmed = reading.level is Level.CALM and self.escalated
        self.escalated = (self.escalated or rising or bool(supervisor or reading.threat)) \
            and reading.level is not Level.CALM
        self.previous = reading.level
        return Step(reading, rising, self.run, supervisor, reading.threat, calmed)

    def _rising(self, level: Level) -> bool:
        """True on a straight fall from calm to strong, or a third strong turn in a row; once a run."""
        if level is not Level.STRONG:
            self.run, self.run_fired = 0, False
            return False
        self.run += 1
        if self.run_fired:
            return False
        fired = self.previous is Level.CALM or self.run >= 3
        self.run_fired = fired
        return fired


@dataclass
class EscalationState:
    """One rule's view of the family's tracker, and what the rule keeps itself."""

    tracker: EscalationTracker
    recovery: Finding | None = None
    """The de-escalation strength after the latest escalation, reported at the end."""


class EscalationAnalyzer(PhraseListsAnalyzer):
    """Reads every customer turn's signals; subclasses decide one rule id from the shared state."""

    speakers = frozenset({Speaker.CUSTOMER})
    defaults: ClassVar[dict[str, Any]] = {
        "strong_signal": "customer.strong", "threat_signal": "customer.threat",
        "supervisor_signal": "customer.supervisor", "distress_signal": "customer.distress",
        "strong_at_least": 0.6, "threat_at_least": 0.5, "supervisor_at_least": 0.5,
        "distress_at_least": 0.5, "neutral_floor": -0.05,
        "satisfied_signal": "customer.satisfied", "satisfied_at_least": 0.9,
        "satisfied_within": 2,
    }

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self._tracker_key = self.tracker_key("escalation")
        """Rules whose settings are equal share one tracker."""
        load_sentiment()

    def new_state(self, conversation: Conversation) -> EscalationState:
        return EscalationState(
            self.family_tracker(conversation, self._tracker_key, EscalationTracker))

    def read(self, ctx: TurnContext) -> TurnReading:
        """The level of a customer turn, with its evidence."""
        score, index = ctx.sentiment, ctx.index
        supervisor = self._signal(ctx, "supervisor")
        threat = self._signal(ctx, "threat")
        asked = None
        if supervisor is not None and supervisor.span is not None:
            asked = ctx.turn.text[supervisor.span[0] : supervisor.span[1]].lower()
        strong = self._signal(ctx, "strong")
        if strong is not None:
            return TurnReading(Level.STRONG, score, index, strong, supervisor, threat, asked)
        gloomy = score < self.setting("neutral_floor") and not self._thanks_first(ctx)
        negative = gloomy or supervisor or threat or self._signal(ctx, "distress")
        level = Level.NEGATIVE if negative else Level.CALM
        return TurnReading(level, score, index, None, supervisor, threat, asked)

    def _thanks_first(self, ctx: TurnContext) -> bool:
        """True when the turn thanks the agent or says the problem is solved in one of its
        first `satisfied_within` sentences: what the turn is about, not a courtesy closing
        a complaint."""
        satisfied = self._signal(ctx, "satisfied")
        if satisfied is None:
            return False
        if satisfied.span is None:
            return True
        sentences = ctx.sentences[: self.setting("satisfied_within")]
        return any(sentence.start_char <= satisfied.span[0] < sentence.end_char
                   for sentence in sentences)

    def _signal(self, ctx: TurnContext, name: str) -> SignalReading | None:
        """The turn's reading of one of the signals the rule names, when high enough."""
        reading = ctx.signal(self.setting(f"{name}_signal"))
        return reading if reading.at_least(self.setting(f"{name}_at_least")) else None

    def on_turn(
        self, state: EscalationState, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        tracker = state.tracker
        step = tracker.take_in(ctx.index, lambda: self.read(ctx))
        if tracker.escalated or step.reading.level is Level.STRONG:
            conversation.judged.add(self.rule.category)
        return self.judge(state, conversation, ctx, step)

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              step: Step) -> list[Finding]:
        """This rule's findings on a customer turn."""
        return []

    def finding(self, ctx: TurnContext | None, conversation: Conversation,
                evidence: tuple[Evidence, ...], reading: SignalReading | None = None,
                ) -> list[Finding]:
        """A finding of this rule, with the signal's words as span when there are any."""
        slots = base_slots(conversation)
        span = None
        if ctx is not None and reading is not None and reading.span is not None:
            span = span_of(ctx.turn, *reading.span)
            slots["match"] = span.text
        return [build_finding(self.rule, ctx, span=span, evidence=evidence, slots=slots)]


def _evidence(reading: SignalReading) -> tuple[Evidence, ...]:
    """The evidence of a signal reading, as a finding's evidence."""
    return (reading.evidence,) if reading.evidence is not None else ()


class RisingAnalyzer(EscalationAnalyzer):
    """``escalation.rising``: a fall from calm to strongly negative, or three strong turns."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              step: Step) -> list[Finding]:
        if not step.rising:
            return []
        how = "three strongly negative turns in a row" if step.run >= 3 else \
            "from neutral or positive straight to strongly negative"
        evidence = (step.reading.evidence, absence(ctx.index, how))
        return self.finding(ctx, conversation, evidence, step.reading.cue)


class SupervisorAnalyzer(EscalationAnalyzer):
    """``escalation.supervisor-request``: the customer asks for a manager or someone else."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              step: Step) -> list[Finding]:
        if not step.supervisor:
            return []
        return self.finding(ctx, conversation, _evidence(step.supervisor), step.supervisor)


class ThreatAnalyzer(EscalationAnalyzer):
    """``escalation.threat``: leaving, cancelling, a public complaint, a regulator, legal action."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              step: Step) -> list[Finding]:
        if not step.threat:
            return []
        return self.finding(ctx, conversation, _evidence(step.threat), step.threat)


class DeescalatedAnalyzer(EscalationAnalyzer):
    """``escalation.deescalated`` (strength): the first calm customer turn after the *last*
    escalation. Only the end of the conversation tells which escalation is the last, so the
    strength is decided by `on_end` (a live session reports it when it closes)."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              step: Step) -> list[Finding]:
        if step.rising or step.supervisor or step.threat:
            state.recovery = None  # a later escalation: an earlier recovery is not the last
        elif step.calmed:
            state.recovery = self.finding(ctx, conversation, (step.reading.evidence,))[0]
        return []

    def on_end(self, state: EscalationState, conversation: Conversation) -> list[Finding]:
        return [state.recovery] if state.recovery is not None else []


class UnresolvedAnalyzer(EscalationAnalyzer):
    """``escalation.unresolved``: the conversation ends with the customer still negative."""

    def on_end(self, state: EscalationState, conversation: Conversation) -> list[Finding]:
        if state.tracker.previous is Level.STRONG:
            note = "the last customer turn is strongly negative"
        elif state.tracker.escalated:
            note = "no neutral or positive customer turn after the escalation"
        else:
            return []
        return self.finding(None, conversation, (absence(None, note),))


@builtin("escalation_rising")
def escalation_rising(rule: BuiltinRule) -> RisingAnalyzer:
    """Factory for ``analyzer: escalation_rising``."""
    return RisingAnalyzer(rule)


@builtin("escalation_supervisor")
def escalation_supervisor(rule: BuiltinRule) -> SupervisorAnalyzer:
    """Factory for ``analyzer: escalation_supervisor``."""
    return SupervisorAnalyzer(rule)


@builtin("escalation_threat")
def escalation_threat(rule: BuiltinRule) -> ThreatAnalyzer:
    """Factory for ``analyzer: escalation_threat``."""
    return ThreatAnalyzer(rule)


@builtin("escalation_deescalated")
def escalation_deescalated(rule: BuiltinRule) -> DeescalatedAnalyzer:
    """Factory for ``analyzer: escalation_deescalated``."""
    return DeescalatedAnalyzer(rule)


@builtin("escalation_unresolved")
def escalation_unresolved(rule: BuiltinRule) -> UnresolvedAnalyzer:
    """Factory for ``analyzer: escalation_unresolved``."""
    return UnresolvedAnalyzer(rule)
