"""Shared fixtures: one Coach for the whole run (building it compiles every pack once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicecoach import Coach, Transcript
from servicecoach.readers.text import parse_transcripts

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def coach() -> Coach:
    """The default coach: bundled `core` pack, blank English pipeline."""
    return Coach()


def transcript(text: str, source: str = "test.txt") -> Transcript:
    """Parse one conversation in the plain-text form, failing loudly on a parse error."""
    (parsed,) = parse_transcripts(text, source=source)
    assert isinstance(parsed, Transcript), parsed
    return parsed
