"""Per-turn signals: how distressed, how negative, how threatening a customer turn is; whether
an agent turn acknowledges, promises. Read once per turn, whatever rules are enabled.

A signal is defined in a rule pack (``signals/*.yaml``, a `SignalSpec`): cues (word lists,
patterns), optionally a shipped linear model, VADER and shouting. Its score is the highest
of what fired, so the evidence that explains it is the one that decided it; rules read
signals with a threshold (``signal: customer.distress, at_least: 0.6``) and never
recompute them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from servicecoach.models import Evidence, Speaker, Turn
from servicecoach.nlp.context import without_quotes
from servicecoach.nlp.matching import Hit
from servicecoach.nlp.shouting import is_shouting, shouted_words
from servicecoach.rules.schema import MatchSpec, SignalSpec

if TYPE_CHECKING:
    from servicecoach.signals.linear import LinearTextModel, ModelGroup

T = TypeVar("T")

_SHOUT_MIN_LETTERS = 12
_SHOUT_SHARE = 0.7


class TurnView(Protocol):
    """What a signal reads of a turn: its text, its matches, its sentiment and the other
    signals (the analyzers' `TurnContext` is one; signals never import the analyzers)."""

    index: int
    turn: Turn

    def hits(self, key: str) -> list[Hit]:
        """Hits of a compiled spec in the turn."""

    @property
    def candidates(self) -> AbstractSet[str]:
        """Canonical keys of the specs that may have hits in the turn."""

    @property
    def sentiment(self) -> float:
        """The lowest VADER compound of the turn's sentences."""

    def signal(self, signal: str) -> SignalReading:
        """Another signal's reading of the turn."""

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per turn for `key`."""


@dataclass(frozen=True)
class SignalReading:
    """A signal's score on one turn (0 when nothing fired), and what decided it."""

    signal: str
    score: float
    span: tuple[int, int] | None = None
    """Character offsets of the words that decided it, when they are words of the turn."""
    explain: Callable[[], Evidence] | None = field(default=None, repr=False, compare=False)
    """Builds the evidence (only when a finding or a caller asks for it)."""

    @cached_property
    def evidence(self) -> Evidence | None:
        """What gave the score: a cue's hit, the model's strongest words, VADER or shouting."""
        return self.explain() if self.explain is not None else None

    def at_least(self, threshold: float) -> bool:
        """True when the score reaches `threshold`."""
        return self.score >= threshold


MAX_INCLUDE_DEPTH = 16
"""How many signals deep a signal's `includes` may reach: each is read, as the signal is,
through the one that includes it (a chain of 1,500 made every turn a RecursionError)."""


class SignalReader:
    """The signals of the loaded packs, compiled once per `Coach` (read-only afterwards)."""

    def __init__(self, specs: Iterable[SignalSpec]) -> None:
        self.specs: dict[str, SignalSpec] = {spec.id: spec for spec in specs}
        self.models: dict[str, LinearTextModel] = _load_models(
            {spec.model for spec in self.specs.values() if spec.model}
        )
        self._groups: dict[Speaker, ModelGroup] = _model_groups(self.specs.values(), self.models)
        """The models each speaker's signals read, scored together on a turn."""
        self.by_speaker: dict[Speaker, tuple[str, ...]] = {
            speaker: tuple(sid for sid, spec in self.specs.items()
                           if spec.speaker == speaker.value)
            for speaker in Speaker
        }
        """Which signals each speaker's turns are read for."""
        self._check_includes()
        self._cues = {sid: tuple(sorted(((cue.score, cue_key(sid, cue.name), cue.name, cue.yields)
                                         for cue in spec.cues), reverse=True))
                      for sid, spec in self.specs.items()}
        """Each signal's cues, highest score first (a lower one cannot raise the score)."""
        self._speaker = {sid: Speaker(spec.speaker) for sid, spec in self.specs.items()}
        self._zero = {sid: SignalReading(sid, 0.0) for sid in self.specs}
        """A signal's reading where nothing fired (immutable, so shared)."""
        self._ceiling = {sid: max((spec.model_score if spec.model else 0.0,
                                   spec.sentiment_score if spec.sentiment_below is not None
                                   else 0.0, spec.shouting_score or 0.0))
                         for sid, spec in self.specs.items()}
        """The highest score a signal's model, VADER or shouting can give: once a cue
        reaches it, they need not be read."""
        self._matched: dict[str, frozenset[str]] = {}
        """For each signal, the matcher keys of its cues and `except_when`, once compiled:
        a turn that may match none of them is read without asking for hits."""

    def compiled(self, canonical: Callable[[str], str]) -> None:
        """Learn the compiled key of each cue (`MatcherSet.canonical`); called once, by the
        `Coach` that compiled the signals' specs, before any turn is read."""
        self._matched = {
            sid: frozenset(canonical(key) for key, _ in self._specs_of(sid))
            for sid in self.specs
        }

    def _specs_of(self, signal: str) -> list[tuple[str, MatchSpec]]:
        spec = self.specs[signal]
        found = [(cue_key(signal, cue.name), cue.match) for cue in spec.cues]
        if spec.except_when is not None:
            found.append((except_key(signal), spec.except_when))
        return found

    def _check_includes(self) -> None:
        """Every included signal exists, reads the same speaker, and no signal includes
        itself through others (ValueError says which)."""
        for spec in self.specs.values():
            for other in spec.includes:
                included = self.specs.get(other)
                if included is None:
                    raise ValueError(f"signal {spec.id} includes unknown signal {other!r}")
                if included.speaker != spec.speaker:
                    raise ValueError(f"signal {spec.id} includes {other}, of another speaker")
        below: dict[str, int] = {}  # how deep each signal's includes reach, once followed
        for start in self.specs:  # each signal's includes followed once, as a path
            path, ways = [start], [iter(self.specs[start].includes)]
            while path:
                current = next(ways[-1], None)
                if current is None:
                    ways.pop()
                    done = path.pop()
                    below[done] = max((below[other] + 1 for other in self.specs[done].includes),
                                      default=0)
                elif current in path:
                    raise ValueError(f"signal {current} includes itself (through "
                                     f"{', '.join(path[path.index(current) + 1:]) or current})")
                elif len(path) + below.get(current, 0) > MAX_INCLUDE_DEPTH:
                    raise ValueError(
                        f"signal {path[0]} includes signals more than {MAX_INCLUDE_DEPTH} deep "
                        f"(through {current}): a signal is read with those it includes, "
                        "and a longer chain cannot be read")
                elif current not in below:
                    path.append(current)
                    ways.append(iter(self.specs[current].includes))

    def match_specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile into the coach's matchers, by key."""
        return [found for signal in self.specs for found in self._specs_of(signal)]

    def read(self, signal: str, ctx: TurnView) -> SignalReading:
        """The signal's reading of the turn; a signal of the other speaker reads 0."""
        if self._speaker.get(signal) is not ctx.turn.speaker:
            return self._zero.get(signal) or SignalReading(signal, 0.0)
        spec = self.specs[signal]
        best = self._zero[signal]
        matched = self._matched.get(signal)
        if matched is not None and matched.isdisjoint(ctx.candidates):
            excepted = False  # none of its words can be in the turn
        else:
            excepted = spec.except_when is not None and bool(ctx.hits(except_key(signal)))
            for score, key, name, yields in self._cues[signal]:
                if excepted and yields:
                    continue
                hits = ctx.hits(key)
                if hits:
                    best = _cue_reading(signal, name, score, hits[0], ctx.index)
                    break
        if not excepted and best.score < self._ceiling[signal]:
            for measured in self._measures(spec, ctx, best.score):
                if measured.score > best.score:
                    best = measured
        for other in spec.includes:
            included = ctx.signal(other)
            if included.score > best.score:
                best = SignalReading(signal, included.score, included.span, included.explain)
        return best

    def _measures(self, spec: SignalSpec, ctx: TurnView, floor: float
                  ) -> Iterator[SignalReading]:
        """Readings from the model, VADER and shouting (those configured, above `floor`)."""
        signal, index, text = spec.id, ctx.index, ctx.turn.text
        if spec.model is not None and spec.model_score > floor:
            model = self.models[spec.model]
            probability = self._probability(model, ctx)
            threshold = spec.model_at_least or model.threshold
            if probability >= threshold:
                read = _model_text(ctx)
                yield SignalReading(signal, spec.model_score, model.telling_span(read), partial(
                    _model_evidence, signal, model, spec.model, read, probability, index))
        if (spec.sentiment_below is not None and spec.sentiment_score > floor
                and ctx.sentiment <= spec.sentiment_below):
            yield SignalReading(signal, spec.sentiment_score, None, partial(
                _sentiment_evidence, signal, spec.sentiment_below, ctx.sentiment, index))
        if spec.shouting_score is not None and spec.shouting_score > floor:
            shout = _shouting(text)
            if shout is not None:
                yield SignalReading(signal, spec.shouting_score, shout, partial(
                    Evidence, source="pattern", pattern="upper case", turn_index=index,
                    note=f"{signal}: shouting"))

    def _probability(self, model: LinearTextModel, ctx: TurnView) -> float:
        """`model.score` of the turn, from the scores of all the models its speaker's signals
        read (computed together, on the first that one of them asks for)."""
        group = self._groups[ctx.turn.speaker]
        scores = ctx.memo(("signal models", ctx.turn.speaker),
                          lambda: group.scores(_model_text(ctx)))
        return scores[group.models.index(model)]


def _model_text(ctx: TurnView) -> str:
    """What the models read of a turn, once per turn: the writer's own words, what the turn
    quotes blanked out."""
    return ctx.memo("model text", lambda: without_quotes(ctx.turn.text))


def _model_groups(specs: Iterable[SignalSpec], models: dict[str, LinearTextModel]
                  ) -> dict[Speaker, ModelGroup]:
    """For each speaker whose signals read models, those models as one `ModelGroup`."""
    if not models:
        return {}
    from servicecoach.signals.linear import ModelGroup

    names: dict[Speaker, set[str]] = {}
    for spec in specs:
        if spec.model:
            names.setdefault(Speaker(spec.speaker), set()).add(spec.model)
    return {speaker: ModelGroup(models[name] for name in sorted(read))
            for speaker, read in names.items()}


def _cue_reading(signal: str, cue: str, score: float, hit: Hit, index: int) -> SignalReading:
    return SignalReading(signal, score, (hit.start, hit.end), partial(
        Evidence, source="signal", pattern=hit.pattern, score=score, turn_index=index,
        note=f"{signal}: {cue}"))


def _model_evidence(signal: str, model: LinearTextModel, name: str, text: str,
                    probability: float, index: int) -> Evidence:
    words = ", ".join(word for word, _ in model.explain(text, top=3))
    return Evidence(source="model", pattern=name, score=round(probability, 3), turn_index=index,
                    note=f"{signal}: {words}" if words else signal)


def _sentiment_evidence(signal: str, below: float, compound: float, index: int) -> Evidence:
    return Evidence(source="sentiment", pattern="VADER compound (lowest sentence)",
                    score=round(compound, 3), turn_index=index,
                    note=f"{signal}: at most {below}")


def _load_models(names: set[str]) -> dict[str, LinearTextModel]:
    """The shipped models the signals name (none loaded when no signal uses one)."""
    if not names:
        return {}
    from servicecoach.signals.linear import LinearTextModel

    return {name: LinearTextModel.load(name) for name in sorted(names)}


def _shouting(text: str) -> tuple[int, int] | None:
    """Where a text shouts: all of it when mostly upper case, else its first run of words in
    capitals ("FIX THIS NOW"); None when it does not."""
    if is_shouting(text, _SHOUT_MIN_LETTERS, _SHOUT_SHARE):
        return (0, len(text))
    return shouted_words(text)


def cue_key(signal: str, cue: str) -> str:
    """The matcher key of a signal's cue."""
    return f"signal:{signal}/{cue}"


def except_key(signal: str) -> str:
    """The matcher key of a signal's `except_when`."""
    return f"signal:{signal}/except"
