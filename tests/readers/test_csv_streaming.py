"""CSV exports read as streams: a conversation is complete when its id stops appearing;
an export that interleaves ids is spilled to disk and read back grouped, in the order ids
first appear; columns constant over a conversation become its metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicecoach.models import Transcript
from servicecoach.readers import Source
from servicecoach.readers import csv as csv_reader
from servicecoach.readers.csv import READER

HEADER = "conversation_id,speaker,text,queue,message_id\n"


def read(tmp_path: Path, body: str) -> list[Transcript]:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    results = list(READER.read(Source.from_path(path)))
    assert all(isinstance(r, Transcript) for r in results), results
    return results  # type: ignore[return-value]


def test_interleaved_ids_give_the_same_conversations_as_grouped_ones(tmp_path: Path) -> None:
    grouped = read(tmp_path, "a,customer,Hi,billing,1\na,agent,Hello,billing,2\n"
                             "b,customer,Yo,sales,3\nb,agent,Hey,sales,4\n")
    interleaved = read(tmp_path, "a,customer,Hi,billing,1\nb,customer,Yo,sales,3\n"
                                 "a,agent,Hello,billing,2\nb,agent,Hey,sales,4\n")
    assert [t.id for t in interleaved] == ["a", "b"]
    assert [t.turns for t in interleaved] == [t.turns for t in grouped]


def test_constant_columns_become_metadata_and_varying_ones_do_not(tmp_path: Path) -> None:
    first, _ = read(tmp_path, "a,customer,Hi,billing,1\na,agent,Hello,billing,2\n"
                              "b,customer,Yo,sales,3\n")
    assert first.metadata.model_extra == {"queue": "billing"}



def test_the_interleaving_check_spills_its_ids_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_reader, "SEEN_IN_MEMORY", 2)
    grouped = "".join(f"c{n},customer,Hi,q,{n}\nc{n},agent,Hello,q,{n}\n" for n in range(6))
    assert [t.id for t in read(tmp_path, grouped)] == [f"c{n}" for n in range(6)]
    back = grouped + "c1,agent,One more thing,q,9\n"  # c1 comes back after five others
    results = read(tmp_path, back)
    assert [t.id for t in results] == [f"c{n}" for n in range(6)]
    assert results[1].turns[-1].text == "One more thing"
