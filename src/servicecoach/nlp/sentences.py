"""Sentences as offsets, read off the token arrays when the pipeline only splits sentences.

spaCy's rule-based `Sentencizer` walks the `Doc` token by token in Python and `doc.sents`
walks it again to build `Span` objects; for the blank English pipeline that is a good
part of the cost of a turn. `RuleSentencizer` applies the very same rule (a sentence
starts at the first token after sentence-final punctuation that is not punctuation
itself) to one array of token attributes and returns plain offsets. It is only used
when the pipeline's sole component is a `Sentencizer`; any other pipeline (a parser, a
trained senter) is run and its sentences are read from the `Doc`.
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc


class Sentence(NamedTuple):
    """One sentence of a turn: token range and character range."""

    start: int
    end: int
    start_char: int
    end_char: int


def doc_sentences(doc: Doc) -> tuple[Sentence, ...]:
    """The sentences an annotated `Doc` holds, as offsets."""
    return tuple(Sentence(s.start, s.end, s.start_char, s.end_char) for s in doc.sents)


class RuleSentencizer:
    """The sentences spaCy's `Sentencizer` would set, computed from token arrays."""

    def __init__(self, nlp: Language, sentencizer: Sentencizer) -> None:
        strings = nlp.vocab.strings
        self._punct = frozenset(strings.add(char) for char in sentencizer.punct_chars)

    @classmethod
    def replacing(cls, nlp: Language) -> RuleSentencizer | None:
        """A `RuleSentencizer` when the pipeline only runs a `Sentencizer`, else None."""
        if len(nlp.pipeline) != 1 or not isinstance(nlp.pipeline[0][1], Sentencizer):
            return None
        return cls(nlp, nlp.pipeline[0][1])

    def __call__(self, doc: Doc) -> tuple[Sentence, ...]:
        """The sentences of a tokenized turn (`doc` needs no annotation)."""
        length = len(doc)
        if not length:
            return ()
        punct = self._punct
        orths = doc.to_array(ORTH).tolist()
        starts = [0]
        after = 0  # tokens before this one were read (a sentence cannot start there)
        for period in [index for index, orth in enumerate(orths) if orth in punct]:
            if period < after:
                continue  # in the punctuation run that an earlier period starts
            start = period + 1  # the sentence starts at the first token that is not
            while start < length and (orths[start] in punct or doc[start].is_punct):
                start += 1  # punctuation after the period
            if start < length:
                starts.append(start)
            after = start
        ends = [*starts[1:], length]
        return tuple(
            Sentence(start, end, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
            for start, end in zip(starts, ends)
        )
