"""Warn when a transcript id comes back in one run: reports and baselines key on ids."""

from __future__ import annotations

from servicecoach.errors import quoted
from servicecoach.models import Source


def place(source: Source) -> str:
    """``file:record N`` (with the line when known), as warnings and errors name a record."""
    where = f"{source.file}: record {source.record}"
    return where + (f" (line {source.line})" if source.line is not None else "")


class DuplicateIds:
    """The ids seen so far in a run, with where each was first read. File names are
    stored once, so memory grows by about one id per transcript."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[int, int | None, int | None]] = {}
        self._files: dict[str, int] = {}
        self._names: list[str] = []

    def seen(self, transcript_id: str, source: Source) -> str | None:
        """The warning when `transcript_id` was already read (naming both places), else
        None; the id is remembered at its first place."""
        index = self._files.setdefault(source.file, len(self._names))
        if index == len(self._names):
            self._names.append(source.file)
        first = self._first.setdefault(transcript_id, (index, source.record, source.line))
        if first == (index, source.record, source.line):
            return None
        earlier = Source(file=self._names[first[0]], record=first[1], line=first[2])
        return (f"duplicate transcript id {quoted(transcript_id)}: {place(source)} repeats "
                f"{place(earlier)} (ids should be unique: reports and baselines key on them)")
