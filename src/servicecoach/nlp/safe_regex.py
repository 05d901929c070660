"""Regular expressions from rule packs, compiled so that no text can make them hang.

A pack's ``regex`` runs on RE2 (google-re2) whenever RE2 can express it: RE2 matches in
time linear in the text, whatever the expression. RE2 has no look-around and no
back-references; an expression that needs them runs on Python's `re`, which backtracks,
and is accepted only when `backtracking_risk` finds nothing that can backtrack
catastrophically: a repeat (``+``, ``*``, ``{3,}``) over something that itself repeats
or has alternatives, as in ``(a+)+`` or ``(a|aa)+``. The token patterns' ``REGEX``
constraints always run on `re` (spaCy's matcher runs them), so they are held to the same
check.

On RE2, ``\\b``, ``\\w``, ``\\d`` and ``\\s`` are ASCII-only (in `re` they are Unicode):
write the letters beyond ASCII out (``[a-zé]``) when a pattern needs them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]

if sys.version_info >= (3, 11):
    import re._constants as _c  # type: ignore[import-not-found]
    from re import _parser  # type: ignore[attr-defined]
else:  # pragma: no cover
    import sre_constants as _c
    import sre_parse as _parser

MAX_PATTERN_LENGTH = 10_000
"""The longest regular expression a pack may hold (characters)."""
_SMALL_REPEAT = 2
"""A repeat of at most this many times may hold another repeat (``(?:\\w+ ){0,2}``): the
work it can do is bounded by a small power of the text's length, never exponential."""
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


class Pattern(Protocol):
    """A compiled expression, RE2 or `re`: what callers use of it."""

    def finditer(self, text: str) -> Any: ...
    def search(self, text: str) -> Any: ...
    def match(self, text: str) -> Any: ...
    def sub(self, repl: Any, text: str) -> str: ...


def linear(pattern: str) -> Pattern:
    """A built-in expression that reads untrusted text, on RE2 (linear time). Inline flags
    (``(?i)``, ``(?m)``, ``(?s)``) set the options; ``$`` is the end of the text only."""
    return re2.compile(pattern, _OPTIONS)  # type: ignore[no-any-return]


def match_spans(pattern: Pattern, text: str) -> Iterator[tuple[int, int]]:
    """Character offsets (start, end) of every match of `pattern` in `text`, in order.

    RE2 reads an ASCII text as its bytes: the offsets are the same, and google-re2's
    wrapper then skips mapping byte offsets back to characters, which is about half of
    what a match costs it on a turn (docs/performance.md). Other text is read as is.
    """
    if text.isascii() and not isinstance(pattern, re.Pattern):
        on_re2: Any = pattern  # RE2 reads bytes as well as text
        return (found.span() for found in on_re2.finditer(text.encode("ascii")))
    return (found.span() for found in pattern.finditer(text))


class UnsafeRegexError(ValueError):
    """An expression that cannot be compiled, or could backtrack catastrophically."""


def compile_safe(source: str) -> Pattern:
    """`source` compiled on RE2, or on `re` when RE2 cannot express it and it is safe.

    Raises `UnsafeRegexError` saying why it is refused.
    """
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafeRegexError(f"is {len(source)} characters long (limit {MAX_PATTERN_LENGTH})")
    try:
        compiled = re.compile(source)
    except (re.error, RecursionError, OverflowError) as error:
        raise UnsafeRegexError(f"does not compile: {error}") from None
    try:
        return re2.compile(source, _OPTIONS)  # type: ignore[no-any-return]
    except re2.error:
        pass
    risk = backtracking_risk(source)
    if risk:
        raise UnsafeRegexError(
            f"{risk}, which can take exponential time on Python's regex engine; RE2, which "
            "cannot, does not run it (it uses look-around, a back-reference or a flag)")
    return compiled


def check_token_regex(source: str) -> None:
    """Refuse a token pattern's ``REGEX`` that could backtrack catastrophically (spaCy runs
    it on `re`)."""
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafeRegexError(f"is {len(source)} characters long (limit {MAX_PATTERN_LENGTH})")
    try:
        re.compile(source)
    except (re.error, RecursionError, OverflowError) as error:
        raise UnsafeRegexError(f"does not compile: {error}") from None
    risk = backtracking_risk(source)
    if risk:
        raise UnsafeRegexError(f"{risk}, which can take exponential time")


def backtracking_risk(source: str) -> str | None:
    """What in `source` can backtrack catastrophically on `re`, or None."""
    try:
        parsed = _parser.parse(source)
    except (re.error, RecursionError, OverflowError) as error:
        return f"does not parse ({error})"
    try:
        return _risk(list(parsed), outer=None)
    except RecursionError:
        return "nests too deeply"


def _risk(items: list[Any], outer: str | None) -> str | None:
    """The first risky construct among parsed `items`; `outer` names the enclosing big
    repeat, if any."""
    for op, value in items:
        found: str | None = None
        if op in _REPEATS:
            _, high, inner = value
            body = list(inner)
            if high > 1 and outer is not None:
                return f"{outer} holds another repeat"
            if high > _SMALL_REPEAT:
                if any(kind is _c.BRANCH for kind, _ in body) or _has_branch(body):
                    return "a repeated group has alternatives"
                found = _risk(body, "a repeated group")
            else:
                found = _risk(body, outer)
        elif op is _c.SUBPATTERN:
            found = _risk(list(value[-1]), outer)
        elif op is _c.BRANCH:
            for branch in value[1]:
                found = found or _risk(list(branch), outer)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _risk(list(value[1]), outer)
        elif op is _c.GROUPREF_EXISTS:
            found = _risk(list(value[1]), outer) or (
                _risk(list(value[2]), outer) if value[2] is not None else None)
        if found:
            return found
    return None


def _has_branch(items: list[Any]) -> bool:
    """True when `items` hold alternatives, in a group at any depth (not in a repeat: that
    repeat is reported itself)."""
    for op, value in items:
        if op is _c.BRANCH:
            return True
        if op is _c.SUBPATTERN and _has_branch(list(value[-1])):
            return True
    return False
