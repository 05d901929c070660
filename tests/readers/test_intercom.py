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


def test_outbound_automated_opening_message_is_system(tmp_path) -> None:
    # source.delivered_as tells who started the conversation: a Series or other automated
    # outbound, a legacy campaign or a custom bot is no agent's writing, whatever admin
    # it is sent as; an admin_initiated message is the agent's
    conversation = (
        '{{"type": "conversation", "id": "{0}", "created_at": 1700000000, "source": {{"type": "conversation",'
        ' "delivered_as": "{1}", "body": "<p>Hi there, our new plan is live!</p>",'
        ' "author": {{"type": "admin", "id": "a7", "name": "Sam Reed"}}}},'
        ' "conversation_parts": {{"type": "conversation_part.list", "conversation_parts": ['
        '{{"part_type": "comment", "body": "<p>how do I switch?</p>", "created_at": 1700000100,'
        ' "author": {{"type": "user", "id": "u1", "name": "Pat Kim"}}}},'
        '{{"part_type": "comment", "body": "<p>Happy to help, Pat.</p>", "created_at": 1700000200,'
        ' "author": {{"type": "admin", "id": "a2", "name": "Jo Park"}}}}]}}}}'
    )
    for number, how in enumerate(["automated", "campaigns_initiated", "operator_initiated"]):
        path = tmp_path / f"c{number}.json"
        path.write_text(conversation.format(number, how))
        transcript = one("intercom", path)
        assert speakers(transcript) == ["system", "customer", "agent"], how
        assert transcript.metadata.agent_name == "Jo Park", how
    path = tmp_path / "admin.json"
    path.write_text(conversation.format(9, "admin_initiated"))
    assert speakers(one("intercom", path)) == ["agent", "customer", "agent"]
