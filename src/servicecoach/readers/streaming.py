"""Reading a JSON array one element at a time, so a file of millions of records never sits
in memory whole, in time linear in the text however long its strings.

The text is followed piece by piece for where it nests and where its strings start and end
(`_Nesting`); each element of the top-level array is then decoded whole by `json`. A
stream parser (ijson) was used before: its C parser scans a string again from its start
each time a piece of input ends inside it, so a record holding a 40 MB note took 3.5 s
where a 10 MB one took 0.22 s, and its pure-Python parser does the same more cheaply
(docs/performance.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from servicecoach.readers.base import Source, json_loads, utf8_length

STRING_START, STRING_END = '"', "string end"
"""What `_Nesting.marks` yields for a string's opening and closing quotes."""
_STRUCTURE = re.compile(r'["{}\[\],]')
_LONGEST_KEY = 32
"""Characters of a key kept to compare it (longer keys are none this module looks for)."""


class _Nesting:
    """Where a JSON text, read piece by piece, opens and closes brackets, separates
    values and starts and ends strings. Whatever lies between (numbers, literals, a
    string's characters) is passed over by a search, so a text is read once however its
    pieces cut it. It does not validate: `json` does, on what it is given."""

    def __init__(self) -> None:
        self._in_string = False
        self._escaped = False  # the piece before ended on a backslash inside a string

    def marks(self, piece: str) -> Iterator[tuple[int, str]]:
        """The offsets in `piece` of brackets, commas and quotes outside strings, each with
        its character, and of the quotes closing strings (as `STRING_END`)."""
        position = 0
        if self._escaped and piece:
            self._escaped, position = False, 1
        while position < len(piece):
            if self._in_string:
                end = self._string_end(piece, position)
                if end is None:
                    return
                self._in_string = False
                position = end + 1
                yield end, STRING_END
                continue
            found = _STRUCTURE.search(piece, position)
            if found is None:
                return
            position = found.end()
            self._in_string = found.group() == STRING_START
            yield found.start(), found.group()


    def _string_end(self, piece: str, position: int) -> int | None:
        """The offset of the quote that closes the string read from `position` (a character
        no backslash escapes), or None where `piece` ends first. A quote is escaped by an
        odd run of backslashes before it; each stretch of text is looked at once."""
        while True:
            quote = piece.find('"', position)
            stretch = piece[position:] if quote < 0 else piece[position:quote]
            escaped = (len(stretch) - len(stretch.rstrip("\\"))) % 2 == 1
            if quote < 0:
                self._escaped = escaped  # the next piece's first character
                return None
            if not escaped:
                return quote
            position = quote + 1


def array_items(source: Source, longest: int | None = None) -> Iterator[Any]:
    """The elements of the JSON array `source` holds (a top-level array: only whitespace
    before its `[`), each decoded by `json` (numbers with a fraction as floats) once its
    end is found. Raises `ValueError` where the text is no such array, an element is not
    valid JSON or (given `longest`) an element runs past `longest` bytes in UTF-8 (as a
    line's limit counts them, whatever the file's encoding): no more than about that much
    of an element is held."""
    nesting = _Nesting()
    depth = 0
    parts: list[str] = []  # the current element's text in earlier pieces
    held = 0  # the bytes in UTF-8 of parts (counted when there is a `longest`)
    elements = 0
    pieces = source.pieces()
    for piece in pieces:
        if not depth and piece.strip() and not piece.lstrip().startswith("["):
            raise ValueError("not a JSON array")
        start = 0  # where the current element starts in this piece
        for offset, mark in nesting.marks(piece):
            if mark in "[{":
                depth += 1
                if depth == 1:
                    start = offset + 1
            elif mark in "]}":
                depth -= 1
                if not depth and mark == "}":
                    raise ValueError("the JSON array is closed by '}'")
            if depth == 0 and mark == "]" or depth == 1 and mark == ",":
                if longest is not None:
                    _within(held + utf8_length(piece[start:offset]), longest, elements)
                text = "".join(parts) + piece[start:offset]
                parts, start, held = [], offset + 1, 0
                if elements or mark == "," or text.strip():  # "[]" has no element
                    elements += 1
                    yield _element(text)
                if depth == 0:
                    if piece[offset + 1:].strip() or any(rest.strip() for rest in pieces):
                        raise ValueError("text after the JSON array")
                    return
        if depth:
            parts.append(piece[start:])
            if longest is not None:
                held += utf8_length(piece[start:])
                _within(held, longest, elements)
    raise ValueError("the JSON array is not closed")


def _within(size: int, longest: int, elements: int) -> None:
    """Refuse the element after `elements` when its `size` (bytes in UTF-8) passes
    `longest`."""
    if size > longest:
        raise ValueError(f"element {elements + 1} is longer than {longest:,} bytes: not read")


def _element(text: str) -> Any:
    try:
        return json_loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error.msg}") from None


def first_record_has_turns(source: Source) -> bool:
    """Whether the first JSON value of `source` is an object with a top-level ``"turns"``
    key, or an array whose first element is one: a canonical transcript, however long its
    fields before its turns. Read up to that key (or the end of the first record), never
    decoding the rest of the source."""
    nesting = _Nesting()
    depth = 0
    record_depth = 0  # 1 for an object, 2 for an array's first element; 0 before it
    expect_key = False
    key: list[str] = []  # the characters of a key of the record read so far
    key_start: int | None = None
    for piece in source.pieces():
        if not record_depth and not depth and piece.strip():
            opened = piece.lstrip()[:1]
            if opened not in "[{":
                return False
        for offset, mark in nesting.marks(piece):
            if mark == STRING_START and depth == record_depth and expect_key:
                key_start, key = offset + 1, []
            elif mark == STRING_END and key_start is not None:
                key.append(piece[key_start:offset])
                if _is_turns(key):
                    return True
                key_start, expect_key = None, False
            elif mark in "[{":
                depth += 1
                if not record_depth:
                    if mark == "{":
                        record_depth, expect_key = depth, True
                    elif depth > 1:
                        return False
            elif mark in "]}":
                if depth == record_depth or not record_depth:
                    return False  # the record (or the array before one) ends
                depth -= 1
            elif mark == "," and depth == record_depth:
                expect_key = True
            elif mark != STRING_END and not record_depth and depth == 1:
                return False  # an array whose first element is no object
        if key_start is not None:
            key.append(piece[key_start:key_start + _LONGEST_KEY])
            key_start = 0
    return False


def _is_turns(key: list[str]) -> bool:
    raw = "".join(key)
    if len(raw) > _LONGEST_KEY:
        return False
    try:
        return bool(json.loads(f'"{raw}"') == "turns")
    except json.JSONDecodeError:
        return False
