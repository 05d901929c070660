"""Tokenize a turn in time linear in its length, whatever it holds.

spaCy's tokenizer strips prefixes and suffixes from a whitespace-delimited chunk one at a
time, searching and slicing the rest of the chunk each time: a chunk of 10,000 quotes,
``<`` or emoji costs 10,000 passes over itself (quadratic). Chunks longer than
`MAX_CHUNK` characters, which no word is, are cut into pieces of that length; each part
of the text is tokenized on its own and the parts are joined into one `Doc` whose text
and offsets are those of the turn. Text without such a chunk is tokenized as before.
Within a chunk, `SuffixSearch` looks for a suffix in the chunk's last characters only, and
`remembered` keeps the answers of the affix searches for chunks that spaCy splits anew.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps

from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

MAX_CHUNK = 256
"""The longest run of non-space characters tokenized in one piece."""
_LONG_RUN = re.compile(rf"\S{{{MAX_CHUNK + 1},}}")


class SuffixSearch:
    """A tokenizer's ``suffix_search`` run on the last `window` characters of a chunk:
    suffixes are short, and searching the whole chunk for each one is quadratic."""

    def __init__(self, search: Callable[[str], re.Match[str] | None], window: int = 32) -> None:
        self.search = search
        self.window = window

    def __call__(self, text: str) -> re.Match[str] | None:
        """The suffix match (spaCy reads only its length)."""
        return self.search(text[-self.window :] if len(text) > self.window else text)


REMEMBERED_CHUNKS = 8192
"""How many chunks' answers each remembered affix search keeps (the least recently used
go first)."""


def remembered(search: Callable[[str], re.Match[str] | None]
               ) -> Callable[[str], re.Match[str] | None]:
    """A tokenizer's prefix or suffix search, or its URL match, that keeps its answer for the
    last `REMEMBERED_CHUNKS` chunks it was asked about.

    spaCy keeps how it split a chunk of non-space text, but only until the first chunk of
    a turn that holds one of its special cases ("can't", "I'm", ":)"): its flag for that
    is per turn, not per chunk, so every later chunk of the turn that it has not kept yet
    is split anew on every turn, searching its affix expressions (Python's `re`) each time
    (docs/performance.md). Each search is a function of the chunk alone, so its answer can
    be kept; spaCy reads only a match's offsets."""
    return lru_cache(maxsize=REMEMBERED_CHUNKS)(search)


def remembered_all(finditer: Callable[[str], Iterator[re.Match[str]]]
                   ) -> Callable[[str], Iterator[re.Match[str]]]:
    """A tokenizer's infix search, its matches kept as `remembered` keeps an affix's (its
    ``__wrapped__`` is `finditer`, as a remembered search's is the search)."""
    matches = lru_cache(maxsize=REMEMBERED_CHUNKS)(lambda text: tuple(finditer(text)))

    @wraps(finditer)
    def search(text: str) -> Iterator[re.Match[str]]:
        return iter(matches(text))

    return search


def make_doc(nlp: Language, text: str) -> Doc:
    """`text` tokenized by `nlp`'s tokenizer, long runs of non-space cut (see module doc)."""
    if len(text) <= MAX_CHUNK or _LONG_RUN.search(text) is None:
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []
    strings = nlp.vocab.strings
    for part in _parts(text):
        # each token's text and trailing space as arrays: `Doc.from_docs` walks every
        # token as a Python object, twice as slow on a turn of 100,000 quotes
        tokens = nlp.make_doc(part).to_array([ORTH, SPACY])
        words.extend(strings[orth] for orth in tokens[:, 0].tolist())
        spaces.extend(bool(space) for space in tokens[:, 1].tolist())
    return Doc(nlp.vocab, words=words, spaces=spaces)


def _parts(text: str) -> list[str]:
    """`text` in consecutive parts (joined, they are `text`), none with a long run."""
    parts: list[str] = []
    done = 0
    for run in _LONG_RUN.finditer(text):
        if run.start() > done:
            parts.append(text[done : run.start()])
        parts.extend(text[at : min(at + MAX_CHUNK, run.end())]
                     for at in range(run.start(), run.end(), MAX_CHUNK))
        done = run.end()
    if done < len(text):
        parts.append(text[done:])
    return parts
