"""Output that loses nothing: `score` writes beside the target as ``NAME.partial``, renamed
when the run completes, and ``--resume`` picks up what an interrupted run wrote; the other
commands write a hidden ``.NAME.PID.tmp`` of their own (`replacing`), so they never touch a
run's partial file. An output that is a named pipe or a device (``-o >(gzip > x.gz)``,
``-o /dev/stdout``) is written into."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import ijson

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
    if not path.is_symlink():
        return path
    try:
        return path.resolve()
    except RuntimeError:  # Python before 3.13 says so of a loop of links
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def _partial_of(target: Path) -> Path:
    """The partial file beside `target` (the file itself, links resolved)."""
    return target.with_name(target.name + ".partial")


def partial_path(path: Path) -> Path:
    """Where a run writes `path` until it completes."""
    return _partial_of(replaced_file(path))


def _mode_kept(target: Path) -> os.stat_result | None:
    """The status of the regular file `target` a new file replaces (None when there is
    none): its permission bits and group are what the new file is given."""
    try:
        status = target.stat()
    except OSError:  # none there (or not one we can look up: opening says so)
        return None
    return status if stat.S_ISREG(status.st_mode) else None


def open_beside(written: Path, target: Path, *, append: bool = False,
                newline: str | None = "") -> TextIO:
    """`written` open to write text (appended to when `append`), the file that will
    replace `target`. When `target` exists, `written` is made with no permission for
    others (a report kept 0600 is never readable by others while it is written), then
    given `target`'s permission bits (and write permission for its owner until it is
    complete, `keep_mode` gives the bits exactly) and `target`'s group where the user may
    (a member of that group); its owner is the user running. Raises OSError as
    `Path.open` does."""
    kept = _mode_kept(target)
    if kept is None:
        return written.open("a" if append else "w", encoding="utf-8", newline=newline)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    descriptor = os.open(written, flags, 0o600)
    try:
        os.fchmod(descriptor, stat.S_IMODE(kept.st_mode) | stat.S_IWUSR)
        with contextlib.suppress(OSError):  # not a group of the user's: the user's own
            os.fchown(descriptor, -1, kept.st_gid)
        return open(descriptor, "a" if append else "w", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(descriptor)
        raise


def keep_mode(written: Path, target: Path) -> None:
    """Give `written`, about to replace `target`, `target`'s permission bits exactly
    (`open_beside` left write permission for the owner while it was written)."""
    kept = _mode_kept(target)
    if kept is not None and not stat.S_IMODE(kept.st_mode) & stat.S_IWUSR:
        os.chmod(written, stat.S_IMODE(kept.st_mode))


def check_writable(path: Path, option: str) -> None:
    """Refuse, before anything is written, an output (given as `option`) a command would
    only open at its end: a folder, or a file whose folder does not exist or cannot be
    written into (the file written beside it goes there). A pipe or a device is left to
    opening."""
    if not path.parent.is_dir():
        raise ServiceCoachError(f"cannot write {option} {path}: the folder {path.parent} "
                                "does not exist", hint="create it first, or fix the path")
    if path.is_dir():
        raise ServiceCoachError(f"cannot write {option} {path}: it is a folder",
                                hint="name a file (in that folder, or another)")
    if written_into(path):
        return
    folder = replaced_file(path).parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ServiceCoachError(f"cannot write {option} {path}: the folder {folder} cannot "
                                "be written into", hint="choose a folder you can write, or "
                                "change its permissions")


def _temporary(target: Path) -> Path:
    """Where `replacing` writes until the block completes: a hidden file beside `target`,
    one a process (two runs writing one file do not write into each other), and never
    ``NAME.partial``, which `score --resume` reads."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """`path` open to write text: into it when it is `written_into` (a pipe, a device),
    else into a hidden file beside the one it names (`replaced_file`, `_temporary`; never
    the ``NAME.partial`` an interrupted `score` leaves to resume), which replaces that file
    only when the block completes. A block that fails, or a rename that does, removes what
    it wrote and leaves the file as it was. The new file keeps the replaced one's permission
    bits and, where the user may, its group (`open_beside`); it is a new file, so its owner
    is the user running and a hard link to the old one keeps the old contents (as with
    ``sed -i``). Opening raises OSError as `Path.open` does."""
    if written_into(path):
        with path.open("w", encoding="utf-8") as into:
            yield into
        return
    target = replaced_file(path)
    written = _temporary(target)
    handle = open_beside(written, target, newline=None)
    try:
        with handle:
            yield handle
        keep_mode(written, target)
        os.replace(written, target)
    except BaseException:
        written.unlink(missing_ok=True)
        raise


class Written(NamedTuple):
    """A report an interrupted run already wrote: where its transcript came from, and
    the severity of its most severe issue (None when it has none)."""

    source: Source
    worst: Severity | None
    digest: bytes
    """The SHA-256 of the report as the partial file holds it (its line, newline
    included)."""

    def holds(self, line: str) -> bool:
        """Whether the partial file's report is `line` (a rendered report, newline
        included), byte for byte."""
        return hashlib.sha256(line.encode()).digest() == self.digest


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
        handle = open_beside(partial, replaced_file(path), append=bool(kept))
    except OSError as error:
        raise ServiceCoachError(f"cannot write --output {path}: {error.strerror}",
                                hint="choose a file you can write") from None
    return handle, _written_sources(partial, kept)


def finish(path: Path) -> None:
    """The run completed: its partial file becomes `path` (written into, nothing to do),
    with the permission bits of the file it replaces (see `open_beside`)."""
    if not written_into(path):
        keep_mode(partial_path(path), replaced_file(path))
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


_PIECE = 1 << 16
"""Bytes of a report line read at a time when resuming."""


class _ReportLine:
    """What resuming needs of one report line (its source, its most severe issue and a
    digest of its bytes), read piece by piece: a line is never held whole, so a 2 GB line
    costs a piece of it in memory (a string value is held whole as it is parsed)."""

    def __init__(self) -> None:
        self._events = ijson.sendable_list()
        self._parser = ijson.parse_coro(self._events, use_float=True)
        self._digest = hashlib.sha256()
        self._started = False
        self._building: Any = None  # an ijson.ObjectBuilder
        self._depth = 0
        self._source: Any = None
        self._finding: dict[str, Any] | None = None
        self._worst: Severity | None = None

    def feed(self, piece: bytes) -> None:
        """Read the next piece of the line; `ValueError` where it is no report."""
        self._digest.update(piece)
        self._parser.send(piece)
        self._take_events()

    def written(self) -> Written:
        """The report, once the whole line is read; `ValueError` when it is none."""
        self._parser.close()
        self._take_events()
        return Written(Source.model_validate(self._source), self._worst,
                       self._digest.digest())

    def _take_events(self) -> None:
        for prefix, event, value in self._events:
            if not self._started:
                if (prefix, event) != ("", "start_map"):
                    raise ValueError("not a JSON object")
                self._started = True
            elif self._building is not None or prefix == "source":
                self._take_source(event, value)
            elif prefix == "findings" and event not in ("start_array", "end_array"):
                raise ValueError("findings is not a list")
            elif prefix.startswith("findings.item"):
                self._take_finding(prefix, event, value)
        del self._events[:]

    def _take_source(self, event: str, value: Any) -> None:
        if self._building is None:
            if event not in ("start_map", "start_array"):
                self._source = value
                return
            self._building = ijson.ObjectBuilder()
        self._building.event(event, value)
        self._depth += event in ("start_map", "start_array")
        self._depth -= event in ("end_map", "end_array")
        if not self._depth:
            self._source, self._building = self._building.value, None

    def _take_finding(self, prefix: str, event: str, value: Any) -> None:
        if prefix == "findings.item":
            if event == "start_map":
                self._finding = {}
            elif event == "end_map" and self._finding is not None:
                if self._finding.get("kind") == FindingKind.ISSUE.value:
                    severity = Severity(self._finding.get("severity"))
                    if self._worst is None or severity.rank > self._worst.rank:
                        self._worst = severity
                self._finding = None
            elif event != "map_key":
                raise ValueError("a finding is not an object")
        elif prefix in ("findings.item.kind", "findings.item.severity"):
            assert self._finding is not None
            self._finding[prefix.rpartition(".")[2]] = value


def _written_sources(partial: Path, kept: int) -> Iterator[Written]:
    """Every report in the first `kept` bytes of `partial`, in order, each line read in
    pieces (see `_ReportLine`)."""
    if not kept:
        return
    with partial.open("rb") as handle:
        number = 0
        while handle.tell() < kept:
            number += 1
            line = _ReportLine()
            try:
                while True:
                    piece = handle.readline(_PIECE)
                    line.feed(piece)
                    if not piece or piece.endswith(b"\n"):
                        break
                yield line.written()
            except (ValueError, ijson.JSONError):
                raise ServiceCoachError(
                    f"cannot resume from {partial}: line {number} is not a report with its "
                    "source", hint="resume only a run of 'score --format jsonl --output' "
                    "(or delete the .partial file to start again)") from None
