"""Messages whose body holds no text (an HTML body of only an image) are counted, not turns."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import events, one, speakers

_IMAGE = '<div><p><img src=\\"https://example.test/photo.png\\"></p></div>'

CASES = {
    "zendesk": (
        '{"audits": [{"ticket_id": 5, "created_at": "2024-04-02T08:00:00Z", "events": ['
        '{"type": "Comment", "author_id": 100, "public": true, "body": "my screen cracked"},'
        '{"type": "Create", "field_name": "requester_id", "value": "100"}]},'
        '{"ticket_id": 5, "created_at": "2024-04-02T08:01:00Z", "events": ['
        '{"type": "Comment", "author_id": 100, "public": true, "html_body": "' + _IMAGE + '"}]},'
        '{"ticket_id": 5, "created_at": "2024-04-02T08:05:00Z", "events": ['
        '{"type": "Comment", "author_id": 200, "public": true, "body": "Thanks, I see the crack"}]}]}'
    ),
    "freshdesk": (
        '[{"body": "<div>my screen cracked</div>", "body_text": "my screen cracked", "id": 1,'
        ' "incoming": true, "private": false, "ticket_id": 3, "created_at": "2024-04-02T08:00:00Z"},'
        '{"body": "' + _IMAGE + '", "body_text": "", "id": 2, "incoming": true, "private": false,'
        ' "ticket_id": 3, "created_at": "2024-04-02T08:01:00Z"},'
        '{"body": "<div>Thanks, I see the crack</div>", "body_text": "Thanks, I see the crack", "id": 3,'
        ' "incoming": false, "private": false, "ticket_id": 3, "created_at": "2024-04-02T08:05:00Z"}]'
    ),
    "intercom": (
        '{"type": "conversation", "id": "77", "created_at": 1700000000, "source": {"type": "conversation",'
        ' "body": "<p>my screen cracked</p>", "author": {"type": "user", "id": "u1", "name": "Pat Kim"}},'
        ' "conversation_parts": {"type": "conversation_part.list", "conversation_parts": ['
        '{"part_type": "comment", "body": "' + _IMAGE + '", "created_at": 1700000060,'
        ' "author": {"type": "user", "id": "u1", "name": "Pat Kim"}},'
        '{"part_type": "assignment", "body": null, "created_at": 1700000061,'
        ' "assigned_to": {"type": "admin", "id": "a2", "name": "Jo Park"}, "author": {"type": "admin", "id": "a1"}},'
        '{"part_type": "comment", "body": "<p>Thanks, I see the crack</p>", "created_at": 1700000300,'
        ' "author": {"type": "admin", "id": "a2", "name": "Jo Park"}}]}}'
    ),
}


@pytest.mark.parametrize("reader", sorted(CASES))
def test_body_without_text_is_counted_not_a_turn(reader: str, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(CASES[reader])
    transcript = one(reader, path)
    assert speakers(transcript) == ["customer", "agent"]
    assert all(turn.text for turn in transcript.turns)
    assert transcript.metadata.model_extra["dropped_messages_without_text"] == 1


def test_an_event_after_a_message_without_text_stays_after_the_turn_before_it(tmp_path: Path) -> None:
    # Intercom: an untimed assignment that came after the image stays after the turn
    # before the image, not after a turn that is no longer there
    path = tmp_path / "export.json"
    path.write_text(
        '{"type": "conversation", "id": "78", "created_at": 1700000000, "source": {"type": "conversation",'
        ' "body": "<p>my screen cracked</p>", "author": {"type": "user", "id": "u1", "name": "Pat Kim"}},'
        ' "conversation_parts": {"type": "conversation_part.list", "conversation_parts": ['
        '{"part_type": "comment", "body": "<p>Can you send a photo?</p>", "created_at": 1700000030,'
        ' "author": {"type": "admin", "id": "a1", "name": "Alex Doe"}},'
        '{"part_type": "comment", "body": "' + _IMAGE + '", "created_at": 1700000060,'
        ' "author": {"type": "user", "id": "u1", "name": "Pat Kim"}},'
        '{"part_type": "assignment", "body": null,'
        ' "assigned_to": {"type": "admin", "id": "a2", "name": "Jo Park"}, "author": {"type": "admin", "id": "a1"}},'
        '{"part_type": "comment", "body": "<p>Thanks, I see the crack</p>", "created_at": 1700000300,'
        ' "author": {"type": "admin", "id": "a2", "name": "Jo Park"}}]}}'
    )
    transcript = one("intercom", path)
    assert speakers(transcript) == ["customer", "agent", "agent"]
    assert [(kind, after) for kind, _, after, _ in events(transcript)] == [("transfer", 1)]
