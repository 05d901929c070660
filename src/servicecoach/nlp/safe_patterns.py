"""Token patterns that spaCy's `Matcher` runs in bounded time per token of a turn.

The matcher keeps one partial match per way of reaching a pattern position. A repeat
without bound (``OP: "*"`` or ``"+"``) lets a partial match started at every token run to
the end of the turn, so one wildcard between two words takes time quadratic in the turn's
length, two take cubic time (a pack rule ``[{LOWER: a}, {OP: "*"}, {OP: "*"}, {LOWER: c}]``
took 146 s on 2,000 tokens of "a"). Bounded repeats (``"{0,6}"``) and optional tokens
(``"?"``) keep it linear, but each optional slot multiplies the ways of reaching a position:
two ``"{0,8}"`` in a row took 7 ms a token. So a pattern's repeats are bounded and its
optional slots counted (docs/security.md gives the measurements).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

MAX_REPEAT = 8
"""The most times one pattern token may repeat (``"{0,8}"``)."""
MAX_OPTIONAL_TOKENS = 8
"""The most optional token slots one pattern may have: each ``"?"`` counts one, each
``"{n,m}"`` counts m - n."""
_RANGE = re.compile(r"\{(\d*)(,?)(\d*)\}")


class UnsafePatternError(ValueError):
    """A token pattern the matcher could take more than linear time (or too long) on."""


def repeat_bounds(operator: str | None) -> tuple[int, int | None]:
    """How many tokens a pattern token with this ``OP`` matches: (least, most), most None
    when unbounded. ``"!"`` (the token must not be there) matches none.

    Raises `UnsafePatternError` for an operator spaCy does not know.
    """
    fixed = {None: (1, 1), "1": (1, 1), "!": (0, 0), "?": (0, 1), "*": (0, None),
             "+": (1, None)}
    if operator in fixed:
        return fixed[operator]
    found = _RANGE.fullmatch(operator or "")
    if found is None or not (found[1] or found[3]):
        raise UnsafePatternError(f"unknown OP {operator!r}")
    least = int(found[1] or 0)
    if not found[2]:
        return least, least
    return least, int(found[3]) if found[3] else None


def check_token_pattern(pattern: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a pattern with an unbounded repeat, a repeat over `MAX_REPEAT`, or more than
    `MAX_OPTIONAL_TOKENS` optional slots; the message says how to fix it."""
    optional = 0
    for token in pattern:
        operator = token.get("OP")
        least, most = repeat_bounds(operator)
        if most is None:
            raise UnsafePatternError(
                f"OP {operator!r} repeats without bound, which the matcher reads in quadratic "
                f"time or worse; give a bound such as \"{{{least},6}}\" (at most {MAX_REPEAT})")
        if most > MAX_REPEAT:
            raise UnsafePatternError(
                f"OP {operator!r} repeats more than {MAX_REPEAT} times (limit {MAX_REPEAT})")
        optional += most - least
    if optional > MAX_OPTIONAL_TOKENS:
        raise UnsafePatternError(
            f"has {optional} optional token slots (limit {MAX_OPTIONAL_TOKENS}: each \"?\" "
            f"counts one, each \"{{n,m}}\" m - n); split it into several patterns")
