"""CSV, one row per turn."""

from __future__ import annotations

from reader_helpers import FIXTURES, read, sample, speakers

from servicecoach.errors import InputError
from servicecoach.models import Transcript


def test_twitter_support_rows_are_threaded() -> None:
    results = read("csv", sample("csv-twitter-customer-support/twcs_kaggle_header_and_rows_quoted_in_repo_docstring.csv"))
    assert len(results) == 1
    transcript = results[0]
    assert isinstance(transcript, Transcript)
    assert transcript.id == "1"
    assert speakers(transcript) == ["agent", "customer"]  # inbound False / True
    assert transcript.turns[1].text == "@sprintcare and how do you propose we do that"
    assert [t.start for t in transcript.turns] == [0.0, 58.0]  # 22:10:47 -> 22:11:45


def test_conversations_roles_times_and_a_broken_row() -> None:
    results = read("csv", FIXTURES / "turns.csv")
    assert [getattr(r, "id", None) for r in results] == ["c1", None, "c3"]
    c1, broken, c3 = results
    assert speakers(c1) == ["agent", "customer"]
    assert [(t.start, t.end) for t in c1.turns] == [(1.0, 4.0), (5.5, 8.0)]
    assert isinstance(broken, InputError)
    assert broken.location == "line 6" and broken.transcript_id == "c2"
    assert speakers(c3) == ["agent", "customer"]  # names: 'Welcome to' is an agent cue
    assert c3.turns[1].start == 30.0


def test_role_option_maps_name_values() -> None:
    results = read("csv", FIXTURES / "turns.csv", roles={"Jordan": "customer", "Sky": "agent"})
    assert speakers(results[2]) == ["customer", "agent"]


def test_column_options() -> None:
    results = read("csv", FIXTURES / "turns.csv", speaker_column="text", text_column="speaker")
    assert results[0].turns[0].text == "agent"
