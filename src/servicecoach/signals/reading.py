"""Per-turn signals: how distressed, how negative, how threatening a customer turn is; whether
an agent turn acknowledges, promises. Read once per turn, whatever rules are enabled.

A signal is defined in a rule pack (``signals/*.yaml``, a `SignalSpec`): cues (word lists,
patterns), optionally a shipped linear model, VADER and shouting. Its score is the highest
of what fired, so the evidence that explains it is the one that decided it; rules read
signals with a threshold (``signal: customer.distress, at_least: 0.6``) and never
recompute them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servicecoach.models import Evidence, Speaker
from servicecoach.nlp.shouting import is_shouting, shouted_words
from servicecoach.rules.schema import MatchSpec, SignalSpec

if TYPE_CHECKING:
    from servicecoach.analyzers.base import TurnContext
    from servicecoach.signals.linear import LinearTextModel

_SHOUT_MIN_LETTERS = 12
_SHOUT_SHARE = 0.7


@dataclass(frozen=True)
class SignalReading:
    """A signal's score on one turn (0 when nothing fired), and what decided it."""

    signal: str
    score: float
    evidence: Evidence | None = None
    """What gave the score: a cue's hit, the model's strongest words, VADER or shouting."""
    span: tuple[int, int] | None = None
    """Character offsets of the words that decided it, when they are words of the turn."""

    def at_least(self, threshold: float) -> bool:
        """True when the score reaches `threshold`."""
        return self.score >= threshold


class SignalReader:
    """The signals of the loaded packs, compiled once per `Coach` (read-only afterwards)."""

    def __init__(self, specs: Iterable[SignalSpec]) -> None:
        self.specs: dict[str, SignalSpec] = {spec.id: spec for spec in specs}
        self.models: dict[str, LinearTextModel] = _load_models(
            {spec.model for spec in self.specs.values() if spec.model}
        )
        self.by_speaker: dict[Speaker, tuple[str, ...]] = {
            speaker: tuple(sid for sid, spec in self.specs.items()
                           if spec.speaker == speaker.value)
            for speaker in Speaker
        }
        """Which signals each speaker's turns are read for."""

    def match_specs(self) -> list[tuple[str, MatchSpec]]:
        """The match specs to compile into the coach's matchers, by key."""
        found = [(cue_key(spec.id, cue.name), cue.match)
                 for spec in self.specs.values() for cue in spec.cues]
        found += [(except_key(spec.id), spec.except_when)
                  for spec in self.specs.values() if spec.except_when is not None]
        return found

    def read(self, signal: str, ctx: TurnContext) -> SignalReading:
        """The signal's reading of the turn; a signal of the other speaker reads 0."""
        spec = self.specs.get(signal)
        if spec is None or spec.speaker != ctx.turn.speaker.value:
            return SignalReading(signal, 0.0)
        excepted = spec.except_when is not None and bool(ctx.hits(except_key(spec.id)))
        best = SignalReading(signal, 0.0)
        for cue in spec.cues:
            if cue.score <= best.score or (excepted and cue.yields):
                continue
            hits = ctx.hits(cue_key(spec.id, cue.name))
            if hits:
                hit = hits[0]
                evidence = Evidence(source="signal", pattern=hit.pattern, score=cue.score,
                                    turn_index=ctx.index, note=f"{spec.id}: {cue.name}")
                best = SignalReading(signal, cue.score, evidence, (hit.start, hit.end))
        if excepted:
            return best
        return max((best, *self._measures(spec, ctx)), key=lambda reading: reading.score)

    def _measures(self, spec: SignalSpec, ctx: TurnContext) -> Sequence[SignalReading]:
        """Readings from the model, VADER and shouting (those configured and firing)."""
        found = []
        if spec.model is not None:
            model = self.models[spec.model]
            probability = model.score(ctx.turn.text) * spec.model_scale
            if probability > 0:
                words = ", ".join(word for word, _ in model.explain(ctx.turn.text, top=3))
                evidence = Evidence(source="model", pattern=spec.model,
                                    score=round(probability, 3), turn_index=ctx.index,
                                    note=f"{spec.id}: {words}" if words else spec.id)
                found.append(SignalReading(spec.id, probability, evidence))
        if spec.sentiment_below is not None and ctx.sentiment <= spec.sentiment_below:
            evidence = Evidence(source="sentiment", pattern="VADER compound (lowest sentence)",
                                score=round(ctx.sentiment, 3), turn_index=ctx.index,
                                note=f"{spec.id}: at most {spec.sentiment_below}")
            found.append(SignalReading(spec.id, spec.sentiment_score, evidence))
        if spec.shouting_score is not None:
            shout = _shouting(ctx.turn.text)
            if shout is not None:
                evidence = Evidence(source="pattern", pattern="upper case", turn_index=ctx.index,
                                    note=f"{spec.id}: shouting")
                found.append(SignalReading(spec.id, spec.shouting_score, evidence, shout))
        return found


def _load_models(names: set[str]) -> dict[str, LinearTextModel]:
    """The shipped models the signals name (none loaded when no signal uses one)."""
    if not names:
        return {}
    from servicecoach.signals.linear import LinearTextModel  # noqa: PLC0415 - only when used

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
