"""What every analyzer shares: the per-turn context, the per-conversation state, findings.

An analyzer is built once per `Coach` from its rule and never changes afterwards; all
per-conversation data lives in the state object it creates with `new_state`, which the
session owns. `on_turn` only looks backward, so a live session and a batch replay give
the same findings; `on_end` closes what is still open when the conversation ends.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from spacy.tokens import Doc

from servicecoach.errors import clipped
from servicecoach.models import (
    Channel,
    Commitment,
    Event,
    Evidence,
    Finding,
    Metadata,
    Span,
    Speaker,
    Turn,
)
from servicecoach.nlp.context import (
    Ranges,
    is_contradicted,
    is_negated,
    is_reported,
    next_contrasts,
    quoted_regions,
)
from servicecoach.nlp.matching import Hit, MatcherSet
from servicecoach.nlp.names import TITLES
from servicecoach.nlp.once import computed_once
from servicecoach.nlp.sentences import Sentence, doc_sentences
from servicecoach.nlp.sentiment import sentence_compound
from servicecoach.rules.schema import MatchSpec
from servicecoach.speaker_labels import is_generic_label

if TYPE_CHECKING:
    from servicecoach.signals.reading import SignalReader, SignalReading

T = TypeVar("T")


@dataclass
class Conversation:
    """Per-conversation facts shared by all analyzers of one session."""

    id: str
    channel: Channel
    metadata: Metadata
    turns: list[Turn] = field(default_factory=list)
    judged: set[str] = field(default_factory=set)
    """Categories that had something to judge (the others are 'not applicable')."""
    stated_customer_name: str | None = None
    """A name the customer gave in the conversation ("my name's Dave"), when learned."""
    commitments: list[Commitment] = field(default_factory=list)
    """Promises the agent made, for the report."""
    sentiment: dict[int, float] = field(default_factory=dict)
    """Customer sentiment by turn index, for the report."""
    trackers: dict[Hashable, Any] = field(default_factory=dict)
    """State shared by the rules of a family in this conversation, by family and
    configuration (the escalation tracker, the outcome's ending): decided once for all of
    them, whatever rules of the family are on."""
    events: int = 0
    """How many events (holds, transfers) the session has taken in."""
    last_customer_turn: int | None = None
    """The index of the customer's latest turn with text, once there is one."""
    signals: dict[int, dict[str, float]] = field(default_factory=dict)
    """The signals each turn showed (score above 0, rounded to 3 places), by turn index, for
    the report; turns that showed none are left out. Only scores are kept: a reading's
    evidence holds on to its turn's whole analysis (tokens, matches, sentences)."""
    last_customer_signals: dict[str, SignalReading] = field(default_factory=dict)
    """The signals of the customer's latest turn with text, with their evidence: what the
    outcome rules read at the end (how the customer left). Only this turn's are kept."""

    @property
    def customer_name(self) -> str | None:
        """The customer's name: from the metadata, else as the customer stated it."""
        return self.metadata.customer_name or self.stated_customer_name


class TurnContext:
    """One turn, tokenized once, with matches, sentences and sentiment computed on demand."""

    def __init__(
        self,
        index: int,
        turn: Turn,
        tokens: Doc,
        annotate: Callable[[Doc], Doc],
        matchers: MatcherSet,
        split: Callable[[Doc], tuple[Sentence, ...]] | None = None,
        signals: SignalReader | None = None,
    ) -> None:
        self.index = index
        self.turn = turn
        self._tokens = tokens
        self._annotate = annotate
        self._matchers = matchers
        self._split = split
        self._scan = matchers.scan(tokens, turn.text)
        self._filtered: dict[str, list[Hit]] = {}
        self._memo: dict[Hashable, Any] = {}
        self._signals = signals
        self._readings: dict[str, SignalReading] = {}

    def signal(self, signal: str) -> SignalReading:
        """A signal's reading of this turn (read once, then kept for the turn)."""
        reading = self._readings.get(signal)
        if reading is None:
            if self._signals is None:
                raise LookupError(f"no signals are loaded to read {signal!r}")
            reading = self._readings[signal] = self._signals.read(signal, self)
        return reading

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per turn for `key`: analyzers of one family share per-turn work.

        The key must hold everything the result depends on (settings included), so that
        rules configured differently never share a result.
        """
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            found = self._memo[key] = compute()
            return found

    @property
    def tokens(self) -> Doc:
        """The turn tokenized, without the pipeline's annotations: enough to read words."""
        return self._tokens

    @computed_once
    def doc(self) -> Doc:
        """The turn's `Doc` with the pipeline's annotations (sentences, and entities if any)."""
        return self._annotate(self._tokens)

    @property
    def plain(self) -> bool:
        """True when the pipeline only splits sentences: `tokens` then hold everything
        `doc` does but the sentence bounds (no entities, no tags)."""
        return self._split is not None

    @property
    def hits_bounded(self) -> bool:
        """True when a spec had more than `MAX_HITS` hits in this turn, so that those past
        it were not read (only a pasted turn of thousands of matches comes near)."""
        return self._scan.bounded

    @property
    def candidates(self) -> AbstractSet[str]:
        """Canonical keys of the specs that may have hits in the turn (no other spec has)."""
        return self._scan.candidates

    @property
    def words(self) -> frozenset[int]:
        """The NORM, LOWER and ORTH ids of the turn's tokens."""
        return self._scan.words

    @computed_once
    def quotes(self) -> Ranges:
        """Quoted character ranges of the turn's text."""
        return quoted_regions(self.turn.text)

    @computed_once
    def _next_contrast(self) -> list[int]:
        return next_contrasts(self._tokens, self._matchers.clause_words)

    def spec_id(self, key: str) -> str:
        """The key of the compiled spec whose hits `key` gets: rules with identical specs
        share one, so per-turn results that depend on hits can be shared too."""
        return self._matchers.canonical(key)

    def hits(self, key: str) -> list[Hit]:
        """Hits of one compiled spec, without those negated, quoted, contradicted or excepted.

        Computed on the first request for the spec on this turn, then cached.
        """
        kept = self._filtered.get(key)
        if kept is None:
            canonical = self._matchers.canonical(key)
            kept = self._filtered.get(canonical)
            if kept is None:
                found = canonical in self._scan.candidates
                kept = self._filtered[canonical] = self._filter(canonical) if found else []
            self._filtered[key] = kept
        return kept

    def excepted(self, key: str, hit: Hit) -> bool:
        """True when an exception of the spec compiled under `key` overlaps `hit` (words
        found otherwise than by the spec, such as a model's sentence)."""
        exceptions = self._scan.phrases[1].get(self._matchers.canonical(key))
        if not exceptions:
            return False
        return Ranges((e.start, e.end) for e in exceptions).overlap(hit)

    def _filter(self, canonical: str) -> list[Hit]:
        """The raw hits of a compiled spec, less the hard negatives its spec excludes."""
        kept: list[Hit] = []
        found = self._matchers.hits(canonical, self._scan)
        if found:
            spec: MatchSpec = self._matchers.spec(canonical)
            exceptions = self._scan.phrases[1].get(canonical)
            excepted = Ranges((hit.start, hit.end) for hit in exceptions) if exceptions else None
            words = self._matchers.clause_words
            for hit in found:
                if excepted is not None and excepted.overlap(hit):
                    continue
                if spec.quotes and self.quotes.enclose(hit):
                    continue
                if spec.negation and is_negated(self._tokens, hit, words):
                    continue
                if spec.reported and is_reported(self._tokens, hit, words):
                    continue
                if spec.contrast and is_contradicted(self._next_contrast, hit,
                                                     self.sentence_end(hit)):
                    continue
                kept.append(hit)
        return kept

    @computed_once
    def sentences(self) -> tuple[Sentence, ...]:
        """The turn's sentences, as offsets only: no spaCy objects to walk."""
        if self._split is not None:
            return self._split(self._tokens)
        return doc_sentences(self.doc)

    @computed_once
    def _sentence_starts(self) -> list[int]:
        return [sentence.start for sentence in self.sentences]

    def sentence_of(self, token: int) -> Sentence:
        """The sentence that holds the token at index `token` (as ``doc[token].sent``)."""
        return self.sentences[bisect_right(self._sentence_starts, token) - 1]

    def sentence_end(self, hit: Hit) -> int:
        """The token index where the sentence holding the end of `hit` ends."""
        return self.sentence_of(max(hit.token_end - 1, 0)).end if len(self._tokens) else 0

    def sentence_text(self, sentence: Sentence) -> str:
        """A sentence's text (as ``Span.text``: the turn's text is the `Doc`'s text)."""
        return self.turn.text[sentence.start_char : sentence.end_char]

    @computed_once
    def sentiment(self) -> float:
        """The lowest VADER compound of the turn's sentences (customer turns only)."""
        texts = [self.sentence_text(sentence) for sentence in self.sentences]
        return min((sentence_compound(text) for text in texts if text.strip()), default=0.0)


class Analyzer(Protocol):
    """A compiled rule (or family of rules) that judges turns."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rule ids the analyzer reports (an attribute is enough)."""

    # The session calls an analyzer only for conversations in the channels its rule
    # judges (`rule.channels`; `Dispatch` decides, in one place).
    # An analyzer may also set
    # - `speakers` (a set of Speaker): it then only sees those turns;
    # - `wake_keys` (spec keys): `on_turn` then only runs on turns where one of those specs
    #   may have hits (see `MatcherSet`), since without a hit it finds nothing; and
    #   `opens(channel, speaker)`, the category such a turn makes judged even so.

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile into the coach's matchers, by key."""

    def new_state(self, conversation: Conversation) -> Any:
        """Fresh per-conversation state."""

    def on_turn(self, state: Any, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        """Findings that can be decided now that this turn has arrived."""

    def on_event(self, state: Any, conversation: Conversation, event: Event) -> list[Finding]:
        """Findings decided by an event (hold, transfer)."""

    def on_end(self, state: Any, conversation: Conversation) -> list[Finding]:
        """Findings decided by the end of the conversation."""


@dataclass
class FamilyTracker:
    """How far a family's per-conversation tracker has read: the first rule of the family
    to see a turn or an event reads it into the tracker, the others read the result."""

    turns_read: int = 0
    events_read: int = 0

    def takes_turn(self, index: int) -> bool:
        """True (and the turn counted as read) when turn `index` is not read yet."""
        if self.turns_read > index:
            return False
        self.turns_read = index + 1
        return True

    def takes_event(self, conversation: Conversation) -> bool:
        """True (and the event counted as read) when the conversation's latest event is
        not read yet."""
        if self.events_read >= conversation.events:
            return False
        self.events_read = conversation.events
        return True


class FactKeeper(Protocol):
    """A family's per-conversation tracker as the session runs it on every turn, whatever
    rules are enabled: it keeps facts (the name the customer gave, the agent's promises)
    and never reports findings. The family's rules read the same tracker when they are
    configured alike (it takes each turn in once)."""

    family: str
    """The family whose facts it keeps (``name``, ``commitments``)."""

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile into the coach's matchers, by key."""

    def new_state(self, conversation: Conversation) -> Any:
        """The conversation's tracker (made once, shared with the family's rules)."""

    def take_in(self, state: Any, conversation: Conversation, ctx: TurnContext, *,
                for_report: bool = False) -> None:
        """Read one turn into the tracker (once per turn, whoever asks first); with
        `for_report` (the session's keeper) also write the facts the report reads
        (`Conversation.commitments`)."""


_NAME_SLOT = re.compile(r",?\s*\{customer_name\}")
_NAME_OPENING = re.compile(r"(^|[\"“(]|[.!?]\s+)\{customer_name\},\s*(\w)")


_SLOT = re.compile(r"\{(\w+)\}")


def render(template: str, slots: dict[str, str | None]) -> str:
    """Fill ``{slot}`` placeholders in one pass (a value is never read for slots: a customer
    named ``{detail}`` is written as named); a placeholder without a slot stays as it is, and
    an unknown customer name drops the slot and its comma."""
    if not slots.get("customer_name"):
        template = _without_name(template)
    return _SLOT.sub(lambda m: (slots.get(m[1]) or "") if m[1] in slots else m[0], template)


@lru_cache(maxsize=4096)
def _without_name(template: str) -> str:
    """The template without its customer-name slot (and that slot's comma): "Thanks,
    {customer_name}." gives "Thanks."; "{customer_name}, I can" opening a quote or a
    sentence gives "I can"."""
    template = _NAME_OPENING.sub(lambda m: m[1] + m[2].upper(), template)
    return _NAME_SLOT.sub("", template)


def span_of(turn: Turn, start: int, end: int) -> Span:
    """The span of a turn's text between two character offsets."""
    return Span(start=start, end=end, text=turn.text[start:end])


def evidence_of(hit: Hit, turn_index: int, note: str = "") -> Evidence:
    """Evidence for a matcher hit."""
    return Evidence(
        source=hit.source if hit.source != "exception" else "phrase",  # type: ignore[arg-type]
        pattern=hit.pattern,
        score=hit.score,
        turn_index=turn_index,
        note=note,
    )


def build_finding(
    rule: Any,
    ctx: TurnContext | None,
    *,
    span: Span | None,
    evidence: tuple[Evidence, ...],
    slots: dict[str, str | None],
) -> Finding:
    """A finding of `rule`, anchored on the turn of `ctx` (or on the transcript when None)."""
    return Finding(
        rule_id=rule.id,
        kind=rule.finding,
        severity=rule.severity,
        category=rule.category,
        turn_index=ctx.index if ctx is not None else None,
        speaker=ctx.turn.speaker if ctx is not None else None,
        span=span,
        message=render(rule.message, slots),
        suggestion=render(rule.suggestion, slots),
        evidence=evidence,
    )


def judges(rule: Any, conversation: Conversation, speaker: Speaker) -> bool:
    """True when the rule applies to a turn of `speaker` in this conversation's channel."""
    return judges_turn(rule, conversation.channel, speaker)


def judges_turn(rule: Any, channel: Channel, speaker: Speaker) -> bool:
    """True when the rule applies to a turn of `speaker` in a conversation on `channel`."""
    return channel in rule.channels and rule.speaker in ("any", speaker.value)


#: Titles said with the first name, not the surname ("Sir John", "Dame Judi").
_TITLES_WITH_FIRST_NAME = frozenset({"sir", "dame"})


def address_form(full_name: str | None) -> str | None:
    """How an agent addresses someone: the first name, or title and surname ("Ms. Raman"),
    or a knight's title and first name ("Sir John")."""
    if not full_name or not full_name.strip() or is_generic_label(full_name):
        return None  # unknown, or a role ("Support") rather than a name
    words = full_name.split()
    title = words[0].lower().rstrip(".")
    if len(words) > 1 and title in _TITLES_WITH_FIRST_NAME:
        return f"{words[0]} {words[1]}"
    if len(words) > 1 and title in TITLES:
        return f"{words[0]} {words[-1]}"
    return words[0]


def base_slots(conversation: Conversation) -> dict[str, str | None]:
    """Slots every message can use; names in the form an agent would address them, cut
    when longer than a name is (`_slot_name`)."""
    return {
        "customer_name": _slot_name(address_form(conversation.customer_name)),
        "agent_name": _slot_name(address_form(conversation.metadata.agent_name)),
    }


_NAME_SLOT_CHARS, _NAME_SLOT_SHOWN = 60, 40
"""A name in a message is at most 60 characters: a longer one is shown by its first 40."""


def _slot_name(name: str | None) -> str | None:
    """`name` as a message's slot writes it: whole, or when longer than any name is (a
    metadata field of 1 MB, written into every finding's message and suggestion), its
    first characters and an ellipsis."""
    return None if name is None else clipped(name, _NAME_SLOT_CHARS, _NAME_SLOT_SHOWN, "…")
