"""CSV (or TSV): one row per turn.

Columns are found by header name (case-insensitive) unless options name them:

| option | default header names |
|---|---|
| ``id_column`` | conversation_id, conversation, transcript_id, call_id, chat_id, ticket_id, session_id, thread_id |
| ``speaker_column`` | speaker, role, speaker_role, sender, sender_type, author_type, participant, from, inbound |
| ``text_column`` | text, message, content, body, utterance, transcript |
| ``start_column`` | start, start_time, timestamp, time, created_at, offset, begin |
| ``end_column`` | end, end_time |
| ``name_column`` | name, speaker_name, author_name, sender_name |

Without an id column, rows of a Twitter-style export are threaded through
``in_response_to_tweet_id``; otherwise the whole file is one conversation. Speaker values
such as agent/rep/support, customer/caller/visitor, system/bot, or a boolean ``inbound``
column (true = customer) give the role; other values are labels mapped by the ``roles`` or
``agent`` options, or by the heuristic of `servicecoach.readers._roles`. Times may be
seconds, ``mm:ss``, ISO strings, epoch numbers or ``Tue Oct 31 22:10:47 +0000 2017``.
"""

from __future__ import annotations

import csv as _csv
import pickle
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from servicecoach.errors import InputError
from servicecoach.models import START_NAMES
from servicecoach.readers._common import BaseReader, Draft, stem
from servicecoach.readers._roles import ROLES
from servicecoach.readers._time import (
    clock_seconds,
    epoch_from_number,
    relative_seconds,
    to_epoch,
)
from servicecoach.readers.base import (
    InvalidUtf8,
    ReadResult,
    Source,
    first_line,
    not_utf8,
)

_CANDIDATES = {
    "id": ("conversation_id", "conversation", "transcript_id", "call_id", "chat_id", "ticket_id",
           "session_id", "thread_id"),
    "speaker": ("speaker", "role", "speaker_role", "sender", "sender_type", "author_type",
                "participant", "from", "inbound"),
    "text": ("text", "message", "content", "body", "utterance", "transcript"),
    "start": START_NAMES,
    "end": ("end", "end_time"),
    "name": ("name", "speaker_name", "author_name", "sender_name"),
}
_ROLE_WORDS = {
    "agent": ("agent", "rep", "representative", "advisor", "operator", "staff", "support",
              "company", "employee", "human_agent"),
    "customer": ("customer", "client", "caller", "user", "visitor", "consumer", "end_user",
                 "enduser", "contact"),
    "system": ("system", "bot", "ivr", "automated", "automated_agent", "virtual_agent"),
}
_ROLE_OF = {word: role for role, words in _ROLE_WORDS.items() for word in words}
_BOOLEAN = {"true": "customer", "1": "customer", "yes": "customer",
            "false": "agent", "0": "agent", "no": "agent"}
_THREAD = ("tweet_id", "in_response_to_tweet_id")
FIELD_LIMIT = 2**31 - 1
"""The csv module's cell size limit is raised to this (from 128 KB) before a file is read:
a long turn is a turn (scored on its first ``max_turn_chars`` characters). It is the
largest value every platform's C ``long`` holds."""


class CsvReader(BaseReader):
    """One row per turn, with conversation id, speaker, text and time columns."""

    name = "csv"
    description = "CSV/TSV, one row per turn (columns chosen by header or options)"
    extensions = (".csv", ".tsv")
    option_names = BaseReader.option_names | {
        f"{key}_column" for key in _CANDIDATES} | {"delimiter"}

    def sniff(self, source: Source, head: str) -> bool:
        header_line = first_line(head.lstrip("\ufeff"))  # a lone "\r" ends it too
        if header_line.lstrip().startswith(("{", "[", "<", "WEBVTT")):
            return False
        delimiter = self.options.get("delimiter") or _delimiter(header_line)
        header = {cell.strip().strip('"').lower() for cell in header_line.split(delimiter)}
        return len(header) > 1 and all(bool(header & self._names(key)) for key in ("text", "speaker"))

    def _names(self, key: str) -> set[str]:
        """The headers (lower case) that mark a CSV file's column: the known ones, and the
        one named in the options. A file with the known ones but not the one named is still
        read as CSV, where the column it lacks is an error naming its header, not 'cannot
        tell the input format'."""
        chosen = self.options.get(f"{key}_column")
        return set(_CANDIDATES[key]) | ({chosen.strip().lower()} if chosen is not None else set())

    def read(self, source: Source) -> Iterator[ReadResult]:
        """Conversations as the file is read: with an id column, a conversation is complete
        when its id stops appearing; a file that interleaves ids is spilled to a temporary
        file on disk first, so memory stays bounded either way."""
        if _csv.field_size_limit() < FIELD_LIMIT:
            _csv.field_size_limit(FIELD_LIMIT)
        first_line = next(iter(source.open_text()), ",")
        delimiter = self.options.get("delimiter") or _delimiter(first_line)
        lines = _Lines(source)
        rows = _csv.DictReader(lines, delimiter=delimiter)
        try:
            fieldnames = rows.fieldnames or []
        except _csv.Error as error:
            yield _unreadable(source, 1, error)
            return
        columns = self._columns(fieldnames)
        if (ambiguous := _ambiguous(columns, fieldnames)) is not None:
            yield InputError(ambiguous[0], source=source.name, location="line 1",
                             hint=ambiguous[1])
            return
        for key in _CANDIDATES:
            chosen = self.options.get(f"{key}_column")
            if chosen is not None and columns[key] is None:
                yield InputError(
                    f"no column {chosen!r} in the header ({key}_column)", source=source.name,
                    location="line 1", hint=f"the header has: {_header_shown(fieldnames)}")
                return
        for needed in ("speaker", "text"):
            if columns[needed] is None:
                yield InputError(
                    f"no {needed} column in the header", source=source.name, location="line 1",
                    hint=f"name it with --{needed}-column (found: {_header_shown(rows.fieldnames or [])})",
                )
                return
        id_column = columns["id"]
        threaded = id_column is None and all(c in fieldnames for c in _THREAD)
        if id_column is None:
            groups = _whole(_rows(rows, lines, source, columns["speaker"]), threaded, stem(source))
        elif _interleaved(source, delimiter, fieldnames.index(id_column)):
            groups = _spilled(_rows(rows, lines, source, columns["speaker"]), id_column)
        else:
            groups = _runs(_rows(rows, lines, source, columns["speaker"]), id_column)
        empty = True
        for group in groups:
            empty = False
            if isinstance(group, InputError):
                yield group
            else:
                key, numbered = group
                yield self._conversation(key or stem(source), numbered, columns, source,
                                         (fieldnames, delimiter))
        if empty:  # until 2026-12-07 "0 record(s) in all", exit 0, without a word
            yield InputError("the file holds its header and no row", source=source.name,
                             location="line 2", hint="check that the export finished, or "
                             "remove the file")

    def _columns(self, fieldnames: Sequence[str]) -> dict[str, str | None]:
        by_lower = {name.strip().lower(): name for name in fieldnames}
        columns: dict[str, str | None] = {}
        for key, candidates in _CANDIDATES.items():
            chosen = self.options.get(f"{key}_column")
            columns[key] = by_lower.get(chosen.strip().lower()) if chosen is not None else next(
                (by_lower[c] for c in candidates if c in by_lower), None)
        return columns

    def _conversation(
        self, key: str, rows: list[tuple[int, dict[str, Any]]], columns: dict[str, str | None],
        source: Source, layout: tuple[Sequence[str], str],
    ) -> ReadResult:
        # an ``inbound`` flag is the Customer Support on Twitter layout (twcs.csv): tweets
        draft = Draft(id=key, relative=True,
                      channel="social" if (columns["speaker"] or "").lower() == "inbound" else None)
        first_time: tuple[bool, str, int] | None = None
        """Whether the conversation's first time is a date or an epoch, it and its line."""
        # read() refuses a header without a speaker and a text column
        speaker_column, text_column = columns["speaker"] or "", columns["text"] or ""
        for line, row in rows:
            raw_speaker = (row.get(speaker_column) or "").strip()
            text = row.get(text_column)
            extra: list[str] | None = row.get(None)  # type: ignore[call-overload]
            if extra and text is not None:  # more cells than the header (DictReader's restkey)
                fieldnames, delimiter = layout
                if text_column != fieldnames[-1]:
                    return InputError(
                        f"{len(fieldnames) + len(extra)} cells where the header has "
                        f"{len(fieldnames)}", source=source.name, location=f"line {line}",
                        transcript_id=key, hint=f"quote a cell that holds {delimiter!r} "
                        '(a message: "Hello, how can I help?")')
                # the text, the last column, held the delimiter unquoted: it runs to the end
                text = delimiter.join((text, *extra))
            if not raw_speaker or text is None:
                field = speaker_column if not raw_speaker else text_column
                return InputError(f"empty {field!r}", source=source.name, location=f"line {line}",
                                  transcript_id=key)
            times = []
            for column in (columns["start"], columns["end"]):
                value = (row.get(column) or "").strip() if column else ""
                parsed = _time(value) if value else None
                if value and parsed is None:
                    return InputError(f"cannot read time {_time_shown(value)} in {column!r}",
                                      source=source.name, location=f"line {line}", transcript_id=key)
                times.append(parsed[0] if parsed else None)
                if parsed:
                    first_time = first_time or (parsed[1], value, line)
                    if parsed[1] is not first_time[0]:
                        return _mixed_times(first_time, value, column, source, line, key)
            lowered = raw_speaker.lower()
            role = _BOOLEAN.get(lowered) if speaker_column.lower() == "inbound" else _ROLE_OF.get(lowered)
            draft.add_turn(role, text.strip(), times[0], times[1], label=raw_speaker)
            name = row.get(columns["name"]) if columns["name"] else None
            if role in ("agent", "customer"):
                draft.name(f"{role}_name", name)
        draft.relative = first_time is None or not first_time[0]
        _keep_constant_columns(draft, rows, columns)
        return draft.finish(source, f"line {rows[0][0]}", self)


_NAME_CHARS, _NAME_WORDS, _SHOWN_CELLS = 30, 3, 20
"""A header cell an error shows: at most 30 characters and 3 words (a column name); of at
most the first 20 cells."""


_TIME_CHARS = 40
"""The longest time cell an error quotes."""


def _time_shown(value: str) -> str:
    """A time cell for an error: quoted when it is as short as a time, else shown by its
    length (a cell that holds a message, its columns shifted, is not written on stderr)."""
    return repr(value) if len(value) <= _TIME_CHARS else f"<{len(value):,} characters>"


def _header_shown(fieldnames: Sequence[str]) -> str:
    """The header's cells for an error's hint. A cell that reads as no column name (over
    `_NAME_CHARS` characters or `_NAME_WORDS` words) is shown by its length: in a file
    without a header row the first row, a turn, was written on stderr whole. Past
    `_SHOWN_CELLS` cells the rest are counted."""
    shown = [name if len(name) <= _NAME_CHARS and len(name.split()) <= _NAME_WORDS
             else f"<{len(name):,} characters>" for name in fieldnames[:_SHOWN_CELLS]]
    rest = len(fieldnames) - _SHOWN_CELLS
    return ", ".join(shown) + (f" and {rest:,} more" if rest > 0 else "")


def _ambiguous(columns: dict[str, str | None], fieldnames: Sequence[str]
               ) -> tuple[str, str] | None:
    """What is wrong, and how to fix it, when a column is read for two things (named for
    one by an option, found for another by its header) or the header names a column read
    twice (the csv module would read the last of them); None when neither."""
    read: dict[str, str] = {}
    for key, column in columns.items():
        if column is None:
            continue
        if column in read:
            what = f"column {column!r} is named for both {read[column]}_column and {key}_column"
            return what, ("name each with its own --KEY-column option (the header has: "
                          f"{_header_shown(fieldnames)})")
        read[column] = key
        places = [n for n, name in enumerate(fieldnames, start=1)
                  if name.strip().lower() == column.strip().lower()]
        if len(places) > 1:
            what = (f"the header has column {fieldnames[places[0] - 1]!r} twice (columns "
                    f"{' and '.join(map(str, places[:2]))})")
            return what, f"rename one of them: it is read as the {key} column"
    return None


_Numbered = list[tuple[int, dict[str, Any]]]
_Group = tuple[str, _Numbered] | InputError


def _keep_constant_columns(draft: Draft, rows: _Numbered, columns: dict[str, str | None]) -> None:
    """Columns the reader does not otherwise use (queue, team, agent_id...) whose value is
    the same on every row of the conversation become its metadata."""
    used = set(columns.values()) | set(_THREAD)
    for column in rows[0][1]:
        if column is None or column in used:
            continue
        values = {row.get(column) for _, row in rows}
        if len(values) == 1:
            draft.keep(column.strip(), values.pop())


def _runs(rows: Iterator[tuple[int, dict[str, Any] | InputError]], id_column: str) -> Iterator[_Group]:
    """Conversations of a file whose rows keep each id together, as soon as the id changes."""
    key: str | None = None
    numbered: _Numbered = []
    for line, row in rows:
        if isinstance(row, InputError):
            yield row
            continue
        row_key = (row.get(id_column) or "").strip()
        if row_key != key and numbered:
            yield key or "", numbered
            numbered = []
        key = row_key
        numbered.append((line, row))
    if numbered:
        yield key or "", numbered


SEEN_IN_MEMORY = 50_000
"""Ids the interleaving check keeps in memory; beyond, they move to a temporary file."""


class _SeenIds:
    """A set of ids that spills to a temporary SQLite file past `SEEN_IN_MEMORY` ids, so
    checking an export of millions of conversations takes bounded memory."""

    def __init__(self, folder: str) -> None:
        self._recent: set[str] = set()
        self._folder = folder
        self._store: sqlite3.Connection | None = None

    def add(self, key: str) -> None:
        self._recent.add(key)
        if len(self._recent) >= SEEN_IN_MEMORY:
            if self._store is None:
                self._store = sqlite3.connect(Path(self._folder) / "ids.db")
                self._store.execute("CREATE TABLE id (key TEXT PRIMARY KEY) WITHOUT ROWID")
            self._store.executemany("INSERT OR IGNORE INTO id VALUES (?)",
                                    ((k,) for k in self._recent))
            self._recent.clear()

    def __contains__(self, key: str) -> bool:
        if key in self._recent:
            return True
        return self._store is not None and self._store.execute(
            "SELECT 1 FROM id WHERE key = ?", (key,)).fetchone() is not None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _interleaved(source: Source, delimiter: str, id_index: int) -> bool:
    """True when an id comes back after other ids' rows (a first pass over the ids only)."""
    current: str | None = None
    reader = _csv.reader(_Lines(source), delimiter=delimiter)
    with tempfile.TemporaryDirectory(prefix="servicecoach-csv-") as folder:
        finished = _SeenIds(folder)
        try:
            next(reader, None)
            for cells in reader:
                key = cells[id_index].strip() if len(cells) > id_index else ""
                if key != current:
                    if key in finished:
                        return True
                    if current is not None:
                        finished.add(current)
                    current = key
        except _csv.Error:
            pass  # the reading pass locates the unreadable row
        finally:
            finished.close()
    return False


def _spilled(rows: Iterator[tuple[int, dict[str, Any] | InputError]], id_column: str) -> Iterator[_Group]:
    """Conversations of a file that interleaves ids, in order of first appearance: rows go
    to a temporary SQLite file and come back grouped (only the ids stay in memory)."""
    with tempfile.TemporaryDirectory(prefix="servicecoach-csv-") as folder:
        store = sqlite3.connect(Path(folder) / "rows.db")
        try:
            store.execute("CREATE TABLE row (conversation INTEGER, line INTEGER, data BLOB)")
            order: dict[str, int] = {}
            for line, row in rows:
                if isinstance(row, InputError):
                    yield row
                    continue
                key = (row.get(id_column) or "").strip()
                store.execute("INSERT INTO row VALUES (?, ?, ?)",
                              (order.setdefault(key, len(order)), line, pickle.dumps(row)))
            store.execute("CREATE INDEX by_conversation ON row (conversation, line)")
            keys = list(order)
            del order
            current, numbered = -1, list[tuple[int, dict[str, Any]]]()
            for conversation, line, data in store.execute(
                    "SELECT conversation, line, data FROM row ORDER BY conversation, line"):
                if conversation != current and numbered:
                    yield keys[current], numbered
                    numbered = []
                current = conversation
                numbered.append((line, pickle.loads(data)))  # our own rows, just written
            if numbered:
                yield keys[current], numbered
        finally:
            store.close()


def _whole(
    rows: Iterator[tuple[int, dict[str, Any] | InputError]], threaded: bool, name: str,
) -> Iterator[_Group]:
    """A file without an id column: one conversation, or Twitter-style threads."""
    conversations: dict[str, _Numbered] = {}
    parents: dict[str, str] = {}
    for line, row in rows:
        if isinstance(row, InputError):
            yield row
            continue
        if threaded:
            parents[row["tweet_id"]] = row.get("in_response_to_tweet_id") or ""
            key = row["tweet_id"]
        else:
            key = name
        conversations.setdefault(key, []).append((line, row))
    if threaded:
        conversations = _thread(conversations, parents)
    yield from conversations.items()


class _Lines:
    """A source's lines for the csv module, where a line that is not UTF-8 is read as an
    empty line and kept as an error (`take_errors`): one bad byte costs its row, and the
    rows after it are read."""

    def __init__(self, source: Source) -> None:
        self._source = source.name
        self._lines = source.checked_lines()
        self._number = 0
        self._errors: list[tuple[int, InputError]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._number += 1
        if isinstance(line, InvalidUtf8):
            self._errors.append((self._number, not_utf8(self._source, line,
                                                        f"line {self._number}")))
            return "\n"
        return line

    def take_errors(self) -> list[tuple[int, InputError]]:
        """The lines that were not UTF-8 since the last call, with their line numbers."""
        errors, self._errors = self._errors, []
        return errors


def _rows(
    rows: _csv.DictReader[str], lines: _Lines, source: Source, speaker_column: str | None = None,
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """(line, row) for every row, or (line, error) for a row the csv module cannot read,
    a line that is not UTF-8 (the rows after it are read), or a row whose quoted cell runs
    on over lines that read as rows of their own (a quote left open swallows the rows after
    it: they are named in the error, not merged into one message unseen)."""
    speakers = set(ROLES)
    while True:
        before = rows.line_num
        try:
            row = next(rows)
        except StopIteration:
            yield from lines.take_errors()
            return
        except _csv.Error as error:
            yield from lines.take_errors()
            yield before + 1, _unreadable(source, before + 1, error)
            continue
        yield from lines.take_errors()
        if speaker_column is not None and rows.line_num - before > 1:
            swallowed = _swallowed_rows(row, rows, speaker_column, speakers)
            if swallowed:
                yield before + 1, InputError(
                    f"a quoted cell runs on over {swallowed} line(s) that read as rows of "
                    f"their own (to line {rows.line_num})", source=source.name,
                    location=f"line {before + 1}",
                    hint="close the quote that opens on that line; the rows it swallowed are "
                    "not read")
                continue
        speaker = row.get(speaker_column) if speaker_column is not None else None
        if isinstance(speaker, str) and speaker.strip():
            speakers.add(speaker.strip().lower())
        yield rows.line_num, row


def _swallowed_rows(row: dict[str, Any], rows: _csv.DictReader[str], speaker_column: str,
                    speakers: set[str]) -> int:
    """How many lines inside the row's cells read as rows of the file: as many fields as
    the header, the speaker's field a speaker seen in the file (or a role name)."""
    names = list(rows.fieldnames or [])
    where = names.index(speaker_column)
    delimiter = rows.reader.dialect.delimiter
    count = 0
    for value in row.values():
        if not isinstance(value, str) or "\n" not in value:
            continue
        for line in value.split("\n")[1:]:
            cells = line.split(delimiter)
            if len(cells) == len(names) and cells[where].strip().strip('"').lower() in speakers:
                count += 1
    return count


def _mixed_times(first: tuple[bool, str, int], value: str, column: str | None, source: Source,
                 line: int, key: str) -> InputError:
    """The error for a time read the other way from the conversation's first: a date (or an
    epoch) beside clock times or offsets, which no one time line holds."""
    absolute, shown, at = first
    kinds = ("a clock time or offset", "a date or epoch")
    return InputError(
        f"time {_time_shown(value)} in {column!r} is {kinds[not absolute]}, but the "
        f"conversation's first time, {_time_shown(shown)} on line {at}, is {kinds[absolute]}",
        source=source.name, location=f"line {line}", transcript_id=key,
        hint="write every time of a conversation the same way: all dates, or all clock times "
             "or seconds from its start")


def _unreadable(source: Source, line: int, error: _csv.Error) -> InputError:
    return InputError(f"unreadable CSV row: {error}", source=source.name,
                      location=f"line {line}", hint="fix the quoting or the delimiter of that row")


def _delimiter(line: str) -> str:
    return max((",", ";", "\t", "|"), key=line.count)


def _time(value: str) -> tuple[float, bool] | None:
    """(seconds, is_absolute) for a time cell, or None when it cannot be read."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return (epoch_from_number(number), True) if number >= 1e9 else (number, False)
    try:
        return clock_seconds(value), False
    except ValueError:
        pass
    offset = relative_seconds(value)
    if offset is not None:
        return offset, False
    epoch = to_epoch(value)
    return (epoch, True) if epoch is not None else None


def _thread(
    conversations: dict[str, list[tuple[int, dict[str, Any]]]], parents: dict[str, str],
) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Group tweets by the earliest ancestor present in the file. Each tweet's ancestor is
    remembered for the tweets on its way up, so a long reply chain is walked once, not once
    from each of its tweets (a loop of replies, which no real export holds, stops where it
    closes and is not remembered)."""
    threads: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    roots: dict[str, str] = {}
    for tweet, rows in conversations.items():
        root, path = tweet, [tweet]
        seen = {tweet}
        while root not in roots and parents.get(root) in parents and parents[root] not in seen:
            root = parents[root]
            seen.add(root)
            path.append(root)
        looped = root not in roots and parents.get(root) in seen
        root = roots.get(root, root)
        if not looped:
            roots.update(dict.fromkeys(path, root))
        threads.setdefault(root, []).extend(rows)
    for rows in threads.values():
        rows.sort(key=lambda numbered: numbered[0])
    return threads


READER = CsvReader()
