"""ETL streams: loader-wrapped records and part-per-row Intercom/Zendesk streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, events, read, speakers

from servicecoach.errors import InputError, MetadataOnly
from servicecoach.models import Transcript
from servicecoach.readers import Source, detect

ETL = FIXTURES / "etl"


def test_intercom_parts_grouped_per_conversation_in_time_order() -> None:
    results = read("etl", ETL / "airbyte_intercom.jsonl")
    admins, first, second, broken = results  # in the order of each one's first line
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert (first.id, second.id) == ("215", "216")
    # the conversations stream gives 215's first message; parts sorted by created_at although
    # the rows of 215 and 216 interleave and 215's are out of order
    assert speakers(first) == ["customer", "system", "customer", "agent", "agent", "customer"]
    assert [t.start for t in first.turns] == [0.0, 5.0, 30.0, 60.0, 200.0, 230.0]
    # HTML to text; the Fin bot part is a system turn; the note is left out, counted
    assert first.turns[2].text == "I was charged twice\nonce on the 1st and again on the 3rd."
    assert first.turns[3].text == ("Hi Lena, I'm Tomás. I can see the invoice & the plan change.\n"
                                   "It was applied a day late.")
    assert first.metadata.model_extra["dropped_internal_notes"] == 1
    assert (first.metadata.customer_name, first.metadata.agent_name) == ("Lena Fischer", "Tomás Reyes")
    # the reassignment to another admin is a transfer, to her name; the id is kept
    assert events(first) == [("transfer", 90.0, None, "Aiko Tanaka")]
    assert first.events[0].model_extra["metadata"] == {"target_id": "7120044"}
    # hard negative: no turn of 216 is merged into 215 or the other way round
    assert [t.text for t in second.turns] == [
        "Hello, can I change my delivery address?",
        "Yes, you can change it under Account > Addresses."]
    assert speakers(second) == ["customer", "agent"] and not second.events
    # the admins stream is no conversation: one skip for the stream, not one per record
    assert isinstance(admins, MetadataOnly) and "stream 'admins': 2 record(s)" in admins.what
    # a cut-off line is reported with its number; the rest of the file was read
    assert isinstance(broken, InputError) and not isinstance(broken, MetadataOnly)
    assert broken.location == "line 11" and broken.what.startswith("invalid JSON")


def test_zendesk_comments_grouped_per_ticket() -> None:
    first, second = read("etl", ETL / "airbyte_zendesk_comments.jsonl")
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert (first.id, second.id) == ("501", "502")
    # the tickets stream's requester is the customer; the private comment is an internal note
    assert speakers(first) == ["customer", "agent", "customer", "agent"]
    assert first.turns[0].text == "My parcel arrived with the box crushed.\nThe lamp inside is broken."
    assert [t.start for t in first.turns] == [0.0, 720.0, 1800.0, 2700.0]
    assert first.metadata.model_extra["dropped_internal_notes"] == 1
    assert "Customer sent photos" not in " ".join(t.text for t in first.turns)
    # without a ticket record the author ids are labels, mapped by what they say
    assert speakers(second) == ["customer", "agent"]
    assert second.metadata.model_extra["role_mapping"] == {"91234": "customer", "90777": "agent"}


def test_parts_without_a_wrapper() -> None:
    (transcript,) = read("etl", ETL / "intercom_parts_bare.jsonl")
    assert isinstance(transcript, Transcript) and transcript.id == "216"
    assert speakers(transcript) == ["customer", "agent"]


def test_wrapper_around_other_readers_records() -> None:
    canonical, intercom, bad_turn, not_object = read("etl", ETL / "airbyte_other_readers.jsonl")
    # an Airbyte protocol RECORD message holding a canonical transcript; the LOG line is no record
    assert isinstance(canonical, Transcript) and canonical.id == "call-9"
    assert canonical.channel.value == "voice"
    # a whole Intercom conversation inside 'data' is read by the Intercom reader
    assert isinstance(intercom, Transcript) and intercom.id == "300"
    assert speakers(intercom) == ["customer", "agent"]
    # errors from the reader inside name the line of the record
    assert isinstance(bad_turn, InputError) and bad_turn.location == "line 4"
    assert bad_turn.transcript_id == "call-10" and "speaker" in bad_turn.what
    assert isinstance(not_object, InputError) and not_object.location == "line 5"


@pytest.mark.parametrize("name", ["airbyte_intercom.jsonl", "airbyte_zendesk_comments.jsonl",
                                  "intercom_parts_bare.jsonl", "airbyte_other_readers.jsonl"])
def test_etl_files_are_detected(name: str) -> None:
    assert detect(Source.from_path(ETL / name)).name == "etl"


def test_one_exported_object_stays_with_its_reader(tmp_path: Path) -> None:
    """Hard negative: a single comment or audit saved on one line is the Zendesk reader's,
    and a whole Intercom conversation the Intercom reader's, not a stream."""
    comment = {"id": 1, "type": "Comment", "ticket_id": 5, "author_id": 2, "body": "hi",
               "public": True, "created_at": "2025-01-01T00:00:00Z"}
    (tmp_path / "comment.json").write_text(json.dumps(comment))
    assert detect(Source.from_path(tmp_path / "comment.json")).name == "zendesk"
    conversation = (FIXTURES / "intercom_conversation.json").read_text()
    (tmp_path / "conversation.json").write_text(json.dumps(json.loads(conversation)))
    assert detect(Source.from_path(tmp_path / "conversation.json")).name == "intercom"


def test_roles_option_reaches_the_reader_inside(tmp_path: Path) -> None:
    rows = [{"stream": "comments", "emitted_at": 1, "data": {
        "id": n, "type": "Comment", "ticket_id": 9, "author_id": author, "body": text,
        "public": True, "created_at": f"2025-01-01T00:0{n}:00Z"}}
        for n, (author, text) in enumerate([(11, "hello"), (22, "hi there")])]
    path = tmp_path / "comments.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    (transcript,) = read("etl", path, roles={"22": "agent"})
    assert isinstance(transcript, Transcript)
    assert speakers(transcript) == ["customer", "agent"]


def test_rows_written_again_by_a_later_sync_count_once(tmp_path: Path) -> None:
    """Append-mode syncs repeat rows; the same part id is one turn (its latest version),
    and two parts with the same text but different ids stay two turns (hard negative)."""
    def row(part_id: str, body: str, at: int) -> str:
        data = {"type": "conversation_part", "id": part_id, "part_type": "comment", "body": body,
                "created_at": at, "conversation_id": "77", "author": {"type": "user", "id": "u1"}}
        return json.dumps({"stream": "conversation_parts", "data": data, "emitted_at": 1}) + "\n"
    path = tmp_path / "parts.jsonl"
    path.write_text(row("1", "<p>hello?</p>", 100) + row("2", "<p>hello?</p>", 160)
                    + row("1", "<p>hello? (edited)</p>", 100))
    (transcript,) = read("etl", path)
    assert isinstance(transcript, Transcript)
    assert [t.text for t in transcript.turns] == ["hello? (edited)", "hello?"]


def test_airbyte_raw_table_rows(tmp_path: Path) -> None:
    """Airbyte's raw tables keep the record as a JSON string in ``_airbyte_data``."""
    comment = {"id": 1, "type": "Comment", "ticket_id": 31, "author_id": 5, "public": True,
               "plain_body": "Thank you for contacting us, how can I help?",
               "created_at": "2025-03-01T10:00:00Z"}
    reply = {**comment, "id": 2, "author_id": 6, "plain_body": "My order number is 881.",
             "created_at": None, "timestamp": 1740823320}  # Airbyte's epoch seconds: 10:02
    path = tmp_path / "raw.jsonl"
    path.write_text("".join(json.dumps({"_airbyte_raw_id": str(n), "_airbyte_extracted_at": "x",
                                        "_airbyte_data": json.dumps(data)}) + "\n"
                            for n, data in enumerate([comment, reply])))
    assert detect(Source.from_path(path)).name == "etl"
    (transcript,) = read("etl", path)
    assert isinstance(transcript, Transcript) and transcript.id == "31"
    assert speakers(transcript) == ["agent", "customer"]
    assert [t.start for t in transcript.turns] == [0.0, 120.0]


def test_a_conversation_with_unexpected_rows_does_not_stop_the_others(tmp_path: Path) -> None:
    def row(part_id: str, conversation: int, author: object, **extra: object) -> str:
        data = {"type": "conversation_part", "id": part_id, "part_type": "comment",
                "body": "<p>hi</p>", "created_at": 100, "author": author,
                "conversation_id": conversation, **extra}
        return json.dumps({"stream": "conversation_parts", "data": data, "emitted_at": 1}) + "\n"
    path = tmp_path / "parts.jsonl"
    path.write_text(row("1", 5, {"type": "admin", "id": "a"}, part_type="assignment", body=None,
                        assigned_to="a2")  # the Airbyte schema allows a string here
                    + row("2", 5, "not an object") + row("3", 6, {"type": "user", "id": "u"}))
    broken, fine = read("etl", path)
    assert isinstance(broken, InputError) and broken.location == "line 1"
    assert "unexpected structure" in broken.what
    assert isinstance(fine, Transcript) and fine.id == "6"


def test_an_admin_row_without_an_id_names_nobody_and_stops_nothing(tmp_path: Path) -> None:
    """A directory row that lost its id (found by the fuzz test) is left out of the names;
    the conversations are read as ever, the other admin still named."""
    lines = (ETL / "airbyte_intercom.jsonl").read_text(encoding="utf-8").splitlines()
    second_admin = json.loads(lines[1])
    assert second_admin["data"]["name"] == "Aiko Tanaka"
    del second_admin["data"]["id"]
    lines[1] = json.dumps(second_admin)
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = read("etl", path)
    first = next(r for r in results if isinstance(r, Transcript) and r.id == "215")
    assert first.metadata.agent_name == "Tomás Reyes"
    # the transfer's target is no longer named: it keeps the admin's id only
    assert [e.type for e in first.events] == ["transfer"]
    assert first.events[0].model_extra["metadata"] == {"target_id": "7120044"}


def test_a_stream_record_is_reported_at_its_own_line(tmp_path: Path) -> None:
    """The reader of a stream record reads it as a file of one line: reports (and the
    duplicate-id warning) gave every record's line as 1, or none, not its line in the export."""
    from servicecoach.batch.located import read_located

    rows = [{"type": "RECORD", "record": {"stream": "t", "data": {
        "id": id_, "turns": [{"speaker": "customer", "text": "hi"}]}}} for id_ in "abc"]
    path = tmp_path / "sync.jsonl"
    path.write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")
    assert [(r.item.id, r.source.line) for r in read_located([Source.from_path(path)], "auto")
            if isinstance(r.item, Transcript)] == [("a", 1), ("b", 2), ("c", 3)]
    located = read_located([Source.from_path(ETL / "airbyte_other_readers.jsonl")], "auto")
    assert [(r.item.id, r.source.line) for r in located if isinstance(r.item, Transcript)] \
        == [("call-9", 1), ("300", 3)]
