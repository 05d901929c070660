"""WebVTT with voice tags (W3C example, Microsoft Teams) and Zoom-style prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import FIXTURES, one, read, sample, speakers


def test_w3c_interview_merges_cues_and_keeps_overlaps_in_start_order() -> None:
    transcript = one("vtt", sample("webvtt-voice-tags/w3c_webvtt_spec_interview_example.vtt"))
    assert transcript.channel.value == "voice"
    labels = transcript.metadata.model_extra["role_mapping"]
    assert list(labels) == ["Roger Bingham", "Neil deGrasse Tyson"]
    assert len(transcript.turns) == 5
    first = transcript.turns[0]
    assert first.text.startswith("We are in New York City We're actually at the Lucern Hotel")
    assert (first.start, first.end) == (11.0, 31.5)
    assert [t.start for t in transcript.turns] == [11.0, 30.5, 32.0, 32.5, 35.5]
    assert transcript.turns[3].text == "Laughs"  # <i> removed


def test_teams_unpadded_timestamps() -> None:
    path = "microsoft-teams-transcript/graph_docs_callTranscript_content_v1_unpadded_timestamps.vtt"
    transcript = one("vtt", sample(path))
    assert (transcript.turns[0].start, transcript.turns[0].end) == (0.0, 5.32)
    assert transcript.turns[0].text == "This is a transcript test."
    assert transcript.metadata.agent_name == "User Name"  # single speaker: the heuristic's agent


def test_teams_metadata_content_payloads() -> None:
    path = "microsoft-teams-transcript/graph_docs_callTranscript_metadataContent_adhoc.vtt"
    transcript = one("vtt", sample(path))
    assert len(transcript.turns) == 1
    assert transcript.turns[0].text == "Hello. Hello. Hello. Hello. Hello. Hello. Oh."
    assert (transcript.turns[0].start, transcript.turns[0].end) == (3.663, 8.103)


def test_agent_option_sets_roles_and_names() -> None:
    path = sample("webvtt-voice-tags/w3c_webvtt_spec_interview_example.vtt")
    transcript = one("vtt", path, agent="Neil deGrasse Tyson")
    assert speakers(transcript) == ["customer", "agent", "customer", "agent", "customer"]
    assert transcript.metadata.agent_name == "Neil deGrasse Tyson"
    assert transcript.metadata.customer_name == "Roger Bingham"
    assert transcript.metadata.model_extra["role_source"] == "user"


def test_zoom_prefixes_entities_and_notes() -> None:
    transcript = one("vtt", FIXTURES / "zoom.vtt")
    assert speakers(transcript) == ["agent", "customer"]
    assert transcript.turns[0].text == "Hello & welcome to Acme, how can I help?"
    assert transcript.turns[1].text == "My order number is 5531. It is late."
    assert transcript.metadata.customer_name == "Sam Patel"


def test_teams_metadata_content_dates_the_call(tmp_path) -> None:
    # Teams metadataContent cues give each cue's wall-clock startDateTime: the call's
    # date and time (started_at, the wall clock at offset 0) is known
    (tmp_path / "meeting.vtt").write_text(
        "WEBVTT\n\n"
        "00:00:02.500 --> 00:00:04.000\n"
        '{"startDateTime":"2025-09-02T14:30:12.5000000+00:00","endDateTime":"2025-09-02T14:30:14.0000000+00:00",'
        '"speakerName":"Lee Ortiz","spokenText":"Thanks for calling, this is Lee.","spokenLanguage":"en-us"}\n\n'
        "00:00:05.000 --> 00:00:07.000\n"
        '{"startDateTime":"2025-09-02T14:30:15.0000000+00:00","endDateTime":"2025-09-02T14:30:17.0000000+00:00",'
        '"speakerName":"Mara Quist","spokenText":"My order is late.","spokenLanguage":"en-us"}\n'
    )
    transcript = one("vtt", tmp_path / "meeting.vtt")
    assert transcript.metadata.model_extra["started_at"] == "2025-09-02T14:30:10Z"
    assert [t.start for t in transcript.turns] == [2.5, 5.0]


@pytest.mark.parametrize("wall_clock", ["0001-01-01T00:00:01Z", "0001-01-01T10:00:05+10:00",
                                        "2025-09-02T14:30:12\\ud800 (+0000)",
                                        "2025-09-02T14:30:12+99:00",
                                        "true", "[1]", "1e300"])
def test_teams_wall_clock_that_is_no_date_leaves_the_call_undated(tmp_path, wall_clock) -> None:
    # a startDateTime that is no date, or whose offset 0 falls before year 1 (the cue
    # starts 10 s in), stopped the whole run with a traceback (year 0 is out of range; a
    # lone surrogate that RE2 cannot encode); the call is read without started_at
    wall = wall_clock if wall_clock[0] in "t[1" else f'"{wall_clock}"'
    (tmp_path / "meeting.vtt").write_text(
        "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\n"
        f'{{"startDateTime":{wall},"speakerName":"Lee Ortiz","spokenText":"Thanks for calling."}}\n\n'
        "00:00:13.000 --> 00:00:15.000\n"
        '{"speakerName":"Mara Quist","spokenText":"My order is late."}\n'
    )
    transcript = one("vtt", tmp_path / "meeting.vtt")
    assert "started_at" not in transcript.metadata.model_extra
    assert [t.text for t in transcript.turns] == ["Thanks for calling.", "My order is late."]


def test_a_cue_that_ends_before_it_starts_is_named_by_its_place_in_the_file(
        tmp_path: Path) -> None:
    """A turn whose end is before its start was reported by its place among the turns put
    in the order of their times ("turn 0: turns.0: Value error, end (2.0) ...": the second
    cue of the file, which starts first), with pydantic's wording and no hint."""
    path = tmp_path / "call.vtt"
    path.write_text("WEBVTT\n\n00:00:09.000 --> 00:00:10.000\n<v Agent>Hello, how can I help?"
                    "\n\n00:00:05.000 --> 00:00:02.000\n<v Cust>my card\n")
    [error] = read("vtt", path)
    assert str(error) == (f"{path}, transcript 'call', turn 1: end (2.0) is before start "
                          "(5.0) (fix that value in the export)")


def test_a_cue_with_two_voices_gives_each_its_own_words(tmp_path: Path) -> None:
    """Both voices of one cue were read as the first's: the customer's words scored as the
    agent's, with no word said (found by a hostile-input audit)."""
    path = tmp_path / "two.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Sam>Thanks for calling, how can I "
                    "help?</v> <v Dana>My order is late</v>\n\n00:02.000 --> 00:03.000\n"
                    "<v Sam>Sorry about that, <b>Dana</b>.\n", encoding="utf-8")
    transcript = one("vtt", path)
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("agent", "Thanks for calling, how can I help?"), ("customer", "My order is late"),
        ("agent", "Sorry about that, Dana.")]
    assert [(t.start, t.end) for t in transcript.turns] == [(0.0, 2.0), (0.0, 2.0), (2.0, 3.0)]
