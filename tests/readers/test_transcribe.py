"""AWS Transcribe: speaker-labelled batch output and Call Analytics."""

from __future__ import annotations

from reader_helpers import FIXTURES, error, one, sample, speakers

BATCH = "aws-transcribe/awsdocs_transcribe_batch_speaker_labels.json"


def test_batch_words_are_joined_into_turns_per_speaker() -> None:
    transcript = one("transcribe", sample(BATCH))
    assert transcript.id == "my-first-transcription-job"
    assert transcript.channel.value == "voice"
    assert [t.text for t in transcript.turns] == ["I've been on hold for an hour.", "Sorry about that."]
    assert (transcript.turns[0].start, transcript.turns[0].end) == (4.87, 6.88)
    assert (transcript.turns[1].start, transcript.turns[1].end) == (8.49, 9.24)


def test_batch_roles_by_heuristic_are_recorded() -> None:
    transcript = one("transcribe", sample(BATCH))
    assert speakers(transcript) == ["customer", "agent"]  # 'been on hold' is a customer cue
    assert transcript.metadata.model_extra["role_mapping"] == {"spk_0": "customer", "spk_1": "agent"}
    assert transcript.metadata.model_extra["role_source"] == "heuristic"


def test_batch_roles_from_the_user_win() -> None:
    transcript = one("transcribe", sample(BATCH), roles={"spk_0": "agent"})
    assert speakers(transcript) == ["agent", "customer"]
    assert transcript.metadata.model_extra["role_source"] == "user"


def test_call_analytics_output() -> None:
    transcript = one("transcribe", FIXTURES / "transcribe_call_analytics.json")
    assert transcript.id == "tca-job-1"
    assert speakers(transcript) == ["agent", "customer"]
    assert transcript.turns[1].start == 3.2


def test_elided_doc_sample_is_a_clear_error() -> None:
    problem = error("transcribe", sample("aws-transcribe/awsdocs_call_analytics_batch_ELIDED.txt"))
    assert "elided" in problem.what and problem.location == "line 14"  # the line of the "..."
