"""Readers by name, format auto-detection, and reading files, folders and stdin."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from functools import partial
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any

from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.readers.base import (
    TOO_DEEP,
    TOO_DEEP_HINT,
    Configurable,
    InvalidUtf8,
    Reader,
    ReadResult,
    Source,
    binary_pieces,
    location_of,
    not_utf8,
    raising,
    text_lines,
    too_deep_at,
)
from servicecoach.readers.folders import ExcludeGlobs, folder_files, irregular
from servicecoach.readers.streaming import first_record_has_turns
from servicecoach.readers.unreadable import MARK_BASE, first_mark, refused_if_unreadable

_READERS: dict[str, Reader] = {}
_ENTRY_POINT_GROUP = "servicecoach.readers"


def register(reader: Reader) -> Reader:
    """Add a reader under its name; a second reader with the same name is an error."""
    if reader.name in _READERS and _READERS[reader.name] is not reader:
        raise ServiceCoachError(
            f"a reader named {reader.name!r} is already registered",
            hint="give the new reader another name",
        )
    _READERS[reader.name] = reader
    return reader


def readers() -> dict[str, Reader]:
    """All readers: the built-in ones and those installed through entry points."""
    if not _READERS:
        _load_builtin()
    return dict(_READERS)


def get_reader(name: str, **options: Any) -> Reader:
    """The reader called `name`, configured with `options`; an error lists the known names.

    Options (``roles={"spk_0": "agent"}``, ``agent="Jane"``, CSV column names...) go to
    the reader's ``configure`` method; a reader without one takes no options.
    """
    known = readers()
    if name not in known:
        raise ServiceCoachError(
            f"unknown input format {name!r}",
            hint=f"use one of: auto, {', '.join(sorted(known))}",
        )
    return _configured(known[name], options, strict=True)


def _configured(reader: Reader, options: dict[str, Any], *, strict: bool) -> Reader:
    """`reader` with `options`; readers without ``configure`` take none (an error if
    `strict`), and unless `strict` a reader that lists its `option_names` is given only
    those (a CSV column named for the CSV files of a folder is no option of its JSON
    files' reader)."""
    options = {key: value for key, value in options.items() if value not in (None, {}, ())}
    names = getattr(reader, "option_names", None)
    if not strict and names is not None:
        options = {key: value for key, value in options.items() if key in names}
    if not options:
        return reader
    if isinstance(reader, Configurable):
        return reader.configure(**options)
    if strict:
        raise ServiceCoachError(
            f"input format {reader.name!r} takes no options ({', '.join(sorted(options))})",
        )
    return reader


def parse_roles(pairs: Iterable[str]) -> dict[str, str]:
    """``["spk_0=agent", "A=customer"]`` (as given to ``--roles``) to a role mapping."""
    roles: dict[str, str] = {}
    for pair in pairs:
        for item in filter(None, (part.strip() for part in pair.split(","))):
            label, sep, role = item.rpartition("=")
            if not sep or not label.strip():
                raise ServiceCoachError(
                    f"cannot read role mapping {item!r}", hint="write LABEL=agent|customer|system",
                )
            roles[label.strip()] = role.strip().lower()
    return roles


DETECTION_HEAD = 4096
"""How much of a source format detection reads first (characters)."""
LONG_DETECTION_HEAD = 1 << 20
"""How much it reads when no format recognised the first `DETECTION_HEAD` characters: some
exports hold their telltale keys after a long first text (AWS Transcribe writes a call's
whole transcript before its items, Intercom a long first message before its parts)."""


def detect(source: Source, options: dict[str, Any] | None = None) -> Reader:
    """The one reader whose `sniff` accepts this source, configured with the `options` it
    takes (a CSV reader told its columns recognises a header of those); an error when none
    or several do."""
    head = source.head(DETECTION_HEAD)
    if not head.strip():
        raise InputError("the file is empty", source=source.name,
                         hint="remove it, or check that the export finished")
    pool = [_configured(r, options, strict=False) if options else r
            for r in readers().values()]
    candidates = [r for r in pool if r.sniff(source, head)]
    if not candidates and len(head) >= DETECTION_HEAD:
        head = source.head(LONG_DETECTION_HEAD)
        candidates = [r for r in pool if r.sniff(source, head)]
    if not candidates and len(head) >= LONG_DETECTION_HEAD and first_record_has_turns(source):
        # a canonical record whose turns come after its first megabyte (a long note)
        named = source.name.endswith((".jsonl", ".ndjson"))
        candidates = [r for r in pool if r.name == ("jsonl" if named else "json")]
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(sorted(r.name for r in candidates))
    if not candidates and "\x00" in head:
        raise InputError(
            "cannot tell the input format: it holds NUL bytes, so it looks like UTF-16 or "
            "UTF-32 without a byte-order mark (read as such only when its first characters "
            "are mostly ASCII)",
            source=source.name,
            hint="save it as UTF-8, or as UTF-16 with a byte-order mark (a spreadsheet's "
            "\"Unicode text\")",
        )
    if not candidates and (byte := first_mark(head)) is not None:
        line = head.count("\n", 0, head.index(chr(MARK_BASE + byte))) + 1
        raise InputError(
            f"cannot tell the input format: it holds bytes that are not UTF-8 (0x{byte:02X})",
            source=source.name, location=f"line {line}",
            hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252)")
    if not candidates and head.lstrip("\ufeff \t\r\n").startswith(("[", "{")) \
            and (deep := too_deep_at(head)) is not None:
        line, column = head.count("\n", 0, deep) + 1, deep - head.rfind("\n", 0, deep)
        raise InputError(f"invalid JSON: {TOO_DEEP}", source=source.name,
                         location=f"line {line} column {column}", hint=TOO_DEEP_HINT)
    if not candidates:
        formats = f"pass --input-format with one of: {', '.join(sorted(readers()))}"
        raise InputError(
            "cannot tell the input format",
            source=source.name,
            hint=formats if source.name == "<stdin>" else (
                f"{formats}; or, if it is no export (a README, a manifest) in a folder "
                f"scored, leave it out with --exclude {quoted_glob(Path(source.name).name)}"),
        )
    raise InputError(
        f"the input could be any of: {names}",
        source=source.name,
        hint="pass --input-format to choose",
    )


def quoted_glob(name: str) -> str:
    """`name` as a glob matching only itself, quoted for a shell when it needs it."""
    glob = "".join(f"[{c}]" if c in "*?[" else c for c in name)
    return glob if all(c.isalnum() or c in "._-+" for c in glob) else shlex.quote(glob)


def _load_builtin() -> None:
    from servicecoach.readers import (
        canonical,
        ccai,
        connect,
        csv,
        etl,
        freshdesk,
        genesys,
        intercom,
        liveperson,
        openai,
        salesforce,
        text,
        transcribe,
        twilio,
        vtt,
        zendesk,
    )

    register(canonical.JSON_READER)
    register(canonical.JSONL_READER)
    register(text.TEXT_READER)
    for module in (csv, vtt, connect, transcribe, genesys, zendesk, intercom, liveperson,
                   salesforce, twilio, freshdesk, ccai, openai, etl):
        register(module.READER)
    for entry in entry_points(group=_ENTRY_POINT_GROUP):
        register(entry.load())


def _spool_text(spool: IO[bytes]) -> Iterator[str]:
    """The decoded lines of spooled stdin, from its start."""
    return raising(_spool_checked(spool))


def _spool_checked(spool: IO[bytes]) -> Iterator[str | InvalidUtf8]:
    """The lines of spooled stdin, from its start, a line that is not UTF-8 as an
    `InvalidUtf8` (UTF-16 and UTF-32 with a byte-order mark are read as such)."""
    return text_lines(spool, _spooled_lines(spool))


def lookup_error(path: Path) -> InputError | None:
    """An error for a path the system cannot look up (a name longer than a file name may
    be, a loop of symbolic links), which holds no file to read; None for any other path, a
    missing one too (said when it is read)."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        return InputError(f"cannot look up the path: {error.strerror}", source=str(path),
                          hint="give a file or a folder that exists")
    return None


def iter_sources(paths: Iterable[str], exclude: ExcludeGlobs | None = None) -> Iterator[Source]:
    """Files named on the command line; folders are walked in sorted order (`folder_files`),
    leaving out the files a glob of `exclude` matches, each file found noted in it (to tell
    the globs that matched nothing); ``-`` is stdin."""
    for raw in paths:
        if raw == "-":
            yield _spooled_source("<stdin>", getattr(sys.stdin, "buffer", None))
            continue
        path = Path(raw)
        if (unlookable := lookup_error(path)) is not None:
            yield Source(name=raw, open_text=_refused(unlookable))
            continue
        if path.is_dir():
            yield from map(_folder_source, _folder_inputs(path, exclude))
        elif path.is_file():
            yield Source.from_path(path)
        elif path.is_fifo():  # a named pipe, as `<(command)` names one: read once, as stdin
            with path.open("rb") as pipe:
                yield _spooled_source(raw, pipe)
        elif path.exists():
            yield Source(name=raw, open_text=_refused(InputError(
                "not a file, folder or pipe (a device?)", source=raw,
                hint="give a file or a folder, or pipe the input to '-'")))
        else:
            yield Source(name=raw, open_text=_refused(FileNotFoundError(raw)))


def _folder_inputs(folder: Path, exclude: ExcludeGlobs | None = None) -> list[Path]:
    """The `folder_files` of `folder` that a reader reads, by their extension."""
    suffixes = {ext for reader in readers().values() for ext in reader.extensions}
    return [path for path in folder_files(folder, exclude) if path.suffix.lower() in suffixes]


def _folder_source(path: Path) -> Source:
    """A file found in a folder as a source; one that is no regular file is an error naming
    it (a named pipe in a folder is not read, as a pipe named on the command line is: no one
    may be writing to it)."""
    if (problem := irregular(path)) is None:
        return Source.from_path(path)
    return Source(name=str(path), open_text=_refused(InputError(
        f"{problem}: only the regular files of a folder are read", source=str(path),
        hint=f"fix or remove it, or leave it out with --exclude {quoted_glob(path.name)}")))


def _one_file(first: Path, second: Path) -> bool:
    """Whether two output paths name one file, regular or yet to be made (the same path,
    or links to one file); a device such as /dev/null may take any number of outputs."""
    if any(path.exists() and not path.is_file() for path in (first, second)):
        return False
    if first.exists() and second.exists():
        return os.path.samefile(first, second)
    return first.resolve() == second.resolve()


def refuse_overwriting_inputs(paths: Iterable[str],
                              outputs: Iterable[tuple[str, Path | None]]) -> None:
    """A `ServiceCoachError` when one of `outputs` (option, path) is a file among the
    inputs `paths` (named, or read from a named folder): writing it would destroy them; or
    when two of `outputs` are one file: each would replace what the other wrote."""
    given = [(option, path) for option, path in outputs if path is not None]
    for number, (option, path) in enumerate(given):
        for other_option, other in given[:number]:
            if _one_file(other, path):
                raise ServiceCoachError(
                    f"{other_option} {other} and {option} {path} are the same file: "
                    "one output would replace the other", hint="give each output a file of its own")
    existing = [(option, path) for option, path in given if path.is_file()]
    if not existing:
        return
    for raw in paths:
        path = Path(raw)
        files = ([file for file in _folder_inputs(path) if file.is_file()] if path.is_dir()
                 else [path] if path.is_file() else [])
        for option, output in existing:
            if any(os.path.samefile(file, output) for file in files):
                raise ServiceCoachError(
                    f"{option} {output} is one of the inputs: writing it would destroy them",
                    hint="write to another file")


def _spooled_source(name: str, buffer: IO[bytes] | None) -> Source:
    """A source of everything `buffer` gives (stdin's text stream when None), read once."""
    spool = spooled_bytes(buffer)
    return Source(name=name, open_text=partial(_spool_text, spool),
                  open_checked=partial(_spool_checked, spool),
                  open_binary=lambda: nullcontext(spool),
                  open_pieces=lambda: binary_pieces(nullcontext(spool)))


STDIN_IN_MEMORY = 1 << 20
"""Bytes of stdin kept in memory; past this stdin is copied to a temporary file, so a large
input is not held in memory while it is scored (a file is read where it is)."""


def spooled_bytes(buffer: IO[bytes] | None) -> IO[bytes]:
    """All of `buffer` (of stdin when None: stdin replaced by a text stream), as bytes
    (decoded like a file: see `lines_or_errors`), in memory up to `STDIN_IN_MEMORY` bytes
    and in a temporary file past that."""
    spool = tempfile.SpooledTemporaryFile(max_size=STDIN_IN_MEMORY)  # noqa: SIM115
    if buffer is not None:
        shutil.copyfileobj(buffer, spool)
    else:
        for chunk in iter(partial(sys.stdin.read, 1 << 16), ""):
            spool.write(chunk.encode("utf-8", "surrogatepass"))
    return spool  # type: ignore[return-value]


def _spooled_lines(spool: IO[bytes]) -> Iterator[bytes]:
    """The lines of `spool` from its start; each opening keeps its own position, so format
    detection and reading can both open it."""
    position = 0
    while True:
        spool.seek(position)
        line = spool.readline()
        if not line:
            return
        position += len(line)
        yield line


def _refused(error: Exception):  # type: ignore[no-untyped-def]
    def lines() -> Iterator[str]:
        raise error

    return lines


def read_sources(
    sources: Iterable[Source],
    input_format: str = "auto",
    *,
    on_reader: Callable[[Source, Reader], None] | None = None,
    **options: Any,
) -> Iterator[ReadResult]:
    """Every transcript (or error) from every source, in order.

    `options` configure the reader (see `get_reader`); with ``auto`` they go to the
    detected reader when it takes options. `on_reader` is told which reader each source got.
    """
    chosen = None if input_format == "auto" else get_reader(input_format, **options)
    for source in sources:
        try:
            reader = chosen or detect(source, options)
        except FileNotFoundError:
            yield InputError("no such file or folder", source=source.name, hint="check the path")
            continue
        except InputError as error:
            yield error
            continue
        except InvalidUtf8 as error:
            yield not_utf8(source.name, error)
            continue
        if on_reader is not None:
            on_reader(source, reader)
        try:
            for result in reader.read(source):
                yield (result if isinstance(result, InputError) else
                       refused_if_unreadable(result, source.name, location_of(result)))
        except InputError as error:  # a source refused unopened, read with --input-format
            yield error
        except OSError as error:
            yield InputError(f"cannot read: {error}", source=source.name)
        except InvalidUtf8 as error:
            yield not_utf8(source.name, error)


def convert(paths: Iterable[str], input_format: str = "auto", **options: Any) -> Iterator[ReadResult]:
    """Read files, folders or ``-`` in any format: canonical transcripts, or errors.

    This is what ``servicecoach convert`` writes out, so a user can see what was understood.
    """
    return read_sources(iter_sources(paths), input_format, **options)
