"""Lemma-aware matching without lemmatizing every turn.

Each word of a lemma-aware phrase is expanded at compile time to every inflection of each
of its lemmas (lemminflect's tables), and the variants are matched as plain phrases. The
cost is paid once when the `Coach` is built instead of on every token of every turn.

Expanding needs lemminflect's inflection table (0.15 s to load), so the forms of the bundled
packs' words ship precomputed in ``word_forms.json`` (made with the same lemminflect version,
and used only with it); the table is loaded when a pack uses a word that is not there.
After changing the lemma phrases of a bundled pack, regenerate the file (a test says when
it is stale)::

    python scripts/update_word_forms.py
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from itertools import product
from pathlib import Path

import lemminflect
from lemminflect import getAllInflections, getAllLemmas

MAX_VARIANTS = 512
"""The most word-form combinations one lemma phrase may expand to (each is a phrase the
matcher holds)."""
BUNDLED_FORMS = Path(__file__).with_name("word_forms.json")

_ASKED: set[str] = set()
"""Every word expanded in this process (lower case): what the loaded packs need."""


@cache
def word_forms(word: str) -> tuple[str, ...]:
    """The word and every inflection of every lemma it can have, lower-cased and sorted."""
    lowered = word.lower()
    _ASKED.add(lowered)
    known = _bundled().get(lowered)
    return known if known is not None else inflections(lowered)


def inflections(word: str) -> tuple[str, ...]:
    """`word_forms` computed with lemminflect (`word` in lower case)."""
    lemmas = {word}
    for candidates in getAllLemmas(word).values():
        lemmas.update(candidates)
    forms = set(lemmas)
    for lemma in lemmas:
        for inflected in getAllInflections(lemma).values():
            forms.update(form.lower() for form in inflected)
    return tuple(sorted(forms))


@cache
def _bundled() -> Mapping[str, tuple[str, ...]]:
    """The precomputed forms, when they were made with the installed lemminflect."""
    try:
        data = json.loads(BUNDLED_FORMS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("lemminflect") != lemminflect_version():
        return {}
    return {word: tuple(forms) for word, forms in data["forms"].items()}


def lemminflect_version() -> str | None:
    """The installed lemminflect's version (the precomputed forms are used only with it)."""
    return getattr(lemminflect, "__version__", None)


def asked_words() -> list[str]:
    """Every word expanded in this process so far, sorted: what the loaded packs need."""
    return sorted(_ASKED)


def forget_asked_words() -> None:
    """Start recording expanded words afresh (and expand them again when asked)."""
    _ASKED.clear()
    word_forms.cache_clear()


class TooManyVariants(ValueError):
    """A lemma phrase whose words' forms make more than `MAX_VARIANTS` phrases."""

    hint = ("shorten it, or list the forms you mean under 'phrases' instead of 'lemmas' "
            "(a word there matches itself only)")


def phrase_variants(words: list[str]) -> list[tuple[str, ...]]:
    """Every combination of word forms of a tokenized phrase; `TooManyVariants` when they
    are more than `MAX_VARIANTS` (counted before any is made)."""
    choices = [word_forms(word) if word.isalpha() else (word,) for word in words]
    total = 1
    for choice in choices:
        total *= len(choice)
    if total > MAX_VARIANTS:
        raise TooManyVariants(
            f"the lemma phrase {' '.join(words)!r} expands to {total:,} word-form "
            f"combinations (limit {MAX_VARIANTS})")
    return list(product(*choices))
