"""Reading a JSON array one element at a time (ijson), so a file of millions of records
never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ijson

from servicecoach.readers.base import Source


class _Bytes:
    """The decoded lines of a source as a binary file, for the stream parser."""

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
        yield from ijson.items(_Bytes(iter(source.open_text())), "item", use_float=True)
    except ijson.JSONError as error:
        raise ValueError(str(error)) from None
