"""Load the spaCy pipeline once: blank English by default, or any installed pipeline by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from re import Pattern

import spacy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer  # type: ignore[import-not-found]
from spacy.util import compile_suffix_regex

from servicecoach.errors import SpacyModelError
from servicecoach.nlp.tokens import SuffixSearch, remembered, remembered_all

BLANK = "blank:en"


def load_pipeline(name: str | None = None) -> Language:
    """The pipeline to tokenize turns with, always able to split sentences.

    ``None`` or ``"blank:en"`` gives spaCy's blank English tokenizer plus the rule-based
    sentencizer: nothing to download. Any other name is loaded with `spacy.load`; a name
    that is not installed is a `SpacyModelError` that says how to install it.
    """
    if name in (None, BLANK):
        nlp = spacy.blank("en")
    else:
        try:
            nlp = spacy.load(name)
        except OSError as error:
            raise SpacyModelError(
                f"the spaCy pipeline {name!r} is not installed ({error.__class__.__name__})",
                where="--spacy-model",
                hint=f"install it with 'python -m spacy download {name}', "
                f"or omit it to use the built-in blank English pipeline",
            ) from None
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("sentencizer")
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, Tokenizer):  # a custom callable: nothing to change
        _tune_tokenizer(tokenizer, nlp.Defaults.suffixes if name in (None, BLANK) else None)
    return nlp


def _tune_tokenizer(tokenizer: Tokenizer, blank_suffixes: Sequence[str | Pattern[str]] | None
                    ) -> None:
    """Change the tokenizer's affix searches and special cases (see the functions below).

    spaCy reloads all its special cases (about 1,600 for English) whenever an affix search
    is set and re-checks the cache for each one added, so they are set aside while the
    searches change and loaded back once, with the upper-case contractions: a tenth of a
    second less to build a `Coach` (docs/performance.md, start-up).
    """
    rules = dict(tokenizer.rules or {})
    tokenizer.rules = {}
    if blank_suffixes is not None:
        _split_trailing_tildes(tokenizer, blank_suffixes)
    _remember_affixes(tokenizer)
    tokenizer.rules = {**rules, **_upper_case_contractions(rules)}


def _remember_affixes(tokenizer: Tokenizer) -> None:
    """Search a chunk's suffix in its last characters only, and keep the answers of the
    affix searches for the chunks spaCy splits anew (`servicecoach.nlp.tokens`)."""
    if tokenizer.prefix_search is not None:
        tokenizer.prefix_search = remembered(tokenizer.prefix_search)
    if tokenizer.suffix_search is not None:
        tokenizer.suffix_search = remembered(SuffixSearch(tokenizer.suffix_search))
    if tokenizer.infix_finditer is not None:
        tokenizer.infix_finditer = remembered_all(tokenizer.infix_finditer)
    if tokenizer.url_match is not None:
        tokenizer.url_match = remembered(tokenizer.url_match)


def _split_trailing_tildes(tokenizer: Tokenizer, suffixes: Sequence[str | Pattern[str]]) -> None:
    """Split a decorative tilde off the word it ends ("Thank you~", "Hello~~"), as
    translated helpdesk chats write them, so that "you" is a word of the turn. Only the
    blank pipeline is changed: a loaded one keeps its own suffixes."""
    tokenizer.suffix_search = compile_suffix_regex([*suffixes, "~+"]).search


def _upper_case_contractions(rules: Mapping[str, list[dict[int, str]]]
                             ) -> dict[str, list[dict[int, str]]]:
    """Special cases that split shouted contractions like their lower-case forms ("DON'T" =
    "do" + "not").

    spaCy's English exceptions cover "don't" and "Don't" but not "DON'T", so shouted text,
    common in angry customer turns, would not match phrases such as "we don't".
    """
    added: dict[str, list[dict[int, str]]] = {}
    for string, pieces in rules.items():
        upper = string.upper()
        if upper == string or upper in rules or not any(c in string for c in "'’"):
            continue
        added[upper] = [{ORTH: piece[ORTH].upper(), NORM: piece.get(NORM, piece[ORTH].lower())}
                        for piece in pieces]
    return added
