"""Read the reports that `servicecoach score --format jsonl` wrote, one line at a time."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import Report


def read_results(path: Path) -> Iterator[Report | InputError]:
    """Each line of a JSON Lines results file (or ``-``, stdin) as a `Report`, or an
    `InputError` naming the file and line when the line is not a report; blank lines are
    skipped. A device (a link to /dev/zero, which would be read until memory runs out) is
    refused unopened; a named pipe is read."""
    if str(path) == "-":
        yield from _parse(sys.stdin, "-")
        return
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISDIR(mode)):
            raise ServiceCoachError(f"cannot read {path}: not a file of reports (a device)",
                                    hint="pass the file 'score --format jsonl' wrote")
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ServiceCoachError(f"cannot read {path}: {error.strerror}",
                                hint="pass the file 'score --format jsonl' wrote") from None
    with handle:
        yield from _parse(handle, str(path))


def _parse(lines: Iterable[str], name: str) -> Iterator[Report | InputError]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Report.model_validate_json(line)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the line"
            yield InputError(f"not a servicecoach report ({where}: {first['msg']})",
                             source=name, location=f"line {number}",
                             hint="summarize reads the output of 'score --format jsonl'")
