"""The ``conditional`` rule kind: a trigger in one speaker's turn, judged in the other's reply.

``when: missing`` fires on the last turn of the window when the expected words never
came ("the customer was upset and the next agent turn did not acknowledge it");
``when: present`` fires on the turn where they came (a strength such as empathy shown,
or an issue such as a forbidden reply).
"""

from __future__ import annotations

from dataclasses import dataclass

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
    span_of,
)
from servicecoach.analyzers.phrase_lists import snippet, snippet_around
from servicecoach.models import Event, Evidence, Finding, Speaker
from servicecoach.nlp.sentiment import load_sentiment
from servicecoach.rules.schema import ConditionalRule, MatchSpec, SignalCondition

_SNIPPET = 100


@dataclass
class _Window:
    trigger_index: int
    trigger_text: str
    evidence: Evidence
    seen: int = 0
    last: TurnContext | None = None


@dataclass
class ConditionalState:
    """The open window, if a trigger is waiting for the other speaker's reply, and (for a
    rule with `reply_shows_trigger`) the index and text of the trigger speaker's last turn
    that opened none and is not answered yet."""

    window: _Window | None = None
    unanswered: tuple[int, str] | None = None


class ConditionalAnalyzer:
    """One `conditional` rule."""

    def __init__(self, rule: ConditionalRule) -> None:
        self.rule = rule
        self.rule_ids = (rule.id,)
        self.trigger_speaker = Speaker(rule.trigger.speaker)
        self.responder = Speaker.AGENT if self.trigger_speaker is Speaker.CUSTOMER else Speaker.CUSTOMER
        self.trigger_key = f"{rule.id}/trigger"
        self.expect_key = f"{rule.id}/expect"
        self.unless_key = f"{rule.id}/unless"
        self.speakers = frozenset({self.trigger_speaker, self.responder})
        if rule.trigger.sentiment_below is not None:
            load_sentiment()

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile, by key."""
        found = [(self.expect_key, self.rule.expect)] if self.rule.expect is not None else []
        if self.rule.trigger.match is not None:
            found.append((self.trigger_key, self.rule.trigger.match))
        if self.rule.unless is not None:
            found.append((self.unless_key, self.rule.unless))
        return found

    def new_state(self, conversation: Conversation) -> ConditionalState:
        return ConditionalState()

    def on_turn(
        self, state: ConditionalState, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        speaker = ctx.turn.speaker
        if speaker is self.trigger_speaker:
            fired = self._trigger(ctx)
            if fired is not None:
                evidence, span = fired
                conversation.judged.add(self.rule.category)
                state.window = _Window(ctx.index, snippet_around(ctx.turn.text, span, _SNIPPET),
                                       evidence)
            elif state.window is None and self.rule.reply_shows_trigger is not None:
                state.unanswered = (ctx.index, ctx.turn.text)
            return []
        if speaker is not self.responder:
            return []
        unanswered, state.unanswered = state.unanswered, None
        if state.window is not None:
            return self._respond(state, state.window, conversation, ctx)
        if unanswered is not None and self.rule.reply_shows_trigger is not None:
            return self._shown_by_reply(self.rule.reply_shows_trigger, unanswered,
                                        conversation, ctx)
        return []

    def _shown_by_reply(self, condition: SignalCondition, unanswered: tuple[int, str],
                        conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        """The finding of a reply whose own words show the trigger (`reply_shows_trigger`)
        that the other speaker's unanswered turn did not show on its own."""
        reading = ctx.signal(condition.signal)
        if not reading.at_least(condition.at_least) or reading.evidence is None:
            return []
        found = self._expected(ctx)
        if found is None or (self.rule.unless is not None and ctx.hits(self.unless_key)):
            return []
        conversation.judged.add(self.rule.category)
        index, text = unanswered
        text = snippet(text, _SNIPPET)
        shown = Evidence(source="signal", pattern=condition.signal, score=reading.score,
                         turn_index=index,
                         note=f"trigger: shown by the reply of turn {ctx.index} "
                         f"({condition.signal})")
        evidence, (start, end) = found
        slots = base_slots(conversation) | {"trigger": text, "match": ctx.turn.text[start:end]}
        return [build_finding(self.rule, ctx, span=span_of(ctx.turn, start, end),
                              evidence=(shown, evidence), slots=slots)]

    def _trigger(self, ctx: TurnContext) -> tuple[Evidence, tuple[int, int] | None] | None:
        """The trigger's evidence in the turn and the characters that fired it (None when
        the whole turn was read: a sentiment, a model), or None when it is not there."""
        trigger = self.rule.trigger
        if trigger.match is not None:
            hits = ctx.hits(self.trigger_key)
            if hits:
                return evidence_of(hits[0], ctx.index, note="trigger"), (hits[0].start,
                                                                         hits[0].end)
        if trigger.signal is not None:
            reading = ctx.signal(trigger.signal.signal)
            if reading.at_least(trigger.signal.at_least) and reading.evidence is not None:
                return reading.evidence, reading.span
        if (trigger.sentiment_below is not None and speaker_is_customer(ctx)
                and ctx.sentiment < trigger.sentiment_below):
            return Evidence(
                source="sentiment",
                pattern=f"compound < {trigger.sentiment_below}",
                score=round(ctx.sentiment, 3),
                turn_index=ctx.index,
                note="trigger",
            ), None
        return None

    def _respond(
        self,
        state: ConditionalState,
        window: _Window,
        conversation: Conversation,
        ctx: TurnContext,
    ) -> list[Finding]:
        rule = self.rule
        window.seen += 1
        window.last = ctx
        found = self._expected(ctx)
        cancelled = rule.unless is not None and bool(ctx.hits(self.unless_key))
        slots = base_slots(conversation) | {"trigger": window.trigger_text}
        if found is not None:
            state.window = None
            if rule.when == "present" and not cancelled:
                evidence, (start, end) = found
                slots["match"] = ctx.turn.text[start:end]
                span = span_of(ctx.turn, start, end)
                return [build_finding(rule, ctx, span=span, evidence=(window.evidence, evidence),
                                      slots=slots)]
            return []
        if window.seen < rule.within:
            return []
        state.window = None
        if rule.when == "present" or cancelled:
            return []
        return [self._missing(window, ctx, slots)]

    def _expected(self, ctx: TurnContext) -> tuple[Evidence, tuple[int, int]] | None:
        """What was expected, found in the responding turn: its evidence and span."""
        rule = self.rule
        if rule.expect is not None:
            hits = ctx.hits(self.expect_key)
            if hits:
                return evidence_of(hits[0], ctx.index), (hits[0].start, hits[0].end)
        if rule.expect_signal is not None:
            reading = ctx.signal(rule.expect_signal.signal)
            if reading.at_least(rule.expect_signal.at_least) and reading.evidence is not None:
                return reading.evidence, reading.span or (0, len(ctx.turn.text))
        return None

    def _missing(self, window: _Window, ctx: TurnContext, slots: dict[str, str | None]) -> Finding:
        absence = Evidence(
            source="absence",
            turn_index=ctx.index,
            note=f"nothing from 'expect' in {window.seen} {self.responder.value} turn(s) after "
            f"turn {window.trigger_index}",
        )
        return build_finding(
            self.rule, ctx, span=None, evidence=(window.evidence, absence), slots=slots
        )

    def on_event(
        self, state: ConditionalState, conversation: Conversation, event: Event
    ) -> list[Finding]:
        return []

    def on_end(self, state: ConditionalState, conversation: Conversation) -> list[Finding]:
        window = state.window
        if window is None or window.last is None or self.rule.when == "present":
            return []
        state.window = None
        slots = base_slots(conversation) | {"trigger": window.trigger_text}
        return [self._missing(window, window.last, slots)]


def speaker_is_customer(ctx: TurnContext) -> bool:
    """Sentiment is only ever computed on customer turns."""
    return ctx.turn.speaker is Speaker.CUSTOMER
