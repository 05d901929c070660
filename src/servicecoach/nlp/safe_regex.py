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
from dataclasses import dataclass
from functools import lru_cache
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
_ATOMIC_GROUP = getattr(_c, "ATOMIC_GROUP", None)
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


#: How many compiled expressions `compile_safe` keeps (the core pack has about 2,100).
COMPILED_KEPT = 4096


@lru_cache(maxsize=COMPILED_KEPT)
def compile_safe(source: str) -> Pattern:
    """`source` compiled on RE2, or on `re` when RE2 cannot compile it and it is safe.

    An expression RE2 compiles runs on RE2 in RE2's syntax (so ``\\p{Greek}`` works) and is
    not compiled on `re` as well, which took a tenth of a second of a `Coach`'s start-up
    for the core pack; only RE2's ``\\C`` (one byte, part of a character) is refused.

    Raises `UnsafeRegexError` saying why it is refused. An expression is compiled and
    checked once per process: the rule schema checks it when a pack is read and the matcher
    compiles it when a `Coach` is built, and both get the same (immutable) pattern; without
    that, a `Coach` spent 1.1 of its 2.3 s of start-up compiling the core pack's
    expressions a second time (docs/performance.md).
    """
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafeRegexError(f"is {len(source)} characters long (limit {MAX_PATTERN_LENGTH})")
    _refuse_warned(source)
    refused_by_re2 = ""
    try:
        on_re2 = re2.compile(source, _OPTIONS)
    except re2.error as error:
        refused_by_re2 = str(error)
    else:
        if _has_any_byte(source):
            raise UnsafeRegexError(
                "has '\\C' (any one byte on RE2), which can match part of a character: "
                "write '.' for any character")
        brace = _python_only_repeat(source)
        if brace:
            raise UnsafeRegexError(
                f"{brace!r} is a repeat on Python's re but the text {brace!r} on RE2, which "
                f"runs this expression: write {'{0' + brace[1:]!r} (or escape the brace)")
        return on_re2  # type: ignore[no-any-return]
    try:
        compiled = re.compile(source)
    except (re.error, RecursionError, OverflowError) as error:
        raise UnsafeRegexError(f"does not compile: {error}") from None
    risk = backtracking_risk(source)
    if risk:
        raise UnsafeRegexError(
            f"{risk}, which can take exponential time on Python's regex engine; RE2, which "
            f"cannot, does not run it ({_why_not_re2(refused_by_re2)})")
    return compiled


def _why_not_re2(refusal: str) -> str:
    """Why RE2 did not compile an expression, as a pack's author can act on it: a repeat
    count past RE2's limit (nested counts multiply: ``(?:a{100}){100}``) was said to be
    look-around, a back-reference or a flag, which the expression need not hold."""
    if "invalid repetition size" in refusal or "bad repetition operator" in refusal:
        return ("its repeat counts, multiplied where repeats nest, pass RE2's limit of 1,000: "
                "lower them")
    return "it uses look-around, a back-reference or a flag"


_OPEN_LOW_REPEAT = re.compile(r"\{,\d*\}")


def _python_only_repeat(source: str) -> str | None:
    """The first ``{,n}`` (or ``{,}``) outside a set and not escaped in `source`: Python's
    re reads it as ``{0,n}``, RE2 as the five characters."""
    if "{," not in source:  # the scan below, at a tenth of its cost for most expressions
        return None
    at, end = 0, len(source)
    while at < end:
        char = source[at]
        if char == "\\":
            at += 2
        elif char == "[":  # a set: no repeat inside (`_refuse_warned` went first)
            at = _set_warning(source, _set_items(source, at))[1]
        elif char == "{" and (found := _OPEN_LOW_REPEAT.match(source, at)):
            return found.group()
        else:
            at += 1
    return None


def _has_any_byte(source: str) -> bool:
    """True when `source` has RE2's ``\\C`` (any one byte) outside a set (inside one, RE2
    refuses it)."""
    if "\\C" not in source:
        return False
    at, end = 0, len(source)
    while at < end:
        if source[at] == "\\":
            if source.startswith("C", at + 1):
                return True
            at += 2
        else:
            at += 1
    return False


def check_token_regex(source: str) -> None:
    """Refuse a token pattern's ``REGEX`` that could backtrack catastrophically (spaCy runs
    it on `re`)."""
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafeRegexError(f"is {len(source)} characters long (limit {MAX_PATTERN_LENGTH})")
    _refuse_warned(source)
    try:
        re.compile(source)
    except (re.error, RecursionError, OverflowError) as error:
        raise UnsafeRegexError(f"does not compile: {error}") from None
    risk = backtracking_risk(source)
    if risk:
        raise UnsafeRegexError(f"{risk}, which can take exponential time")


def _refuse_warned(source: str) -> None:
    """Refuse a set Python's `re` warns about: ``[[`` ("Possible nested set",
    ``[[:alpha:]]``, a POSIX class on RE2) and a doubled ``-``, ``&``, ``~`` or ``|`` inside
    a set ("Possible set difference", ``[a--z]``), which later Pythons read as set
    operations. The warning went to stderr. Found by reading the expression as `re`'s
    parser does, not by catching the warning (which is process-wide, so another thread's
    warning could be taken for this one's)."""
    found = _warned_set(source)
    if found is not None:
        raise UnsafeRegexError(
            f"has {found[0]!r} in a set at position {found[1]}, which Python's re warns about "
            "(a POSIX class on RE2, a set operation in later Pythons): escape it "
            "('\\[', '\\-', '\\&', '\\~', '\\|') or write the characters out ('[a-z]' for "
            "'[:alpha:]')")


def _warned_set(source: str) -> tuple[str, int] | None:
    """The first ``[[`` opening a set, or doubled ``-&~|`` in one, and its position (None
    when there is none), read as `re`'s parser reads a set: items, each maybe the start of
    a range (``a-z``); a doubled character that starts an item after the first, or a range
    that ends in ``-``, is what it warns about."""
    if "[[" not in source and not any(char * 2 in source for char in "-&~|"):
        return None  # none of them can be there: the scan would find nothing
    position, length = 0, len(source)
    while position < length:
        char = source[position]
        if char == "\\":
            position += 2
        elif char != "[":
            position += 1
        elif source.startswith("[", position + 1):
            return "[[", position
        else:
            found, position = _set_warning(source, _set_items(source, position))
            if found is not None:
                return found
    return None


def _set_items(source: str, position: int) -> int:
    """Where the items of the set opened at `position` start (after a ``^``)."""
    return position + (2 if source.startswith("^", position + 1) else 1)


def _set_warning(source: str, position: int) -> tuple[tuple[str, int] | None, int]:
    """The warned-about doubled character in the set whose items start at `position`, and
    where the set ends."""
    length, empty = len(source), True
    while position < length:
        char = source[position]
        if char == "]" and not empty:
            return None, position + 1
        if char == "\\":
            position += 2
        elif not empty and char in "-&~|" and source.startswith(char, position + 1):
            return (char * 2, position), position
        else:
            position += 1
        empty = False
        if source.startswith("-", position) and not source.startswith("-]", position):
            if source.startswith("--", position):
                return ("--", position), position
            position += 3 if source.startswith("-\\", position) else 2
    return None, position


def backtracking_risk(source: str) -> str | None:
    """What in `source` can backtrack catastrophically on `re`, or None."""
    try:
        parsed = _parser.parse(source)
    except (re.error, RecursionError, OverflowError) as error:
        return f"does not parse ({error})"
    try:
        items = _plain(list(parsed))
        return _risk(items, outer=None) or _copies_risk(items, 1) or _adjacent_risk(items)
    except RecursionError:
        return "nests too deeply"


def _plain(items: list[Any]) -> list[Any]:
    """Parsed `items` with each atomic group (``(?>...)``) read as a plain group and each
    conditional (``(?(1)yes|no)``) as alternatives, at any depth, for the checks below.

    An atomic group backtracks inside as a plain group does until it first matches
    (``(?>(a+)+b)`` took 23 s on 28 characters), and a conditional runs one of its
    branches, as alternatives do: reading them so never misses a risk the checks know."""
    plain: list[Any] = []
    for op, value in items:
        if op in _REPEATS:
            plain.append((op, (value[0], value[1], _plain(list(value[2])))))
        elif op is _c.SUBPATTERN:
            plain.append((op, (*value[:-1], _plain(list(value[-1])))))
        elif op is _ATOMIC_GROUP:
            plain.append((_c.SUBPATTERN, (None, 0, 0, _plain(list(value)))))
        elif op is _c.BRANCH:
            plain.append((op, (value[0], [_plain(list(branch)) for branch in value[1]])))
        elif op is _c.GROUPREF_EXISTS:
            no = _plain(list(value[2])) if value[2] is not None else []
            plain.append((_c.BRANCH, (None, [_plain(list(value[1])), no])))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            plain.append((op, (value[0], _plain(list(value[1])))))
        else:
            plain.append((op, value))
    return plain


def _risk(items: list[Any], outer: str | None) -> str | None:
    """The first risky construct among parsed `items`; `outer` names the enclosing big
    repeat, if any."""
    for op, value in items:
        found: str | None = None
        if op in _REPEATS:
            low, high, inner = value
            body = list(inner)
            if outer is not None and (high > 1 or low != high):
                return f"{outer} holds another repeat or an optional part"
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
        if found:
            return found
    return None


_LARGE_REPEAT = 100
"""A repeat that may take more than this many steps is large: two large ones side by side
over the same characters (``\\w*\\s*\\w*``: the middle one may match nothing) split a run
of text between them in a number of ways that grows with its length."""


def _copies_risk(items: list[Any], copies: int) -> str | None:
    """A variable repeat nested in small repeats (``((a*){2}){2}``): each level multiplies
    the copies of it that can share a run of text (two are allowed, as in
    ``(?:\\w+ ){0,2}``)."""
    for op, value in items:
        if op in _REPEATS:
            low, high, inner = value
            if low != high and copies > _SMALL_REPEAT:
                return f"a repeat is nested in repeats that copy it {copies} times"
            found = _copies_risk(list(inner), copies * max(high, 1))
        elif op is _c.SUBPATTERN:
            found = _copies_risk(list(value[-1]), copies)
        elif op is _c.BRANCH:
            found = next((f for b in value[1] if (f := _copies_risk(list(b), copies))), None)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _copies_risk(list(value[1]), copies)
        else:
            found = None
        if found:
            return found
    return None


_ADJACENT = ("two long repeats over the same characters follow each other with nothing between "
             "them that only one of them can match")


def _adjacent_risk(items: list[Any]) -> str | None:
    """Two large variable repeats that can match the same characters, with nothing between
    them that only one of them can match, in any sequence of `items` (at any depth): parts
    that may match nothing, or characters both repeats read (``\\w+a\\w+a\\w+!`` splits a
    run of "a" in as many ways as it has letters, for each "a" between repeats)."""
    open_large: list[CharSet | None] = []  # the characters of the open large repeats
    for op, value in items:
        if op in _REPEATS:
            low, high, inner = value
            found = _adjacent_risk(list(inner))
            if found:
                return found
            if low != high and high > _LARGE_REPEAT:
                chars = _chars(list(inner))
                if any(_overlap(chars, other) for other in open_large):
                    return _ADJACENT
                open_large.append(chars)
                continue
            if low > 0 and not _may_be_empty(list(inner)):
                open_large = _still_open(open_large, _chars(list(inner)))
        elif op in (_c.SUBPATTERN, _c.BRANCH):  # a group is alternatives of one
            bodies = [list(value[-1])] if op is _c.SUBPATTERN else [list(b) for b in value[1]]
            ends: list[CharSet | None] = []
            for body in bodies:
                found = _adjacent_risk(body)
                if found:
                    return found
                starts, first = _large_at(body)
                if starts and any(_overlap(first, other) for other in open_large):
                    return _ADJACENT
                ends_large, last = _large_at(body, from_end=True)
                if ends_large:
                    ends.append(last)
            # an alternative that may match nothing leaves the repeats before it open
            open_large = [*open_large, *ends] if any(map(_may_be_empty, bodies)) else ends
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _adjacent_risk(list(value[1]))
            if found:
                return found
        elif op is not _c.AT:
            open_large = _still_open(open_large, _chars([(op, value)]))
    return None


def _still_open(open_large: list[CharSet | None], required: CharSet | None
                ) -> list[CharSet | None]:
    """The open repeats a required character (`required`) leaves open: those that can match
    it (``\\w+a\\w+``: each "a" of a run of them splits it another way); it ends the others."""
    return [other for other in open_large if _overlap(required, other)]


_CATEGORIES = {_c.CATEGORY_WORD: r"\w", _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_SPACE: r"\s"}
"""The classes a set of characters may name, as `CharSet` writes them."""
_DISJOINT_CLASSES = frozenset({frozenset({r"\w", r"\s"}), frozenset({r"\d", r"\s"})})


@dataclass(frozen=True)
class CharSet:
    r"""What one character of a pattern can be: any of `atoms` (characters, and the classes
    ``\w``, ``\d``, ``\s`` written so), or with `negated` any character but those."""

    atoms: frozenset[str]
    negated: bool = False

    def overlaps(self, other: CharSet) -> bool:
        """Whether some character can be read by both."""
        if self.negated and other.negated:
            return True
        if self.negated or other.negated:
            kept, left_out = (other, self) if self.negated else (self, other)
            return not all(_covered(atom, left_out.atoms) for atom in kept.atoms)
        return any(_atoms_overlap(a, b) for a in self.atoms for b in other.atoms)


def _covered(atom: str, atoms: frozenset[str]) -> bool:
    """Whether everything `atom` reads is among `atoms` (a character listed or in a class
    listed, a class listed)."""
    if atom in atoms:
        return True
    return len(atom) == 1 and any(len(other) > 1 and re.fullmatch(other, atom) for other in atoms)


def _chars(items: list[Any]) -> CharSet | None:
    """What a repeat's body (or one item) can match, when it is one character, a set of
    characters and classes or such a set negated; None when it may be more (any character,
    a longer body)."""
    if len(items) != 1:
        return None
    op, value = items[0]
    if op is _c.LITERAL:
        return CharSet(frozenset(chr(value)))
    if op is _c.NOT_LITERAL:
        return CharSet(frozenset(chr(value)), negated=True)
    if op is not _c.IN:
        return None
    found: set[str] = set()
    negated = False
    for kind, item in value:
        if kind is _c.NEGATE:
            negated = True
        elif kind is _c.LITERAL:
            found.add(chr(item))
        elif kind is _c.RANGE and item[1] - item[0] < 128:
            found.update(chr(code) for code in range(item[0], item[1] + 1))
        elif kind is _c.CATEGORY and item in _CATEGORIES:
            found.add(_CATEGORIES[item])
        else:
            return None
    return CharSet(frozenset(found), negated)


def _overlap(one: CharSet | None, other: CharSet | None) -> bool:
    """True unless both are known and no character can be read by both."""
    return one is None or other is None or one.overlaps(other)


def _atoms_overlap(one: str, other: str) -> bool:
    """Whether a character or class of a `CharSet` can match what another can."""
    if len(one) == 1 and len(other) == 1:
        return one.casefold() == other.casefold()
    if len(one) == 1 or len(other) == 1:
        char, named = (one, other) if len(one) == 1 else (other, one)
        return re.fullmatch(named, char) is not None
    return one == other or frozenset({one, other}) not in _DISJOINT_CLASSES


def _large_at(items: list[Any], *, from_end: bool = False) -> tuple[bool, CharSet | None]:
    """Whether `items` begin (or end, `from_end`) with a large variable repeat (after parts
    that may be empty), in one of their alternatives, and the characters it can match
    (None: any)."""
    for op, value in reversed(items) if from_end else items:
        if op in _REPEATS and value[0] != value[1] and value[1] > _LARGE_REPEAT:
            return True, _chars(list(value[2]))
        if op is _c.SUBPATTERN:
            found = _large_at(list(value[-1]), from_end=from_end)
            if found[0]:
                return found
        if op is _c.BRANCH:
            found_in = [_large_at(list(b), from_end=from_end) for b in value[1]]
            chars = [c for starts, c in found_in if starts]
            if chars:
                known = [c for c in chars if c is not None and not c.negated]
                if len(known) < len(chars):
                    return True, None
                return True, CharSet(frozenset().union(*(c.atoms for c in known)))
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) or _may_be_empty([(op, value)]):
            continue
        return False, None
    return False, None


def _may_be_empty(items: list[Any]) -> bool:
    """True when `items` can match the empty string (as far as a quick look tells)."""
    for op, value in items:
        if op in _REPEATS:
            if value[0] > 0 and not _may_be_empty(list(value[2])):
                return False
        elif op is _c.SUBPATTERN:
            if not _may_be_empty(list(value[-1])):
                return False
        elif op is _c.BRANCH:
            if not any(_may_be_empty(list(branch)) for branch in value[1]):
                return False
        elif op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return False
    return True


def _has_branch(items: list[Any]) -> bool:
    """True when `items` hold alternatives, in a group at any depth (not in a repeat: that
    repeat is reported itself)."""
    for op, value in items:
        if op is _c.BRANCH:
            return True
        if op is _c.SUBPATTERN and _has_branch(list(value[-1])):
            return True
    return False
