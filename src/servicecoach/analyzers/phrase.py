"""The ``phrase`` and ``substitution`` rule kinds: something said in one turn."""

from __future__ import annotations

from typing import Any

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
    judges,
    judges_turn,
    span_of,
)
from servicecoach.models import Channel, Event, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import MatchSpec, PhraseRule, SubstitutionRule

MAX_EVIDENCE = 5


def _speakers(rule: Any) -> list[Speaker]:
    return [s for s in Speaker if rule.speaker in ("any", s.value)]


class PhraseAnalyzer:
    """One `phrase` or `substitution` rule; stateless."""

    def __init__(self, rule: PhraseRule | SubstitutionRule) -> None:
        self.rule = rule
        self.rule_ids = (rule.id,)
        self.match_key = f"{rule.id}/match"
        self.follow_key = f"{rule.id}/followed_by"
        self.unless_key = f"{rule.id}/unless"
        self.speakers = frozenset(_speakers(rule))
        self.wake_keys: tuple[str, ...] | None = (self.match_key,)
        """Without a hit of the main list (or of what must follow a signal's words), a turn
        has nothing to report; a signal read besides the list may hold on any turn."""
        if isinstance(rule, PhraseRule) and rule.signal is not None:
            self.wake_keys = (self.follow_key,) if rule.followed_by is not None else None

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile, by key."""
        rule = self.rule
        if isinstance(rule, SubstitutionRule):
            main = MatchSpec(
                phrases=tuple(rule.swap),
                exceptions=rule.exceptions,
                negation=rule.negation,
                quotes=rule.quotes,
            )
            found = [(self.match_key, main)]
        else:
            found = [(self.match_key, rule.match)] if rule.match is not None else []
            if rule.followed_by is not None:
                found.append((self.follow_key, rule.followed_by))
        if rule.unless is not None:
            found.append((self.unless_key, rule.unless))
        return found

    def opens(self, channel: Channel, speaker: Speaker) -> str | None:
        """The category every turn this rule judges makes applicable, hit or not."""
        rule = self.rule
        opened = not isinstance(rule, PhraseRule) or rule.opens_category
        return rule.category if opened and judges_turn(rule, channel, speaker) else None

    def new_state(self, conversation: Conversation) -> None:
        return None

    def on_turn(self, state: None, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        rule = self.rule
        if not judges(rule, conversation, ctx.turn.speaker):
            return []
        if not isinstance(rule, PhraseRule) or rule.opens_category:
            conversation.judged.add(rule.category)
        hits = self._main_hits(ctx)
        if not hits:
            return []
        first = hits[0]
        end = first.end
        if isinstance(rule, PhraseRule) and rule.followed_by is not None:
            hits = self._followed(hits, ctx.hits(self.follow_key))
            if not hits:
                return []
            first, end = hits[0], hits[1].end
        if rule.unless is not None and ctx.hits(self.unless_key):
            return []
        matched = ctx.turn.text[first.start : end]
        slots = base_slots(conversation) | {"match": matched}
        if isinstance(rule, SubstitutionRule):
            slots["replacement"] = rule.swap[first.pattern]
        evidence = tuple(evidence_of(hit, ctx.index) for hit in hits[:MAX_EVIDENCE])
        span = span_of(ctx.turn, first.start, end)
        if isinstance(rule, PhraseRule) and first.pattern in rule.rewrites:
            rule = rule.model_copy(update={"suggestion": rule.rewrites[first.pattern]})
        return [build_finding(rule, ctx, span=span, evidence=evidence, slots=slots)]

    def _main_hits(self, ctx: TurnContext) -> list[Hit]:
        """Hits of the main list; where it has none (or there is none), the words that
        showed the rule's signal."""
        rule = self.rule
        reads_match = not isinstance(rule, PhraseRule) or rule.match is not None
        hits = ctx.hits(self.match_key) if reads_match else []
        if hits or not isinstance(rule, PhraseRule) or rule.signal is None:
            return hits
        reading = ctx.signal(rule.signal.signal)
        if not reading.at_least(rule.signal.at_least) or reading.span is None:
            return []
        pattern = reading.evidence.pattern if reading.evidence is not None else None
        start, end = reading.span
        hit = Hit(start, end, 0, 0, "signal", pattern or rule.signal.signal, reading.score)
        return [] if reads_match and ctx.excepted(self.match_key, hit) else [hit]

    @staticmethod
    def _followed(hits: list[Hit], follows: list[Hit]) -> list[Hit]:
        """The first hit with a follow-up after it, and that follow-up."""
        for hit in hits:
            for follow in follows:
                if follow.start >= hit.end:
                    return [hit, follow]
        return []

    def on_event(self, state: None, conversation: Conversation, event: Event) -> list[Finding]:
        return []

    def on_end(self, state: None, conversation: Conversation) -> list[Finding]:
        return []
