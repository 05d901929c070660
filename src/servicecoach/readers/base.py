"""The reader interface: one export format in, canonical `Transcript` objects out.

A reader yields, in file order, either a `Transcript` or an `InputError` for a record it
could not turn into one, so that one bad record never stops a batch and is never
silently dropped. Readers are registered by name (`register`) and third parties add
theirs through the ``servicecoach.readers`` entry-point group.
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from servicecoach.errors import InputError
from servicecoach.models import Transcript

ReadResult = Transcript | InputError


_BOM = b"\xef\xbb\xbf"


class InvalidUtf8(ValueError):
    """Bytes that are not UTF-8, at `offset` bytes from the start of the input."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"invalid UTF-8 at byte {offset}")


def decoded_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """Lines of UTF-8 text from lines of bytes, as a file opened with ``newline=""`` gives
    them (ends kept; split at ``\n``, ``\r\n`` and ``\r`` only, so a U+2028 inside a JSON
    string stays in its line). A byte-order mark at the start is dropped; bytes that are
    not UTF-8 raise `InvalidUtf8` with their offset."""
    offset = 0
    for raw in lines:
        if offset == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            offset = len(_BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidUtf8(offset + error.start) from None
        offset += len(raw)
        if "\r" in text.rstrip("\r\n"):
            yield from io.StringIO(text, newline="")
        else:
            yield text


def _int(digits: str) -> int | float:
    """A JSON integer; one longer than any float (300 digits and more) is read as a float,
    infinity, so that no reader's arithmetic on it overflows (a time that is infinite is
    then refused as such). Over 4,300 digits, `int` refuses it (a located JSON error)."""
    return float(digits) if 300 <= len(digits) <= 4300 else int(digits)


DECODER = json.JSONDecoder(parse_int=_int)
"""The JSON decoder every reader uses: `json`'s, with huge integers read as infinity."""


def json_loads(text: str) -> Any:
    """`json.loads`, with nesting too deep for Python and numbers too long for it reported
    as `json.JSONDecodeError` (like any other JSON problem) instead of other exceptions;
    integers of 300 digits and more are read as infinity."""
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except ValueError as error:  # a number with more than 4,300 digits
        raise json.JSONDecodeError(str(error).split(";")[0], text, 0) from None


def file_lines(text: str) -> list[str]:
    """`text` split into lines as a file gives them (ends kept): at ``\n``, ``\r\n`` and
    ``\r`` only, not at the other separators `str.splitlines` knows (U+2028, U+0085...),
    which JSON strings may hold raw."""
    return io.StringIO(text, newline="").readlines()


@dataclass(frozen=True)
class Source:
    """Where records come from: a file path (or ``<stdin>``) and a way to open it as text."""

    name: str
    open_text: Callable[[], Iterator[str]]

    @classmethod
    def from_path(cls, path: Path) -> Source:
        """A file on disk, read as UTF-8 (see `decoded_lines`)."""

        def lines() -> Iterator[str]:
            with path.open("rb") as handle:
                yield from decoded_lines(handle)

        return cls(name=str(path), open_text=lines)

    def head(self, size: int = 4096) -> str:
        """The first characters of the source, for format detection."""
        collected: list[str] = []
        total = 0
        try:
            for line in self.open_text():
                collected.append(line)
                total += len(line)
                if total >= size:
                    break
        except InvalidUtf8:
            if not collected:
                raise  # reading reports it, after the records before it
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
    """Flatten a pydantic error into one message, and the turn index if the error is in a turn."""
    problems = []
    turn: int | None = None
    for item in error.errors():
        loc = item["loc"]
        if len(loc) >= 2 and loc[0] == "turns" and isinstance(loc[1], int) and turn is None:
            turn = loc[1]
        path = ".".join(str(part) for part in loc) or "record"
        problems.append(f"{path}: {item['msg']}")
    return "; ".join(problems), turn


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
