"""Helpers for the reader tests: sample and fixture paths, reading one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, skip_without_shared

from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers.base import ReadResult, Source
from servicecoach.readers.registry import get_reader

SAMPLES = SHARED / "formats"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sample(relative: str) -> Path:
    """A vendor sample under ../shared/formats (skips the test when samples are absent)."""
    skip_without_shared()
    path = SAMPLES / relative
    if not path.exists():
        pytest.skip(f"sample {relative} not available")
    return path


def read(reader: str, path: Path, **options: Any) -> list[ReadResult]:
    """Everything a reader yields for one file."""
    return list(get_reader(reader, **options).read(Source.from_path(path)))


def one(reader: str, path: Path, **options: Any) -> Transcript:
    """The single transcript a file holds (fails on errors)."""
    results = read(reader, path, **options)
    assert len(results) == 1, results
    assert isinstance(results[0], Transcript), results[0]
    return results[0]


def error(reader: str, path: Path, **options: Any) -> InputError:
    """The single error a file gives."""
    results = read(reader, path, **options)
    assert len(results) == 1 and isinstance(results[0], InputError), results
    return results[0]


def speakers(transcript: Transcript) -> list[str]:
    """Speaker of each turn, as plain strings."""
    return [turn.speaker.value for turn in transcript.turns]


def events(transcript: Transcript) -> list[tuple[str, float | None, int | None, str | None]]:
    """(type, at, after_turn, target) of each event."""
    return [(e.type.value, e.at, e.after_turn, e.target) for e in transcript.events]
