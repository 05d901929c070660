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

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence, snippet
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.rules.schema import BuiltinRule

_SNIPPET = 100


@dataclass(frozen=True)
class Ending:
    """The customer's last turn, as the outcome rules judge it."""

    turn_index: int
    text: str
    mood: str
    """negative, satisfied, accepted (a bare "OK": no finding) or unconfirmed"""
    explain: Callable[[], Evidence | None]
    """Builds the evidence (only for the rule that reports this ending)."""


class OutcomeAnalyzer(PhraseListsAnalyzer):
    """Reports, at the end, the ending of its `mood`: read from the facts the session kept
    of the customer's last turn (its signals and sentiment), so no turn wakes it."""

    mood: ClassVar[str] = ""
    speakers = frozenset()
    defaults: ClassVar[dict[str, Any]] = {
        "distress_signal": "customer.distress", "strong_signal": "customer.strong",
        "satisfied_signal": "customer.satisfied", "distress_at_least": 0.5,
        "strong_at_least": 0.6, "satisfied_at_least": 0.5, "accepted_at_least": 0.3,
        "negative_below": -0.3,
    }

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self._ending_key = self.tracker_key("outcome")
        """The family's rules configured alike decide the ending once."""

    def new_state(self, conversation: Conversation) -> None:
        return None

    def on_turn(self, state: None, conversation: Conversation, ctx: TurnContext
                ) -> list[Finding]:
        return []

    def ending(self, conversation: Conversation) -> Ending | None:
        """How the conversation ended for the customer (decided once for the family's
        rules); None without a customer turn."""
        key = (self._ending_key, len(conversation.turns))
        if key not in conversation.trackers:
            conversation.trackers[key] = self._ending(conversation)
        return conversation.trackers[key]  # type: ignore[no-any-return]

    def _ending(self, conversation: Conversation) -> Ending | None:
        index = conversation.last_customer_turn
        if index is None:
            return None
        excerpt = snippet(conversation.turns[index].text, _SNIPPET)
        shown = conversation.last_customer_signals
        for name in ("strong", "distress"):
            reading = shown.get(self.setting(f"{name}_signal"))
            if reading is not None and reading.at_least(self.setting(f"{name}_at_least")):
                return Ending(index, excerpt, "negative", partial(getattr, reading, "evidence"))
        sentiment = conversation.sentiment.get(index, 0.0)
        if sentiment <= self.setting("negative_below"):
            return Ending(index, excerpt, "negative", partial(
                Evidence, source="sentiment", pattern="VADER compound (lowest sentence)",
                score=sentiment, turn_index=index))
        reading = shown.get(self.setting("satisfied_signal"))
        answered = any(turn.speaker is Speaker.AGENT for turn in conversation.turns[:index])
        if answered and reading is not None and reading.at_least(
                self.setting("satisfied_at_least")):  # thanks in an opening request is no verdict
            return Ending(index, excerpt, "satisfied", partial(getattr, reading, "evidence"))
        if reading is not None and reading.at_least(self.setting("accepted_at_least")):
            return Ending(index, excerpt, "accepted", partial(getattr, reading, "evidence"))
        return Ending(index, excerpt, "unconfirmed", partial(
            absence, index, "no thanks or confirmation that it is solved"))

    def on_end(self, state: None, conversation: Conversation) -> list[Finding]:
        ending = self.ending(conversation)
        if ending is None:
            return []
        conversation.judged.add(self.rule.category)
        if ending.mood != self.mood:
            return []
        slots = base_slots(conversation) | {"match": ending.text.strip()}
        evidence = ending.explain()
        return [build_finding(self.rule, None, span=None, slots=slots,
                              evidence=(evidence,) if evidence is not None else ())]


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
