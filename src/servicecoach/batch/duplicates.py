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
    """The ids seen so far in a run, with where each was first read, in about 110 bytes a
    transcript: each id as a 64-bit digest and its first place as one number (the file's
    index in a list of the run's files, the record and the line). Ids of 500 KB were each
    kept whole (800 such transcripts held 290 MB to the end of the run); short ids kept as
    strings with their place as a tuple took 215 bytes a transcript, 65 MB over the 330,000
    conversations of a 1,000,000-turn stream (docs/performance.md)."""

    def __init__(self) -> None:
        self._first: dict[int, int] = {}
        self._files: dict[str, int] = {}
        self._names: list[str] = []

    def seen(self, transcript_id: str, source: Source) -> str | None:
        """The warning when `transcript_id` was already read (naming both places), else
        None; the id is remembered at its first place."""
        earlier = self.earlier(transcript_id, source)
        if earlier is None:
            return None
        return (f"duplicate transcript id {quoted(transcript_id)}: {place(source)} repeats "
                f"{place(earlier)} (ids should be unique: reports and baselines key on them)")

    def earlier(self, transcript_id: str, source: Source) -> Source | None:
        """Where `transcript_id` was first read, when it was read before `source`; None
        (and the id remembered at `source`) when not."""
        index = self._files.setdefault(source.file, len(self._names))
        if index == len(self._names):
            self._names.append(source.file)
        here = _packed(index, source.record, source.line)
        first = self._first.setdefault(_digest(transcript_id), here)
        if first == here:
            return None
        file_index, record, line = _unpacked(first)
        return Source(file=self._names[file_index], record=record, line=line)


def _digest(transcript_id: str) -> int:
    """64 bits that stand for an id (BLAKE2b), its text encoded with lone surrogates
    escaped. Two ids of a run of ten million share one with odds of about one in 400,000,
    and then the later is warned of as a duplicate, never left out."""
    digest = hashlib.blake2b(transcript_id.encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


_FIELD = 1 << 48
"""The bound of each number a place packs (a file's index, a record, a line plus one)."""


def _packed(file_index: int, record: int | None, line: int | None) -> int:
    """One number for a place; a record or line that is not given counts as 0."""
    return (file_index * _FIELD + (record or 0)) * _FIELD + (0 if line is None else line + 1)


def _unpacked(packed: int) -> tuple[int, int | None, int | None]:
    """The file index, record and line `_packed` made the number of."""
    rest, line = divmod(packed, _FIELD)
    file_index, record = divmod(rest, _FIELD)
    return file_index, record or None, line - 1 if line else None
