"""Compile every `MatchSpec` of a pack into as few matchers as possible, and match once per turn.

All exact and lemma-aware phrases of all rules go into one `PhraseMatcher` on the ``NORM``
attribute (lower case, contractions and curly apostrophes normalised: "can't", "can’t",
"cannot" and "can not" are the same tokens). All token patterns go into one `Matcher`.
Regexes and fuzzy phrases are run only for the specs a turn needs. Each hit maps back
to the spec (and so the rule) it came from, with the phrase or pattern that fired.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from servicecoach.nlp.lemmas import phrase_variants, word_forms
from servicecoach.rules.schema import MatchSpec

_SEP = "\x1f"


@dataclass(frozen=True)
class Hit:
    """One match in a turn: character and token offsets, and what fired."""

    start: int
    end: int
    token_start: int
    token_end: int
    source: str
    """phrase, lemma, pattern, regex or fuzzy"""
    pattern: str
    score: float | None = None


class PatternError(ValueError):
    """A token pattern or phrase that spaCy or lemminflect rejects."""


@dataclass(frozen=True)
class _Compiled:
    regexes: tuple[tuple[str, re.Pattern[str]], ...]
    fuzzy: tuple[tuple[str, int], ...]
    scorer: Any
    cutoff: float
    spec: MatchSpec


class MatcherSet:
    """Every spec of a pack, compiled once; `match` runs them all on one `Doc`."""

    def __init__(self, nlp: Language, specs: Iterable[tuple[str, MatchSpec]]) -> None:
        self._nlp = nlp
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self._patterns = Matcher(nlp.vocab)
        self._compiled: dict[str, _Compiled] = {}
        self._exception_keys: dict[str, str] = {}
        for key, spec in specs:
            self._add(key, spec)

    def _add(self, key: str, spec: MatchSpec) -> None:
        for phrase in spec.phrases:
            self._phrases.add(_label(key, "phrase", phrase), [self._norm_doc(phrase)])
        for phrase in spec.lemmas:
            words = [token.norm_ for token in self._nlp.make_doc(phrase)]
            docs = [self._nlp.make_doc(" ".join(variant)) for variant in phrase_variants(words)]
            self._phrases.add(_label(key, "lemma", phrase), docs)
        for index, pattern in enumerate(spec.patterns):
            try:
                self._patterns.add(
                    _label(key, "pattern", str(index)), [[_expand_lemma(t) for t in pattern]]
                )
            except (ValueError, KeyError) as error:
                raise PatternError(f"token pattern {index} is invalid: {error}") from None
        for phrase in spec.exceptions:
            self._phrases.add(_label(key, "exception", phrase), [self._norm_doc(phrase)])
        fuzzy = spec.fuzzy
        self._compiled[key] = _Compiled(
            regexes=tuple((source, re.compile(source)) for source in spec.regex),
            fuzzy=tuple(
                (phrase.lower(), len(self._nlp.make_doc(phrase))) for phrase in fuzzy.phrases
            )
            if fuzzy
            else (),
            scorer=getattr(fuzz, fuzzy.scorer) if fuzzy else None,
            cutoff=fuzzy.cutoff if fuzzy else 0.0,
            spec=spec,
        )

    def _norm_doc(self, phrase: str) -> Doc:
        norms = [token.norm_ for token in self._nlp.make_doc(phrase)]
        return self._nlp.make_doc(" ".join(norms))

    def spec(self, key: str) -> MatchSpec:
        """The spec compiled under `key`."""
        return self._compiled[key].spec

    def raw_hits(self, doc: Doc, keys: set[str]) -> tuple[dict[str, list[Hit]], dict[str, list[Hit]]]:
        """Hits and exception hits per spec key, for the keys asked for, before filtering."""
        hits: dict[str, list[Hit]] = defaultdict(list)
        exceptions: dict[str, list[Hit]] = defaultdict(list)
        strings = self._nlp.vocab.strings
        for match_id, start, end in self._phrases(doc):
            key, source, pattern = strings[match_id].split(_SEP)
            if key in keys:
                span = doc[start:end]
                hit = Hit(span.start_char, span.end_char, start, end, source, pattern)
                (exceptions if source == "exception" else hits)[key].append(hit)
        if len(self._patterns):
            for match_id, start, end in self._patterns(doc):
                key, source, pattern = strings[match_id].split(_SEP)
                if key in keys:
                    span = doc[start:end]
                    hits[key].append(Hit(span.start_char, span.end_char, start, end, source,
                                         pattern))
        lowered: str | None = None
        for key in keys:
            compiled = self._compiled[key]
            if compiled.regexes:
                lowered = lowered if lowered is not None else doc.text.lower()
                for source, regex in compiled.regexes:
                    for found in regex.finditer(lowered):
                        if found.end() > found.start():
                            hits[key].append(_char_hit(doc, found.start(), found.end(), source))
            if compiled.fuzzy:
                hits[key].extend(_fuzzy_hits(doc, compiled))
        for found in hits.values():
            found.sort(key=lambda hit: (hit.start, -hit.end))
        return hits, exceptions


def _label(key: str, source: str, pattern: str) -> str:
    return _SEP.join((key, source, pattern))


def _expand_lemma(token_pattern: dict[str, Any]) -> dict[str, Any]:
    """Rewrite LEMMA constraints to NORM forms so patterns need no lemmatizer at run time."""
    if "LEMMA" not in token_pattern:
        return token_pattern
    rewritten = {k: v for k, v in token_pattern.items() if k != "LEMMA"}
    value = token_pattern["LEMMA"]
    lemmas = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
    if not isinstance(lemmas, list) and not isinstance(value, str):
        raise ValueError("LEMMA takes a string or {IN: [...]} in servicecoach patterns")
    forms = sorted({form for lemma in lemmas or [] for form in word_forms(str(lemma))})
    rewritten["NORM"] = {"IN": forms}
    return rewritten


def _char_hit(doc: Doc, start: int, end: int, source: str) -> Hit:
    span = doc.char_span(start, end, alignment_mode="expand")
    token_start = span.start if span is not None else 0
    token_end = span.end if span is not None else len(doc)
    return Hit(start, end, token_start, token_end, "regex", source)


def _fuzzy_hits(doc: Doc, compiled: _Compiled) -> list[Hit]:
    """Token windows of the phrase's length (plus or minus one) scored with rapidfuzz."""
    found: list[Hit] = []
    for phrase, length in compiled.fuzzy:
        best: Hit | None = None
        for size in (length - 1, length, length + 1):
            if size < 1:
                continue
            for start in range(0, max(0, len(doc) - size) + 1):
                span = doc[start : start + size]
                score = compiled.scorer(phrase, span.text.lower(), score_cutoff=compiled.cutoff)
                if score and (best is None or score > (best.score or 0)):
                    best = Hit(span.start_char, span.end_char, start, start + size, "fuzzy",
                               phrase, round(float(score), 1))
        if best is not None:
            found.append(best)
    return found
