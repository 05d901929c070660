"""``--errors FILE``: every record a run could not read or score, one JSON object a line."""

from __future__ import annotations

import json
from typing import TextIO

from servicecoach.errors import InputError, MetadataOnly
from servicecoach.models import Source


def error_record(error: InputError, source: Source) -> str:
    """One line of the errors file: file, record, line, transcript id, and the reason
    (what, where inside the record, how to fix it)."""
    reason = error.what + (f" ({error.hint})" if error.hint else "")
    entry = {
        "file": source.file, "record": source.record, "line": source.line,
        "location": error.location or None, "transcript_id": error.transcript_id,
        "turn": error.turn, "kind": "skipped" if isinstance(error, MetadataOnly) else
        "scoring" if error.what.startswith("could not be scored") else "reading",
        "reason": reason,
    }
    return json.dumps(entry, ensure_ascii=False) + "\n"


class ErrorsFile:
    """Writes `error_record` lines to a stream (nothing when there is none)."""

    def __init__(self, out: TextIO | None) -> None:
        self._out = out

    def write(self, error: InputError, source: Source) -> None:
        """Record one error."""
        if self._out is not None:
            self._out.write(error_record(error, source))
