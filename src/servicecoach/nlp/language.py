"""Which language a conversation is written in, to leave unscored what a pack cannot read.

English text is recognised without a model, by its function words ("the", "you", "is"...),
which make up a quarter or more of any English conversation; other text goes to Google's
CLD3 (a small neural network over character n-grams, 107 languages, compiled into the
`cld3-py` wheel: nothing is downloaded, it is ready in microseconds and takes about a
megabyte). Handles, links, e-mail addresses and numbers are left out first: they are the
same in every language. docs/channels.md gives the accuracy measured on real text.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

MIN_LETTERS = 25
"""Text with fewer letters (after handles, links and numbers are left out) is too short to
tell: it is scored as the pack's language."""
SAMPLE_CHARS = 4_000
"""How much of a conversation is read (its first characters, turn after turn)."""
MIN_MODEL_LETTERS = 40
"""Text in Latin letters that does not read as English is called another language only
from this many letters on (see `_may_be_english`)."""
MIN_CONFIDENCE = 0.8
"""CLD3's probability below which the language is left undecided (CLD3 itself calls 0.7
reliable; a short English tweet read as Frisian at 0.79 is why this is higher)."""
_QUICK_CHARS = 240
"""English is usually told by a conversation's first characters: the rest is read only when
they do not read as English (a thread opening with handles, links and a product name), and
the model is asked only when the whole sample does not either."""
_ENGLISH_SHARE = 0.2
"""Share of English function words above which text is English without asking the model."""

_NOISE = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)\S+@\S+|[@#^]\w+|\d+")
"""Links, e-mail addresses, handles, hashtags, sign-offs and numbers: alike in every language.
An e-mail address is tried only where a run of non-space starts: tried everywhere, a long
run without "@" would be read once from each of its characters (quadratic)."""
_WORD_OR_NOISE = re.compile(rf"{_NOISE.pattern}|([^\W\d_]+(?:'[^\W\d_]+)?)")
"""A word (the group), or noise passed over in the same pass (the group empty)."""


def _words_and_noise(text: str) -> list[str]:
    """``_WORD_OR_NOISE.findall(text)``, read chunk by chunk: no match spans white space,
    and the look-behind only asks whether a chunk starts there, so the matches are those of
    the chunks between white space. A chunk of ASCII letters only ("the", "you") is one
    word, which needs no regex: most chunks are (docs/performance.md)."""
    words: list[str] = []
    for chunk in text.split():
        if chunk.isascii() and chunk.isalpha():
            words.append(chunk)
        else:
            words.extend(_WORD_OR_NOISE.findall(chunk))
    return words
_ENGLISH = frozenset({
    "the", "and", "you", "your", "is", "are", "was", "were", "to", "of", "for", "with",
    "that", "this", "it", "have", "has", "we", "our", "my", "can", "will", "would",
    "please", "thank", "thanks", "what", "how", "be", "been", "but", "if", "so", "i", "i'm",
    "it's", "don't", "can't", "there", "their", "they", "he", "she", "him", "her", "them",
    "us", "at", "from", "about", "could", "should", "just", "know", "help", "sorry", "any",
    "all", "an", "or", "not",
})
"""Function words of English that are rare as words of other languages (not "a", "no",
"me", "in", "die", "on": common words elsewhere)."""

NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "el": "Greek", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi",
    "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "id": "Indonesian", "ms": "Malay",
    "th": "Thai", "vi": "Vietnamese", "ro": "Romanian", "hu": "Hungarian", "ca": "Catalan",
    "tl": "Tagalog",
}
"""English names of the languages most often met, for messages (others show their code)."""


@dataclass(frozen=True)
class Detected:
    """A text's language (ISO 639-1 code) and how sure the detector is (0-1)."""

    code: str
    confidence: float

    @property
    def name(self) -> str:
        """The language's English name, or its code when not in `NAMES`."""
        return NAMES.get(self.code, self.code)


_OLD_CODES = {"iw": "he", "jw": "jv"}
"""CLD3's codes that ISO 639-1 has since replaced."""
_per_thread = threading.local()


def _model() -> Any:
    """This thread's CLD3 identifier: CLD3 does not promise that one may be shared by
    threads (its binding lets other threads run while it reads), and one costs 50 µs."""
    identifier = getattr(_per_thread, "identifier", None)
    if identifier is None:
        import gcld3

        identifier = gcld3.NNetLanguageIdentifier(min_num_bytes=0,
                                                  max_num_bytes=4 * SAMPLE_CHARS)
        _per_thread.identifier = identifier
    return identifier


def detect_language(text: str) -> Detected | None:
    """The language `text` is written in, or None when it is too short or too mixed to tell."""
    english = _reads_as_english(text[:_QUICK_CHARS])
    if not english and len(text) > _QUICK_CHARS:  # the start did not tell: read on
        english = _reads_as_english(text[:SAMPLE_CHARS])
    if english is None:
        return None
    if english:
        return Detected("en", 1.0)
    sample = _NOISE.sub(" ", text[:SAMPLE_CHARS])
    found = _model().FindLanguage(text=sample)
    code = found.language.split("-")[0]  # "zh-Latn": Chinese written in Latin letters
    if found.probability < MIN_CONFIDENCE or (code != "en" and _may_be_english(sample)):
        return None
    return Detected(_OLD_CODES.get(code, code), float(found.probability))


def _may_be_english(sample: str) -> bool:
    """True when text the function words did not call English may be English all the same,
    so that another language is not declared (and the conversation left unscored) on thin
    evidence: a fifth of its words or more are common English words (spaCy's English stop
    words: "calm down, as I already said"), or it is in Latin letters and shorter than
    `MIN_MODEL_LETTERS` (a product or place name: CLD3 reads such text as Portuguese,
    Frisian or Gaelic)."""
    words = _words_and_noise(sample.lower())
    words = [word for word in words if word]
    if len([word for word in words if word in STOP_WORDS]) >= _ENGLISH_SHARE * len(words):
        return True
    letters = sum(map(len, words))
    latin = sum(map(len, filter(str.isascii, words)))
    return 2 * latin >= letters and latin < MIN_MODEL_LETTERS


def _reads_as_english(sample: str) -> bool | None:
    """True when `sample` reads as English by its function words, False when it does not,
    None when it has too few letters to tell."""
    words = _words_and_noise(sample.lower())  # noise comes back as ""
    if sum(map(len, words)) < MIN_LETTERS:
        return None
    english = len([word for word in words if word in _ENGLISH])
    return english >= 3 and english >= _ENGLISH_SHARE * (len(words) - words.count(""))
