"""CSV, one row per turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, read, sample, speakers

from servicecoach.cli import main
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


WAREHOUSE = """\
Chat ID,Sent At,Author Type,Author,Message Text
c1,2026-11-02T09:00:00Z,agent,Alex,"Hi, I'm Alex, how can I help?"
c1,2026-11-02T09:00:30Z,customer,Dana,"My order never arrived and I'm upset."
"""


def test_csv_columns_are_named_on_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warehouse export whose headers are none of the known ones ('Author Type',
    'Message Text') could not be read from the command line: the error said to name the
    column with --speaker-column, an option no command had, and auto-detection could not
    tell the file's format. The columns are named with --id-column, --speaker-column,
    --text-column, --start-column, --end-column and --name-column, which auto-detection
    reads too; files of other formats beside it are read as before."""
    (tmp_path / "chats.csv").write_text(WAREHOUSE)
    (tmp_path / "other.json").write_text(json.dumps(
        {"id": "j1", "turns": [{"speaker": "customer", "text": "Hello?"}]}))
    columns = ["--id-column", "Chat ID", "--speaker-column", "Author Type",
               "--text-column", "Message Text", "--start-column", "Sent At",
               "--name-column", "Author"]
    assert main(["convert", str(tmp_path), *columns]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [t["id"] for t in out] == ["c1", "j1"]
    assert out[0]["metadata"] == {"agent_name": "Alex", "customer_name": "Dana",
                                  "started_at": "2026-11-02T09:00:00Z"}
    assert [(t["speaker"], t["start"]) for t in out[0]["turns"]] == [("agent", 0.0),
                                                                      ("customer", 30.0)]
    assert main(["score", str(tmp_path / "chats.csv"), "--format", "jsonl",
                 "--speaker-column", "Author Type", "--text-column", "Message Text"]) == 0
    assert json.loads(capsys.readouterr().out)["transcript_id"] == "chats"
    assert main(["convert", str(tmp_path / "chats.csv"), "--input-format", "csv"]) == 2
    assert "no speaker column in the header (name it with --speaker-column" in \
        capsys.readouterr().err
    assert main(["convert", str(tmp_path / "chats.csv"), "--input-format", "csv",
                 *columns[:6], "--start-column", "sent at"]) == 0  # any case
    assert json.loads(capsys.readouterr().out)["turns"][1]["start"] == 30.0
    assert main(["convert", str(tmp_path / "chats.csv"), "--input-format", "csv",
                 *columns[:6], "--start-column", "Sent"]) == 2
    assert "no column 'Sent' in the header (start_column) (the header has: Chat ID, Sent At" \
        in capsys.readouterr().err



def test_a_csv_file_without_the_columns_named_is_told_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With columns named on the command line, another CSV file of the folder, whose
    header has the known columns but not those, was 'cannot tell the input format': it is
    read as CSV, and the column it lacks is named with its header."""
    (tmp_path / "chats.csv").write_text(WAREHOUSE)
    (tmp_path / "plain.csv").write_text('conversation_id,speaker,text\nc2,agent,"Hello"\n')
    assert main(["convert", str(tmp_path), "--speaker-column", "Author Type",
                 "--text-column", "Message Text"]) == 2
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["chats"]
    assert "cannot tell the input format" not in err
    assert ("plain.csv:line 1: no column 'Author Type' in the header (speaker_column) (the "
            "header has: conversation_id, speaker, text") in err


def test_a_column_read_for_two_things_or_a_header_naming_it_twice_is_an_error(
        tmp_path: Path) -> None:
    """`--speaker-column "Message Text"` with the text column found by its header read the
    messages as speaker labels, roles guessed from them without a word; a header naming the
    id column twice read the last, merging conversations 1 and 2 into one. Either is an
    error at the header saying which column and what to do."""
    path = tmp_path / "chats.csv"
    path.write_text("conversation_id,speaker_x,text\n1,agent,Hello\n1,customer,late\n")
    (error,) = convert([str(path)], speaker_column="text")
    assert isinstance(error, InputError)
    assert "column 'text' is named for both speaker_column and text_column" in str(error)
    assert "line 1" in error.render()
    path.write_text("conversation_id,speaker,text,Conversation_ID\n1,agent,Hello,9\n"
                    "2,customer,late,9\n")
    (error,) = convert([str(path)])
    assert isinstance(error, InputError)
    assert "the header has column 'conversation_id' twice (columns 1 and 4)" in str(error)


def test_a_column_named_empty_is_the_header_cell_left_empty(tmp_path: Path) -> None:
    """`--id-column ""` was taken as no option at all: the file was read as one
    conversation without a word. An empty name names the column whose header cell is
    empty (the index column pandas writes), and a header without one is an error."""
    path = tmp_path / "chats.csv"
    path.write_text(",speaker,text\n1,agent,Hello\n2,customer,late\n")
    assert [t.id for t in convert([str(path)], id_column="")] == ["1", "2"]
    path.write_text("conv,speaker,text\n1,agent,Hello\n2,customer,late\n")
    (error,) = convert([str(path)], id_column="")
    assert isinstance(error, InputError)
    assert "no column '' in the header (id_column)" in str(error)


def test_an_unquoted_delimiter_in_the_last_column_s_text_keeps_the_text_whole(
        tmp_path: Path) -> None:
    """A message with a comma that is not quoted makes more cells than the header: the csv
    module put the cells past the header aside and the text after its first comma was lost
    without a word ("Hello, how can I help?" read as "Hello"). When the text is the last
    column it runs to the end of the row; when it is not, the row is an error at its line."""
    path = tmp_path / "chats.csv"
    path.write_text("conversation_id,speaker,text\nc1,agent,Hello, how can I help?\n"
                    "c1,customer,My card, the blue one, was charged twice\n")
    [transcript] = read("csv", path)
    assert isinstance(transcript, Transcript)
    assert [t.text for t in transcript.turns] == [
        "Hello, how can I help?", "My card, the blue one, was charged twice"]
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("conversation_id,text,speaker\nc1,Hello, how can I help?,agent\n")
    [error] = read("csv", shifted)
    assert str(error).startswith(f"{shifted}:line 2, transcript 'c1': 4 cells where the "
                                 "header has 3 (quote a cell that holds ','")


@pytest.mark.parametrize("text", ["conversation_id,speaker,text\n", "speaker,text\n\n\n"])
def test_a_csv_file_of_its_header_alone_is_an_error_not_nothing(tmp_path: Path,
                                                                text: str) -> None:
    """Until 2026-12-07 an export cut after its header was read as no conversation, without a
    word ('0 record(s) in all', exit 0), where an empty file is an error."""
    path = tmp_path / "cut.csv"
    path.write_text(text)
    results = read("csv", path)
    assert [str(result) for result in results] == [
        (f"{path}:line 2: the file holds its header and no row (check that the export "
         "finished, or remove the file)")]
