""""Did you mean": the closest known name to a mistyped one (rule ids, options, formats)."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

CUTOFF = 70.0
"""Least similarity (0-100) at which a known name is offered."""


def closest(word: str, known: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The known name most like `word` (at least `cutoff` similar), or None when nothing
    is close enough."""
    found = process.extractOne(word, list(known), scorer=fuzz.ratio, score_cutoff=cutoff)
    return None if found is None else str(found[0])


def did_you_mean(word: str, known: Iterable[str], fallback: str = "") -> str:
    """A hint: ``did you mean 'x'?`` when a known name is close, else `fallback`."""
    match = closest(word, known)
    return f"did you mean {match!r}?" if match is not None else fallback

