"""Canonical transcripts: one JSON object (or an array of them), or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from servicecoach.errors import InputError
from servicecoach.models import Transcript, Turn
from servicecoach.readers._etl_shape import looks_like_etl
from servicecoach.readers.base import (
    InvalidUtf8,
    ReadResult,
    Source,
    file_lines,
    json_hint,
    json_loads,
    not_utf8,
    noted,
    validation_problem,
)
from servicecoach.readers.streaming import array_items

_HINT = "see docs/formats.md#canonical-json for the transcript format"


def transcript_from_record(record: Any, *, source: str, location: str) -> ReadResult:
    """Validate one decoded JSON record as a `Transcript`, or say what is wrong with it."""
    if not isinstance(record, dict):
        return InputError(
            f"expected a JSON object, got {type(record).__name__}",
            source=source,
            location=location,
            hint=_HINT,
        )
    raw_id = record.get("id")
    transcript_id = str(raw_id) if raw_id is not None else None
    _validate_turns_in_place(record)
    try:
        return noted(Transcript.model_validate(record), location)
    except ValidationError as error:
        problem, turn = validation_problem(error)
        return InputError(
            problem, source=source, location=location, transcript_id=transcript_id, turn=turn,
            hint=_HINT,
        )


def _validate_turns_in_place(record: dict[str, Any]) -> None:
    """Replace the record's turn objects by `Turn`s, one at a time, so that a long
    conversation never holds all its decoded turns and all its validated ones at once. At
    the first turn that does not validate it stops: validating the whole record then
    reports every problem, exactly as before (a `Turn` validates as itself)."""
    turns = record.get("turns")
    if not isinstance(turns, list):
        return
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return
        try:
            turns[index] = Turn.model_validate(turn)
        except ValidationError:
            return


class JsonReader:
    """A file holding one canonical transcript object, or an array of them."""

    name = "json"
    description = "canonical transcript: one JSON object, or an array of objects"
    extensions: tuple[str, ...] = (".json",)

    def sniff(self, source: Source, head: str) -> bool:
        stripped = head.lstrip()
        if not stripped.startswith(("{", "[")) or '"turns"' not in head or looks_like_etl(head):
            return False
        return not JSONL_READER.sniff(source, head)

    def read(self, source: Source) -> Iterator[ReadResult]:
        """A top-level array is read as a stream, one record at a time (see
        `servicecoach.readers.streaming`); a single object is read whole, and so is an
        array the stream refuses (invalid JSON), from the record it refused, so that the
        error is located at its line and column."""
        if not source.head(256).lstrip().startswith("["):
            yield from self._whole(source)
            return
        streamed = 0
        try:
            for record in array_items(source):
                yield transcript_from_record(record, source=source.name,
                                             location=f"record {streamed}")
                streamed += 1
        except ValueError:
            whole = list(self._whole(source))
            yield from whole[streamed:] if len(whole) > streamed else whole[-1:]

    def _whole(self, source: Source) -> Iterator[ReadResult]:
        try:
            data = json_loads(source.document())  # the text is freed once decoded
        except json.JSONDecodeError as error:
            if error.msg == "Extra data" and error.colno == 1:
                # a value, then another on the next line: JSON Lines whose first record was
                # too long for detection to see whole (stdin has no name to tell it by)
                yield from JSONL_READER.read(source)
                return
            yield InputError(
                f"invalid JSON: {error.msg}",
                source=source.name,
                location=f"line {error.lineno} column {error.colno}",
                hint=json_hint(error, "fix the JSON syntax, or use --input-format jsonl for one "
                               "object per line"),
            )
            return
        located = isinstance(data, list)
        records = data if located else [data]
        del data
        for index in range(len(records)):
            # each decoded record is dropped once validated: only the transcripts stay
            record, records[index] = records[index], None
            location = f"record {index}" if located else ""
            result = transcript_from_record(record, source=source.name, location=location)
            del record
            yield result


class JsonLinesReader:
    """JSON Lines: one canonical transcript object per line; blank lines are skipped."""

    name = "jsonl"
    description = "canonical transcripts, one JSON object per line"
    extensions: tuple[str, ...] = (".jsonl", ".ndjson")

    def sniff(self, source: Source, head: str) -> bool:
        lines = [line for line in file_lines(head) if line.strip()]
        if not lines or not lines[0].lstrip().startswith("{"):
            return False
        named = source.name.endswith(self.extensions)
        if named and '"turns"' in head and not looks_like_etl(head):
            # a first record longer than the head, or a bad first line: JSON Lines still
            return True
        try:
            first = json_loads(lines[0])
        except json.JSONDecodeError:
            return False
        is_transcript = isinstance(first, dict) and "turns" in first
        return is_transcript and (len(lines) > 1 or named)

    def read(self, source: Source) -> Iterator[ReadResult]:
        for number, line in enumerate(source.checked_lines(), start=1):
            if isinstance(line, InvalidUtf8):  # that record only: the next lines are read
                yield not_utf8(source.name, line, f"line {number}")
                continue
            if not line.strip():
                continue
            location = f"line {number}"
            # a byte-order mark inside the file: files that each began with one, joined
            # ("cat a.jsonl b.jsonl"); the first one is taken off with the encoding
            line = line.removeprefix("\ufeff")
            try:
                record = json_loads(line)
            except json.JSONDecodeError as error:
                yield InputError(
                    f"invalid JSON: {error.msg} at column {error.colno}",
                    source=source.name,
                    location=location,
                    hint=json_hint(error, "each line must be one complete JSON object"),
                )
                continue
            yield transcript_from_record(record, source=source.name, location=location)


JSON_READER = JsonReader()
JSONL_READER = JsonLinesReader()
