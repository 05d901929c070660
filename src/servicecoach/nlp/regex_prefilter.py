"""Literal text a regular expression needs, to skip it cheaply on text that cannot match.

``\\b(?:we|i) (?:can't|won't) help`` can only match where "we can't help", "we won't
help", "i can't help" or "i won't help" occurs, and ``\\bi(?:'ve| have)? (?:just )?lost\\b``
only where "lost" occurs: every match contains one of a few literal strings. Finding
those strings (one Aho-Corasick pass over the turn, in C, for all the regexes of a pack)
is far cheaper than running the expressions over a turn that contains none of them. The
analysis walks the parsed expression: a run of literal items gives the strings it spells
exactly; an alternation gives the union of its branches' strings; anything else (a
character class with ranges, an optional or open repeat, a back-reference) gives nothing,
and where no long enough literal is certain, no prefilter is derived and the regex always
runs: the prefilter never hides a match. Case-insensitive expressions are never prefiltered.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
from spacy.lang.en.stop_words import STOP_WORDS as _SPACY_STOP_WORDS

# the regex parser's private modules, which typeshed does not describe
_NEW_NAMES = sys.version_info >= (3, 11)
_c: Any = importlib.import_module("re._constants" if _NEW_NAMES else "sre_constants")
_parser: Any = importlib.import_module("re._parser" if _NEW_NAMES else "sre_parse")

MAX_LITERALS = 64
"""The most strings one node may spell exactly, and the most a prefilter may search for."""
MIN_LENGTH = 3
"""Shorter literals ("i ", "we") filter nothing worth the test."""
_GOOD_LENGTH = 6
"""Up to this length a longer literal is preferred, as it occurs in fewer turns (their
number costs nothing in one Aho-Corasick pass); beyond it, fewer literals win."""
BUNDLED_GATES = Path(__file__).with_name("regex_gates.json")
"""`required_literal_groups` of every expression of the bundled packs, precomputed: working
them out takes about 0.6 s of a `Coach`'s start-up (docs/performance.md). Written by
``scripts/update_regex_gates.py``; a test keeps it in step with the packs and this module."""
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))


@dataclass(frozen=True)
class _Info:
    """What a node of the parsed expression tells about the text it matches."""

    exact: frozenset[str] | None = None
    """Every string the node can match, when they are few (None: unknown or too many)."""
    needs: frozenset[str] | None = None
    """Strings one of which every match contains (None: no such knowledge)."""
    groups: tuple[frozenset[str], ...] = ()
    """Of a concatenation, every usable requirement of its parts (`needs` is the best)."""

    def required(self) -> frozenset[str] | None:
        """Strings one of which every match contains, from `exact` when that is known."""
        if self.exact is not None:
            return None if "" in self.exact else self.exact
        return self.needs


_UNKNOWN = _Info()
_EMPTY = _Info(exact=frozenset({""}))


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every non-empty match of `pattern` contains; None when unknown.

    Each string is at least `MIN_LENGTH` characters, there are at most `MAX_LITERALS`,
    and none contains another (the shorter one is enough).
    """
    groups = required_literal_groups(pattern)
    return groups[0] if groups else None


def required_literal_groups(pattern: str) -> list[frozenset[str]]:
    """Every requirement `required_literals` can tell, most selective first: each match
    contains a string of each group (``\\bstill\\b[^.]*\\b(?:waiting|nothing)``: "still"
    and one of "waiting", "nothing"). Empty when nothing is certain. A regex need run only
    where a string of every group occurs."""
    known = _bundled_gates().get(expression_key(pattern))
    if known is not None:
        return list(known)
    return literal_groups_of(pattern)


def literal_groups_of(pattern: str) -> list[frozenset[str]]:
    """`required_literal_groups` worked out from the parsed expression (never from the
    precomputed table)."""
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - the rule loader reports bad patterns itself
        return []
    if parsed.state.flags & re.IGNORECASE:
        return []
    found = _sequence(list(parsed))
    exact = found.required() if found.exact is not None else None
    groups = [exact] if exact is not None else found.groups
    return [_minimal(group) for group in _ranked(groups)]


class LiteralIndex:
    """The gate literals of every regex of a pack in one Aho-Corasick automaton, so one
    pass over a turn tells which are present, however many regexes there are.

    Build it with `add` (once per regex), then `freeze`; after that it is read-only and
    may be shared by threads.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)

    def add(self, literals: Iterable[str]) -> frozenset[int]:
        """Index `literals`; return their ids (a regex runs when one of them is present)."""
        ids = set()
        for literal in literals:
            if literal not in self._ids:
                self._ids[literal] = len(self._ids)
                self._automaton.add_word(literal, self._ids[literal])
            ids.add(self._ids[literal])
        return frozenset(ids)

    def freeze(self) -> None:
        """Finish building: no literal can be added afterwards."""
        if self._ids:
            self._automaton.make_automaton()

    def present(self, text: str) -> frozenset[int]:
        """The ids of the literals that occur in `text` (overlapping occurrences included)."""
        if not self._ids:
            return frozenset()
        return frozenset(map(itemgetter(1), self._automaton.iter(text)))


def expression_key(pattern: str) -> str:
    """The key of an expression in `BUNDLED_GATES` (a digest: the expressions are long)."""
    return hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@cache
def _bundled_gates() -> Mapping[str, tuple[frozenset[str], ...]]:
    """The precomputed groups of the bundled packs' expressions, by `expression_key`
    (empty if the file cannot be read)."""
    try:
        data = json.loads(BUNDLED_GATES.read_text(encoding="utf-8"))
        return {key: tuple(frozenset(group) for group in groups)
                for key, groups in data["gates"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _minimal(literals: frozenset[str]) -> frozenset[str]:
    """The literals without those that contain another one (finding that one suffices)."""
    ordered = sorted(literals, key=len)
    kept: list[str] = []
    for literal in ordered:
        if not any(shorter in literal for shorter in kept):
            kept.append(literal)
    return frozenset(kept)


def _ranked(candidates: Iterable[frozenset[str]]) -> list[frozenset[str]]:
    """The usable candidates (literals long enough, not too many), most selective first
    (`_selectivity`)."""
    usable = {c for c in candidates if c and "" not in c and len(c) <= MAX_LITERALS
              and min(map(len, c)) >= MIN_LENGTH}
    return sorted(usable, key=_selectivity)


def _selectivity(literals: frozenset[str]) -> tuple[bool, int, int, int, list[str]]:
    """Sort key of a candidate, most selective first: a candidate none of whose literals is
    a stop word ("the ", " my ", "to ": each in most turns) before one with such a literal,
    then by `_by_length`."""
    return (_has_stop_word(literals), *_by_length(literals), sorted(literals))


def _by_length(literals: frozenset[str]) -> tuple[int, int, int]:
    """Sort key, most selective first: longer literals (up to `_GOOD_LENGTH`), then fewer
    of them."""
    shortest = min(map(len, literals))
    return (-min(shortest, _GOOD_LENGTH), len(literals), -shortest)


def _has_stop_word(literals: frozenset[str]) -> bool:
    """True when one of the literals, without the spaces around it, is one of spaCy's
    English stop words (mostly function words: a gate on one opens its regex on most
    turns)."""
    return any(literal.strip() in _STOP_WORDS for literal in literals)


_STOP_WORDS = frozenset(_SPACY_STOP_WORDS)
"""spaCy's English stop words when this module was imported (a copy: the gates of a pack
do not change if someone adds to spaCy's set)."""


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The requirement a nested sequence passes up to the expression around it, by
    `_by_length`. Unlike `_ranked` it does not put
    stop words last: the expression around it ranks what it passes up among its own
    requirements, and preferring inner groups without a stop word measured 1.1% more
    instructions a turn on the core pack (docs/performance.md, 2026-12-05 night)."""
    usable = [c for c in candidates if c and "" not in c and len(c) <= MAX_LITERALS]
    if not usable:
        return None
    return min(usable, key=_by_length)


def _sequence(items: list[Any]) -> _Info:
    """A concatenation: runs of exact items multiply out; the best requirement wins."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] = frozenset({""})
    exact = True
    for item in items:
        info = _node(*item)
        if info.exact is not None and len(run) * len(info.exact) <= MAX_LITERALS:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        exact = False
        candidates.append(run)
        if info.exact is not None:
            run = info.exact
            continue
        if info.needs is not None:
            candidates.append(info.needs)
        run = frozenset({""})
    if exact:
        return _Info(exact=run)
    candidates.append(run)
    return _Info(needs=_best(candidates), groups=tuple(candidates))


def _node(op: Any, value: Any) -> _Info:
    """What one parsed item tells (see `_Info`)."""
    if op is _c.LITERAL:
        return _Info(exact=frozenset({chr(value)}))
    if op is _c.IN:
        if all(kind is _c.LITERAL for kind, _ in value):
            return _Info(exact=frozenset(chr(code) for _, code in value))
        return _UNKNOWN
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _EMPTY  # zero-width: adds no text
    if op is _c.SUBPATTERN:
        _, add_flags, _, inner = value
        if add_flags & re.IGNORECASE:
            return _UNKNOWN
        return _sequence(list(inner))
    if op is _c.BRANCH:
        return _branch([_sequence(list(branch)) for branch in value[1]])
    if op in _REPEATS:
        low, high, inner = value
        return _repeat(low, high, _sequence(list(inner)))
    return _UNKNOWN


def _branch(infos: list[_Info]) -> _Info:
    """An alternation: the union of what the branches match, or of what they need."""
    if all(info.exact is not None for info in infos):
        union = frozenset().union(*(info.exact for info in infos if info.exact is not None))
        if len(union) <= MAX_LITERALS:
            return _Info(exact=union)
    needs: set[str] = set()
    for info in infos:
        required = info.required()
        if required is None:
            return _UNKNOWN
        needs |= required
    return _Info(needs=frozenset(needs))


def _repeat(low: int, high: int, inner: _Info) -> _Info:
    """A repeat: optional (``?``) keeps exact strings; at least once keeps the need."""
    if low == 0:
        if high == 1 and inner.exact is not None:
            return _Info(exact=inner.exact | {""})
        return _UNKNOWN
    if low == high == 1:
        return inner
    return _Info(needs=inner.required())
