"""Twilio Conversations messages (+ participants)."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, error, one, sample, speakers


def test_media_only_sample_is_reported_not_dropped() -> None:
    problem = error("twilio", sample("twilio-conversations/twilio-python_tests_conversation_messages_list.json"))
    assert problem.transcript_id == "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert "1 media_messages" in problem.what


@pytest.mark.parametrize("name", [
    "twilio-python_tests_conversation_participants_list.json",
    "twilio-python_tests_conversations_list.json",
    "twilio-python_tests_flex_interaction.json",
    "twilio-python_tests_flex_insights_segments.json",
])
def test_other_objects_are_metadata_only(name: str) -> None:
    assert "metadata only" in error("twilio", sample(f"twilio-conversations/{name}")).what


def test_messages_ordered_by_index_with_participant_roles() -> None:
    transcript = one("twilio", FIXTURES / "twilio" / "messages.json")
    assert transcript.id == "CH1"
    assert [t.text for t in transcript.turns] == [
        "Maria joined the conversation", "Hi, my parcel is late", "Hello, Maria here. Let me check."]
    assert speakers(transcript) == ["system", "customer", "agent"]
    assert [t.start for t in transcript.turns] == [0.0, 30.0, 60.0]
    assert transcript.metadata.agent_name == "maria.agent"
    assert transcript.metadata.model_extra["dropped_media_messages"] == 1


def test_agent_option_overrides() -> None:
    transcript = one("twilio", FIXTURES / "twilio" / "messages.json", roles={"maria.agent": "system"})
    assert speakers(transcript) == ["system", "customer", "system"]
