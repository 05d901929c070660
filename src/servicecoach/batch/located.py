"""Read inputs with where each record came from: file, record number and line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from servicecoach.errors import InputError
from servicecoach.models import Metadata, Source, Transcript
from servicecoach.readers import Reader, read_sources
from servicecoach.readers import Source as Input
from servicecoach.readers.base import location_of

_LINE = re.compile(r"\bline (\d+)")
_RECORD = re.compile(r"^record (\d+)$")
STDIN = "<stdin>"


class Record(NamedTuple):
    """A transcript read, or the error for a record that could not be, and where it was."""

    item: Transcript | InputError
    source: Source


def file_name(name: str) -> str:
    """The file as the user gave it, ``-`` for stdin."""
    return "-" if name == STDIN else name


def record_of(location: str) -> int | None:
    """The record number in a location such as ``record 12`` (a scoring failure's)."""
    found = _RECORD.search(location)
    return int(found.group(1)) if found else None


def _line(location: str | None) -> int | None:
    found = _LINE.search(location or "")
    return int(found.group(1)) if found else None


def read_located(
    inputs: Iterable[Input], input_format: str, *,
    on_reader: Callable[[Input, Reader], None] | None = None,
    run_metadata: Mapping[str, Any] | None = None, **options: Any,
) -> Iterator[Record]:
    """Every record of every input in order, numbered from 1 within its file, with the
    line where it starts when the reader says; `run_metadata` (``--meta``) is added to
    each transcript's metadata, over what the export gave."""
    for one in inputs:
        name = file_name(one.name)
        for record, item in enumerate(read_sources([one], input_format, on_reader=on_reader,
                                                   **options), start=1):
            if isinstance(item, Transcript):
                line = _line(location_of(item))
                if run_metadata:
                    merged = {**item.metadata.model_dump(exclude_none=True), **run_metadata}
                    item = item.model_copy(update={"metadata": Metadata.model_validate(merged)})
            else:
                line = _line(item.location)
            yield Record(item, Source(file=name, record=record, line=line))
