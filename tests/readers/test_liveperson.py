"""LivePerson Messaging Interactions conversations."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import FIXTURES, events, read, sample, speakers

from servicecoach.errors import InputError
from servicecoach.session import input_notes


def test_sample_conversation() -> None:
    (transcript,) = read("liveperson", sample("liveperson/devcenter_messaging_interactions_conversations_example.json"))
    assert transcript.id == "e5c58e49-e4a5-40a8-8a18-d6580d1d5630"
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("customer", "Hi there #4"), ("customer", "I love your service")]
    # times from info.startTimeL (14:30:24.565) to timeL 15:14:19.564 and 15:15:42.568
    assert [t.start for t in transcript.turns] == [pytest.approx(2634.999), pytest.approx(2718.003)]
    assert transcript.metadata.customer_name == "Visitor Test"
    assert transcript.metadata.agent_name == "michal@lp.com"
    assert [(e[0], e[3]) for e in events(transcript)] == [("transfer", "cats"), ("transfer", "lpsocial")]


def test_bot_agent_is_system_and_broken_record_is_reported() -> None:
    first, second = read("liveperson", FIXTURES / "liveperson_bot.json")
    assert speakers(first) == ["system", "customer", "agent"]
    assert first.metadata.customer_name == "Robin"  # 'undefined' first/last names skipped
    assert first.metadata.agent_name == "Lee Wong"
    assert events(first) == [("transfer", 10.0, None, "Lee Wong")]
    assert isinstance(second, InputError)
    assert second.location == "conversationHistoryRecords[1].messageRecords[0]"
    assert "messageData.msg.text" in second.what


def test_invalid_json_names_line_and_column() -> None:
    (problem,) = read("liveperson", FIXTURES / "broken.json")
    assert isinstance(problem, InputError)
    assert problem.location.startswith("line 1 column")


def _conversation(tmp_path, *messages: str, agents: str = "") -> Path:
    path = tmp_path / "conversations.json"
    path.write_text(
        '{"conversationHistoryRecords": [{"info": {"conversationId": "lp-9", "startTimeL": 1700000000000},'
        ' "messageRecords": [' + ",".join(messages) + '], "agentParticipants": [' + agents + ']}]}'
    )
    return path


def test_rich_content_and_file_captions_keep_their_text(tmp_path) -> None:
    # a structured-content card holds its words in "text" elements of the JSON string in
    # messageData.richContent.content; a shared file may carry a caption
    card = ('{\\"type\\":\\"vertical\\",\\"elements\\":[{\\"type\\":\\"image\\",\\"url\\":\\"https://x.test/p.png\\"},'
            '{\\"type\\":\\"text\\",\\"text\\":\\"Your plan renews on the 3rd.\\"},'
            '{\\"type\\":\\"horizontal\\",\\"elements\\":[{\\"type\\":\\"text\\",\\"text\\":\\"Need to change it?\\"},'
            '{\\"type\\":\\"button\\",\\"title\\":\\"Yes\\"}]}]}')
    path = _conversation(
        tmp_path,
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "when does my plan renew?"}},'
        ' "participantId": "c-1", "timeL": 1700000001000, "sentBy": "Consumer"}',
        '{"type": "RICH_CONTENT", "messageData": {"richContent": {"content": "' + card + '"}},'
        ' "participantId": "a-1", "timeL": 1700000002000, "sentBy": "Agent"}',
        '{"type": "HOSTED_FILE", "messageData": {"file": {"relativePath": "f/1.png", "fileType": "PNG",'
        ' "caption": "screenshot of the renewal email"}},'
        ' "participantId": "c-1", "timeL": 1700000003000, "sentBy": "Consumer"}',
        '{"type": "HOSTED_FILE", "messageData": {"file": {"relativePath": "f/2.png", "fileType": "PNG"}},'
        ' "participantId": "c-1", "timeL": 1700000004000, "sentBy": "Consumer"}',
        agents='{"agentFullName": "Lee Wong", "agentId": "a-1", "userTypeName": "Human"}',
    )
    (transcript,) = read("liveperson", path)
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("customer", "when does my plan renew?"),
        ("agent", "Your plan renews on the 3rd.\nNeed to change it?"),
        ("customer", "screenshot of the renewal email"),
    ]
    assert transcript.metadata.model_extra["dropped_non_text_messages"] == 1


@pytest.mark.parametrize("content", [
    '"{\\"type\\":\\"vertical\\",\\"elements\\":[{\\"type\\":\\"text\\""',  # cut off
    '"not a card"', "42", '"42"', "null"])
def test_an_unreadable_rich_card_is_counted_as_such_not_as_an_image(
    tmp_path: Path, content: str,
) -> None:
    """A card whose content is no JSON object (cut off, plain text, a number) was counted
    among the images and files, "non text messages", as if it held no words: the agent's
    message was lost without a word of what was wrong. It is counted, and noted in the
    report, as an unreadable rich card."""
    path = _conversation(
        tmp_path,
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "when does my plan renew?"}},'
        ' "participantId": "c-1", "timeL": 1700000001000, "sentBy": "Consumer"}',
        '{"type": "RICH_CONTENT", "messageData": {"richContent": {"content": ' + content + '}},'
        ' "participantId": "a-1", "timeL": 1700000002000, "sentBy": "Agent"}',
        '{"type": "HOSTED_FILE", "messageData": {"file": {"relativePath": "f/2.png"}},'
        ' "participantId": "c-1", "timeL": 1700000004000, "sentBy": "Consumer"}',
    )
    (transcript,) = read("liveperson", path)
    extra = transcript.metadata.model_extra
    assert extra["dropped_unreadable_rich_cards"] == 1
    assert extra["dropped_non_text_messages"] == 1  # the file without a caption
    assert "1 unreadable rich cards left out of the turns" in input_notes(transcript.metadata)


def test_system_user_type_is_system(tmp_path) -> None:
    # agentParticipants[].userTypeName is System, Human or Bot: a System participant's
    # messages (automatic notices) are not the agent's
    path = _conversation(
        tmp_path,
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "You are number 2 in line."}},'
        ' "participantId": "sys-1", "timeL": 1700000001000, "sentBy": "Agent"}',
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "ok, waiting"}},'
        ' "participantId": "c-1", "timeL": 1700000002000, "sentBy": "Consumer"}',
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "Hi, Lee here."}},'
        ' "participantId": "a-1", "timeL": 1700000003000, "sentBy": "Agent"}',
        agents='{"agentFullName": "Queue Notices", "agentId": "sys-1", "userType": "0", "userTypeName": "System"},'
               '{"agentFullName": "Lee Wong", "agentId": "a-1", "userType": "1", "userTypeName": "Human"}',
    )
    (transcript,) = read("liveperson", path)
    assert speakers(transcript) == ["system", "customer", "agent"]
    assert transcript.metadata.agent_name == "Lee Wong"


def test_sent_by_in_lower_case_as_documented(tmp_path) -> None:
    # the API reference lists sentBy values as "agent" and "consumer"
    path = _conversation(
        tmp_path,
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "my card was declined"}},'
        ' "participantId": "c-1", "timeL": 1700000001000, "sentBy": "consumer"}',
        '{"type": "TEXT_PLAIN", "messageData": {"msg": {"text": "let me look"}},'
        ' "participantId": "a-1", "timeL": 1700000002000, "sentBy": "agent"}',
    )
    (transcript,) = read("liveperson", path)
    assert speakers(transcript) == ["customer", "agent"]


def test_html_messages_become_text(tmp_path) -> None:
    path = _conversation(
        tmp_path,
        '{"type": "TEXT_HTML", "messageData": {"msg": {"text": "<p>Your refund is <b>approved</b>.</p><p>Anything else?</p>"}},'
        ' "participantId": "a-1", "timeL": 1700000001000, "sentBy": "Agent"}',
    )
    (transcript,) = read("liveperson", path)
    assert transcript.turns[0].text == "Your refund is approved.\nAnything else?"
