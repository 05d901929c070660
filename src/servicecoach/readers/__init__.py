"""Readers turn export files into canonical transcripts; see `registry` for the entry points."""

from servicecoach.readers.base import Reader, ReadResult, Source
from servicecoach.readers.folders import ExcludeGlobs, folder_files, hidden, irregular
from servicecoach.readers.registry import (
    convert,
    detect,
    get_reader,
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
