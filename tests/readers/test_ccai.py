"""Google CCAI Insights conversations."""

from __future__ import annotations

from reader_helpers import FIXTURES, error, one, sample, speakers


def test_upload_format_roles_and_microsecond_offsets() -> None:
    transcript = one("ccai", FIXTURES / "ccai_upload.json")
    assert speakers(transcript) == ["customer", "system", "agent"]  # AUTOMATED_AGENT is a bot
    assert [t.start for t in transcript.turns] == [1.0, 2.5, 5.0]


def test_api_transcript_segments(tmp_path) -> None:
    (tmp_path / "conv.json").write_text(
        '{"name": "projects/p/locations/l/conversations/123", "medium": "PHONE_CALL",'
        ' "transcript": {"transcriptSegments": ['
        '{"text": "Hi there", "segmentParticipant": {"role": "HUMAN_AGENT"},'
        ' "words": [{"word": "Hi", "startOffset": "0.500s"}, {"word": "there", "endOffset": "1.200s"}]},'
        '{"text": "Hello", "segmentParticipant": {"role": "END_USER"}, "words": []}]}}'
    )
    transcript = one("ccai", tmp_path / "conv.json")
    assert transcript.id == "123" and transcript.channel.value == "voice"
    assert speakers(transcript) == ["agent", "customer"]
    assert (transcript.turns[0].start, transcript.turns[0].end) == (0.5, 1.2)


def test_elided_doc_example_is_a_clear_error() -> None:
    problem = error("ccai", sample("google-ccai-insights/ccai_conversation_data_format_doc_example.ELIDED.txt"))
    assert "elided" in problem.what and problem.location == "line 22"


def test_api_conversation_start_time_and_agent(tmp_path) -> None:
    # an Insights conversation gives its wall-clock startTime (offsets count from it) and the
    # agent in agentId and qualityMetadata.agentInfo[] (displayName)
    (tmp_path / "conv.json").write_text(
        '{"name": "projects/p/locations/l/conversations/124", "medium": "CHAT",'
        ' "startTime": "2024-07-01T15:04:05Z", "agentId": "agent-0042",'
        ' "qualityMetadata": {"agentInfo": [{"agentId": "agent-0042", "displayName": "Lee Ortiz"}]},'
        ' "transcript": {"transcriptSegments": ['
        '{"text": "Hello, Lee here", "segmentParticipant": {"role": "HUMAN_AGENT"},'
        ' "words": [{"word": "Hello", "startOffset": "2s"}]}]}}'
    )
    transcript = one("ccai", tmp_path / "conv.json")
    extra = transcript.metadata.model_extra
    assert extra["started_at"] == "2024-07-01T15:04:05Z"
    assert extra["agent_id"] == "agent-0042"
    assert transcript.metadata.agent_name == "Lee Ortiz"
    assert transcript.turns[0].start == 2.0
