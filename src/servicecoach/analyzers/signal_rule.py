"""The ``signal`` rule kind: a turn's signal at a threshold, such as the live cues.

The turn's signals are read once per turn by the session (`servicecoach.signals`); this
rule only compares them with its thresholds, so it costs a dictionary lookup per turn.
"""

from __future__ import annotations

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    judges,
    span_of,
)
from servicecoach.analyzers.phrase_lists import snippet
from servicecoach.models import Event, Finding, Speaker
from servicecoach.rules.schema import MatchSpec, SignalRule


class SignalRuleAnalyzer:
    """One `signal` rule; stateless."""

    def __init__(self, rule: SignalRule) -> None:
        self.rule = rule
        self.rule_ids = (rule.id,)
        self.speakers = frozenset(s for s in Speaker if rule.speaker in ("any", s.value))

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """No specs of its own: the signals' cues are compiled with the signals."""
        return []

    def new_state(self, conversation: Conversation) -> None:
        return None

    def on_turn(self, state: None, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        rule = self.rule
        if not judges(rule, conversation, ctx.turn.speaker):
            return []
        for condition in rule.when:
            reading = ctx.signal(condition.signal)
            if reading.at_least(condition.at_least) and reading.evidence is not None:
                span = span_of(ctx.turn, *reading.span) if reading.span else None
                slots = base_slots(conversation) | {
                    "match": span.text if span else snippet(ctx.turn.text, 80),
                }
                return [build_finding(rule, ctx, span=span, evidence=(reading.evidence,),
                                      slots=slots)]
        return []

    def on_event(self, state: None, conversation: Conversation, event: Event) -> list[Finding]:
        return []

    def on_end(self, state: None, conversation: Conversation) -> list[Finding]:
        return []
