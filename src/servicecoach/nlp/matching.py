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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from servicecoach.models import Speaker
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
    """Every spec of a pack, compiled once; `raw_hits` runs what one speaker's turns need.

    One `PhraseMatcher` holds every phrase; token patterns, regexes and fuzzy phrases are
    grouped by speaker so that a turn runs only the ones its speaker's rules read.
    """

    def __init__(
        self,
        nlp: Language,
        specs: Iterable[tuple[str, MatchSpec]],
        keys_by_speaker: Mapping[Speaker, set[str]],
    ) -> None:
        self._nlp = nlp
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self._compiled: dict[str, _Compiled] = {}
        self._patterns: dict[str, list[list[dict[str, Any]]]] = {}
        for key, spec in specs:
            self._add(key, spec)
        self._by_speaker = {
            speaker: self._plan(keys) for speaker, keys in keys_by_speaker.items()
        }

    def _plan(self, keys: set[str]) -> _SpeakerPlan:
        matcher = Matcher(self._nlp.vocab)
        for key in sorted(keys & set(self._patterns)):
            for index, pattern in enumerate(self._patterns[key]):
                matcher.add(_label(key, "pattern", str(index)), [pattern])
        compiled = [(key, self._compiled[key]) for key in sorted(keys) if key in self._compiled]
        return _SpeakerPlan(
            keys=frozenset(keys),
            patterns=matcher if len(matcher) else None,
            regexes=tuple((key, c.regexes) for key, c in compiled if c.regexes),
            fuzzy=tuple((key, c) for key, c in compiled if c.fuzzy),
        )

    def _add(self, key: str, spec: MatchSpec) -> None:
        for phrase in spec.phrases:
            self._phrases.add(_label(key, "phrase", phrase), [self._norm_doc(phrase)])
        for phrase in spec.lemmas:
            words = [token.norm_ for token in self._nlp.make_doc(phrase)]
            docs = [self._nlp.make_doc(" ".join(variant)) for variant in phrase_variants(words)]
            self._phrases.add(_label(key, "lemma", phrase), docs)
        checker = Matcher(self._nlp.vocab)
        for index, pattern in enumerate(spec.patterns):
            try:
                expanded = [_expand_lemma(token) for token in pattern]
                checker.add("check", [expanded])
            except (ValueError, KeyError) as error:
                raise PatternError(f"token pattern {index} is invalid: {error}") from None
            self._patterns.setdefault(key, []).append(expanded)
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

    def raw_hits(
        self, doc: Doc, text: str, speaker: Speaker
    ) -> tuple[dict[str, list[Hit]], dict[str, list[Hit]]]:
        """Hits and exception hits per spec key for one speaker's turn, before filtering."""
        plan = self._by_speaker[speaker]
        hits: dict[str, list[Hit]] = defaultdict(list)
        exceptions: dict[str, list[Hit]] = defaultdict(list)
        strings = self._nlp.vocab.strings
        found = list(self._phrases(doc))
        if plan.patterns is not None:
            found.extend(plan.patterns(doc))
        for match_id, start, end in found:
            key, source, pattern = strings[match_id].split(_SEP)
            if key in plan.keys:
                span = doc[start:end]
                hit = Hit(span.start_char, span.end_char, start, end, source, pattern)
                (exceptions if source == "exception" else hits)[key].append(hit)
        if plan.regexes:
            lowered = text.lower()
            for key, regexes in plan.regexes:
                for source, regex in regexes:
                    for match in regex.finditer(lowered):
                        if match.end() > match.start():
                            hits[key].append(_char_hit(doc, match.start(), match.end(), source))
        for key, compiled in plan.fuzzy:
            hits[key].extend(_fuzzy_hits(doc, compiled))
        for listed in hits.values():
            listed.sort(key=lambda hit: (hit.start, -hit.end))
        return hits, exceptions


@dataclass(frozen=True)
class _SpeakerPlan:
    keys: frozenset[str]
    patterns: Matcher | None
    regexes: tuple[tuple[str, tuple[tuple[str, re.Pattern[str]], ...]], ...]
    fuzzy: tuple[tuple[str, _Compiled], ...]


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
