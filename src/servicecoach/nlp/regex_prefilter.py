"""Literal prefixes of a regular expression, to skip it cheaply on text that cannot match.

``\\b(?:we|i) (?:can't|won't) help`` can only match where "we can't", "we won't",
"i can't" or "i won't" occurs; a substring test for those literals (in C) is far cheaper
than running the regex over a turn that contains none of them. Where the expression
does not start with literal text (a character class, a repeat, a look-behind), no prefix
is derived and the regex always runs: the prefilter never hides a match.
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _parser
else:  # pragma: no cover
    import sre_constants as _c
    import sre_parse as _parser

MAX_PREFIXES = 64
MIN_LENGTH = 3
"""Shorter prefixes ("i ", "we") filter nothing worth the test."""


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Lower-case strings one of which every match starts with; None when unknown."""
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - the rule loader reports bad patterns itself
        return None
    prefixes = _expand(list(parsed), {""})
    if prefixes is None or not prefixes or min(map(len, prefixes)) < MIN_LENGTH:
        return None
    return frozenset(prefixes)


def _expand(items: list[Any], prefixes: set[str]) -> set[str] | None:
    """Extend each prefix through the leading literal items; stop at the first other item."""
    for op, value in items:
        if op is _c.AT:
            continue  # \b, ^: zero-width, adds no text
        if op is _c.LITERAL:
            prefixes = {p + chr(value).lower() for p in prefixes}
        elif op is _c.IN and all(kind is _c.LITERAL for kind, _ in value):
            prefixes = {p + chr(code).lower() for p in prefixes for _, code in value}
        elif op is _c.SUBPATTERN:
            inner = _expand(list(value[-1]), prefixes)
            if inner is None:
                return prefixes
            prefixes = inner
            if any(len(p) > 0 for p in prefixes) and _stopped(value[-1]):
                return prefixes
        elif op is _c.BRANCH:
            union: set[str] = set()
            for branch in value[1]:
                expanded = _expand(list(branch), set(prefixes))
                if expanded is None:
                    return prefixes
                union |= expanded
            prefixes = union
            if any(_stopped(branch) for branch in value[1]):
                return prefixes
        else:
            return prefixes
        if len(prefixes) > MAX_PREFIXES:
            return None
    return prefixes


def _stopped(items: Any) -> bool:
    """True when expanding `items` stopped before their end (a non-literal inside)."""
    for op, value in items:
        if op in (_c.AT, _c.LITERAL):
            continue
        if op is _c.IN and all(kind is _c.LITERAL for kind, _ in value):
            continue
        if op is _c.SUBPATTERN:
            if _stopped(value[-1]):
                return True
            continue
        if op is _c.BRANCH:
            if any(_stopped(branch) for branch in value[1]):
                return True
            continue
        return True
    return False
