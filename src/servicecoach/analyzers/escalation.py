"""Sentiment escalation: ``escalation.rising``, ``.supervisor-request``, ``.threat``,
``.unresolved`` and the strength ``escalation.deescalated``.

Every customer turn gets a level from VADER (the lowest sentence compound, customer turns
only; it is also published per turn as the report's ``customer_sentiment``) and from cues
VADER misses:

- strongly negative: a `strong` cue (insults, anger, "ridiculous", "unbelievable",
  "worst", "are you kidding me?"), shouting (mostly upper case), or VADER at most ``strong_below``
  (the core pack sets -0.9: VADER alone mostly measures distress, not anger), or a repeated-contact
  `amplifier` ("third time I've called", "?!") with VADER at most ``amplified_below``
  (default -0.5); a `compliance` ("yeah, fine, go ahead") keeps the last two from counting;
- negative: VADER below ``neutral_floor`` (default -0.05), `sarcasm`, compliance, a
  `supervisor` request or a `threat` (a calm "if it's not fixed I'll complain to the
  regulator" is a threat, not anger: the dev set labels it so);
- otherwise neutral or positive.

No alert storm: a run of strongly negative turns fires ``rising`` once, and a supervisor
request or threat in the very words of the customer's previous turn is not a new one; a
neutral or positive turn after an escalation fires ``deescalated``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.nlp.sentiment import load_sentiment
from servicecoach.rules.schema import BuiltinRule

_LETTERS = re.compile(r"[^\W\d_]+")


class Level(Enum):
    """How a customer turn sounds."""

    CALM = "neutral or positive"
    NEGATIVE = "negative"
    STRONG = "strongly negative"


_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_UPPER = string.ascii_uppercase.encode()


def is_shouting(text: str, min_letters: int, share: float) -> bool:
    """True when a text is mostly upper case and long enough to tell."""
    if text.isascii():  # the letters are a-z and A-Z: count them in C, as bytes
        raw = text.encode("ascii")
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    else:
        found = "".join(_LETTERS.findall(text))
        letters, upper = len(found), sum(map(str.isupper, found))
    return letters >= max(min_letters, 1) and upper / letters >= share


@dataclass(frozen=True)
class TurnReading:
    """The level of one customer turn and what decided it."""

    level: Level
    score: float
    """The turn's VADER compound (lowest sentence)."""
    turn_index: int
    cue: Evidence | None = None
    """What decided the level when VADER did not (a strong cue, shouting)."""
    hit: Hit | None = None
    supervisor: list[Hit] = field(default_factory=list)
    """The turn's supervisor requests."""
    threat: list[Hit] = field(default_factory=list)
    """The turn's threats."""

    @cached_property
    def evidence(self) -> Evidence:
        """The evidence for the level (built when a finding needs it)."""
        if self.cue is not None:
            return self.cue
        return Evidence(source="sentiment", pattern="VADER compound (lowest sentence)",
                        score=round(self.score, 3), turn_index=self.turn_index)


@dataclass
class EscalationState:
    """The customer's recent levels and which escalations are still open."""

    previous: Level | None = None
    run: int = 0
    run_fired: bool = False
    last_supervisor: set[str] = field(default_factory=set)
    """The words of the previous customer turn's request (said again right after: not new)."""
    last_threat: set[str] = field(default_factory=set)
    """The words of the previous customer turn's threat."""
    escalated: bool = False
    """An escalation issue fired and no neutral or positive turn has followed."""
    recovery: Finding | None = None
    """The de-escalation strength after the latest escalation, reported at the end."""


class EscalationAnalyzer(PhraseListsAnalyzer):
    """Reads every customer turn; subclasses decide one rule id from the shared state."""

    lists = ("strong", "threat", "supervisor")
    speakers = frozenset({Speaker.CUSTOMER})
    optional_lists = ("amplifier", "compliance", "sarcasm")
    defaults: ClassVar[dict[str, Any]] = {
        "shout_min_letters": 12, "shout_share": 0.7, "neutral_floor": -0.05,
        "strong_below": -0.75, "amplified_below": -0.5,
    }

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        load_sentiment()

    def new_state(self, conversation: Conversation) -> EscalationState:
        return EscalationState()

    def read(self, conversation: Conversation, ctx: TurnContext) -> TurnReading:
        """The level of a customer turn, with its evidence."""
        score = ctx.sentiment
        conversation.sentiment[ctx.index] = round(score, 3)
        index = ctx.index
        supervisor, threat = self.hits(ctx, "supervisor"), self.hits(ctx, "threat")
        hits = self.hits(ctx, "strong")
        if hits:
            cue = evidence_of(hits[0], index, note="strong")
            return TurnReading(Level.STRONG, score, index, cue, hits[0], supervisor, threat)
        if is_shouting(ctx.turn.text, self.setting("shout_min_letters"),
                       self.setting("shout_share")):
            cue = Evidence(source="pattern", pattern="upper case", turn_index=index,
                           note="shouting")
            return TurnReading(Level.STRONG, score, index, cue, None, supervisor, threat)
        complied = bool(self.hits(ctx, "compliance"))
        floor = self.setting("neutral_floor")
        if not complied and (
            score <= self.setting("strong_below")
            or (score <= self.setting("amplified_below") and self.hits(ctx, "amplifier"))
        ):
            level = Level.STRONG
        elif score < floor or complied or supervisor or threat or self.hits(ctx, "sarcasm"):
            level = Level.NEGATIVE
        else:
            level = Level.CALM
        return TurnReading(level, score, index, None, None, supervisor, threat)

    def on_turn(
        self, state: EscalationState, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        if not self.applies(conversation):
            return []
        reading = self.shared(ctx, "escalation.read", lambda: self.read(conversation, ctx))
        rising = self._rising(state, reading.level)
        supervisor = _new(reading.supervisor, state.last_supervisor)
        threat = _new(reading.threat, state.last_threat)
        state.last_supervisor = {hit.pattern for hit in reading.supervisor}
        state.last_threat = {hit.pattern for hit in reading.threat}
        calmed = reading.level is Level.CALM and state.escalated
        found = self.judge(state, conversation, ctx, reading, rising=rising,
                           supervisor=supervisor, threat=threat, calmed=calmed)
        state.escalated = state.escalated or rising or bool(supervisor or threat)
        if reading.level is Level.CALM:
            state.escalated = False
        if state.escalated or reading.level is Level.STRONG:
            conversation.judged.add(self.rule.category)
        state.previous = reading.level
        return found

    @staticmethod
    def _rising(state: EscalationState, level: Level) -> bool:
        """True on a straight fall from calm to strong, or a third strong turn in a row; once a run."""
        if level is not Level.STRONG:
            state.run, state.run_fired = 0, False
            return False
        state.run += 1
        if state.run_fired:
            return False
        fired = state.previous is Level.CALM or state.run >= 3
        state.run_fired = fired
        return fired

    def judge(
        self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
        reading: TurnReading, *, rising: bool, supervisor: list[Hit], threat: list[Hit],
        calmed: bool,
    ) -> list[Finding]:
        """This rule's findings on a customer turn."""
        return []

    def finding(self, ctx: TurnContext | None, conversation: Conversation,
                evidence: tuple[Evidence, ...], hit: Hit | None = None) -> list[Finding]:
        """A finding of this rule, with the matched words as span when there are any."""
        slots = base_slots(conversation)
        span = None
        if ctx is not None and hit is not None:
            span = span_of(ctx.turn, hit.start, hit.end)
            slots["match"] = span.text
        return [build_finding(self.rule, ctx, span=span, evidence=evidence, slots=slots)]


def _new(hits: list[Hit], previous: set[str]) -> list[Hit]:
    """The hits, unless the customer's previous turn said the very same words."""
    return [] if hits and {hit.pattern for hit in hits} <= previous else hits


class RisingAnalyzer(EscalationAnalyzer):
    """``escalation.rising``: a fall from calm to strongly negative, or three strong turns."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              reading: TurnReading, *, rising: bool, supervisor: list[Hit], threat: list[Hit],
              calmed: bool) -> list[Finding]:
        if not rising:
            return []
        how = "three strongly negative turns in a row" if state.run >= 3 else \
            "from neutral or positive straight to strongly negative"
        evidence = (reading.evidence, absence(ctx.index, how))
        return self.finding(ctx, conversation, evidence, reading.hit)


class SupervisorAnalyzer(EscalationAnalyzer):
    """``escalation.supervisor-request``: the customer asks for a manager or someone else."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              reading: TurnReading, *, rising: bool, supervisor: list[Hit], threat: list[Hit],
              calmed: bool) -> list[Finding]:
        if not supervisor:
            return []
        return self.finding(ctx, conversation, (evidence_of(supervisor[0], ctx.index),),
                            supervisor[0])


class ThreatAnalyzer(EscalationAnalyzer):
    """``escalation.threat``: leaving, cancelling, a public complaint, a regulator, legal action."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              reading: TurnReading, *, rising: bool, supervisor: list[Hit], threat: list[Hit],
              calmed: bool) -> list[Finding]:
        if not threat:
            return []
        return self.finding(ctx, conversation, (evidence_of(threat[0], ctx.index),), threat[0])


class DeescalatedAnalyzer(EscalationAnalyzer):
    """``escalation.deescalated`` (strength): the first calm customer turn after the *last*
    escalation. Only the end of the conversation tells which escalation is the last, so the
    strength is decided by `on_end` (a live session reports it when it closes)."""

    def judge(self, state: EscalationState, conversation: Conversation, ctx: TurnContext,
              reading: TurnReading, *, rising: bool, supervisor: list[Hit], threat: list[Hit],
              calmed: bool) -> list[Finding]:
        if rising or supervisor or threat:
            state.recovery = None  # a later escalation: an earlier recovery is not the last
        elif calmed:
            state.recovery = self.finding(ctx, conversation, (reading.evidence,))[0]
        return []

    def on_end(self, state: EscalationState, conversation: Conversation) -> list[Finding]:
        return [state.recovery] if state.recovery is not None else []


class UnresolvedAnalyzer(EscalationAnalyzer):
    """``escalation.unresolved``: the conversation ends with the customer still negative."""

    def on_end(self, state: EscalationState, conversation: Conversation) -> list[Finding]:
        if not self.applies(conversation):
            return []
        if state.previous is Level.STRONG:
            note = "the last customer turn is strongly negative"
        elif state.escalated:
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
