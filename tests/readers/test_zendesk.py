"""Zendesk: Support audits and comments, Chat history, Sunshine Conversations, Talk."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, error, events, one, sample, speakers


def test_chat_history_roles_names_times() -> None:
    transcript = one("zendesk", sample("zendesk/zenpy_spec_chat_chat.json"))
    assert transcript.id == "1704.2314815.QHgVx6SOrRuSx"
    assert transcript.metadata.customer_name == "Visitor 75731813"
    assert transcript.metadata.agent_name == "facetoe"
    assert len(transcript.turns) == 19  # chat.msg items only
    assert speakers(transcript)[:4] == ["customer", "agent", "agent", "agent"]
    assert transcript.turns[0].text == "so many things"
    assert transcript.turns[1].start == pytest.approx(10.332)  # 04:36:55.497 - 04:36:45.165
    assert transcript.metadata.model_extra["rating_comment"] == "Hell yea!"


@pytest.mark.parametrize("name", ["zenpy_spec_zendesk_audit.json", "zenpy_spec_zendesk_ticket_audit.json"])
def test_audit_comment_from_requester_is_customer(name: str) -> None:
    transcript = one("zendesk", sample(f"zendesk/{name}"))
    assert transcript.id == "7"
    assert speakers(transcript) == ["customer"]
    assert transcript.turns[0].text == "THIS IS MY FUNCY COMMENT"  # from html_body
    assert transcript.metadata.model_extra["dropped_notifications"] == 1


def test_single_comment_without_requester_uses_heuristic() -> None:
    transcript = one("zendesk", sample("zendesk/zenpy_spec_zendesk_comment.json"))
    assert transcript.turns[0].text == "Thanks for your help!"
    assert speakers(transcript) == ["customer"]
    assert transcript.metadata.model_extra["role_source"] == "heuristic"


def test_voice_comment_transcription() -> None:
    transcript = one("zendesk", sample("zendesk/zenpy_spec_zendesk_voice_comment_event.json"))
    assert transcript.channel.value == "voice"
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [("customer", "Hello")]


@pytest.mark.parametrize("name", ["zenpy_spec_talk_call.json", "zenpy_spec_talk_leg.json"])
def test_talk_records_are_metadata_only(name: str) -> None:
    assert "metadata only" in error("zendesk", sample(f"zendesk/{name}")).what


def test_audits_drop_internal_notes_and_convert_html() -> None:
    transcript = one("zendesk", FIXTURES / "zendesk_audits.json")
    assert transcript.id == "55"
    assert speakers(transcript) == ["customer", "agent"]
    assert transcript.turns[1].text == "Hi,\nYour refund was sent today \u2014 allow 3 days."
    assert transcript.turns[1].start == 1800.0
    extra = transcript.metadata.model_extra
    assert extra["dropped_internal_notes"] == 1 and extra["dropped_notifications"] == 1


def test_sunshine_webhook_message() -> None:
    transcript = one("zendesk", sample("zendesk-sunshine-conversations/openapi_example_webhook_conversationMessageEvent.json"))
    assert transcript.id == "f52b01137aa6c250bc7251fa"
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [("customer", "hello")]
    assert transcript.metadata.customer_name == "Steve Rogers"


def test_sunshine_list_messages_business_author_is_agent() -> None:
    transcript = one("zendesk", sample("zendesk-sunshine-conversations/openapi_example_listMessages.json"))
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [("agent", "Hello World")]


def test_sunshine_pass_control_alone_has_no_turns() -> None:
    path = sample("zendesk-sunshine-conversations/openapi_example_webhook_switchboardPassControlEvent.json")
    assert error("zendesk", path).what == "no turns with text"


def test_sunshine_pass_control_is_a_transfer(tmp_path) -> None:
    (tmp_path / "events.json").write_text(
        '{"webhook": {"id": "w"}, "events": ['
        '{"type": "conversation:message", "createdAt": "2024-01-01T00:00:00Z", "payload": {'
        '"conversation": {"id": "c9"}, "message": {"received": "2024-01-01T00:00:00Z",'
        ' "author": {"type": "user", "displayName": "Ana"}, "content": {"type": "text", "text": "agent please"}}}},'
        '{"type": "switchboard:passControl", "createdAt": "2024-01-01T00:00:05Z", "payload": {'
        '"conversation": {"id": "c9"}, "nextSwitchboardIntegration": {"name": "zd-agentWorkspace"}}}]}'
    )
    transcript = one("zendesk", tmp_path / "events.json")
    assert events(transcript) == [("transfer", 5.0, None, "zd-agentWorkspace")]


def _sunshine_messages(tmp_path, *messages: str):
    path = tmp_path / "messages.json"
    path.write_text('{"messages": [' + ",".join(messages) + '], "meta": {"hasMore": false}}')
    return path


def test_sunshine_bot_messages_are_system_not_the_agent(tmp_path) -> None:
    # Zendesk messaging: the bot (Answer Bot, flow builder, Ultimate) and the CSAT survey
    # write as author type "business", like the agent; only source.type tells them apart
    path = _sunshine_messages(
        tmp_path,
        '{"received": "2024-03-01T10:00:00Z", "author": {"type": "business", "displayName": "Helper Bot"},'
        ' "content": {"type": "text", "text": "Hi! What can I help with?"}, "source": {"type": "zd:answerBot"}}',
        '{"received": "2024-03-01T10:00:20Z", "author": {"type": "user", "displayName": "Mara Quist"},'
        ' "content": {"type": "text", "text": "my parcel is late"}, "source": {"type": "web"}}',
        '{"received": "2024-03-01T10:00:25Z", "author": {"type": "business", "displayName": "Flow Bot"},'
        ' "content": {"type": "text", "text": "Connecting you to an agent."}, "source": {"type": "ultimate"}}',
        '{"received": "2024-03-01T10:01:00Z", "author": {"type": "business", "displayName": "Lee Ortiz"},'
        ' "content": {"type": "text", "text": "Hello Mara, let me check."}, "source": {"type": "zd:agentWorkspace"}}',
        '{"received": "2024-03-01T10:05:00Z", "author": {"type": "business", "displayName": "Survey"},'
        ' "content": {"type": "text", "text": "How would you rate us?"}, "source": {"type": "zd:surveys"}}',
    )
    transcript = one("zendesk", path)
    assert speakers(transcript) == ["system", "customer", "system", "agent", "system"]
    assert transcript.metadata.agent_name == "Lee Ortiz"
    assert transcript.metadata.customer_name == "Mara Quist"


def test_sunshine_messages_with_media_or_cards_keep_their_text(tmp_path) -> None:
    # image and file messages carry the caption in content.text; carousel and list
    # messages a text fallback; only media without any text is left out (counted)
    path = _sunshine_messages(
        tmp_path,
        '{"received": "2024-03-01T10:00:00Z", "author": {"type": "user", "displayName": "Mara Quist"},'
        ' "content": {"type": "image", "mediaUrl": "https://example.test/a.jpg",'
        ' "text": "the box arrived crushed"}}',
        '{"received": "2024-03-01T10:00:10Z", "author": {"type": "user", "displayName": "Mara Quist"},'
        ' "content": {"type": "file", "mediaUrl": "https://example.test/receipt.pdf"}}',
        '{"received": "2024-03-01T10:01:00Z", "author": {"type": "business", "displayName": "Lee Ortiz"},'
        ' "content": {"type": "carousel", "text": "Replacement: blue\\nReplacement: green",'
        ' "items": [{"title": "Replacement: blue"}, {"title": "Replacement: green"}]}}',
        '{"received": "2024-03-01T10:02:00Z", "author": {"type": "user", "displayName": "Mara Quist"},'
        ' "content": {"type": "text", "text": "blue please"}}',
    )
    transcript = one("zendesk", path)
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("customer", "the box arrived crushed"),
        ("agent", "Replacement: blue\nReplacement: green"),
        ("customer", "blue please"),
    ]
    assert transcript.metadata.model_extra["dropped_non_text_messages"] == 1


def test_sideloaded_users_give_roles_and_names(tmp_path) -> None:
    # GET /api/v2/tickets/{id}/comments?include=users: each author's name and role
    # (end-user, agent, admin) are in "users"; a CC'd end user is a customer, not an agent
    (tmp_path / "comments.json").write_text(
        '{"comments": ['
        '{"id": 1, "type": "Comment", "author_id": 501, "public": true, "body": "My invoice is wrong",'
        ' "created_at": "2024-05-01T09:00:00Z"},'
        '{"id": 2, "type": "Comment", "author_id": 502, "public": true, "body": "Sorry, fixing it now",'
        ' "created_at": "2024-05-01T09:10:00Z"},'
        '{"id": 3, "type": "Comment", "author_id": 503, "public": true, "body": "I am her manager, thanks",'
        ' "created_at": "2024-05-01T09:20:00Z"}],'
        ' "users": [{"id": 501, "name": "Mara Quist", "role": "end-user"},'
        ' {"id": 502, "name": "Lee Ortiz", "role": "agent"},'
        ' {"id": 503, "name": "Tom Reyes", "role": "end-user"}],'
        ' "next_page": null, "count": 3}'
    )
    transcript = one("zendesk", tmp_path / "comments.json")
    assert speakers(transcript) == ["customer", "agent", "customer"]
    assert transcript.metadata.customer_name == "Mara Quist"
    assert transcript.metadata.agent_name == "Lee Ortiz"
    assert "role_source" not in transcript.metadata.model_extra


def test_sideloaded_users_beside_a_requester(tmp_path) -> None:
    # audits with users sideloaded: the requester is named after their user record, and an
    # end user who is not the requester stays a customer
    (tmp_path / "audits.json").write_text(
        '{"audits": [{"ticket_id": 9, "created_at": "2024-05-01T09:00:00Z", "events": ['
        '{"type": "Comment", "author_id": 501, "public": true, "body": "My invoice is wrong"},'
        '{"type": "Create", "field_name": "requester_id", "value": "501"}]},'
        '{"ticket_id": 9, "created_at": "2024-05-01T09:05:00Z", "events": ['
        '{"type": "Comment", "author_id": 503, "public": true, "body": "Copying in, same issue"}]},'
        '{"ticket_id": 9, "created_at": "2024-05-01T09:10:00Z", "events": ['
        '{"type": "Comment", "author_id": 502, "public": true, "body": "Fixed for both of you"}]}],'
        ' "users": [{"id": 501, "name": "Mara Quist", "role": "end-user"},'
        ' {"id": 502, "name": "Lee Ortiz", "role": "admin"},'
        ' {"id": 503, "name": "Tom Reyes", "role": "end-user"}]}'
    )
    transcript = one("zendesk", tmp_path / "audits.json")
    assert speakers(transcript) == ["customer", "customer", "agent"]
    assert transcript.metadata.customer_name == "Mara Quist"
    assert transcript.metadata.agent_name == "Lee Ortiz"


def test_a_sideloaded_user_without_an_id_names_no_one(tmp_path) -> None:
    # a user record without an id (or with a null one) was filed under 'None', the key a
    # ticket without a requester looked its requester up by: its name became the
    # customer's, though no comment is tied to it
    (tmp_path / "comments.json").write_text(
        '{"comments": ['
        '{"id": 1, "type": "Comment", "author_id": 501, "public": true, "body": "My invoice is wrong",'
        ' "created_at": "2024-05-01T09:00:00Z"},'
        '{"id": 2, "type": "Comment", "author_id": 502, "public": true, "body": "Sorry, fixing it now",'
        ' "created_at": "2024-05-01T09:10:00Z"}],'
        ' "users": [{"name": "Someone Else", "role": "end-user"},'
        ' {"id": null, "name": "Nobody", "role": "end-user"},'
        ' {"id": 502, "name": "Lee Ortiz", "role": "agent"}]}'
    )
    transcript = one("zendesk", tmp_path / "comments.json")
    assert speakers(transcript) == ["customer", "agent"]
    assert transcript.metadata.customer_name is None
    assert transcript.metadata.agent_name == "Lee Ortiz"


def test_chat_department_is_the_queue(tmp_path) -> None:
    # a Zendesk Chat chat names the department it was routed to (what QA groups by)
    (tmp_path / "chat.json").write_text(
        '{"id": "c-1", "type": "chat", "visitor": {"name": "Mara Quist"}, "agent_names": ["Lee Ortiz"],'
        ' "department_name": "Billing", "department_id": 77, "history": ['
        '{"type": "chat.msg", "name": "Mara Quist", "msg": "double charge", "timestamp": "2024-05-01T09:00:00Z"},'
        '{"type": "chat.msg", "name": "Lee Ortiz", "msg": "refunding it", "timestamp": "2024-05-01T09:01:00Z"}]}'
    )
    transcript = one("zendesk", tmp_path / "chat.json")
    assert transcript.metadata.model_extra["queue"] == "Billing"
