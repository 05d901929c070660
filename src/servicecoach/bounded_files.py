"""Reading a small file a user or a rule pack names: only a regular file, and only so much.

A path may name a device (a link to /dev/zero, read until memory runs out) or a named pipe
(which hangs a reader until something writes to it). Configuration and rule-pack files are
small, so they are read only when they are regular files, and only up to a limit.
"""

from __future__ import annotations

import stat
from pathlib import Path


class FileRefused(ValueError):
    """A file that is not read: not a regular file, or larger than the limit."""


def refuse_irregular(path: Path) -> None:
    """Raise `FileRefused` unless `path` is a regular file (or a link to one), without
    opening it; `OSError` when it cannot be looked at."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise FileRefused("not a regular file (a device, a named pipe or a folder)")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file (or a link to one) of at most `limit` bytes.

    Raises `FileRefused` for anything else, unopened when it is not a regular file, and
    `OSError` when the file cannot be read."""
    refuse_irregular(path)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"larger than {limit:,} bytes")
    return data
