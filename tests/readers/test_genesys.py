"""Genesys Cloud: analytics transcripts joined with conversation details."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, events, read, sample, speakers

from servicecoach.errors import InputError


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
