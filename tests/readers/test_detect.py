"""Auto-detection picks the right reader for every vendor sample and fixture, from content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import skip_without_shared
from reader_helpers import FIXTURES, SAMPLES

from servicecoach.errors import InputError
from servicecoach.readers import convert
from servicecoach.readers.base import Source
from servicecoach.readers.registry import detect

EXPECTED = {
    "amazon-connect-contact-lens-chat": "connect",
    "amazon-connect-contact-lens-realtime": "connect",
    "amazon-connect-contact-lens-voice": "connect",
    "aws-transcribe": "transcribe",
    "csv-twitter-customer-support": "csv",
    "freshdesk": "freshdesk",
    "genesys-cloud-analytics-conversation-details": "genesys",
    "intercom": "intercom",
    "liveperson": "liveperson",
    "microsoft-teams-transcript": "vtt",
    "openai-whisper-and-messages": "openai",
    "salesforce-livechat": "salesforce",
    "twilio-conversations": "twilio",
    "webvtt-voice-tags": "vtt",
    "zendesk": "zendesk",
    "zendesk-sunshine-conversations": "zendesk",
}
NOT_SUPPORTED = {"pyannote-rttm"}  # speaker turns without any text: nothing to score


def _samples() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file()
                  and p.name not in ("README.md", "SOURCE.md") and "ELIDED" not in p.name)


def test_every_sample_folder_is_covered() -> None:
    skip_without_shared()
    folders = {p.parent.name for p in _samples()}
    assert folders <= set(EXPECTED) | NOT_SUPPORTED, folders - set(EXPECTED) - NOT_SUPPORTED


@pytest.mark.parametrize(
    "path", _samples() or [pytest.param(SAMPLES, marks=pytest.mark.needs_shared)],
    ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_is_detected(path: Path) -> None:
    source = Source.from_path(path)
    if path.parent.name in NOT_SUPPORTED:
        with pytest.raises(InputError, match="cannot tell the input format"):
            detect(source)
    else:
        assert detect(source).name == EXPECTED[path.parent.name]


@pytest.mark.parametrize(("name", "reader"), [
    ("connect_chat_transcript.json", "connect"),
    ("connect_missing_role.json", "connect"),
    ("connect/contact_lens_voice.json", "connect"),
    ("connect/ctr.json", "connect"),
    ("genesys/sta_transcript.json", "genesys"),
    ("genesys/details.json", "genesys"),
    ("twilio/messages.json", "twilio"),
    ("twilio/participants.json", "twilio"),
    ("intercom_conversation.json", "intercom"),
    ("zendesk_audits.json", "zendesk"),
    ("liveperson_bot.json", "liveperson"),
    ("salesforce_body.html", "salesforce"),
    ("freshdesk_html.json", "freshdesk"),
    ("turns.csv", "csv"),
    ("zoom.vtt", "vtt"),
    ("transcribe_call_analytics.json", "transcribe"),
    ("ccai_upload.json", "ccai"),
    ("openai_verbose.json", "openai"),
    ("genesys_conversation/conversation.json", "genesys"),
    ("genesys_conversation/sta_transcript.json", "genesys"),
    ("genesys_transfer/details.json", "genesys"),
    ("salesforce/transfer_and_back.txt", "salesforce"),
    ("text/wrapped.txt", "text"),
    ("etl/airbyte_intercom.jsonl", "etl"),
    ("etl/airbyte_zendesk_comments.jsonl", "etl"),
    ("etl/intercom_parts_bare.jsonl", "etl"),
    ("etl/airbyte_other_readers.jsonl", "etl"),
])
def test_fixture_is_detected(name: str, reader: str) -> None:
    assert detect(Source.from_path(FIXTURES / name)).name == reader


def test_detection_uses_content_not_the_file_name(tmp_path: Path) -> None:
    misleading = tmp_path / "export.csv"
    misleading.write_text((FIXTURES / "zoom.vtt").read_text())
    assert detect(Source.from_path(misleading)).name == "vtt"


def test_canonical_and_text_formats_are_not_claimed_by_export_readers(tmp_path: Path) -> None:
    canonical = tmp_path / "t.json"
    canonical.write_text('{"id": "x", "turns": [{"speaker": "agent", "text": "hi"}]}')
    text = tmp_path / "t.txt"
    text.write_text("Agent: Thanks for calling\nCustomer: hi\n")
    assert detect(Source.from_path(canonical)).name == "json"
    assert detect(Source.from_path(text)).name == "text"


def test_a_text_transcript_quoting_liveperson_keys_is_text(tmp_path: Path) -> None:
    """LivePerson's sniffer looked for its keys anywhere: a text transcript whose agent
    quoted '"messageRecords"' and '"sentBy"' was claimed by liveperson as well, and refused
    as "could be any of: liveperson, text"."""
    text = tmp_path / "t.txt"
    text.write_text('Agent: the API gave "messageRecords" with "sentBy" empty.\n'
                    "Customer: ok\n", encoding="utf-8")
    assert detect(Source.from_path(text)).name == "text"


def test_a_text_transcript_quoting_intercom_keys_is_text(tmp_path: Path) -> None:
    """Intercom's sniffer read ``json and parts or keys``: a text transcript whose agent
    quoted '"type": "conversation"', '"source"' and '"author"' (a log pasted into a chat)
    was claimed by intercom as well, and refused as "could be any of: intercom, text"."""
    text = tmp_path / "t.txt"
    text.write_text('Agent: the log says "type": "conversation", "source" and "author".\n'
                    "Customer: ok\n", encoding="utf-8")
    assert detect(Source.from_path(text)).name == "text"


def _long_record(conversation_id: str, turns: int) -> dict[str, object]:
    return {"id": conversation_id, "turns": [
        {"speaker": "customer" if i % 2 else "agent", "text": f"turn {i} " + "words " * 20}
        for i in range(turns)]}


def test_json_lines_whose_first_record_is_longer_than_detection_reads(tmp_path: Path) -> None:
    """A chat of 40 turns is longer than the first 4 KB detection reads: the file is still
    JSON Lines, every record is read (not one JSON document with "extra data")."""
    lines = [json.dumps(_long_record(name, 40)) for name in ("a", "b", "c")]
    assert len(lines[0]) > 4096
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert detect(Source.from_path(path)).name == "jsonl"
    assert [t.id for t in convert([str(path)])] == ["a", "b", "c"]
    unnamed = tmp_path / "export"  # no extension, as on stdin: read as JSON Lines all the same
    unnamed.write_text("\n".join(lines) + "\n")
    assert [t.id for t in convert([str(unnamed)])] == ["a", "b", "c"]


@pytest.mark.parametrize(("name", "indent", "reader"), [
    ("export.jsonl", None, "jsonl"), ("export", None, "json"), ("call.json", 1, "json")])
def test_a_canonical_record_whose_turns_come_after_a_megabyte_is_detected(
    tmp_path: Path, name: str, indent: int | None, reader: str,
) -> None:
    """Detection looks for `"turns"` in the first megabyte: a first record whose metadata
    held more (a long note, a pasted log) before its turns was "cannot tell the input
    format", in a `.jsonl` file, on stdin and in a canonical JSON document alike. The
    first record's keys are read as a stream until its "turns"."""
    first = {"id": "a", "metadata": {"note": "x" * 1_200_000}, **_long_record("a", 2)}
    second = _long_record("b", 2)
    path = tmp_path / name
    if indent is None:
        path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    else:
        path.write_text(json.dumps([first, second], indent=indent))
    assert detect(Source.from_path(path)).name == reader
    assert [t.id for t in convert([str(path)])] == ["a", "b"]


def test_a_long_first_record_without_turns_is_still_no_format(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "a", "note": "x" * 1_200_000, "messages": []}) + "\n")
    with pytest.raises(InputError, match="cannot tell the input format"):
        detect(Source.from_path(path))


def test_a_bad_first_line_of_json_lines_costs_only_that_record(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    good = [json.dumps(_long_record(name, 2)) for name in ("a", "b")]
    path.write_text('{"id": "x", "turns": [{"speaker": "agent", "text": "cut off\n' + "\n".join(good) + "\n")
    error, first, second = convert([str(path)])
    assert isinstance(error, InputError) and "line 1" in str(error)
    assert (first.id, second.id) == ("a", "b")


def test_an_export_whose_telltale_keys_come_after_a_long_text_is_detected(tmp_path: Path) -> None:
    """AWS Transcribe writes a call's whole transcript before its items: a five-minute call
    puts them past the first 4 KB, where detection looks further before giving up."""
    words = ["word"] * 1500
    items = [{"start_time": str(i), "end_time": str(i + 0.5), "type": "pronunciation",
              "alternatives": [{"confidence": "0.99", "content": word}], "speaker_label": "spk_0"}
             for i, word in enumerate(words[:50])]
    document = {"jobName": "call", "results": {
        "transcripts": [{"transcript": " ".join(words)}],
        "speaker_labels": {"speakers": 1, "segments": [
            {"start_time": "0", "end_time": "50", "speaker_label": "spk_0", "items": []}]},
        "items": items}}
    path = tmp_path / "call.json"
    path.write_text(json.dumps(document))
    assert detect(Source.from_path(path)).name == "transcribe"


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_csv_is_detected_whatever_ends_its_lines(tmp_path: Path, end: str) -> None:
    """Old Mac files end their lines with a lone "\\r": the header is the first line all
    the same (detection once read the whole file as one header and found no columns)."""
    rows = ["conversation_id,speaker,text", "c1,agent,Thanks for calling, how can I help?",
            "c1,customer,My order never arrived", "c2,agent,Hello"]
    path = tmp_path / "chats.csv"
    path.write_bytes(end.join(rows).encode("utf-8") + end.encode("utf-8"))
    assert detect(Source.from_path(path)).name == "csv"
    results = list(convert([str(path)]))
    assert [(t.id, len(t.turns)) for t in results] == [("c1", 2), ("c2", 1)], results
