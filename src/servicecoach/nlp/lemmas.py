"""Lemma-aware matching without lemmatizing every turn.

Each word of a lemma-aware phrase is expanded at compile time to every inflection of each
of its lemmas (lemminflect's tables), and the variants are matched as plain phrases. The
cost is paid once when the `Coach` is built instead of on every token of every turn.
"""

from __future__ import annotations

from functools import cache
from itertools import product

from lemminflect import getAllInflections, getAllLemmas

from servicecoach.errors import ServiceCoachError

MAX_VARIANTS = 512


@cache
def word_forms(word: str) -> tuple[str, ...]:
    """The word and every inflection of every lemma it can have, lower-cased and sorted."""
    lowered = word.lower()
    lemmas = {lowered}
    for candidates in getAllLemmas(lowered).values():
        lemmas.update(candidates)
    forms = set(lemmas)
    for lemma in lemmas:
        for inflected in getAllInflections(lemma).values():
            forms.update(form.lower() for form in inflected)
    return tuple(sorted(forms))


def phrase_variants(words: list[str]) -> list[tuple[str, ...]]:
    """Every combination of word forms of a tokenized phrase."""
    choices = [word_forms(word) if word.isalpha() else (word,) for word in words]
    total = 1
    for choice in choices:
        total *= len(choice)
    if total > MAX_VARIANTS:
        raise ServiceCoachError(
            f"the lemma phrase {' '.join(words)!r} has {total} variants (limit {MAX_VARIANTS})",
            hint="shorten it, or list the forms you mean under 'phrases' instead of 'lemmas'",
        )
    return list(product(*choices))
