"""Output that loses nothing: written beside the target as ``NAME.partial`` and renamed
when the run completes; ``--resume`` picks up what an interrupted run wrote. An output that
is a named pipe or a device (``-o >(gzip > x.gz)``, ``-o /dev/stdout``) is written into."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, TextIO

from servicecoach.errors import ServiceCoachError
from servicecoach.models import FindingKind, Severity, Source


def written_into(path: Path) -> bool:
    """Whether output to `path` is written into it as it is, not beside it and renamed over
    it: a named pipe, a device or a link to one, which a rename would replace with a
    regular file (the pipe's reader getting nothing)."""
    return path.exists() and not path.is_file()


def replaced_file(path: Path) -> Path:
    """The file an output to `path` replaces when complete: `path`, or the file it links
    to (a rename over the link would replace the link, not that file)."""
    return path.resolve() if path.is_symlink() else path


def partial_path(path: Path) -> Path:
    """Where a run writes `path` until it completes."""
    target = replaced_file(path)
    return target.with_name(target.name + ".partial")


class Written(NamedTuple):
    """A report an interrupted run already wrote: where its transcript came from, and
    the severity of its most severe issue (None when it has none)."""

    source: Source
    worst: Severity | None
    line: bytes
    """The report as the partial file holds it (its line, newline included)."""


def open_partial(path: Path, *, resume: bool) -> tuple[TextIO, Iterator[Written]]:
    """The partial file of `path`, open for writing, and the reports already in it (none
    unless `resume`). A report cut short by the interruption (a last
    line without its end) is removed, so it is scored again."""
    if not path.parent.is_dir():
        raise ServiceCoachError(f"cannot write --output {path}: the folder {path.parent} "
                                "does not exist", hint="create it first, or fix the path")
    if written_into(path):
        if resume:
            raise ServiceCoachError(f"cannot resume --output {path}: it is a named pipe or a "
                                    "device, not a file", hint="resume a run that wrote a file")
        try:
            return path.open("w", encoding="utf-8", newline=""), iter(())
        except OSError as error:
            raise ServiceCoachError(f"cannot write --output {path}: {error.strerror}",
                                    hint="choose a file you can write") from None
    partial = partial_path(path)
    kept = _complete_lines(partial) if resume else 0
    try:
        if kept:
            with partial.open("r+b") as cut:
                cut.truncate(kept)
        handle = partial.open("a" if kept else "w", encoding="utf-8", newline="")
    except OSError as error:
        raise ServiceCoachError(f"cannot write --output {path}: {error.strerror}",
                                hint="choose a file you can write") from None
    return handle, _written_sources(partial, kept)


def finish(path: Path) -> None:
    """The run completed: its partial file becomes `path` (written into, nothing to do)."""
    if not written_into(path):
        os.replace(partial_path(path), replaced_file(path))


def _complete_lines(partial: Path) -> int:
    """Bytes of `partial` up to the end of its last complete line (0 when absent)."""
    if not partial.is_file():
        return 0
    with partial.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        position = handle.tell()
        while position > 0:
            step = min(65536, position)
            position -= step
            handle.seek(position)
            block = handle.read(step)
            end = block.rfind(b"\n")
            if end >= 0:
                return position + end + 1
        return 0


def _written_sources(partial: Path, kept: int) -> Iterator[Written]:
    """Every report in the first `kept` bytes of `partial`, in order."""
    if not kept:
        return
    with partial.open("rb") as handle:
        read = 0
        for number, line in enumerate(handle, start=1):
            read += len(line)
            if read > kept:
                return
            try:
                report = json.loads(line)
                severities = [Severity(f["severity"]) for f in report.get("findings", ())
                              if f.get("kind") == FindingKind.ISSUE.value]
                yield Written(Source.model_validate(report.get("source")),
                              max(severities, key=lambda s: s.rank) if severities else None,
                              line)
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
                raise ServiceCoachError(
                    f"cannot resume from {partial}: line {number} is not a report with its "
                    "source", hint="resume only a run of 'score --format jsonl --output' "
                    "(or delete the .partial file to start again)") from None
