"""WebVTT captions with speaker names (Microsoft Teams, Zoom, any ``<v Name>`` file).

The speaker of a cue is its ``<v Name>`` voice span, the ``speakerName`` of a Teams
metadataContent JSON payload, or a ``Name:`` prefix (Zoom). Consecutive cues of the
same speaker become one turn. A metadataContent cue's ``startDateTime`` dates the call
(``started_at``: the wall clock at offset 0). Timestamps may be unpadded (``0:0:5.320``)
or without hours; cue settings, other tags (``<i>``, ``<c>``, inline times) and entities
are removed.
Names say nothing about roles: the ``roles``/``agent`` options map them, otherwise the
heuristic of `servicecoach.readers._roles` decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

from servicecoach.errors import InputError, quoted
from servicecoach.nlp.safe_regex import linear
from servicecoach.readers._common import BaseReader, Draft, stem
from servicecoach.readers._time import (
    ClockRangeError,
    clock_seconds,
    iso_utc,
    to_epoch,
    usable_time,
)
from servicecoach.readers.base import ReadResult, Source, json_loads

_TIMING = re.compile(r"^\s*(?P<start>[\d:.,]+)\s+-->\s+(?P<end>[\d:.,]+)")
_VOICE = linear(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_TAG = linear(r"</?[^>]*>")
_PREFIX = re.compile(r"^(?P<name>[A-Z][\w.'-]*(?: [\w.'-]+){0,3}):\s+(?P<text>.+)$", re.DOTALL)


class VttReader(BaseReader):
    """WebVTT with ``<v Name>`` voice tags, Teams metadataContent or ``Name:`` prefixes."""

    name = "vtt"
    description = "WebVTT captions with speaker names (Teams, Zoom, <v Name> tags)"
    extensions = (".vtt",)

    def sniff(self, source: Source, head: str) -> bool:
        return head.lstrip("\ufeff").startswith("WEBVTT")

    def read(self, source: Source) -> Iterator[ReadResult]:
        lines = [line.rstrip("\r\n") for line in source.open_text()]
        if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            yield InputError("not a WebVTT file (no WEBVTT header)", source=source.name,
                             location="line 1", hint="pass the right --input-format")
            return
        draft = Draft(id=stem(source), channel="voice", relative=True, labels_are_names=True)
        for number, cue in _cues(lines):
            timing = _TIMING.match(cue[0])
            try:
                if timing is None:
                    raise ValueError("not a cue timing line")
                start, end = clock_seconds(timing["start"]), clock_seconds(timing["end"])
            except (TypeError, ValueError) as error:
                # quoted only when it starts as a timing does: in a cue without its timing
                # line, speech that holds an arrow is read as one, and errors never quote it
                shown = (f" {quoted(cue[0])}" if cue[0][:1].isdigit()
                         else f": line {number} does not start with a time")
                if isinstance(error, ClockRangeError):
                    shown += f": {error}"
                yield InputError(f"cannot read cue timing{shown}", source=source.name,
                                 location=f"line {number}", transcript_id=draft.id,
                                 hint="write cue times as hh:mm:ss.ttt or mm:ss.ttt")
                return
            said, wall_clock = _voices("\n".join(cue[1:]))
            if wall_clock is not None and usable_time(wall_clock - start):
                draft.metadata.setdefault("started_at", iso_utc(wall_clock - start))
            if not said:
                draft.drop("empty_cues")
                continue
            for speaker, text in said:
                last = draft.turns[-1] if draft.turns else None
                if last is not None and last["label"] == speaker:
                    draft.extend_turn(" " + text)
                    last["end"] = max(last["end"], end)
                else:
                    draft.add_turn(None, text, start, end, label=speaker)
        yield draft.finish(source, reader=self)


def _cues(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number of the timing line, [timing line, payload lines...]) per cue."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
            continue
        timing_at = next((i for i, (_, text) in enumerate(block) if "-->" in text), None)
        if timing_at is not None and not block[0][1].startswith(("NOTE", "STYLE", "REGION")):
            yield block[timing_at][0], [text for _, text in block[timing_at:]]
        block = []


def _voices(payload: str) -> tuple[list[tuple[str, str]], float | None]:
    """What a cue says, as (speaker, text) in order (a cue may hold several ``<v>`` voices,
    each speaking until the next; empty texts left out), and its wall-clock start (epoch
    seconds) when a Teams metadataContent payload gives one (``startDateTime``)."""
    if payload.lstrip().startswith("{"):
        try:
            data = json_loads(payload)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "spokenText" in data:
            said = str(data["spokenText"]).strip()
            return ([(str(data.get("speakerName") or "unknown"), said)] if said else [],
                    to_epoch(data.get("startDateTime")))
    voices = list(_VOICE.finditer(payload))
    if voices:
        # words before the first voice are the first voice's (a line break or a tag before it)
        ends = [voice.start() for voice in voices[1:]] + [len(payload)]
        parts = [(voice["name"].strip(), _plain(payload[voice.end() : stop]))
                 for voice, stop in zip(voices, ends, strict=True)]
        parts[0] = (parts[0][0], _plain(payload[: voices[0].start()] + " " + parts[0][1]))
        return [(speaker, text) for speaker, text in parts if text], None
    text = _plain(payload)
    prefix = _PREFIX.match(text)
    if prefix:
        return [(prefix["name"], prefix["text"].strip())], None
    return ([("unknown", text)] if text else []), None


def _plain(payload: str) -> str:
    """A cue's text without its tags, its entities read, its spaces folded."""
    return " ".join(unescape(_TAG.sub("", payload)).split())


READER = VttReader()
