"""Progress of a batch run on stderr: a rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self, TextIO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")

PLAIN_EVERY = 30.0
"""Seconds between two plain progress lines when stderr is not a terminal."""


class ReadPosition:
    """How far into the current input file reading has got, for the time left.

    `watch` wraps a source's ``open_text`` so that every pass over the file counts the
    characters it has read; the position is that of the slowest pass still open (a reader
    that checks the file in a first pass, or peeks at its head, does not count as done).
    """

    def __init__(self) -> None:
        self._passes: dict[object, int] = {}

    def watch(self, open_lines: Callable[[], Iterator[T]]) -> Callable[[], Iterator[T]]:
        """`open_lines` (a source's ``open_text`` or ``open_checked``), counting the
        characters of the lines each pass reads."""

        def lines() -> Iterator[T]:
            key = object()
            self._passes[key] = 0
            try:
                for line in open_lines():
                    if isinstance(line, str):
                        self._passes[key] += len(line)
                    yield line
            finally:
                del self._passes[key]

        return lines

    @property
    def position(self) -> int:
        """Characters read by the slowest open pass (0 when none is open)."""
        return min(self._passes.values(), default=0)


class RunProgress:
    """Counts conversations done and failed, and shows them while a run goes on.

    On a terminal, a bar over the input files' bytes (time left is estimated from the
    files finished), with conversations done, per second and failures; otherwise one line
    every `every` seconds (also on a terminal when `bar` is False: the reports go to the
    same terminal). `quiet` shows nothing.
    """

    def __init__(self, stream: TextIO, total_bytes: int, *, quiet: bool = False,
                 every: float = PLAIN_EVERY, bar: bool = True) -> None:
        self.done = 0
        self.failed = 0
        self._stream = stream
        self._total = max(total_bytes, 1)
        self._every = every
        self._started = self._last_line = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._quiet = quiet
        self._finished = 0
        self.reading = ReadPosition()
        """Where reading is in the current file (see `ReadPosition.watch`)."""
        if not quiet and bar and stream.isatty():
            self._bar = Progress(
                TextColumn("[bold]scoring"), BarColumn(), TextColumn("{task.percentage:>3.0f}% of the input ·"),
                TextColumn("{task.fields[done]} conversations · "
                           "{task.fields[rate]}/s · {task.fields[failed]} failed"),
                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                console=Console(file=stream), transient=True)
            self._task = self._bar.add_task("score", total=self._total, done=0, rate="0",
                                            failed=0)

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def note(self, message: str) -> None:
        """Print a line (a warning, an error) above the bar."""
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=self._stream)

    def advance(self, *, failed: bool = False) -> None:
        """One more conversation scored, or one more record `failed`."""
        self.done += not failed
        self.failed += failed
        self._show()

    def read_up_to(self, bytes_done: int) -> None:
        """The files finished so far hold `bytes_done` bytes."""
        self._finished = bytes_done
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=bytes_done)

    def _show(self) -> None:
        now = time.monotonic()
        rate = self.done / max(now - self._started, 1e-9)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, done=self.done, failed=self.failed, rate=f"{rate:.0f}",
                             completed=self._finished + self.reading.position)
        elif not self._quiet and now - self._last_line >= self._every:
            self._last_line = now
            print(f"progress: {self.done} scored, {self.failed} failed, {rate:.1f}/s",
                  file=self._stream, flush=True)
