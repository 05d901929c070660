"""Shared plumbing for built-in analyzers that read named phrase lists on agent turns."""

from __future__ import annotations

from typing import Any, ClassVar

from servicecoach.analyzers.base import Conversation, TurnContext, judges
from servicecoach.models import Event, Evidence, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule, MatchSpec


class ListedAnalyzer:
    """One builtin rule whose phrase lists (`lists`, all required) are matched on agent turns.

    Subclasses implement `new_state`, `on_turn` and, when needed, `on_end`.
    """

    lists: ClassVar[tuple[str, ...]] = ()
    """Names of the phrase lists the rule must give (a missing one is a pack error)."""
    optional_lists: ClassVar[tuple[str, ...]] = ()
    """Names of the phrase lists the rule may give."""

    def __init__(self, rule: BuiltinRule) -> None:
        self.rule = rule
        self.rule_ids = (rule.id,)
        missing = [name for name in self.lists if name not in rule.phrases]
        if missing:
            raise KeyError(f"phrase list(s) {', '.join(missing)} required")
        names = [name for name in (*self.lists, *self.optional_lists) if name in rule.phrases]
        self.keys = {name: f"{rule.id}/{name}" for name in names}
        self.match_keys: dict[Speaker, set[str]] = {Speaker.AGENT: set(self.keys.values())}

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The rule's phrase lists, keyed ``<rule id>/<list name>``."""
        return [(key, self.rule.phrases[name]) for name, key in self.keys.items()]

    def hits(self, ctx: TurnContext, name: str) -> list[Hit]:
        """Hits of one of the rule's lists in the turn (none when the list is not given)."""
        key = self.keys.get(name)
        return ctx.hits(key) if key is not None else []

    def is_agent_turn(self, conversation: Conversation, ctx: TurnContext) -> bool:
        """True for an agent turn in a channel the rule applies to."""
        return ctx.turn.speaker is Speaker.AGENT and judges(
            self.rule, conversation, Speaker.AGENT
        )

    def absence(self, turn_index: int | None, note: str) -> Evidence:
        """Evidence that something expected was not said."""
        return Evidence(source="absence", turn_index=turn_index, note=note)

    def on_event(self, state: Any, conversation: Conversation, event: Event) -> list[Finding]:
        """No built-in analyzer of this family reads events."""
        return []

    def on_end(self, state: Any, conversation: Conversation) -> list[Finding]:
        """Nothing left open by default."""
        return []


def snippet(text: str, limit: int = 60) -> str:
    """The start of a turn's text, on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "..."
