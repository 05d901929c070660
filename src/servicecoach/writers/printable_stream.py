"""A text stream that writes what a terminal shows safely: for command outputs whose text
comes from transcripts or rule packs (`check`, `rules`)."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterable
from typing import TextIO, TypeVar, cast

from servicecoach.writers import printable

F = TypeVar("F", bound=Callable[..., int])


class PrintableStream:
    """Writes to `out` every line `printable` (escape sequences, control characters and
    bidirectional overrides removed, tabs as spaces); line breaks are kept."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        """Write `text`, made printable line by line."""
        self._out.write("\n".join(printable(line) for line in text.split("\n")))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of `lines`."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the stream written to."""
        self._out.flush()


def printable_stream(out: TextIO) -> TextIO:
    """`out`, writing every line `printable`."""
    return cast(TextIO, PrintableStream(out))


def printable_stdout(command: F) -> F:
    """A command whose standard output is written `printable`."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> int:
        with contextlib.redirect_stdout(printable_stream(sys.stdout)):
            return command(*args, **kwargs)

    return cast(F, run)
