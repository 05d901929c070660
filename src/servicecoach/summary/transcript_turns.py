"""The turns of the transcripts of ``summarize --html --transcripts``, by transcript id, kept
in a private temporary SQLite database rather than in memory: the page needs a
conversation's turns only when its report comes, in whatever order the results have, and a
dictionary of every transcript's turns held a run of a million turns in memory (gigabytes).
SQLite keeps at most its page cache (a few MB) in memory and the rest on disk, deleted when
the store is closed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from servicecoach.errors import ServiceCoachError
from servicecoach.models import Speaker, Turn

CACHE_KIB = 8 << 10
"""The most memory SQLite's page cache takes (KiB): past it, the turns wait on disk."""


class TurnStore:
    """Transcripts' turns by id: `add` keeps the first transcript of an id (False for a
    later one), `get` gives back the turns (speaker and text, what the page shows). Use it
    in a ``with`` block, which closes it (and removes the database) however the block ends;
    a database error (a full disk) is a `ServiceCoachError` saying where the turns wait."""

    def __init__(self) -> None:
        with _told():
            # "": a private database on disk, in memory up to its cache, removed on close
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("CREATE TABLE turns (id TEXT PRIMARY KEY, turns TEXT NOT NULL)")
            self._db.execute("BEGIN")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def add(self, transcript_id: str, turns: Sequence[Turn]) -> bool:
        """Keep `turns` for `transcript_id`; False (and nothing kept) when the id was kept
        before."""
        text = json.dumps([[t.speaker.value, t.text] for t in turns], ensure_ascii=False)
        with _told():
            added = self._db.execute("INSERT OR IGNORE INTO turns VALUES (?, ?)",
                                     (transcript_id, text))
        return added.rowcount == 1

    def get(self, transcript_id: str) -> tuple[Turn, ...] | None:
        """The turns kept for `transcript_id`, or None."""
        with _told():
            row = self._db.execute("SELECT turns FROM turns WHERE id = ?",
                                   (transcript_id,)).fetchone()
        if row is None:
            return None
        return tuple(Turn.model_construct(speaker=Speaker(speaker), text=text)
                     for speaker, text in json.loads(row[0]))

    def close(self) -> None:
        """Close the database, which removes it."""
        self._db.close()


@contextmanager
def _told() -> Iterator[None]:
    """A database error within the block as a `ServiceCoachError` that says what the
    database is for and how to make room for it."""
    try:
        yield
    except sqlite3.Error as error:
        raise ServiceCoachError(
            f"cannot keep the turns of --transcripts in a temporary database: {error}",
            where="the temporary folder (TMPDIR)",
            hint="free space there, or point TMPDIR at a folder with room for the "
                 "transcripts' text") from None
