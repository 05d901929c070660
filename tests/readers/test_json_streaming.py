"""Canonical JSON arrays read one record at a time, with the same results as read whole."""

from __future__ import annotations

import json
from pathlib import Path

from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers import Source
from servicecoach.readers.canonical import JSON_READER

RECORD = {"id": "a", "turns": [{"speaker": "customer", "text": "Hi", "start": 1.5},
                               {"speaker": "agent", "text": "Hello"}]}


def read(tmp_path: Path, text: str) -> list[object]:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return list(JSON_READER.read(Source.from_path(path)))


def test_records_read_before_a_broken_tail_are_kept_and_the_break_located(tmp_path: Path) -> None:
    good = ",\n".join(json.dumps(RECORD | {"id": f"c{n}"}) for n in range(3))
    results = read(tmp_path, f"[{good},\n{{broken")
    assert [r.id for r in results[:3]] == ["c0", "c1", "c2"]  # type: ignore[attr-defined]
    assert isinstance(results[3], InputError) and "invalid JSON" in str(results[3])
    assert len(results) == 4


def test_what_only_json_reads_falls_back_to_the_whole_file(tmp_path: Path) -> None:
    nan = json.dumps([RECORD, RECORD | {"id": "b"}]).replace("1.5", "NaN", 1)
    results = read(tmp_path, nan)
    assert len(results) == 2 and isinstance(results[0], InputError)
    assert "start" in str(results[0]) and isinstance(results[1], Transcript)


def test_a_streamed_array_equals_the_records(tmp_path: Path) -> None:
    records = [RECORD | {"id": f"c{n}", "metadata": {"queue": "q", "score": 0.1 * n}}
               for n in range(5)]
    results = read(tmp_path, json.dumps(records, indent=2))
    assert results == [Transcript.model_validate(r) for r in records]
