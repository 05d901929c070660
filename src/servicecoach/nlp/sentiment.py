"""Customer sentiment with VADER, per sentence, cached.

VADER rates empathic agent wording as negative and brush-offs as positive, so it is only
ever applied to customer turns. Long texts make VADER superlinear; scoring sentence by
sentence keeps the cost linear and locates the negative sentence.
"""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_ANALYZER: SentimentIntensityAnalyzer | None = None


def load_sentiment() -> None:
    """Load VADER's lexicon now (when the `Coach` is built), not on the first customer turn."""
    _analyzer()


def _analyzer() -> SentimentIntensityAnalyzer:
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


@lru_cache(maxsize=65536)
def sentence_compound(sentence: str) -> float:
    """VADER's compound score (-1..1) of one sentence."""
    return float(_analyzer().polarity_scores(sentence)["compound"])
