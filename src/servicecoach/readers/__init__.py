"""Readers turn export files into canonical transcripts; see `registry` for the entry points."""

from servicecoach.readers.base import Reader, ReadResult, Source
from servicecoach.readers.registry import detect, get_reader, iter_sources, read_sources, readers, register

__all__ = [
    "ReadResult",
    "Reader",
    "Source",
    "detect",
    "get_reader",
    "iter_sources",
    "read_sources",
    "readers",
    "register",
]
