"""The reader interface: one export format in, canonical `Transcript` objects out.

A reader yields, in file order, either a `Transcript` or an `InputError` for a record it
could not turn into one, so that one bad record never stops a batch and is never
silently dropped. Readers are registered by name (`register`) and third parties add
theirs through the ``servicecoach.readers`` entry-point group.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Protocol, cast, overload, runtime_checkable

from pydantic import ValidationError

from servicecoach.errors import InputError, first_problems, problem_in_json_terms
from servicecoach.models import Transcript
from servicecoach.readers.unreadable import UNREADABLE_BYTES, first_mark

ReadResult = Transcript | InputError


_BOM = b"\xef\xbb\xbf"


class InvalidUtf8(ValueError):
    """Bytes that are not UTF-8, at `offset` bytes from the start of the input."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"invalid UTF-8 at byte {offset}")


class LongLine(ValueError):
    """A line of `length` bytes, longer than the `limit` its reader takes, skipped unread
    (`capped_lines`)."""

    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(f"a line of {length:,} bytes, longer than {limit:,}")


def capped_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | LongLine]:
    """The lines of bytes of `handle` (split at ``\n``, ends kept), each read for at most
    `limit` bytes: a longer line is skipped in pieces and comes as a `LongLine`, so a file of
    one 2 GB line costs `limit` bytes of memory, not 2 GB."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(HEAD_BLOCK)):
            length += len(line)
        yield LongLine(length, limit)


@overload
def lines_or_errors(lines: Iterable[bytes]) -> Iterator[str | InvalidUtf8]: ...
@overload
def lines_or_errors(
    lines: Iterable[bytes | LongLine],
) -> Iterator[str | InvalidUtf8 | LongLine]: ...
def lines_or_errors(
    lines: Iterable[bytes | LongLine],
) -> Iterator[str | InvalidUtf8 | LongLine]:
    """Lines of UTF-8 text from lines of bytes, as a file opened with ``newline=""`` gives
    them (ends kept; split at ``\n``, ``\r\n`` and ``\r`` only, so a U+2028 inside a JSON
    string stays in its line). A byte-order mark at the start is dropped. A line that is
    not UTF-8 comes as an `InvalidUtf8` (the offset of its first bad byte) and the lines
    after it still come: a reader of one record a line reports that record and reads on.
    A line skipped as too long (`capped_lines`) comes as it is."""
    offset = 0
    for raw in lines:
        if isinstance(raw, LongLine):
            offset += raw.length
            yield raw
            continue
        start = offset
        if offset == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            start = len(_BOM)
        offset = start + len(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield InvalidUtf8(start + error.start)
            continue
        if "\r" in text.rstrip("\r\n"):
            yield from io.StringIO(text, newline="")
        else:
            yield text


def raising(lines: Iterable[str | InvalidUtf8]) -> Iterator[str]:
    """The text lines of `lines`, raising at the first that is not UTF-8 (for readers whose
    records span lines, which cannot read on past it)."""
    for line in lines:
        if isinstance(line, InvalidUtf8):
            raise line
        yield line


_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks of the wide encodings (UTF-32 first: its little-endian mark begins
with UTF-16's), and the codec that reads the mark and the text after it."""


WIDE_SAMPLE = 64
"""Bytes at the start of a file that tell its wide encoding: a byte-order mark, or the first
characters of UTF-16 (32 of them) or UTF-32 (16) without one (see `unmarked_wide`)."""


def wide_encoding(start: bytes) -> str | None:
    """The codec of a file that starts with `start` (its first `WIDE_SAMPLE` bytes) when it
    is UTF-16 or UTF-32: with a byte-order mark (spreadsheets save "Unicode text" so), or
    without one when its first characters tell it (`unmarked_wide`); else None (read as
    UTF-8)."""
    for bom, codec in _WIDE_BOMS:
        if start.startswith(bom):
            return codec
    return unmarked_wide(start)


def file_wide_encoding(handle: IO[bytes]) -> str | None:
    """`wide_encoding` of the binary file `handle`, read from its start; `handle` is left at
    its start."""
    handle.seek(0)
    codec = wide_encoding(handle.read(WIDE_SAMPLE))
    handle.seek(0)
    return codec


def unmarked_wide(start: bytes) -> str | None:
    """The codec of UTF-16 or UTF-32 text without a byte-order mark, told from its first
    bytes `start`, or None. UTF-8 text holds no NUL byte, while ASCII text in a wide encoding
    shows one in every character: UTF-32 is taken when every character of `start` is in
    U+0001..U+00FF (three NULs, then the character's byte, or the reverse); UTF-16 when no
    character has a NUL low byte and at least half have a NUL high byte (mostly ASCII, as
    every format's opening is: ``{"id"``, a CSV header, ``WEBVTT``, ``Agent:``). A file
    that is neither stays UTF-8, and detection names NUL bytes in it (`detect`)."""
    for codec, width, low in _UNMARKED:
        sample = start[: len(start) - len(start) % width]
        units = [sample[i : i + width] for i in range(0, len(sample), width)]
        if len(units) < 2 or any(unit[low] == 0 for unit in units):
            continue
        high_nul = sum(unit.count(0) == width - 1 for unit in units)
        if high_nul == len(units) or (width == 2 and 2 * high_nul >= len(units)):
            return codec
    return None


_UNMARKED = (("utf-32-le", 4, 0), ("utf-32-be", 4, 3), ("utf-16-le", 2, 0), ("utf-16-be", 2, 1))
"""The wide encodings told without a byte-order mark (UTF-32 first: its ASCII also has a NUL
in every other byte): codec, bytes a code unit, and where a code unit's low byte stands."""


@overload
def wide_lines(handle: IO[bytes], codec: str) -> Iterator[str]: ...
@overload
def wide_lines(handle: IO[bytes], codec: str, limit: int) -> Iterator[str | LongLine]: ...
def wide_lines(handle: IO[bytes], codec: str, limit: int | None = None
               ) -> Iterator[str | LongLine]:
    """The lines of a UTF-16 or UTF-32 file from where `handle` stands, ends kept as
    `lines_or_errors` keeps them, decoded block by block (a line that spans many blocks is
    joined once); bytes the codec cannot read raise `InvalidUtf8` (reported as a file that
    is not UTF-8) at about their offset. With a `limit`, a line longer than `limit` bytes
    once in UTF-8 comes as a `LongLine` (its length in UTF-8), its text dropped as it is
    read, as `capped_lines` drops a UTF-8 line's."""
    line = _HeldLine(limit)
    for part, ends_line in _line_parts(_decoded_blocks(handle, codec)):
        if ends_line and line.empty and line.surely_within(part):  # a whole short line
            yield part
            continue
        line.add(part)
        if ends_line:
            yield line.take()
    if not line.empty:
        yield line.take()


def _decoded_blocks(handle: IO[bytes], codec: str) -> Iterator[str]:
    """The text of `handle` decoded a block of `_WIDE_BLOCK` bytes at a time (a character
    cut by a block's end comes with the next); `InvalidUtf8` at about the offset of bytes
    the codec cannot read."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    for block in iter(partial(handle.read, _WIDE_BLOCK), b""):
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as error:
            raise InvalidUtf8(offset + error.start) from None
        offset += len(block)
        if text:
            yield text
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InvalidUtf8(offset) from None


def _line_parts(pieces: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """The pieces of text cut at line ends ("\n", "\r\n", "\r", ends kept), each with
    whether it ends its line. A "\r" that ends a piece waits for the next piece, which may
    start with the "\n" of its "\r\n"."""
    carriage_return = ""
    for piece in pieces:
        piece = carriage_return + piece
        carriage_return = "\r" if piece.endswith("\r") else ""
        for part in io.StringIO(piece.removesuffix(carriage_return), newline=""):
            yield part, part.endswith(("\n", "\r"))
    if carriage_return:
        yield carriage_return, True


_UTF8_PER_CHARACTER = 4
"""The most bytes a character takes in UTF-8: a line of at most a quarter of a limit's
characters is within it uncounted."""


class _HeldLine:
    """The line being read, part by part: its text held whole without a `limit`; with one,
    held while it is within `limit` bytes in UTF-8 and dropped once past it, its size still
    counted (from when it may pass the limit)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._start()

    def _start(self) -> None:
        self.parts: list[str] = []
        self.empty = True
        self.characters = 0
        self.size: int | None = None  # bytes in UTF-8, counted once the limit may be passed

    def surely_within(self, text: str) -> bool:
        """Whether `text` is within the limit however its characters are written."""
        return self.limit is None or len(text) * _UTF8_PER_CHARACTER <= self.limit

    def add(self, part: str) -> None:
        self.empty = False
        if self.limit is not None:
            self.characters += len(part)
            if self.size is None and self.characters * _UTF8_PER_CHARACTER > self.limit:
                self.size = sum(map(utf8_length, self.parts))
            if self.size is not None:
                self.size += utf8_length(part)
                if self.size > self.limit:
                    self.parts = []
                    return
        self.parts.append(part)

    def take(self) -> str | LongLine:
        """The line read (a `LongLine` when past the limit), and a new one started."""
        past = self.limit is not None and self.size is not None and self.size > self.limit
        line = LongLine(cast(int, self.size), cast(int, self.limit)) if past else "".join(self.parts)
        self._start()
        return line


def utf8_length(text: str) -> int:
    """Bytes `text` takes in UTF-8 (a lone surrogate, which a UTF-16 file can hold, as 3)."""
    return len(text.encode("utf-8", "surrogatepass"))


_WIDE_BLOCK = 1 << 16
"""Bytes of a UTF-16 or UTF-32 file decoded at a time."""


def text_lines(handle: IO[bytes], lines: Iterable[bytes]) -> Iterator[str | InvalidUtf8]:
    """The text of `handle` from its start: UTF-16 or UTF-32 when it starts with their
    byte-order mark or their first characters tell them (`wide_encoding`, `wide_lines`),
    else `lines`, its lines of bytes, as UTF-8 (`lines_or_errors`)."""
    codec = file_wide_encoding(handle)
    if codec is not None:
        return wide_lines(handle, codec)
    return lines_or_errors(lines)


def capped_text_lines(handle: IO[bytes], limit: int) -> Iterator[str | InvalidUtf8 | LongLine]:
    """`text_lines` of `handle`, a file, where a UTF-8 line longer than `limit` bytes is a
    `LongLine`, skipped unread (`capped_lines`); so is a UTF-16 or UTF-32 file's line longer
    than `limit` bytes once in UTF-8, its text dropped as it is decoded."""
    codec = file_wide_encoding(handle)
    if codec is not None:
        return wide_lines(handle, codec, limit)
    return lines_or_errors(capped_lines(handle, limit))


def not_utf8(source: str, error: InvalidUtf8, location: str | None = None) -> InputError:
    """The error for bytes that are not UTF-8, at `location` (a line) when a reader of one
    record a line could read on past them, else at their byte offset in the file."""
    where = f"{location}, byte {error.offset}" if location else f"byte {error.offset}"
    return InputError("invalid UTF-8", source=source, location=where,
                      hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252)")


def _int(digits: str) -> int | float:
    """A JSON integer; one longer than any float (300 digits and more) is read as a float,
    infinity, so that no reader's arithmetic on it overflows (a time that is infinite is
    then refused as such). Over 4,300 digits, `int` refuses it (a located JSON error)."""
    return float(digits) if 300 <= len(digits) <= 4300 else int(digits)


DECODER = json.JSONDecoder(parse_int=_int)
"""The JSON decoder every reader uses: `json`'s, with huge integers read as infinity."""


JSON_DEPTH = 900
"""A nesting depth every JSON reading reaches (Python's parser reaches about 990 levels,
less the calls it is made from): an error of nesting too deep says where this depth is
passed, and format detection says so of a head nested deeper that no format recognised."""
TOO_DEEP = f"nested more than {JSON_DEPTH} levels deep"
"""The message of a `json.JSONDecodeError` for JSON nested too deeply to read."""
TOO_DEEP_HINT = ("no export nests so deep: check that the file is the export itself, whole, "
                 "not one generated or damaged")
_JSON_SYNTAX = re.compile(r'[\[\]{}"\\]')


def json_loads(text: str) -> Any:
    """`json.loads`, with nesting too deep for Python and numbers too long for it reported
    as `json.JSONDecodeError` (like any other JSON problem) instead of other exceptions;
    integers of 300 digits and more are read as infinity."""
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, text, too_deep_at(text) or 0) from None
    except ValueError as error:  # a number with more than 4,300 digits
        raise json.JSONDecodeError(str(error).split(";")[0], text, 0) from None


def too_deep_at(text: str) -> int | None:
    """The offset in `text` (JSON, whole or its start) of the first bracket, outside
    strings, that opens a level deeper than `JSON_DEPTH`; None when none does."""
    level, in_string, escaped = 0, False, -1
    for found in _JSON_SYNTAX.finditer(text):
        at = found.start()
        char = text[at]
        if at == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            if level > JSON_DEPTH:
                return at
        elif char in "]}":
            level -= 1
    return None


def json_hint(error: json.JSONDecodeError, hint: str) -> str:
    """`hint` for a JSON error, or what to do about nesting too deep or a byte that is not
    UTF-8 where the error is, when it is that."""
    if error.msg == TOO_DEEP:
        return TOO_DEEP_HINT
    byte = first_mark(error.doc[error.pos : error.pos + 1])
    if byte is not None:
        return (f"the file holds a byte that is not UTF-8 (0x{byte:02X}) there: save it as "
                "UTF-8 (it may be Latin-1 or Windows-1252)")
    return hint


def file_lines(text: str) -> list[str]:
    """`text` split into lines as a file gives them (ends kept): at ``\n``, ``\r\n`` and
    ``\r`` only, not at the other separators `str.splitlines` knows (U+2028, U+0085...),
    which JSON strings may hold raw."""
    return io.StringIO(text, newline="").readlines()


def first_line(text: str) -> str:
    """The first line of `text` as `file_lines` splits it (end kept): up to the first
    ``\n``, ``\r\n`` or lone ``\r`` (the line end of old Mac files), without splitting
    the rest of `text`."""
    return io.StringIO(text, newline="").readline()


@dataclass(frozen=True)
class Source:
    """Where records come from: a file path (or ``<stdin>``) and a way to open it as text."""

    name: str
    open_text: Callable[[], Iterator[str]]
    open_checked: Callable[[], Iterator[str | InvalidUtf8]] | None = None
    """The same lines, with a line that is not UTF-8 given as an `InvalidUtf8` instead of
    ending the text (see `checked_lines`); None when the source cannot tell lines apart."""
    open_binary: Callable[[], AbstractContextManager[IO[bytes]]] | None = None
    """The bytes of the source (a file, spooled stdin), for reading its start in pieces of
    bounded size (`head`); None when it has text only."""
    open_pieces: Callable[[], Iterator[str]] | None = None
    """Its text in pieces of bounded size, not lines, bytes that are not UTF-8 marked
    (`pieces`, `binary_pieces`); None when it has lines only."""

    @classmethod
    def from_path(cls, path: Path) -> Source:
        """A file on disk, read as UTF-8 (see `lines_or_errors`), or as UTF-16 or UTF-32 when
        it starts with their byte-order mark or their first characters tell them
        (`wide_encoding`)."""

        def checked() -> Iterator[str | InvalidUtf8]:
            with path.open("rb") as handle:
                yield from text_lines(handle, handle)

        return cls(name=str(path), open_text=lambda: raising(checked()), open_checked=checked,
                   open_binary=lambda: path.open("rb"),
                   open_pieces=lambda: binary_pieces(path.open("rb")))

    def checked_lines(self) -> Iterator[str | InvalidUtf8]:
        """The source's lines, where a line that is not UTF-8 is an `InvalidUtf8` and the
        lines after it still come (for readers of one record a line); a source that cannot
        tell lines apart raises at the first bad byte, as `open_text` does."""
        if self.open_checked is not None:
            return self.open_checked()
        return iter(self.open_text())

    def head(self, size: int = 4096) -> str:
        """The first characters of the source, for format detection: in a file (or spooled
        stdin) a byte that is not UTF-8 comes as its mark, and a line is read for at most a
        few times `size` bytes, however long (`bounded_head`); in a source of lines, a line
        that is not UTF-8 is left out (reading reports it, after the records before it)."""
        if self.open_binary is not None:
            with self.open_binary() as handle:
                return bounded_head(handle, size)
        collected: list[str] = []
        total = 0
        first_error: InvalidUtf8 | None = None
        try:
            for line in self.checked_lines():
                if isinstance(line, InvalidUtf8):
                    first_error = first_error or line
                    continue
                collected.append(line)
                total += len(line)
                if total >= size:
                    break
        except InvalidUtf8 as error:  # a source that cannot read on past it
            first_error = first_error or error
        if not collected and first_error is not None:
            raise first_error
        return "".join(collected)[:size]

    def pieces(self) -> Iterator[str]:
        """The source's text in pieces of at most `HEAD_BLOCK` bytes' worth, not lines (a
        file or spooled stdin, `open_pieces`; else its lines), for a stream parser: a file
        of one huge line is not held whole. In a file or spooled stdin, a byte that is not
        UTF-8 comes as its mark (`binary_pieces`); a source of lines raises `InvalidUtf8`."""
        if self.open_pieces is not None:
            return self.open_pieces()
        return iter(self.open_text())

    def document(self) -> str:
        """The source's whole text, for a reader of one document (a JSON export, a log of
        many chats): as `pieces` give it, so that a byte that is not UTF-8 costs only the
        record that holds it (`servicecoach.readers.unreadable`)."""
        return "".join(self.pieces())


def binary_pieces(opened: AbstractContextManager[IO[bytes]]) -> Iterator[str]:
    """The text of the binary file `opened` opens, from its start, in pieces of
    `HEAD_BLOCK` bytes decoded: UTF-16 or UTF-32 as `text_lines` tells them, else UTF-8 (a
    byte-order mark dropped); a byte the codec cannot read comes as its mark
    (`servicecoach.readers.unreadable`), so that a reader of a whole document reads every
    record and refuses only those that hold one."""
    with opened as handle:
        yield from decoded_pieces(handle, file_wide_encoding(handle) or "utf-8-sig",
                                  UNREADABLE_BYTES)


def decoded_pieces(handle: IO[bytes], codec: str, errors: str = "strict") -> Iterator[str]:
    """The text of `handle` from where it stands, in pieces of `HEAD_BLOCK` bytes decoded
    by `codec` (for a stream that cannot seek, such as stdin). With `errors` "strict",
    bytes the codec cannot read raise `InvalidUtf8` at their offset, after the text before
    them; with `UNREADABLE_BYTES`, each comes as its mark."""
    decoder = codecs.getincrementaldecoder(codec)(errors)
    offset = 0  # of the first byte the decoder holds back or is given next
    for block in iter(partial(handle.read, HEAD_BLOCK), b""):
        held = decoder.getstate()[0]  # the start of a character the last block cut
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as error:
            # the text before the bad byte first: a reader of records keeps those it holds
            yield (held + block)[: error.start].decode(codec)
            raise InvalidUtf8(offset + error.start) from None
        yield text
        offset += len(held) + len(block) - len(decoder.getstate()[0])
    try:
        yield decoder.decode(b"", final=True)  # a character the end of the file cut
    except UnicodeDecodeError as error:
        raise InvalidUtf8(offset + error.start) from None


HEAD_BLOCK = 1 << 16
"""Bytes read at a time where a source is read in pieces rather than lines (and where an
over-long line is skipped, `capped_lines`)."""


def bounded_head(handle: IO[bytes], size: int) -> str:
    """The first `size` characters of the text of `handle` (a binary file, read from its
    start), as `Source.head` gives them: UTF-16 or UTF-32 as `text_lines` tells them, else
    UTF-8 lines, a byte that is not UTF-8 read as its mark (`binary_pieces`). A line is read
    for at most ``4 * size`` bytes (what holds `size` characters of UTF-8): collecting whole
    lines held a file of one 2 GB line in memory to read its first 4 KB."""
    codec = file_wide_encoding(handle)
    collected: list[str] = []
    total = 0
    if codec is not None:
        wide = codecs.getincrementaldecoder(codec)(UNREADABLE_BYTES)
        while total < size and (block := handle.read(HEAD_BLOCK)):
            text = wide.decode(block)
            collected.append(text)
            total += len(text)
        return "".join(collected)[:size]
    cap = 4 * size + 4
    first = True
    while total < size and (raw := handle.readline(cap)):
        cut = len(raw) == cap and not raw.endswith(b"\n")  # the line goes on
        if first and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        first = False
        # a cut line may end inside a character: that character waits
        text = codecs.getincrementaldecoder("utf-8")(UNREADABLE_BYTES).decode(raw, final=not cut)
        collected.append(text)
        total += len(text)
    return "".join(collected)[:size]


class Reader(Protocol):
    """One export format."""

    name: str
    description: str
    extensions: tuple[str, ...]
    """File suffixes (".json") this reader takes when a folder is walked."""

    def sniff(self, source: Source, head: str) -> bool:
        """True when `head` (the start of the file) looks like this format."""

    def read(self, source: Source) -> Iterator[ReadResult]:
        """Transcripts, and errors for the records that could not be read, in file order."""


@runtime_checkable
class Configurable(Protocol):
    """A reader that takes options, e.g. ``roles={"spk_0": "agent"}`` or ``agent="Jane"``.

    `configure` returns a new, configured reader and leaves the registered one unchanged;
    it raises `ServiceCoachError` for an option it does not know.
    """

    def configure(self, **options: Any) -> Reader:
        """A copy of this reader with `options` applied."""


_RECENT_LOCATIONS: deque[tuple[Transcript, str]] = deque(maxlen=64)
"""Where the last transcripts built were found in their file ("line 12", "record 3")."""


def noted(result: ReadResult, location: str) -> ReadResult:
    """`result`, with `location` (where its record starts in the file) remembered for
    `location_of` when it is a transcript: batch runs report it without the readers
    changing what they yield. Only the last few are kept."""
    if location and isinstance(result, Transcript):
        _RECENT_LOCATIONS.append((result, location))
    return result


def location_of(transcript: Transcript) -> str | None:
    """Where a reader noted it found `transcript` (see `noted`), if it was one of the
    last few built."""
    for candidate, location in reversed(_RECENT_LOCATIONS):
        if candidate is transcript:
            return location
    return None


def validation_problem(error: ValidationError) -> tuple[str, int | None]:
    """Flatten a pydantic error into one message, and the turn index if the error is in a turn.
    The message names the first few problems and counts the rest (`first_problems`): until
    2026-12-07 it listed every one, 429 KB for a transcript of 5,000 turns with a bad
    ``start``, on stderr and again in the errors file."""
    problems = []
    turn: int | None = None
    for item in error.errors():
        loc = item["loc"]
        message = problem_in_json_terms(item)
        if len(loc) >= 2 and loc[0] in ("turns", "events") and isinstance(loc[1], int):
            # the error's location names the (first) turn: a problem of that turn is not
            # prefixed with it again ("turn 1: turns.1.speaker: ..." read twice)
            if loc[0] == "turns" and turn is None:
                turn = loc[1]
            inner = ".".join(str(part) for part in loc[2:])
            named = "" if loc[0] == "turns" and loc[1] == turn else \
                f"{'turn' if loc[0] == 'turns' else 'event'} {loc[1]}"
            path = ": ".join(part for part in (named, inner) if part)
            problems.append(f"{path}: {message}" if path else message)
            continue
        path = ".".join(str(part) for part in loc) or "record"
        problems.append(f"{path}: {message}")
    return first_problems(problems), turn


def continue_turn(turn: dict[str, Any], more: str) -> None:
    """Add `more` (a continuation line, the next cue of the same speaker) to a turn being
    read; `joined` joins the pieces once. Appending to the text at each piece would copy
    it each time: time quadratic in a turn of many pieces."""
    turn.setdefault("more", []).append(more)


def joined(turn: dict[str, Any]) -> dict[str, Any]:
    """The turn with the pieces `continue_turn` collected joined to its text."""
    more = turn.get("more")
    if more is None:
        return turn
    return {**{k: v for k, v in turn.items() if k != "more"}, "text": turn["text"] + "".join(more)}
