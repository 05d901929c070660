"""CSV, one row per turn."""

from __future__ import annotations

from pathlib import Path

from reader_helpers import FIXTURES, read, sample, speakers

from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers import convert


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


def test_a_quote_left_open_is_an_error_that_names_the_rows_it_swallowed(tmp_path: Path) -> None:
    """A quote that never closes makes the csv module read the next rows as one message:
    they are reported, not merged unseen into that message."""
    path = tmp_path / "chats.csv"
    path.write_text('conversation_id,speaker,text\nc1,agent,hello\nc1,customer,ok\n'
                    'c2,agent,hi\nc2,customer,"open quote never closed\nc3,agent,hi\nc3,customer,ok\n')
    results = list(convert([str(path)]))
    errors = [r for r in results if isinstance(r, InputError)]
    assert [str(e) for e in errors] == [
        (f"{path}:line 5: a quoted cell runs on over 2 line(s) that read as rows of their own "
         "(to line 7) (close the quote that opens on that line; the rows it swallowed are not "
         "read)")]
    assert [r.id for r in results if not isinstance(r, InputError)] == ["c1", "c2"]


def test_a_message_over_several_lines_with_commas_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "chats.csv"
    path.write_text('conversation_id,speaker,text\n'
                    'c1,customer,"Hello,\nI have a problem, with my order,\nthanks"\nc1,agent,ok\n')
    (transcript,) = convert([str(path)])
    assert not isinstance(transcript, InputError)
    assert transcript.turns[0].text.count("\n") == 2
