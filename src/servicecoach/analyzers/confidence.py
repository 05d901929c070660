"""``confidence.filler``: hesitation fillers in an agent turn, graded by how many.

One "um" is the rule's own severity (a suggestion in `core`); ``warn_at`` (setting,
default 3) or more fillers in one turn is a run, reported one severity higher.
"""

from __future__ import annotations

from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
    judges_turn,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer
from servicecoach.models import Channel, Finding, Severity, Speaker
from servicecoach.rules.schema import BuiltinRule

_HIGHER = {Severity.SUGGESTION: Severity.WARNING, Severity.WARNING: Severity.CRITICAL,
           Severity.CRITICAL: Severity.CRITICAL}


class FillerAnalyzer(PhraseListsAnalyzer):
    """Counts `filler` hits per agent turn; one finding per turn that has any."""

    lists = ("filler",)
    defaults: ClassVar[dict[str, Any]] = {"warn_at": 3}
    speakers = frozenset({Speaker.AGENT})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.warn_at = self.setting("warn_at")
        if self.warn_at < 1:
            raise ValueError("warn_at must be at least 1")
        self.wake_keys = (self.keys["filler"],)
        """A turn without a filler has nothing to report."""

    def opens(self, channel: Channel, speaker: Speaker) -> str | None:
        """Every agent turn in the rule's channels is judged for fillers."""
        return self.rule.category if judges_turn(self.rule, channel, speaker) else None

    def new_state(self, conversation: Conversation) -> None:
        return None

    def on_turn(self, state: None, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        if not self.is_agent_turn(conversation, ctx):
            return []
        conversation.judged.add(self.rule.category)
        hits = self.hits(ctx, "filler")
        if not hits:
            return []
        words = dict.fromkeys(ctx.turn.text[hit.start : hit.end].lower() for hit in hits)
        count = len(hits)
        detail = f"{count} fillers in one turn" if count > 1 else "a filler"
        slots = base_slots(conversation) | {"match": ", ".join(words), "detail": detail}
        first = hits[0]
        finding = build_finding(
            self.rule, ctx, span=span_of(ctx.turn, first.start, first.end), slots=slots,
            evidence=tuple(evidence_of(hit, ctx.index) for hit in hits[:5]),
        )
        if count >= self.warn_at:
            finding = finding.model_copy(update={"severity": _HIGHER[self.rule.severity]})
        return [finding]


@builtin("fillers")
def fillers(rule: BuiltinRule) -> FillerAnalyzer:
    """Factory for ``analyzer: fillers``."""
    return FillerAnalyzer(rule)
