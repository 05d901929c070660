"""Transfer etiquette: ``transfer.unannounced``, ``transfer.cold``, ``transfer.repeated``.

A transfer is an agent turn that says it is moving the conversation (`transfer`: "I'm
going to transfer you to billing") or a ``transfer`` event. An `offer` ("I can transfer
you if you like") becomes a transfer only when an event or a later mention follows.
Agent turns that keep mentioning it, and an event right after, are the same transfer; the
first agent turn that does not mention it closes it. Telling the customer to contact
another channel themselves is a referral, which no list here matches.

A transfer is announced when its turns say where to (a preposition after the transfer
words whose object is not a vague `someone`, or a team named in `where`) and why (`why`);
a transfer event reads the words of the agent turn before it. In voice it is warm when
the agent offers to stay on the line, hands over the context, or gives a number to call
back (`warm`).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    FamilyTracker,
    TurnContext,
    base_slots,
    build_finding,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence, anchored
from servicecoach.models import Event, EventType, Finding, Speaker
from servicecoach.nlp.context import Ranges
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule


@dataclass
class _Transfer:
    """One transfer, from its first mention (or event) until it is judged."""

    turn: int | None
    """The anchor: the first agent turn that mentions it, or the last one before the event."""
    offer_only: bool = False
    where: bool = False
    why: bool = False
    warm: bool = False
    evented: bool = False
    judged: bool = False


@dataclass(frozen=True)
class _Said:
    """What one agent turn says about a transfer: where to, why, and whether it is warm."""

    where: bool = False
    why: bool = False
    warm: bool = False


@dataclass
class TransferTracker(FamilyTracker):
    """The transfer being announced, how many happened, and the latest agent turn: one
    tracker per conversation for the family's rules configured alike, each turn and event
    read once."""

    open: _Transfer | None = None
    count: int = 0
    last_agent: int | None = None
    last_turn: TurnContext | None = None
    """The latest agent turn, whose words a transfer event that follows it reads."""
    ended: bool = False
    judged_now: tuple[_Transfer, ...] = ()
    """The transfers to judge at the latest turn, event or end."""


@dataclass(frozen=True)
class TargetWords:
    """The words that tell whether a transfer says where to (the rule's settings)."""

    prepositions: frozenset[str]
    """Words before the target ("to", "with")."""
    skipped: frozenset[str]
    """Words after such a preposition that are not the target ("over", "you")."""
    vague: frozenset[str]
    """Targets that name no one ("someone", "them"); "the" unless a vague adjective follows."""
    vague_after_the: frozenset[str]
    """Adjectives that make "the ..." vague ("the right team")."""


def says_where(ctx: TurnContext, mentions: list[Hit], words: TargetWords) -> bool:
    """True when one of the transfer mentions is followed, in its sentence, by a concrete
    target: the first preposition after it that is followed by a possible target decides.

    The turn's prepositions are found in one pass, so a long turn of many mentions is read
    in linear time, not once from each mention to the end of its sentence.
    """
    doc = ctx.tokens
    targets = [index for index in range(len(doc) - 1) if doc[index].lower_ in words.prepositions
               and doc[index + 1].lower_ not in words.skipped]
    for hit in mentions:
        sentence_end = ctx.sentence_of(hit.token_end - 1).end
        following = bisect_left(targets, hit.token_end - 1)
        if following == len(targets) or targets[following] >= sentence_end - 1:
            continue
        index = targets[following]
        target = doc[index + 1].lower_
        if target not in words.vague or (
            target == "the" and index + 2 < sentence_end
            and doc[index + 2].lower_ not in words.vague_after_the
        ):
            return True
    return False


def _judged(tracker: TransferTracker) -> tuple[_Transfer, ...]:
    """The open transfer, now to be judged (once; an offer alone is no transfer)."""
    transfer = tracker.open
    if transfer is None or transfer.judged or transfer.offer_only:
        return ()
    transfer.judged = True
    tracker.count += 1
    return (transfer,)


def _close(tracker: TransferTracker) -> tuple[_Transfer, ...]:
    """Judge the open transfer and close it."""
    judged = _judged(tracker)
    tracker.open = None
    return judged


def _add(transfer: _Transfer, said: _Said) -> None:
    """Fold what an announcing turn says into the transfer."""
    transfer.where = transfer.where or said.where
    transfer.why = transfer.why or said.why
    transfer.warm = transfer.warm or said.warm


class TransferAnalyzer(PhraseListsAnalyzer):
    """Tracks transfers; subclasses judge each one (`judge`) or the count (`on_end`)."""

    lists = ("transfer", "why")
    optional_lists = ("offer", "warm", "where")
    defaults: ClassVar[dict[str, Any]] = {
        "target_prepositions": (), "not_targets": (), "vague_targets": (), "vague_after_the": (),
    }
    """Word lists: the pack gives them (`rules/core/transfer/transfer.yaml`)."""
    speakers = frozenset({Speaker.AGENT})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.target_words = TargetWords(
            frozenset(self.setting("target_prepositions")), frozenset(self.setting("not_targets")),
            frozenset(self.setting("vague_targets")), frozenset(self.setting("vague_after_the")))

        self._tracker_key = self.tracker_key("transfer", lists=True)
        """Rules whose lists and settings are equal share one tracker."""

    def new_state(self, conversation: Conversation) -> TransferTracker:
        return self.family_tracker(conversation, self._tracker_key, TransferTracker)

    def on_turn(
        self, state: TransferTracker, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        if ctx.turn.speaker is not Speaker.AGENT:
            return []
        if state.takes_turn(ctx.index):  # the first rule of the family reads the turn
            state.judged_now = self._take_in(state, ctx)
        return self._judge_all(state.judged_now, conversation)

    def _take_in(self, tracker: TransferTracker, ctx: TurnContext) -> tuple[_Transfer, ...]:
        closed: tuple[_Transfer, ...] = ()
        mentions = self.hits(ctx, "transfer")
        current = tracker.open
        if current is not None and (current.evented or not mentions):
            closed = _close(tracker)
            current = None
        if mentions:
            if current is None:
                current = tracker.open = _Transfer(
                    ctx.index, offer_only=self._offers_only(ctx, mentions))
            elif not self._offers_only(ctx, mentions):
                current.offer_only = False
        if current is not None:
            _add(current, self._said(ctx))
        tracker.last_agent, tracker.last_turn = ctx.index, ctx
        return closed

    def _offers_only(self, ctx: TurnContext, mentions: list[Hit]) -> bool:
        """True when every transfer mention of the turn lies in an offer ("I can transfer
        you if you like")."""
        offers = Ranges((hit.start, hit.end) for hit in self.hits(ctx, "offer"))
        return all(offers.overlap(hit) for hit in mentions)

    def _said(self, ctx: TurnContext) -> _Said:
        """What an agent turn says about a transfer; read only when a transfer needs it."""
        mentions = self.hits(ctx, "transfer")
        return _Said(
            where=bool(self.hits(ctx, "where")) or says_where(ctx, mentions, self.target_words),
            why=bool(self.hits(ctx, "why")),
            warm=bool(self.hits(ctx, "warm")),
        )

    def on_event(
        self, state: TransferTracker, conversation: Conversation, event: Event
    ) -> list[Finding]:
        if state.takes_event(conversation):  # the first rule of the family reads it
            state.judged_now = self._take_event(state, event)
        return self._judge_all(state.judged_now, conversation)

    def _take_event(self, tracker: TransferTracker, event: Event) -> tuple[_Transfer, ...]:
        if event.type is not EventType.TRANSFER:
            return ()
        closed: tuple[_Transfer, ...] = ()
        if tracker.open is not None and tracker.open.evented:
            closed = _close(tracker)
        if tracker.open is None:
            tracker.open = _Transfer(tracker.last_agent)
            if tracker.last_turn is not None:
                _add(tracker.open, self._said(tracker.last_turn))
        tracker.open.evented = True
        tracker.open.offer_only = False
        return closed + _judged(tracker)

    def on_end(self, state: TransferTracker, conversation: Conversation) -> list[Finding]:
        if not state.ended:  # the first rule of the family closes the conversation's transfers
            state.ended = True
            state.judged_now = _close(state)
        return self._judge_all(state.judged_now, conversation)

    def _judge_all(self, transfers: tuple[_Transfer, ...], conversation: Conversation
                   ) -> list[Finding]:
        found: list[Finding] = []
        for transfer in transfers:
            conversation.judged.add(self.rule.category)
            found += self.judge(transfer, conversation)
        return found

    def judge(self, transfer: _Transfer, conversation: Conversation) -> list[Finding]:
        """This rule's findings for one transfer."""
        return []

    def finding_on(self, transfer: _Transfer, conversation: Conversation, note: str,
                   detail: str) -> list[Finding]:
        """A finding on the transfer's turn (none when it came before any agent turn)."""
        if transfer.turn is None:
            return []
        slots = base_slots(conversation) | {"detail": detail}
        finding = build_finding(self.rule, None, span=None, slots=slots,
                                evidence=(absence(transfer.turn, note),))
        return [anchored(finding, transfer.turn, conversation)]


class UnannouncedAnalyzer(TransferAnalyzer):
    """``transfer.unannounced``: the customer is not told where to and why."""

    def judge(self, transfer: _Transfer, conversation: Conversation) -> list[Finding]:
        missing = [what for what, said in (("where to", transfer.where), ("why", transfer.why))
                   if not said]
        if not missing:
            return []
        detail = " and ".join(missing)
        return self.finding_on(transfer, conversation, f"transfer without saying {detail}", detail)


class ColdAnalyzer(TransferAnalyzer):
    """``transfer.cold``: a voice transfer with no stay-on, no context handed over, no number."""

    def judge(self, transfer: _Transfer, conversation: Conversation) -> list[Finding]:
        if transfer.warm:
            return []
        return self.finding_on(transfer, conversation,
                               "no offer to stay on, no context handed over, no number", "")


class RepeatedAnalyzer(TransferAnalyzer):
    """``transfer.repeated``: more than one transfer in the conversation (transcript)."""

    def on_end(self, state: TransferTracker, conversation: Conversation) -> list[Finding]:
        super().on_end(state, conversation)
        if state.count < 2:
            return []
        evidence = (absence(None, f"{state.count} transfers in one conversation"),)
        slots = base_slots(conversation) | {"detail": str(state.count)}
        return [build_finding(self.rule, None, span=None, evidence=evidence, slots=slots)]


@builtin("transfer_unannounced")
def transfer_unannounced(rule: BuiltinRule) -> UnannouncedAnalyzer:
    """Factory for ``analyzer: transfer_unannounced``."""
    return UnannouncedAnalyzer(rule)


@builtin("transfer_cold")
def transfer_cold(rule: BuiltinRule) -> ColdAnalyzer:
    """Factory for ``analyzer: transfer_cold``."""
    return ColdAnalyzer(rule)


@builtin("transfer_repeated")
def transfer_repeated(rule: BuiltinRule) -> RepeatedAnalyzer:
    """Factory for ``analyzer: transfer_repeated``."""
    return RepeatedAnalyzer(rule)
