"""Small linear per-turn text classifiers whose weights ship inside the package.

A `LinearTextModel` is a logistic regression over binary features: lower-cased word
unigrams and bigrams, emoji and a few surface cues such as shouting (see `features`). A
turn's log-odds are the bias, plus the weights of the turn's cues, plus the weights of the
words of its *most telling sentence*: the models are trained on short texts, and a long
complaint should not be drowned by the many ordinary sentences around its angry one.

Scoring is a handful of C-level string, set and dict operations: a few microseconds for a
20-word turn, linear in the length of the turn (of which the first `MAX_CHARS` characters
are read). `LinearTextModel.explain` lists the features that pushed a score up.

The weights are written by ``scripts/train_signals.py`` into
``servicecoach/signals/weights/<name>.json``; their ``metadata`` names the training data,
its licence, the feature specification and the measured metrics.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files
from itertools import chain, islice
from operator import add
from typing import Any, NamedTuple, TypeAlias

#: A feature: a word, a cue (``__caps__``...), an emoji, or a pair of words (a bigram).
Feature: TypeAlias = str | tuple[str, str]

__all__ = [
    "CUES",
    "FEATURES_KEPT",
    "FEATURE_SPEC",
    "MAX_CHARS",
    "Feature",
    "LinearTextModel",
    "ModelGroup",
    "TurnFeatures",
    "clear_feature_cache",
    "feature_name",
    "features",
    "parse_feature",
    "sentences",
]

#: A turn longer than this is scored on its first `MAX_CHARS` characters.
MAX_CHARS = 5000

#: Version of the feature extraction below; weights record the version they were trained
#: with, and `LinearTextModel.from_dict` refuses weights made for another one.
FEATURE_SPEC = "uni+bi+cues/sentence-max/v2"

#: Cue features and what they mean (listed by `LinearTextModel.explain` like words).
CUES = {
    "__caps__": "a run of 3+ capital letters (a shouted word)",
    "__excl__": "'!!' (two or more exclamation marks)",
    "__bang__": "one '!'",
    "__qq__": "'??' (two or more question marks)",
    "__sad__": "a sad emoticon such as ':(' or ':/'",
    "__smile__": "a smiling emoticon such as ':)'",
}


def _byte_table(mapping: dict[int, int]) -> bytes:
    table = bytearray(range(256))
    for index, value in mapping.items():
        table[index] = value
    return bytes(table)


def _word_byte(char: str) -> int:
    if char.islower() or char == "'":
        return ord(char)
    if char.isdigit():
        return ord("0")
    if char in ".!?;\n\r":
        return ord("\n")
    return ord(" ")


# Lower-cased text -> ASCII letters, apostrophes, "0" for digits, "\n" at sentence
# punctuation, " " for anything else; bytes >= 128 (UTF-8 of other letters) are kept.
_WORDS_TABLE = _byte_table({i: _word_byte(chr(i)) for i in range(128)})
# Original text -> "A" for a capital letter, " " for anything else: "AAA" marks shouting.
_CAPS_TABLE = _byte_table({i: ord("A") if chr(i).isupper() else 32 for i in range(256)})
_ELONGATED = re.compile(rb"([a-z])\1\1")
_ELONGATED_RUN = re.compile(rb"([a-z])\1\1+")
_STRAY_QUOTE = re.compile(rb"(?<![a-z0-9])'+|'+(?![a-z0-9])")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_NOT_WORD = re.compile(r"[^\w'.!?;\n]|_")
_SAD = re.compile(r"(?<![A-Za-z0-9])[:;=]'?-?[(\[/\\|]")
_SMILE = re.compile(r"(?<![A-Za-z0-9])[:;=]-?[)\]DPp](?![A-Za-z0-9])")
_SENTENCE_TEXT = re.compile(r"[^.!?;\n\r\u2026]+")
"""A stretch of text between the models' sentence ends (for `LinearTextModel.telling_span`)."""


def sentences(text: str) -> list[list[str]]:
    """The word tokens of a turn, sentence by sentence, as the models see them.

    Lower-cased; URLs and @handles dropped; a sentence ends at ``. ! ? ;``, an ellipsis
    or a line break; every other character but letters, digits and inner apostrophes
    separates words; each digit reads as ``0`` ("24" -> "00"); a letter repeated 3+ times
    is shortened to two ("sooo" -> "soo"). Only the first `MAX_CHARS` characters are read.
    """
    lowered = text[:MAX_CHARS].lower()
    if "http" in lowered or "www." in lowered:
        lowered = _URL.sub(" ", lowered)
    if "@" in lowered:
        lowered = _MENTION.sub(" ", lowered)
    if not lowered.isascii():
        lowered = lowered.replace("\u2019", "'").replace("\u2026", ".")
        lowered = _NOT_WORD.sub(" ", lowered)
    raw = lowered.encode("utf-8").translate(_WORDS_TABLE)
    if _ELONGATED.search(raw):
        raw = _ELONGATED_RUN.sub(rb"\1\1", raw)
    if b"'" in raw and (
        b"' " in raw
        or b" '" in raw
        or b"'\n" in raw
        or b"\n'" in raw
        or raw.startswith(b"'")
        or raw.endswith(b"'")
    ):
        raw = _STRAY_QUOTE.sub(b" ", raw)
    decoded = raw.decode("utf-8")
    if "\n" not in decoded:
        words = decoded.split()
        return [words] if words else []
    return [words for line in decoded.split("\n") if (words := line.split())]


class TurnFeatures(NamedTuple):
    """The features of one turn: turn-level cues, and word features sentence by sentence."""

    cues: frozenset[str]
    sentences: tuple[frozenset[Feature], ...]

    def union(self) -> frozenset[Feature]:
        """Every feature of the turn (what the trainer fits on)."""
        return self.cues.union(*self.sentences)


def _sentence_features(words: list[str]) -> frozenset[Feature]:
    bigrams: Iterable[Feature] = zip(words, islice(words, 1, None))
    return frozenset(chain(words, bigrams))


def features(text: str) -> TurnFeatures:
    """The binary features of a turn (its first `MAX_CHARS` characters).

    Per sentence: its words and its pairs of adjacent words (bigrams, as tuples, so no
    string is built; `feature_name` spells them "a b"). Per turn: the cues of `CUES` and
    emoji. The last `FEATURES_KEPT` texts' features are kept (on the truncated text, so
    the cache never holds a huge turn), so that the evidence of a turn the models read
    reuses them; not more, so that a text seen turns ago (a canned reply) costs what a new
    one does, in use and in the benchmark alike (docs/performance.md).
    """
    return _features(text[:MAX_CHARS])


def clear_feature_cache() -> None:
    """Empty the cache of `features` (for benchmarks and tests)."""
    _features.cache_clear()


#: How many texts' features `features` keeps: a turn's own, read again by the evidence.
FEATURES_KEPT = 8


@lru_cache(maxsize=FEATURES_KEPT)
def _features(text: str) -> TurnFeatures:
    cues: list[str] = []
    if "!" in text:
        cues.append("__excl__" if "!!" in text else "__bang__")
    if "??" in text:
        cues.append("__qq__")
    if b"AAA" in text.encode("utf-8").translate(_CAPS_TABLE):
        cues.append("__caps__")
    if ":" in text or ";" in text or "=" in text:
        if _SAD.search(text):
            cues.append("__sad__")
        if _SMILE.search(text):
            cues.append("__smile__")
    if not text.isascii():
        cues += _EMOJI.findall(text)
    return TurnFeatures(
        frozenset(cues), tuple(map(_sentence_features, sentences(text)))
    )


def feature_name(feature: Feature) -> str:
    """How a feature is written in the weights files and by `explain`: bigrams as "a b"."""
    return feature if isinstance(feature, str) else " ".join(feature)


def parse_feature(name: str) -> Feature:
    """The feature a name from a weights file stands for (inverse of `feature_name`)."""
    first, space, second = name.partition(" ")
    return (first, second) if space else name


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class LinearTextModel:
    """A logistic regression over `features`, read at the turn's most telling sentence.

    ``logit = bias + sum(weights of the turn's cues)
    + max over sentences (sum of the weights of the sentence's words and bigrams)``,
    ``score = sigmoid(logit)``. For a one-sentence turn that is plain logistic regression.
    Instances are shared (`load` caches them): treat `weights` and `metadata` as read-only.
    """

    __slots__ = ("_known", "bias", "metadata", "name", "weights")

    def __init__(
        self,
        name: str,
        bias: float,
        weights: dict[Feature, float],
        metadata: dict[str, Any],
    ) -> None:
        self.name = name
        self.bias = float(bias)
        self.weights = weights
        self.metadata = metadata
        self._known = frozenset(weights)
        """The weighted features as a set: intersecting two sets reuses the hashes their
        entries keep, where a dict view re-hashes each word pair (docs/performance.md)."""

    @classmethod
    def load(cls, name: str) -> LinearTextModel:
        """The shipped model ``name`` (``distress``, ``strong``, ``ack``), loaded once."""
        return _load(name)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearTextModel:
        """A model from the JSON form the training script writes."""
        metadata = dict(data.get("metadata", {}))
        spec = metadata.get("feature_spec", FEATURE_SPEC)
        if spec != FEATURE_SPEC:
            raise ValueError(
                f"weights {data.get('name')!r} were trained on features {spec!r}, this "
                f"version extracts {FEATURE_SPEC!r} (retrain: scripts/train_signals.py)"
            )
        weights = {
            parse_feature(str(key)): float(value)
            for key, value in data["weights"].items()
        }
        return cls(str(data["name"]), float(data["bias"]), weights, metadata)

    @property
    def threshold(self) -> float:
        """The recommended decision threshold on `score` (from the weights' metadata).

        Chosen for F1 on the tuning part of the real labelled dialogues; 0.5 when the
        weights do not say.
        """
        return float(self.metadata.get("threshold", 0.5))

    def logit(self, text: str) -> float:
        """The log-odds of the turn (see the class docstring)."""
        known = self._known.intersection
        get = self.weights.__getitem__
        found = features(text)
        z = self.bias
        if found.cues:
            z += sum(map(get, known(found.cues)))
        parts = found.sentences
        if len(parts) == 1:
            z += sum(map(get, known(parts[0])))
        elif parts:
            z += max([sum(map(get, known(part))) for part in parts])
        return z

    def score(self, text: str) -> float:
        """The probability (0..1) that the turn carries the signal."""
        return _sigmoid(self.logit(text))

    def explain(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        """The features that pushed the score up most, as ``(feature, weight)``, largest first.

        Features are words, word pairs ("not happy"), emoji or cues (`CUES`, such as
        ``__caps__``), taken from the turn's cues and its most telling sentence. Only
        features with a positive weight are listed, so a neutral turn may get none.
        """
        weights = self.weights
        keys = weights.keys()
        found = features(text)
        chosen: frozenset[Feature] = frozenset()
        best = -math.inf
        for part in found.sentences:
            total = sum(map(weights.__getitem__, keys & part))
            if total > best:
                chosen, best = part, total
        pushed = [
            (feature_name(f), weights[f])
            for f in keys & (found.cues | chosen)
            if weights[f] > 0
        ]
        pushed.sort(key=lambda item: (-item[1], item[0]))
        return pushed[:top]

    def telling_span(self, text: str) -> tuple[int, int] | None:
        """Character offsets of the turn's most telling sentence for the model (the one
        whose words and pairs weigh most; the first of ties), trimmed of spaces: where a
        finding that rests on the model points. None for a turn without words."""
        weights = self.weights
        keys = weights.keys()
        best: tuple[int, int] | None = None
        best_total = -math.inf
        for stretch in _SENTENCE_TEXT.finditer(text[:MAX_CHARS]):
            parts = features(stretch.group()).sentences
            if not parts:
                continue
            total = sum(map(weights.__getitem__, keys & parts[0]))
            if total > best_total:
                best_total = total
                start = stretch.start() + len(stretch.group()) - len(stretch.group().lstrip())
                best = (start, stretch.start() + len(stretch.group().rstrip()))
        return best

    def __repr__(self) -> str:
        return f"LinearTextModel({self.name!r}, {len(self.weights)} features)"


class ModelGroup:
    """Several models read on the same turns, scored together: `logits` gives each model's
    `LinearTextModel.logit` (equal but for the order in which floats are added).

    Each feature of the turn is looked up once, in one table of every model's weight for
    it (zero where a model has none), instead of once per model: the models of a speaker
    weigh mostly the same words, and with the three agent models each looking a sentence up
    in its own 3,000 weights, the look-ups were most of their cost (docs/performance.md).
    """

    __slots__ = ("_biases", "_weights", "_zeros", "models")

    def __init__(self, models: Iterable[LinearTextModel]) -> None:
        self.models = tuple(models)
        known = frozenset[Feature]().union(*(model.weights for model in self.models))
        self._weights = {feature: tuple(model.weights.get(feature, 0.0) for model in self.models)
                         for feature in known}
        """For each feature any model weighs, every model's weight, in `models`' order."""
        self._biases = tuple(model.bias for model in self.models)
        self._zeros = (0.0,) * len(self.models)

    def logits(self, text: str) -> tuple[float, ...]:
        """The log-odds of the turn for each model, in `models`' order."""
        if len(self.models) == 1:  # the table's tuples cost more than they save for one
            return (self.models[0].logit(text),)
        found = features(text)
        z = self._biases
        if found.cues:
            z = tuple(map(add, z, self._totals(found.cues)))
        parts = found.sentences
        if len(parts) == 1:
            z = tuple(map(add, z, self._totals(parts[0])))
        elif parts:
            z = tuple(map(add, z, map(max, zip(*map(self._totals, parts)))))
        return z

    def scores(self, text: str) -> tuple[float, ...]:
        """The probability (0..1) of each model's signal in the turn, in `models`' order."""
        return tuple(map(_sigmoid, self.logits(text)))

    def _totals(self, found: frozenset[Feature]) -> tuple[float, ...]:
        """Each model's sum of the weights of `found` (a sentence's features, or the cues):
        the weight tuples of the features any model knows, added up column by column."""
        return tuple(map(sum, zip(*filter(None, map(self._weights.get, found))))) or self._zeros


@cache
def _load(name: str) -> LinearTextModel:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"bad model name {name!r}: expected e.g. 'distress'")
    resource = files("servicecoach.signals.weights").joinpath(f"{name}.json")
    if not resource.is_file():
        raise FileNotFoundError(
            f"no shipped signal model {name!r} (servicecoach/signals/weights/{name}.json)"
        )
    return LinearTextModel.from_dict(json.loads(resource.read_text(encoding="utf-8")))
