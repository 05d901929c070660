"""ETL streams: records as a warehouse loader writes them, one JSON object per line.

- The loader's wrapper (see `_etl_shape`), e.g. Airbyte's
  ``{"stream": "conversation_parts", "data": {...}, "emitted_at": ...}``, is taken off and
  the records inside are read by the reader of their format (found per stream, from its
  first record, as for a file): a stream of Intercom conversations, of Genesys transcripts,
  of canonical transcripts... Streams whose records are no conversation (admins, tags) are
  skipped as metadata only, one report per stream.
- Part-per-row streams are grouped into one transcript per conversation, in time order,
  however their rows are interleaved: Intercom conversation parts by ``conversation_id``
  (the ``conversations`` stream's record of the same id gives the first message), Zendesk
  ticket comments and audits by ``ticket_id`` (the ``tickets`` stream's record gives the
  requester, who is the customer; the ``admins``/``teams`` streams name transfer targets).
  The Intercom and Zendesk readers map them, so bot parts are system turns and HTML
  becomes text as in those exports.

A line that is not JSON, or a wrapper without an object inside, is reported with its line
number and the rest of the file is read; errors from the records inside name the line too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from servicecoach.errors import InputError, MetadataOnly
from servicecoach.readers._common import BaseReader
from servicecoach.readers._etl_shape import (
    INTERCOM_PART,
    ZENDESK_AUDIT,
    ZENDESK_COMMENT,
    looks_like_etl,
    row_kind,
    unwrap,
)
from servicecoach.readers._time import to_epoch
from servicecoach.readers.base import (
    Configurable,
    InvalidUtf8,
    Reader,
    ReadResult,
    Source,
    json_hint,
    json_loads,
    not_utf8,
    noted,
)
from servicecoach.readers.intercom import IntercomReader
from servicecoach.readers.zendesk import ZendeskReader


@dataclass(frozen=True)
class _Row:
    """One record of the file: its line, its stream (None without a wrapper), its data."""

    line: int
    stream: str | None
    data: Any


class EtlReader(BaseReader):
    """Loader-wrapped records (Airbyte) and part-per-row streams (Intercom, Zendesk)."""

    name = "etl"
    description = ("ETL streams: Airbyte-style {stream, data, emitted_at} lines; Intercom "
                   "conversation parts and Zendesk ticket comments one per row")
    extensions = (".jsonl", ".ndjson", ".json")

    def sniff(self, source: Source, head: str) -> bool:
        return looks_like_etl(head)

    def read(self, source: Source) -> Iterator[ReadResult]:
        """Transcripts and errors, in the order of each conversation's first line."""
        results: list[tuple[int, ReadResult]] = []
        rows: list[_Row] = []
        for number, line in enumerate(source.checked_lines(), start=1):
            if isinstance(line, InvalidUtf8):  # that row only: the next lines are read
                results.append((number, not_utf8(source.name, line, f"line {number}")))
            elif line.strip():
                row = _row(number, line, source)
                if isinstance(row, InputError):
                    results.append((number, row))
                elif row is not None:
                    rows.append(row)
        results += self._grouped(rows, source)
        results.sort(key=lambda pair: pair[0])  # stable: a group's results keep their order
        yield from (result for _, result in results)

    def _grouped(self, rows: list[_Row], source: Source) -> list[tuple[int, ReadResult]]:
        parts: dict[str, list[_Row]] = {}
        tickets: dict[str, list[_Row]] = {}
        others: list[_Row] = []
        for row in rows:
            kind = row_kind(row.data)
            if kind == INTERCOM_PART:
                parts.setdefault(str(row.data["conversation_id"]), []).append(row)
            elif kind in (ZENDESK_COMMENT, ZENDESK_AUDIT):
                tickets.setdefault(str(row.data["ticket_id"]), []).append(row)
            else:
                others.append(row)
        conversations: dict[str, _Row] = {}
        ticket_records: dict[str, _Row] = {}
        streams: dict[str | None, list[_Row]] = {}
        for row in others:
            key = str(row.data.get("id"))
            if row.data.get("type") == "conversation" and key in parts:
                conversations[key] = row  # the first message of parts in this file
            elif "requester_id" in row.data and key in tickets:
                ticket_records[key] = row
            else:
                streams.setdefault(row.stream, []).append(row)
        names = {str(row.data["id"]): row.data["name"] for row in others  # admins, teams
                 if row.data.get("type") in ("admin", "team") and row.data.get("id") is not None
                 and isinstance(row.data.get("name"), str)}
        intercom, zendesk = IntercomReader(**self._given()), ZendeskReader(**self._given())
        results = [_safely(partial(_intercom, intercom, key, group, conversations.get(key),
                                   names, source), group, source)
                   for key, group in parts.items()]
        results += [_safely(partial(_zendesk, zendesk, key, group, ticket_records.get(key),
                                    source), group, source)
                    for key, group in tickets.items()]
        for stream, group in streams.items():
            results += self._records(stream, group, source)
        return results

    def _records(
        self, stream: str | None, rows: list[_Row], source: Source,
    ) -> list[tuple[int, ReadResult]]:
        from servicecoach.readers.registry import detect  # registry loads this module

        lines = f"line {rows[0].line}" + (f" to {rows[-1].line}" if len(rows) > 1 else "")
        named = f"stream {stream!r}" if stream else "records"
        try:
            reader = self._with_options(detect(_record_source(source, rows[0].data)))
        except InputError:
            return [(rows[0].line, MetadataOnly(
                f"{named}: {len(rows)} record(s) ({lines}) hold no conversation in a format "
                "servicecoach reads; skipped", source=source.name, location=f"line {rows[0].line}",
                hint="only streams of conversations are read"))]
        return [(row.line, _relocated(result, row.line))
                for row in rows for result in reader.read(_record_source(source, row.data))]

    def _given(self) -> dict[str, Any]:
        """The options the user gave (``roles``, ``agent``), for the readers of the records."""
        return {key: value for key, value in self.options.items() if value}

    def _with_options(self, reader: Reader) -> Reader:
        """`reader` with this reader's ``roles``/``agent`` options, when it takes options."""
        given = self._given()
        return reader.configure(**given) if given and isinstance(reader, Configurable) else reader


def _intercom(
    reader: IntercomReader, key: str, parts: list[_Row], conversation: _Row | None,
    names: dict[str, str], source: Source,
) -> tuple[int, ReadResult]:
    """(first line, transcript) of one Intercom conversation's parts."""
    ordered = _in_time_order(parts)
    first = conversation.data if conversation else {}
    record = {"id": key, "created_at": first.get("created_at"), "source": first.get("source"),
              "conversation_parts": {"conversation_parts": [row.data for row in ordered]}}
    locations = [f"line {conversation.line}" if conversation else "source",
                 *(f"line {row.line}" for row in ordered)]
    line = min(row.line for row in [*parts, *([conversation] if conversation else [])])
    return line, reader.conversation(record, source, f"line {line}", locations, names)


def _zendesk(
    reader: ZendeskReader, key: str, rows: list[_Row], ticket: _Row | None, source: Source,
) -> tuple[int, ReadResult]:
    """(first line, transcript) of one Zendesk ticket's comments and audits."""
    ordered = _in_time_order(rows)
    audits = [row.data if row_kind(row.data) == ZENDESK_AUDIT else
              {"created_at": _created(row), "events": [{"type": "Comment", **row.data}]}
              for row in ordered]
    line = min(row.line for row in rows)
    return line, reader.ticket(key, audits, ticket.data if ticket else {}, source,
                               [f"line {row.line}" for row in ordered], f"line {line}")


def _safely(
    read: Callable[[], tuple[int, ReadResult]], rows: list[_Row], source: Source,
) -> tuple[int, ReadResult]:
    """`read()`, or an error naming the group's first line when its records have a structure
    the reader did not expect (a string where an object belongs...)."""
    try:
        return read()
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as error:
        line = min(row.line for row in rows)
        what = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return line, InputError(f"unexpected structure in the conversation's rows: {what}",
                                source=source.name, location=f"line {line}",
                                hint="check the rows of this conversation in the export")


def _row(number: int, line: str, source: Source) -> _Row | InputError | None:
    """The record on one line; an error naming the line when it cannot be one; None for a
    loader's protocol message that carries no record (state, log)."""
    try:
        value = json_loads(line)
    except json.JSONDecodeError as error:
        return InputError(f"invalid JSON: {error.msg} (column {error.colno})", source=source.name,
                          location=f"line {number}",
                          hint=json_hint(error, "each line must be one complete JSON object"))
    wrapped = unwrap(value)
    if wrapped == (None, None):
        return None
    stream, data = wrapped if wrapped is not None else (None, value)
    if not isinstance(data, dict):
        return InputError(f"the record is {type(data).__name__}, not a JSON object",
                          source=source.name, location=f"line {number}",
                          hint="each record (or the loader's 'data') must be one JSON object")
    return _Row(number, stream, data)


def _in_time_order(rows: list[_Row]) -> list[_Row]:
    """Rows by their ``created_at`` (untimed rows last), file order for ties; a row that a
    later sync wrote again (same ``id``) counts once, in its latest version."""
    latest: dict[str, _Row] = {}
    for row in rows:
        latest[str(row.data["id"]) if row.data.get("id") is not None else f"line {row.line}"] = row

    def key(row: _Row) -> tuple[bool, float, int]:
        when = to_epoch(_created(row))
        return when is None, when or 0.0, row.line
    return sorted(latest.values(), key=key)


def _created(row: _Row) -> Any:
    """When a row's message was written: ``created_at``, else Airbyte's epoch ``timestamp``."""
    return row.data.get("created_at") or row.data.get("timestamp")


def _record_source(source: Source, data: Any) -> Source:
    """One record as a file of its own, under the name of the file it is in (so that
    default ids and metadata files beside it are the same as for a file). It is written in
    ASCII: a lone surrogate (a JSON ``"\\ud800"``) stays an escape, which detection's
    expressions (on RE2, which reads UTF-8) can read and the record's reader replaces."""
    text = json.dumps(data)
    return Source(name=source.name, open_text=lambda: iter([text]))


def _relocated(result: ReadResult, line: int) -> ReadResult:
    """`result` at the line of its record: a transcript noted there (its reader read the
    record as a file of one line), an error's location prefixed with it."""
    if not isinstance(result, InputError):
        return noted(result, f"line {line}")
    inner = "" if result.location == "line 1" else result.location  # the record's own file
    where = f"line {line}" + (f", {inner}" if inner else "")
    return type(result)(result.what, source=result.source, location=where,
                        transcript_id=result.transcript_id, turn=result.turn, hint=result.hint)


READER = EtlReader()
