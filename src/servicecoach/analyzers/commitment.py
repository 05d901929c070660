"""``commitment.vague`` and the report's list of commitments.

A commitment is a sentence of an agent turn with a `promise` of a later action by the
company ("I'll call you back", "someone will email you"). Its time frame is the
`time_frame` wording in the same sentence ("by 3 pm tomorrow", "within 24 hours");
adjacent time-frame hits merge into one ("by 3 pm" + "tomorrow"). A `turn_time_frame`
(optional: "please wait patiently for three days", "allow 5 working days") times every
promise of its turn that has none of its own. Every commitment goes to
`Conversation.commitments`. A turn is judged as a whole: when none of its promises has
a time frame, its first promise is a finding; a turn that says when one of its follow-ups
happens ("Xiao Lan will check it on Monday. Please watch for our call.") is not vague.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from servicecoach.analyzers.base import (
    Conversation,
    FamilyTracker,
    TurnContext,
    base_slots,
    build_finding,
    evidence_of,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Commitment, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule

_JOIN = " ,"
"""Characters that may separate two time-frame hits that read as one ("by 3 pm, tomorrow")."""


def merge_spans(hits: list[Hit], text: str) -> list[tuple[int, int]]:
    """Character spans of hits, overlapping or adjacent ones merged, in text order."""
    merged: list[tuple[int, int]] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if merged and not text[merged[-1][1] : hit.start].strip(_JOIN):
            merged[-1] = (merged[-1][0], max(merged[-1][1], hit.end))
        else:
            merged.append((hit.start, hit.end))
    return merged


_VAGUE_TIME = re.compile(
    r",?\s*\b(?:at some point|some ?time|soon|shortly|later(?: on| today)?|eventually|"
    r"in a (?:bit|while)|asap|as soon as (?:possible|(?:i|we) can)|when(?:ever)? (?:i|we) "
    r"(?:can|get (?:a|the) chance)|in due course|(?:down|along) the line)\b.*$",
    re.IGNORECASE)
"""A vague time frame and what follows it, at the end of a promise."""

@dataclass(frozen=True)
class Promise:
    """One promise of an agent turn: the commitment, its first promise words and where its
    sentence ends (what `commitment.vague` quotes)."""

    commitment: Commitment
    hit: Hit
    stop: int


@dataclass
class CommitmentFacts(FamilyTracker):
    """The promises of the agent's latest turn: one tracker per conversation for the
    family's rules configured alike, each turn read once."""

    latest: tuple[Promise, ...] = ()
    """The promises of the turn read last."""


class CommitmentAnalyzer(PhraseListsAnalyzer):
    """Finds promises, records them with their time frames, and flags the vague ones."""

    family = "commitments"
    lists = ("promise", "time_frame")
    optional_lists = ("turn_time_frame",)
    speakers = frozenset({Speaker.AGENT})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.wake_keys = (self.keys["promise"],)
        """A turn without a promise has nothing to record (and only a promise makes the
        category applicable, so it has no `opens`)."""
        self._tracker_key = self.tracker_key("commitments", lists=True)
        """Rules whose lists and settings are equal share one tracker."""

    def new_state(self, conversation: Conversation) -> CommitmentFacts:
        return self.family_tracker(conversation, self._tracker_key, CommitmentFacts)

    def take_in(self, state: CommitmentFacts, conversation: Conversation, ctx: TurnContext,
                *, for_report: bool = False) -> None:
        """Read the promises of an agent turn (once per turn for the family); the session's
        keeper (`for_report`) lists them in the report, whatever rules are enabled."""
        if not state.takes_turn(ctx.index):
            return
        state.latest = self._promises(ctx) if ctx.turn.speaker is Speaker.AGENT else ()
        if for_report:
            conversation.commitments.extend(promise.commitment for promise in state.latest)

    def _promises(self, ctx: TurnContext) -> tuple[Promise, ...]:
        promises = self.hits(ctx, "promise")
        if not promises:
            return ()
        text = ctx.turn.text
        frames = merge_spans(self.hits(ctx, "time_frame"), text)
        whole = merge_spans(self.hits(ctx, "turn_time_frame"), text)
        turn_frame = text[whole[0][0] : whole[0][1]] if whole else None
        # hits and frames are in text order: each sentence finds its first ones by bisection
        # (a turn of thousands of short promises is read in n log n, not sentences x hits)
        promise_starts = [hit.start for hit in promises]
        frame_starts = [start for start, _ in frames]
        found: list[Promise] = []
        for sentence in ctx.sentences:
            start, end = sentence.start_char, sentence.end_char
            first = bisect_left(promise_starts, start)
            if first == len(promises) or promises[first].start >= end:
                continue
            hit = promises[first]
            at = bisect_left(frame_starts, start)
            frame = frames[at] if at < len(frames) and frames[at][0] < end else None
            begin = min(hit.start, frame[0]) if frame else hit.start
            stop = start + len(text[start:end].rstrip())
            commitment = Commitment(turn_index=ctx.index, span=span_of(ctx.turn, begin, stop),
                                    time_frame=text[frame[0] : frame[1]] if frame else turn_frame)
            found.append(Promise(commitment, hit, stop))
        return tuple(found)

    def on_turn(self, state: CommitmentFacts, conversation: Conversation, ctx: TurnContext
                ) -> list[Finding]:
        if not self.is_agent_turn(conversation, ctx):
            return []
        if state.turns_read <= ctx.index:  # not taken in yet (a tracker of this rule's own)
            self.take_in(state, conversation, ctx)
        if not state.latest:
            return []
        conversation.judged.add(self.rule.category)
        if any(promise.commitment.time_frame for promise in state.latest):
            return []  # the turn says when its follow-up happens (CHECKS.md: per turn)
        first = state.latest[0]
        return [self._vague(conversation, ctx, first.hit, first.stop)]

    def _vague(self, conversation: Conversation, ctx: TurnContext, hit: Hit, stop: int) -> Finding:
        promise = ctx.turn.text[hit.start : stop].rstrip(".!?,; ")
        # the suggestion adds a time to the promise: without its vague one ("at some point")
        definite = _VAGUE_TIME.sub("", promise).rstrip(".!?,; ") or promise
        slots = base_slots(conversation) | {"match": promise, "detail": definite}
        return build_finding(
            self.rule, ctx, span=span_of(ctx.turn, hit.start, hit.end), slots=slots,
            evidence=(evidence_of(hit, ctx.index),
                      absence(ctx.index, "no time frame in the promise's sentence")),
        )


@builtin("commitments")
def commitments(rule: BuiltinRule) -> CommitmentAnalyzer:
    """Factory for ``analyzer: commitments``."""
    return CommitmentAnalyzer(rule)
