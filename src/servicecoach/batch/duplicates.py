"""Warn when a transcript id comes back in one run: reports and baselines key on ids."""

from __future__ import annotations

import hashlib

from servicecoach.errors import quoted
from servicecoach.models import Source


def place(source: Source) -> str:
    """``file:record N`` (with the line when known), as warnings and errors name a record."""
    where = f"{source.file}: record {source.record}"
    return where + (f" (line {source.line})" if source.line is not None else "")


class DuplicateIds:
    """The ids seen so far in a run, with where each was first read. File names are
    stored once, and an id longer than `_KEPT` characters as its digest, so memory grows by
    at most about 100 bytes per transcript (ids of 500 KB were each kept whole: 800 such
    transcripts held 290 MB to the end of the run)."""

    def __init__(self) -> None:
        self._first: dict[str | bytes, tuple[int, int | None, int | None]] = {}
        self._files: dict[str, int] = {}
        self._names: list[str] = []

    def seen(self, transcript_id: str, source: Source) -> str | None:
        """The warning when `transcript_id` was already read (naming both places), else
        None; the id is remembered at its first place."""
        index = self._files.setdefault(source.file, len(self._names))
        if index == len(self._names):
            self._names.append(source.file)
        key = transcript_id if len(transcript_id) <= _KEPT else _digest(transcript_id)
        first = self._first.setdefault(key, (index, source.record, source.line))
        if first == (index, source.record, source.line):
            return None
        earlier = Source(file=self._names[first[0]], record=first[1], line=first[2])
        return (f"duplicate transcript id {quoted(transcript_id)}: {place(source)} repeats "
                f"{place(earlier)} (ids should be unique: reports and baselines key on them)")


_KEPT = 32
"""Characters of an id kept as it is; a longer one is kept as its digest (as long)."""


def _digest(transcript_id: str) -> bytes:
    """32 bytes that stand for a long id (BLAKE2b; ids that differ never share one in
    practice), its text encoded with lone surrogates escaped."""
    return hashlib.blake2b(transcript_id.encode("utf-8", "surrogatepass"), digest_size=32).digest()
