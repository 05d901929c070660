"""Argument parsing that helps: "did you mean" for a mistyped option, counts that must be
positive. The commands themselves are in `servicecoach.cli`."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from typing import NoReturn

from servicecoach.suggest import closest


class SuggestingParser(argparse.ArgumentParser):
    """An `argparse.ArgumentParser` whose commands refuse an unknown option with their own
    usage and the closest option they do have (``--formt``: did you mean ``--format``?), and
    stdin (``-``) given twice to the arguments named in `reads_stdin`."""

    reads_stdin: tuple[str, ...] = ()  # the dests whose '-' is stdin, set on a command

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and not self._has_commands():
            self._refuse(extras)
        self._refuse_stdin_twice(parsed)
        return parsed, extras

    def _refuse_stdin_twice(self, parsed: argparse.Namespace) -> None:
        """Stdin is read once: a second '-' would read an empty stream, so refuse it."""
        given = [value for dest in self.reads_stdin for value in getattr(parsed, dest, None) or ()]
        if sum(str(value) == "-" for value in given) > 1:
            self.error("'-' (stdin) is given twice, but stdin can be read only once: "
                       "save the input to a file and name the file for one of them")

    def _has_commands(self) -> bool:
        return any(isinstance(action, argparse._SubParsersAction) for action in self._actions)

    def _refuse(self, extras: list[str]) -> NoReturn:
        options = [o for action in self._actions for o in action.option_strings]
        hints = []
        for extra in extras:
            match = closest(extra.split("=")[0], options) if extra.startswith("-") else None
            hints.append(f"{extra} (did you mean {match}?)" if match else extra)
        self.error(f"unrecognized arguments: {' '.join(hints)}")


def finite_float(text: str) -> float:
    """An argparse type: a number that is not NaN or infinite (a threshold of NaN compares
    false with everything, so it would pass or fail all)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def ratio(text: str) -> float:
    """An argparse type: a target ratio (precision, recall, F1), 0 to 1 (a target of 5 can
    never be met, one of -1 always is)."""
    return _within(finite_float(text), 0.0, 1.0, "a ratio")


def correlation(text: str) -> float:
    """An argparse type: a target rank correlation, -1 to 1."""
    return _within(finite_float(text), -1.0, 1.0, "a correlation")


def _within(value: float, low: float, high: float, what: str) -> float:
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value:g} is not {what} ({low:g} to {high:g})")
    return value


def natural_int(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number (at least 1)")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


MAX_WORKERS = 256
"""The most `--workers`: each is a process holding a coach, all started at once."""


def worker_count(text: str) -> int:
    """An argparse type: a number of worker processes, 1 to `MAX_WORKERS`."""
    value = positive_int(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"{value} worker processes would all start at once (at most {MAX_WORKERS}; the "
            f"number of CPUs, {os.cpu_count() or 1} here, is usually best)")
    return value
