"""Genesys Cloud: analytics transcripts joined with conversation details."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, events, read, sample, speakers

from servicecoach.errors import InputError, MetadataOnly
from servicecoach.readers import Source, detect


def test_transcript_joined_with_details_beside_it() -> None:
    transcript = read("genesys", FIXTURES / "genesys" / "sta_transcript.json")[0]
    assert transcript.id == "conv-42"
    assert transcript.channel.value == "voice"
    assert speakers(transcript) == ["agent", "customer", "agent"]
    assert transcript.turns[0].text == "Thank you for calling Acme, how can I help?"  # decoratedText
    assert (transcript.turns[0].start, transcript.turns[0].end) == (2.0, 5.0)
    assert transcript.metadata.customer_name == "Dana Reyes"
    assert transcript.metadata.agent_name == "Sam Lee"
    assert events(transcript) == [
        ("hold_start", 10.0, None, None), ("hold_end", 35.0, None, None),
        ("transfer", 65.0, None, None),
    ]


@pytest.mark.parametrize("name", ["blueprint_conversation1.json", "blueprint_conversation2.json"])
def test_details_alone_are_metadata_only(name: str) -> None:
    results = read("genesys", sample(f"genesys-cloud-analytics-conversation-details/{name}"))
    assert len(results) == 1 and isinstance(results[0], InputError)
    assert "metadata only" in results[0].what
    assert results[0].transcript_id in ("1bc96a39-6725-40c4-9345-db72aa67b8c6",
                                        "6acbee65-80be-4777-be03-8dacd07ee3f9")


def test_sample_details_hold_and_acd_transfer(tmp_path) -> None:
    """conversation1's agent hold segment becomes events; the ACD 'transfer' is routing."""
    details = sample("genesys-cloud-analytics-conversation-details/blueprint_conversation1.json")
    (tmp_path / "details.json").write_text(details.read_text())
    (tmp_path / "transcript.json").write_text(
        '{"conversationId": "1bc96a39-6725-40c4-9345-db72aa67b8c6", "mediaType": "chat",'
        ' "transcripts": [{"phrases": [{"text": "hi", "participantPurpose": "external",'
        ' "startTimeMs": 1617280080000}]}]}'
    )
    transcript = read("genesys", tmp_path / "transcript.json")[0]
    assert transcript.metadata.customer_name == "John Doe"
    assert transcript.channel.value == "chat"
    # conversationStart 12:27:53.386; hold 12:34:19.130 -> 12:43:23.306
    assert events(transcript) == [("hold_start", 385.744, None, None), ("hold_end", 929.92, None, None)]
    assert transcript.turns[0].start == pytest.approx(6.614)


CONVERSATION = FIXTURES / "genesys_conversation"


def test_conversations_api_object_joined_by_id() -> None:
    transcript = read("genesys", CONVERSATION / "sta_transcript.json")[0]
    assert transcript.id == "5f1c2a7e-0b3d-4e8f-9a61-2c7d8e9f0a11"
    assert speakers(transcript) == ["agent", "customer", "agent", "agent", "agent", "customer"]
    # names from participants[].name; not the other conversation's object in the same folder
    assert (transcript.metadata.customer_name, transcript.metadata.agent_name) == (
        "Oliver Grant", "Maya Chen")
    assert transcript.metadata.model_extra["conversation_joined"] is True
    # the agent's Hold segment; the transfer named after the agent who picks up, id kept.
    # Hard negatives: the IVR's and the queues' 'transfer' disconnects are routing, not events
    assert events(transcript) == [("hold_start", 45.0, None, None), ("hold_end", 95.0, None, None),
                                  ("transfer", 105.0, None, "Daniel Okoye")]
    assert transcript.events[2].model_extra["metadata"] == {
        "target_user_id": "e3f4a5b6-cccc-4ddd-8eee-fedcba987654"}


def test_conversations_api_object_alone_is_metadata_only() -> None:
    results = read("genesys", CONVERSATION / "conversation.json")
    assert len(results) == 1 and isinstance(results[0], MetadataOnly)
    assert results[0].transcript_id == "5f1c2a7e-0b3d-4e8f-9a61-2c7d8e9f0a11"
    assert "Conversations API object is metadata only" in results[0].what


def test_conversations_api_object_is_detected_as_genesys() -> None:
    source = Source.from_path(CONVERSATION / "conversation.json")
    assert detect(source).name == "genesys"


def test_details_transfer_names_the_agent_who_picks_up() -> None:
    transcript = read("genesys", FIXTURES / "genesys_transfer" / "sta_transcript.json")[0]
    assert events(transcript)[-1] == ("transfer", 105.0, None, "Daniel Okoye")
    assert transcript.events[-1].model_extra["metadata"] == {
        "target_id": "b66d41ee-2d7f-4a3b-9c1e-5f6a7b8c9d0e",
        "target_user_id": "e3f4a5b6-cccc-4ddd-8eee-fedcba987654"}
    # hard negative: the support queue's routing transfer to the first agent is no event
    assert [e.type.value for e in transcript.events].count("transfer") == 1
