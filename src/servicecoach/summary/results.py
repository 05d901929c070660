"""Read the reports that `servicecoach score` wrote: JSON Lines (``--format jsonl``), one
line at a time, or a JSON array (``--format json``), one report at a time."""

from __future__ import annotations

import io
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from servicecoach import __version__
from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import Report
from servicecoach.readers.base import (
    InvalidUtf8,
    LongLine,
    Source,
    capped_lines,
    capped_text_lines,
    decoded_pieces,
    lines_or_errors,
    not_utf8,
)
from servicecoach.readers.registry import spooled_bytes
from servicecoach.readers.streaming import array_items


def read_results(path: Path) -> Iterator[Report | InputError]:
    """Each line of a JSON Lines results file (or ``-``, stdin) as a `Report`, or an
    `InputError` naming the file and line when the line is not a report; blank lines are
    skipped. A file, stdin or a named pipe that holds a JSON array (what ``score --format
    json`` writes) gives its elements, one at a time (`_array_reports`). The file is decoded as
    `score` decodes its inputs (a byte-order mark, UTF-16 or UTF-32; a line that is not
    UTF-8 is an error at its line). A device (a link to
    /dev/zero, which would be read until memory runs out) is refused unopened; a named
    pipe is read, as UTF-8. A line longer than `MAX_REPORT_LINE` bytes (in UTF-8, whatever
    the file's encoding) is an error at its line, skipped unread; an array's report longer
    than that ends the array's reading with an error."""
    if str(path) == "-":
        buffer = getattr(sys.stdin, "buffer", None)  # a text stream in place of stdin has none
        if buffer is not None and hasattr(buffer, "peek"):
            yield from _stream_reports(buffer, "-")
            return
        if buffer is None:  # its text as bytes, as `score` reads it: one way to cap a line
            buffer = spooled_bytes(None)
            buffer.seek(0)
        yield from _parse(lines_or_errors(capped_lines(buffer, MAX_REPORT_LINE)), "-")
        return
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISDIR(mode)):
            raise ServiceCoachError(f"cannot read {path}: not a file of reports (a device)",
                                    hint="pass the file 'score --format jsonl' wrote")
        if stat.S_ISFIFO(mode):  # summarize <(zcat ...): read once, as UTF-8 (it cannot seek)
            with path.open("rb") as pipe:
                yield from _stream_reports(pipe, str(path))
        elif _json_array(source := Source.from_path(path)):
            yield from _array_reports(source)
        else:
            with path.open("rb") as handle:
                yield from _parse(capped_text_lines(handle, MAX_REPORT_LINE), str(path))
    except OSError as error:
        raise ServiceCoachError(f"cannot read {path}: {error.strerror}",
                                hint="pass the file 'score --format jsonl' wrote") from None


def _stream_reports(stream: io.BufferedReader, name: str) -> Iterator[Report | InputError]:
    """The reports of a stream that cannot seek (stdin, a named pipe), read once as UTF-8:
    a JSON array's elements when its first bytes open one, else a report a line."""
    if stream.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        yield from _array_reports(Source(name=name, open_text=lambda: iter(()),
                                         open_pieces=lambda: decoded_pieces(stream, "utf-8-sig")))
        return
    yield from _parse(lines_or_errors(capped_lines(stream, MAX_REPORT_LINE)), name)


MAX_REPORT_LINE = 256 << 20
"""The longest line read as a report, in bytes of UTF-8 (a line of a file, stdin or a pipe
and a report of a JSON array alike; a UTF-16 or UTF-32 file's line once in UTF-8): a report is about four times its transcript
(a chat of 2,000 turns makes 0.8 MB), and a longer line is refused at its line unread
rather than held in memory whole (a file of one 2 GB line)."""


def _json_array(source: Source) -> bool:
    """Whether the file starts as a JSON array does, with '[' (a report is an object)."""
    try:
        return source.head(64).lstrip().startswith("[")
    except InvalidUtf8:  # the lines' reading says where
        return False


def _array_reports(source: Source) -> Iterator[Report | InputError]:
    """The reports of a JSON array (``score --format json``), read one element at a time;
    an element that is not a report is an error at its place in the array, and text that
    is no JSON array ends the file's reading with an error after the elements read."""
    number = 0
    try:
        for number, item in enumerate(array_items(source, MAX_REPORT_LINE), start=1):
            try:
                yield Report.model_validate(item)
            except ValidationError as error:
                yield _not_a_report(error, source.name, f"report {number} of the JSON array")
    except ValueError as error:  # InvalidUtf8 too
        problem = (f"a byte that is not UTF-8 at byte {error.offset}"
                   if isinstance(error, InvalidUtf8) else str(error))
        after = f" after its report {number}" if number else ""
        yield InputError(f"not a JSON array of reports{after}: {problem}",
                         source=source.name, location=f"report {number + 1} of the JSON array",
                         hint="a file 'score --format json' wrote and that was cut short "
                         "reads up to the cut; 'score --format jsonl' writes a report a line")


def _not_a_report(error: ValidationError, name: str, location: str) -> InputError:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the line"
    return InputError(f"not a servicecoach report ({where}: {first['msg']})",
                      source=name, location=location,
                      hint=_VERSION_HINT if _other_version(error) else _HINT)


def _parse(lines: Iterable[str | InvalidUtf8 | LongLine],
           name: str) -> Iterator[Report | InputError]:
    for number, line in enumerate(lines, start=1):
        if isinstance(line, InvalidUtf8):
            yield not_utf8(name, line, f"line {number}")
            continue
        if isinstance(line, LongLine):
            yield InputError(f"{line} (the most a report may be): not read", source=name,
                             location=f"line {number}",
                             hint="summarize reads the output of 'score --format jsonl'; a "
                             "transcript this long is best split before it is scored")
            continue
        if not line.strip():
            continue
        try:
            yield Report.model_validate_json(line)
        except ValidationError as error:
            yield _not_a_report(error, name, f"line {number}")


_HINT = "summarize reads what 'score --format jsonl' or '--format json' writes"
_VERSION_HINT = (f"it may come from another servicecoach version (this is {__version__}): "
                 "summarize it with the version that scored it, or score its transcripts "
                 "again with this one")


def _other_version(error: ValidationError) -> bool:
    """Whether a line that is no report reads as one of another servicecoach version: it
    has a report's transcript id and findings, and a field this version does not know or
    lacks one it requires."""
    problems = error.errors()
    if any(p["type"] == "missing" and p["loc"] in (("transcript_id",), ("findings",))
           for p in problems):
        return False
    return any(p["type"] in ("extra_forbidden", "missing") for p in problems)
