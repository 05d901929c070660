"""Small linear per-turn text classifiers whose weights ship inside the package.

A `LinearTextModel` is a logistic regression over binary bag-of-words features: lower-cased
word unigrams and bigrams plus a few surface cues (see `features`). Scoring a turn is a
handful of C-level regex, set and dict operations, a few microseconds for a 20-word turn,
and every score can be explained by the features that pushed it up.

The weights are written by ``scripts/train_signals.py`` into
``servicecoach/signals/weights/<name>.json``; their ``metadata`` names the training data,
its licence, the feature specification and the measured metrics.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache, lru_cache
from importlib.resources import files
from itertools import islice
from typing import Any, TypeAlias

#: A feature: a word, a cue (``__caps__``...), an emoji, or a pair of words (a bigram).
Feature: TypeAlias = str | tuple[str, str]

__all__ = [
    "CUES",
    "FEATURE_SPEC",
    "MAX_CHARS",
    "Feature",
    "LinearTextModel",
    "feature_name",
    "features",
    "parse_feature",
    "tokens",
]

#: A turn longer than this is scored on its first `MAX_CHARS` characters.
MAX_CHARS = 5000

#: Version of the feature extraction below; the weights record the version they were
#: trained with and `LinearTextModel.load` refuses weights made for another one.
FEATURE_SPEC = "uni+bi/v1"


def _byte_table(mapping: dict[int, int]) -> bytes:
    table = bytearray(range(256))
    for index, value in mapping.items():
        table[index] = value
    return bytes(table)


# Lower-cased ASCII text -> words: letters and apostrophes kept, digits read as "0",
# everything else a space; bytes >= 128 (UTF-8 of non-ASCII letters) kept.
_WORDS_TABLE = _byte_table(
    {
        i: (
            i
            if chr(i).islower() or chr(i) == "'"
            else ord("0")
            if chr(i).isdigit()
            else 32
        )
        for i in range(128)
    }
)
# Original text -> "A" for a capital letter, " " for anything else: "AAA" marks shouting.
_CAPS_TABLE = _byte_table({i: ord("A") if chr(i).isupper() else 32 for i in range(256)})
_ELONGATED = re.compile(rb"([a-z])\1\1")
_ELONGATED_RUN = re.compile(rb"([a-z])\1\1+")
_STRAY_QUOTE = re.compile(rb"(?<![a-z0-9])'+|'+(?![a-z0-9])")
_URL = re.compile(r"https?://\S+|www\.\S+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_NOT_WORD = re.compile(r"[^\w']|_")
_SAD = re.compile(r"(?<![A-Za-z0-9])[:;=]'?-?[(\[/\\|]")
_SMILE = re.compile(r"(?<![A-Za-z0-9])[:;=]-?[)\]DPp](?![A-Za-z0-9])")

#: Cue features and what they mean (used by `explain` and the docs).
CUES = {
    "__caps__": "a run of 3+ capital letters (a shouted word)",
    "__excl__": "'!!' (two or more exclamation marks)",
    "__bang__": "one '!'",
    "__qq__": "'??' (two or more question marks)",
    "__sad__": "a sad emoticon such as ':(' or ':/'",
    "__smile__": "a smiling emoticon such as ':)'",
}


def tokens(text: str) -> list[str]:
    """The word tokens of a turn, as the models see them.

    Lower-cased; URLs dropped; every character but letters, digits and inner apostrophes
    is a separator; each digit reads as ``0`` ("24" -> "00"); a letter repeated 3+ times
    is shortened to two ("sooo" -> "soo"). Only the first `MAX_CHARS` characters are read.
    """
    lowered = text[:MAX_CHARS].lower()
    if "http" in lowered or "www." in lowered:
        lowered = _URL.sub(" ", lowered)
    if not lowered.isascii():
        lowered = _NOT_WORD.sub(" ", lowered.replace("\u2019", "'"))
    raw = lowered.encode("utf-8").translate(_WORDS_TABLE)
    if _ELONGATED.search(raw):
        raw = _ELONGATED_RUN.sub(rb"\1\1", raw)
    if b"'" in raw and (
        b"' " in raw or b" '" in raw or raw.startswith(b"'") or raw.endswith(b"'")
    ):
        raw = _STRAY_QUOTE.sub(b" ", raw)
    words: list[str] = raw.decode("utf-8").split()
    return words


@lru_cache(maxsize=4096)
def features(text: str) -> frozenset[Feature]:
    """The binary features of a turn: unigrams, bigrams and cue features (`CUES`).

    A bigram is a pair of words (a tuple: no string is built for it; `feature_name` spells
    it "a b"). Emoji are features of their own. Cached, so the several models that score
    one turn extract its features once.
    """
    text = text[:MAX_CHARS]
    words = tokens(text)
    found: list[Feature] = list(zip(words, islice(words, 1, None)))
    found += words
    if "!" in text:
        found.append("__excl__" if "!!" in text else "__bang__")
    if "??" in text:
        found.append("__qq__")
    if b"AAA" in text.encode("utf-8").translate(_CAPS_TABLE):
        found.append("__caps__")
    if ":" in text or ";" in text or "=" in text:
        if _SAD.search(text):
            found.append("__sad__")
        if _SMILE.search(text):
            found.append("__smile__")
    if not text.isascii():
        found += _EMOJI.findall(text)
    return frozenset(found)


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
    """A logistic regression over `features`: ``P = sigmoid(bias + sum of weights)``.

    Instances are shared (`load` caches them); treat `weights` and `metadata` as read-only.
    """

    __slots__ = ("bias", "metadata", "name", "weights")

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
                f"weights {data.get('name')!r} were trained on features {spec!r}, "
                f"this version extracts {FEATURE_SPEC!r} (retrain with scripts/train_signals.py)"
            )
        weights = {
            parse_feature(str(key)): float(value)
            for key, value in data["weights"].items()
        }
        return cls(str(data["name"]), float(data["bias"]), weights, metadata)

    def logit(self, text: str) -> float:
        """The log-odds of the turn (``bias`` plus the weights of its features)."""
        weights = self.weights
        return self.bias + sum(
            map(weights.__getitem__, weights.keys() & features(text))
        )

    def score(self, text: str) -> float:
        """The probability (0..1) that the turn carries the signal."""
        return _sigmoid(self.logit(text))

    def explain(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        """The features that pushed the score up most, as ``(feature, weight)``, largest first.

        Features are words, word pairs ("not happy") or cues (`CUES`, e.g. ``__caps__``).
        Only features with a positive weight are listed, so a neutral turn may get none.
        """
        weights = self.weights
        found = [
            (feature_name(f), weights[f])
            for f in weights.keys() & features(text)
            if weights[f] > 0
        ]
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:top]

    def __repr__(self) -> str:
        return f"LinearTextModel({self.name!r}, {len(self.weights)} features)"


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
