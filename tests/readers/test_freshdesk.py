"""Freshdesk conversations."""

from __future__ import annotations

from reader_helpers import FIXTURES, error, read, sample, speakers

from servicecoach.errors import InputError


def test_conversations_joined_with_ticket_beside_them() -> None:
    (transcript,) = read("freshdesk", sample("freshdesk/python-freshdesk_conversations.json"))
    assert transcript.id == "1"
    # the ticket description is the customer's first message; the private note is dropped
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("customer", "This is a sample ticket, feel free to delete it."),
        ("agent", "This is a reply"),
    ]
    assert transcript.turns[1].start == 90010.0  # 2016-05-18T04:36:04Z -> 2016-05-19T05:36:14Z
    assert transcript.metadata.customer_name == "Dummyname"
    assert transcript.metadata.agent_name == "Rachel"
    assert transcript.metadata.model_extra["dropped_internal_notes"] == 1


def test_ticket_alone_is_reported() -> None:
    assert "without its conversations" in error("freshdesk", sample("freshdesk/python-freshdesk_ticket_1.json")).what


def test_html_body_and_missing_direction() -> None:
    good, bad = read("freshdesk", FIXTURES / "freshdesk_html.json")
    assert speakers(good) == ["customer", "agent"]
    assert good.turns[0].text == "My login fails\nsince Monday & today"
    assert good.metadata.customer_name == "Chris"
    assert isinstance(bad, InputError) and bad.transcript_id == "10" and "incoming" in bad.what
