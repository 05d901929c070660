"""How the customer left: ``outcome.satisfied`` (strength), ``outcome.unconfirmed`` and
``outcome.negative-ending`` (issues), judged on the customer's last turn.

The last customer turn decides, as the customer lived the conversation: negative when it
shows distress, strong negativity or a low VADER compound; satisfied when it thanks or
confirms the fix (the `satisfied_signal`); otherwise unconfirmed (the agent closed without
checking that the problem is solved). On the 600 rated helpdesk dialogues of
``../shared/satisfaction/`` this ending is the best single predictor of the customers'
satisfaction (docs/scoring.md), so these findings carry their own points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.rules.schema import BuiltinRule

_SNIPPET = 80


@dataclass
class Ending:
    """The customer's latest turn, as the outcome rules judge it."""

    turn_index: int
    text: str
    mood: str
    """negative, satisfied or unconfirmed"""
    evidence: Evidence


@dataclass
class OutcomeState:
    """The customer's latest turn so far."""

    ending: Ending | None = None


class OutcomeAnalyzer(PhraseListsAnalyzer):
    """Reads every customer turn's signals; reports the ending of its `mood` at the end."""

    mood: ClassVar[str] = ""
    speakers = frozenset({Speaker.CUSTOMER})
    defaults: ClassVar[dict[str, Any]] = {
        "distress_signal": "customer.distress", "strong_signal": "customer.strong",
        "satisfied_signal": "customer.satisfied", "distress_at_least": 0.5,
        "strong_at_least": 0.6, "satisfied_at_least": 0.5, "negative_below": -0.3,
    }

    def new_state(self, conversation: Conversation) -> OutcomeState:
        return OutcomeState()

    def on_turn(self, state: OutcomeState, conversation: Conversation, ctx: TurnContext
                ) -> list[Finding]:
        if not self.applies(conversation) or not ctx.turn.text.strip():
            return []
        conversation.judged.add(self.rule.category)
        state.ending = self.shared(ctx, "outcome.ending", lambda: self._ending(ctx))
        return []

    def _ending(self, ctx: TurnContext) -> Ending:
        """How the turn would leave the conversation, were it the customer's last."""
        snippet = ctx.turn.text[:_SNIPPET]
        for name in ("strong", "distress"):
            reading = ctx.signal(self.setting(f"{name}_signal"))
            if reading.at_least(self.setting(f"{name}_at_least")) and reading.evidence:
                return Ending(ctx.index, snippet, "negative", reading.evidence)
        if ctx.sentiment <= self.setting("negative_below"):
            evidence = Evidence(source="sentiment", pattern="VADER compound (lowest sentence)",
                                score=round(ctx.sentiment, 3), turn_index=ctx.index)
            return Ending(ctx.index, snippet, "negative", evidence)
        reading = ctx.signal(self.setting("satisfied_signal"))
        if reading.at_least(self.setting("satisfied_at_least")) and reading.evidence:
            return Ending(ctx.index, snippet, "satisfied", reading.evidence)
        return Ending(ctx.index, snippet, "unconfirmed",
                      absence(ctx.index, "no thanks or confirmation that it is solved"))

    def on_end(self, state: OutcomeState, conversation: Conversation) -> list[Finding]:
        ending = state.ending
        if ending is None or ending.mood != self.mood:
            return []
        slots = base_slots(conversation) | {"match": ending.text.strip()}
        return [build_finding(self.rule, None, span=None, slots=slots,
                              evidence=(ending.evidence,))]


class SatisfiedAnalyzer(OutcomeAnalyzer):
    """``outcome.satisfied``: the customer's last turn thanks or confirms the fix."""

    mood = "satisfied"


class UnconfirmedAnalyzer(OutcomeAnalyzer):
    """``outcome.unconfirmed``: the customer's last turn neither thanks nor confirms."""

    mood = "unconfirmed"


class NegativeEndingAnalyzer(OutcomeAnalyzer):
    """``outcome.negative-ending``: the customer's last turn is negative."""

    mood = "negative"


@builtin("outcome_satisfied")
def outcome_satisfied(rule: BuiltinRule) -> SatisfiedAnalyzer:
    """Factory for ``analyzer: outcome_satisfied``."""
    return SatisfiedAnalyzer(rule)


@builtin("outcome_unconfirmed")
def outcome_unconfirmed(rule: BuiltinRule) -> UnconfirmedAnalyzer:
    """Factory for ``analyzer: outcome_unconfirmed``."""
    return UnconfirmedAnalyzer(rule)


@builtin("outcome_negative")
def outcome_negative(rule: BuiltinRule) -> NegativeEndingAnalyzer:
    """Factory for ``analyzer: outcome_negative``."""
    return NegativeEndingAnalyzer(rule)
