"""Intercom conversations with parts."""

from __future__ import annotations

from reader_helpers import FIXTURES, events, one, sample, speakers


def test_get_conversation_sample() -> None:
    transcript = one("intercom", sample("intercom/openapi_v2.14_GET_conversation.json"))
    assert transcript.id == "503"
    # the 'Okay!' part (2022) is older than the source message (2024): sorted by time
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("system", "Okay!"),  # the Operator admin is Intercom's bot
        ("agent", "this is the message body"),
    ]
    assert transcript.turns[1].start == 1734537511 - 1663597223
    assert transcript.metadata.agent_name == "Ciaran176 Lee"


def test_call_summary_is_not_a_turn() -> None:
    transcript = one("intercom", sample("intercom/openapi_v0preview_GET_conversation.json"))
    assert len(transcript.turns) == 2
    assert transcript.metadata.model_extra["dropped_summaries"] == 1


def test_close_part_with_body_is_a_turn() -> None:
    transcript = one("intercom", sample("intercom/openapi_v2.14_POST_parts_close.json"))
    assert [t.text for t in transcript.turns] == ["this is the message body", "Goodbye :)"]
    assert transcript.turns[1].start == 2.0


def test_reassignment_to_the_same_admin_is_not_a_transfer() -> None:
    transcript = one("intercom", sample("intercom/openapi_v2.14_POST_parts_assign.json"))
    assert transcript.events == ()


def test_fixture_html_notes_bots_and_transfer() -> None:
    transcript = one("intercom", FIXTURES / "intercom_conversation.json")
    assert speakers(transcript) == ["customer", "system", "agent", "agent"]
    assert transcript.turns[0].text == 'Hi, I can\'t log in.\nIt says "locked".'
    assert transcript.turns[2].text == "Hello Pat, Alex here & happy to help."
    assert transcript.turns[3].text == "Reset done\nTry again"
    assert transcript.metadata.customer_name == "Pat Kim"
    assert transcript.metadata.model_extra["dropped_internal_notes"] == 1
    # the bot's assignment to Alex is routing (no agent yet); Alex's to Billing is a transfer
    assert events(transcript) == [("transfer", 80.0, None, "Billing")]
