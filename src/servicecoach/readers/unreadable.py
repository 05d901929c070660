"""Bytes that are not UTF-8 in a document read whole (a JSON export, a chat log of many
conversations): the records that hold one are refused, every other record is read.

A reader of one record a line refuses the line that holds such a byte and reads on. A
document cannot be cut at its lines: decoding it stopped at the first bad byte, and every
record after it was lost. So such a document is decoded with each byte that is not UTF-8
read as a *mark*, a character of the end of Unicode's last private-use plane that no
export holds (U+10FF00 to U+10FFFF: the mark of byte ``b`` is U+10FF00 + ``b``); the
reader parses the document as ever, and a transcript that holds a mark anywhere (its id,
a turn's text or other fields, an event, its metadata) is refused with the byte and where it is,
instead of being scored with a character that is not in the file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from servicecoach.errors import InputError
from servicecoach.models import Transcript

UNREADABLE_BYTES = "servicecoach.mark-unreadable-bytes"
"""The codec error handler that reads each byte a codec cannot decode as its mark."""

MARK_BASE = 0x10FF00
"""The mark of byte ``b`` is ``chr(MARK_BASE + b)``."""
_MARKS = re.compile("[\U0010ff00-\U0010ffff]")
"""The marks of every byte (UTF-8 fails on 0x80 to 0xFF only, UTF-16 and UTF-32 on any)."""
_MAX_DEPTH = 32
"""How deep metadata is searched for a mark (deeper values are kept as they are)."""


def _mark(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(MARK_BASE + byte) for byte in bad), error.end


codecs.register_error(UNREADABLE_BYTES, _mark)


def first_mark(text: str) -> int | None:
    """The byte whose mark `text` holds first, if it holds one."""
    found = _MARKS.search(text)
    return ord(found.group()) - MARK_BASE if found else None


class Unreadable(NamedTuple):
    """Where a transcript holds the mark of a byte that is not UTF-8, and the byte."""

    where: str
    """"the id", "the text" or "a field" (of a turn), "an event", "the metadata"."""
    byte: int
    turn: int | None = None


def unreadable_in(transcript: Transcript) -> Unreadable | None:
    """The first mark of a byte that is not UTF-8 in `transcript`; None when it holds none."""
    byte = first_mark(transcript.id)
    if byte is not None:
        return Unreadable("the id", byte)
    for index, turn in enumerate(transcript.turns):
        byte = first_mark(turn.text)
        if byte is not None:
            return Unreadable("the text", byte, index)
        if turn.model_extra:
            byte = _in_values(turn.model_extra.values(), 0)
            if byte is not None:
                return Unreadable("a field", byte, index)
    for event in transcript.events:
        byte = _in_values([event.target, *(event.model_extra or {}).values()], 0)
        if byte is not None:
            return Unreadable("an event", byte)
    metadata = transcript.metadata
    byte = _in_values([metadata.customer_name, metadata.agent_name,
                       *(metadata.model_extra or {}).items()], 0)
    return Unreadable("the metadata", byte) if byte is not None else None


def _in_values(values: Iterable[Any], depth: int) -> int | None:
    """The first byte marked in `values` (strings, and the keys and values of the mappings
    and lists they hold, `_MAX_DEPTH` levels down)."""
    if depth > _MAX_DEPTH:
        return None
    for value in values:
        if isinstance(value, str):
            byte = first_mark(value)
        elif isinstance(value, Mapping):
            byte = _in_values([*value.keys(), *value.values()], depth + 1)
        elif isinstance(value, list | tuple):
            byte = _in_values(value, depth + 1)
        else:
            continue
        if byte is not None:
            return byte
    return None


def refused_if_unreadable(transcript: Transcript, source: str,
                          location: str | None) -> Transcript | InputError:
    """`transcript`, or the error that refuses it when it holds a byte that is not UTF-8."""
    found = unreadable_in(transcript)
    if found is None:
        return transcript
    return InputError(
        f"{found.where} holds a byte that is not UTF-8 (0x{found.byte:02X})", source=source,
        location=location or "", turn=found.turn,
        transcript_id=_MARKS.sub("\N{REPLACEMENT CHARACTER}", transcript.id),
        hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252); the other records "
             "were read")
