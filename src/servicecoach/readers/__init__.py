"""Readers turn export files into canonical transcripts; see `registry` for the entry points."""

from servicecoach.readers.base import Reader, ReadResult, Source
from servicecoach.readers.registry import (
    ExcludeGlobs,
    convert,
    detect,
    folder_files,
    get_reader,
    hidden,
    irregular,
    iter_sources,
    lookup_error,
    parse_roles,
    read_sources,
    readers,
    refuse_overwriting_inputs,
    register,
)

__all__ = [
    "ExcludeGlobs",
    "ReadResult",
    "Reader",
    "Source",
    "convert",
    "detect",
    "folder_files",
    "get_reader",
    "hidden",
    "irregular",
    "iter_sources",
    "lookup_error",
    "parse_roles",
    "read_sources",
    "readers",
    "refuse_overwriting_inputs",
    "register",
]
