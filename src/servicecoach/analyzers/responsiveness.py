"""``responsiveness.slow-reply``: in timed chat, an agent reply later than the limit.

The wait starts at the latest customer message that no agent message has answered yet
and ends at the next agent message. An agent message with a `working` phrase ("let me
check", "one moment") covers the gap until the agent's next message, whatever the
customer writes in between. Turns without a start time are not judged, nor is a reply
that starts before the message it answers (times out of order: the report notes them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.rules.schema import BuiltinRule


@dataclass
class _Waiting:
    """The customer's pending message time, and whether a working note covers the gap."""

    since: float | None = None
    since_turn: int | None = None
    covered: bool = False


def duration(seconds: float) -> str:
    """"45 s", "2 min 5 s", "1 h 3 min": how long a wait was, for messages."""
    if not math.isfinite(seconds):
        return "an unknown time"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class ReplyTimeAnalyzer(PhraseListsAnalyzer):
    """Measures each agent reply against ``limit_seconds`` (setting, default 60)."""

    lists = ("working",)
    defaults: ClassVar[dict[str, Any]] = {"limit_seconds": 60.0}
    speakers = frozenset({Speaker.AGENT, Speaker.CUSTOMER})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.limit = self.setting("limit_seconds")
        if self.limit <= 0:
            raise ValueError("limit_seconds must be positive")

    def new_state(self, conversation: Conversation) -> _Waiting:
        return _Waiting()

    def on_turn(
        self, state: _Waiting, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        turn = ctx.turn
        if turn.speaker is Speaker.CUSTOMER:
            if turn.start is not None:
                state.since, state.since_turn = turn.start, ctx.index
            return []
        if turn.speaker is not Speaker.AGENT:
            return []
        found: list[Finding] = []
        waited = (turn.start - state.since
                  if state.since is not None and turn.start is not None else None)
        if waited is not None and waited >= 0:  # a reply before its message: times out of order
            conversation.judged.add(self.rule.category)
            if waited > self.limit and not state.covered:
                found.append(self._slow(conversation, ctx, waited, state.since_turn))
        state.since, state.since_turn = None, None
        state.covered = bool(self.hits(ctx, "working"))
        return found

    def _slow(
        self, conversation: Conversation, ctx: TurnContext, waited: float, since_turn: int | None
    ) -> Finding:
        detail = f"{duration(waited)} (limit {self.limit:g} s)"
        evidence = Evidence(
            source="timing", pattern=f"reply > {self.limit:g} s", score=round(waited, 1),
            turn_index=ctx.index, note=f"customer message at turn {since_turn}",
        )
        slots = base_slots(conversation) | {"detail": detail}
        return build_finding(self.rule, ctx, span=None, evidence=(evidence,), slots=slots)


@builtin("reply_time")
def reply_time(rule: BuiltinRule) -> ReplyTimeAnalyzer:
    """Factory for ``analyzer: reply_time``."""
    return ReplyTimeAnalyzer(rule)
