"""OpenAI diarized transcription and chat messages."""

from __future__ import annotations

from reader_helpers import FIXTURES, error, one, sample, speakers


def test_diarized_json_sample() -> None:
    transcript = one("openai", sample("openai-whisper-and-messages/openai_spec_transcription_diarized_json.json"))
    assert transcript.channel.value == "voice"
    assert speakers(transcript) == ["agent", "customer", "agent"]  # 'agent' label; 'A' the other
    assert [(t.start, t.end) for t in transcript.turns] == [(0.0, 4.7), (4.7, 11.8), (12.1, 18.5)]
    assert transcript.metadata.model_extra["role_mapping"] == {"agent": "agent", "A": "customer"}


def test_chat_messages_sample() -> None:
    transcript = one("openai", sample("openai-whisper-and-messages/openai_spec_chat_completions_request_messages.json"))
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("system", "You are a helpful assistant."), ("customer", "Hello!")]


def test_roles_option_remaps_chat_roles() -> None:
    path = sample("openai-whisper-and-messages/openai_spec_chat_completions_request_messages.json")
    transcript = one("openai", path, roles={"developer": "agent"})
    assert speakers(transcript) == ["agent", "customer"]


def test_whisper_without_speakers_is_reported() -> None:
    assert "no speakers" in error("openai", FIXTURES / "openai_verbose.json").what
