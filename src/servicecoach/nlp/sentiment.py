"""Customer sentiment with VADER, per sentence, cached.

VADER rates empathic agent wording as negative and brush-offs as positive, so it is only
ever applied to customer turns. VADER's cost grows with the square of a text's words
(each word looks back over all of them), so sentences are scored one by one, and a
sentence longer than `MAX_WORDS` words (an emoji counts as a word: VADER spells it out)
is scored in pieces of at most that many, its score being the lowest of its pieces'.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

MAX_WORDS = 60
"""The most words VADER reads at once: longer sentences are scored in pieces."""
_EMOJI = "\u2600-\u27bf\U0001f000-\U0010ffff"
_WORD = re.compile(rf"[^\s{_EMOJI}]+|[{_EMOJI}]")
"""A word as VADER sees it: a run of non-space characters, or one emoji or symbol."""
_ANALYZER: SentimentIntensityAnalyzer | None = None


def load_sentiment() -> None:
    """Load VADER's lexicon now (when the `Coach` is built), not on the first customer turn."""
    _analyzer()


def _analyzer() -> SentimentIntensityAnalyzer:
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


def sentence_compound(sentence: str) -> float:
    """VADER's compound score (-1..1) of one sentence (the lowest of its pieces when long)."""
    if len(sentence) <= MAX_WORDS or (sentence.isascii() and len(sentence.split()) <= MAX_WORDS):
        return piece_compound(sentence)  # short enough (ASCII text has no emoji to count)
    words = [match.end() for match in _WORD.finditer(sentence)]
    if len(words) <= MAX_WORDS:
        return piece_compound(sentence)
    ends = [0, *words[MAX_WORDS - 1 :: MAX_WORDS]]
    if ends[-1] < len(sentence):
        ends.append(len(sentence))
    pieces = (sentence[start:end] for start, end in pairwise(ends))
    return min((piece_compound(piece) for piece in pieces if piece.strip()), default=0.0)


@lru_cache(maxsize=65536)
def piece_compound(text: str) -> float:
    """VADER's compound score of a text of at most `MAX_WORDS` words, cached."""
    return float(_analyzer().polarity_scores(text)["compound"])
