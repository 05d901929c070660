"""Customer sentiment with VADER, per sentence, cached.

VADER rates empathic agent wording as negative and brush-offs as positive, so it is only
ever applied to customer turns. VADER's cost grows with the square of a text's words
(each word looks back over all of them), so sentences are scored one by one, and a
sentence longer than `MAX_WORDS` words (an emoji counts as a word: VADER spells it out)
is scored in pieces of at most that many, its score being the lowest of its pieces'.
A piece with no word of VADER's lexicon scores 0 and is not given to VADER at all
(`has_lexicon_word`).
"""

from __future__ import annotations

import re
import string
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


PIECES_KEPT = 1024
"""How many texts' scores `piece_compound` keeps: enough for the short replies that recur
from conversation to conversation ("Thank you!", "OK."; 6% of the pieces of one pass over
the corpora), too few to hold a whole corpus, so that a benchmark that repeats its
conversations pays for VADER as real use does (docs/performance.md)."""


@lru_cache(maxsize=PIECES_KEPT)
def piece_compound(text: str) -> float:
    """VADER's compound score of a text of at most `MAX_WORDS` words (the last
    `PIECES_KEPT` kept)."""
    analyzer = _analyzer()
    if not has_lexicon_word(text, analyzer):
        return 0.0
    return float(analyzer.polarity_scores(text)["compound"])


def has_lexicon_word(text: str, analyzer: SentimentIntensityAnalyzer) -> bool:
    """True when VADER would read a word of its lexicon in `text`, or an emoji (which it
    spells out in words first). Without one, every word's valence is 0 and so is the
    compound score: VADER's boosters, negations, "but" and punctuation only scale the
    valence of lexicon words. Words are read as VADER reads them: split on white space,
    stripped of punctuation at both ends unless that leaves two characters or fewer,
    lower-cased. About half of customer sentences have none (a question, an order
    number), and this test costs an eighth of VADER's reading (docs/performance.md)."""
    if not text.isascii():
        emojis = analyzer.emojis
        if any(char in emojis for char in text):
            return True
    lexicon = analyzer.lexicon
    return any(_as_vader_reads(word).lower() in lexicon for word in text.split())


def _as_vader_reads(token: str) -> str:
    """A token as VADER's `SentiText` keeps it: stripped of punctuation at both ends, or
    as written when stripping leaves two characters or fewer (":)", "ok!")."""
    stripped = token.strip(string.punctuation)
    return token if len(stripped) <= 2 else stripped
