"""Reading a JSON array one element at a time (ijson), so a file of millions of records
never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ijson

from servicecoach.readers.base import Source


class _Bytes:
    """The decoded text of a source (lines, or pieces) as a binary file, for the stream
    parser."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._pending += line.encode("utf-8", "surrogatepass")
        if size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk


def array_items(source: Source) -> Iterator[Any]:
    """The elements of the JSON array `source` holds, decoded one at a time (numbers with
    a fraction as floats, like `json`). Raises `ValueError` where the JSON is invalid or
    is something `json` reads and the stream parser does not (NaN, Infinity)."""
    try:
        yield from ijson.items(_Bytes(source.pieces()), "item", use_float=True)
    except ijson.JSONError as error:
        raise ValueError(str(error)) from None


def first_record_has_turns(source: Source) -> bool:
    """Whether the first JSON value of `source` is an object with a top-level ``"turns"``
    key, or an array whose first element is one: a canonical transcript, however long
    its fields before its turns. Read as a stream up to that key (or the end of the
    first record), never decoding the rest of the source."""
    events = ijson.parse(_Bytes(source.pieces()), multiple_values=True)
    try:
        start = next(events)[:2]
        if start == ("", "start_array"):
            start, record = next(events)[:2], "item"
        else:
            record = ""
        if start != (record, "start_map"):
            return False
        for prefix, event, value in events:
            if prefix == record:  # a key of the record, or its end
                if event != "map_key":
                    return False
                if value == "turns":
                    return True
    except (StopIteration, ijson.JSONError, ValueError):  # invalid JSON or UTF-8
        return False
    return False
