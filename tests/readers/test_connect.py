"""Amazon Connect: Contact Lens voice/chat, chat transcripts, segment streams, CTR join."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES, error, events, one, read, sample, speakers

VOICE = "amazon-connect-contact-lens-voice"
CHAT = "amazon-connect-contact-lens-chat"


@pytest.mark.parametrize("name", [
    "awsdocs_analysis_original_v1.1.0.json",
    "awsdocs_analysis_original_VOICE-2022-11-30.json",
    "awsdocs_analysis_original_VOICE-2022-11-30.verbatim.txt",  # stray trailing '}'
])
def test_contact_lens_voice_sample(name: str) -> None:
    transcript = one("connect", sample(f"{VOICE}/{name}"))
    assert transcript.channel.value == "voice"
    assert len(transcript.turns) == 10
    assert speakers(transcript)[:4] == ["agent", "customer", "agent", "customer"]
    first, second = transcript.turns[0], transcript.turns[1]
    assert (first.text, first.start, first.end) == ("Okay.", 0.0, 0.09)
    assert (second.start, second.end) == (0.16, 4.64)
    assert transcript.turns[-1].text == "Thank you. Sir. Have a nice evening."
    assert transcript.turns[-1].start == 30.58


def test_contact_lens_voice_overlapping_turns_keep_start_order() -> None:
    transcript = one("connect", sample(f"{VOICE}/awsdocs_analysis_original_v1.1.0.json"))
    starts = [turn.start for turn in transcript.turns]
    assert starts == sorted(starts)
    # 'Awesome' ends at 24.14, the agent's next turn starts at 24.12: both kept
    assert transcript.turns[7].end > transcript.turns[8].start


def test_redacted_verbatim_with_line_comment_is_read() -> None:
    transcript = one("connect", sample(f"{VOICE}/awsdocs_analysis_redacted_VOICE-2022-11-30.verbatim.txt"))
    assert transcript.turns[1].text == "Just hello. My name is [PII] and help."


def test_contact_lens_chat_sample_roles_names_times() -> None:
    transcript = one("connect", sample(f"{CHAT}/awsdocs_chat_analysis_original.json"))
    assert transcript.id == "b49644f6-672f-445c-b209-f76b36482830"
    assert transcript.channel.value == "chat"
    assert transcript.metadata.customer_name == "John"
    assert transcript.metadata.agent_name == "Jane"
    assert len(transcript.turns) == 31  # 35 items minus 4 EVENT items
    assert speakers(transcript)[:5] == ["system", "system", "system", "agent", "customer"]
    # first item (participant.joined event) is at 03:31:50.735, first message at 03:31:53.390
    assert transcript.turns[0].start == 0.0
    assert transcript.turns[3].start == pytest.approx(10.072)
    assert transcript.turns[-1].text == "Ok great! Have a great day."


def test_redacted_chat_has_no_names() -> None:
    transcript = one("connect", sample(f"{CHAT}/awsdocs_chat_analysis_redacted.json"))
    assert transcript.metadata.customer_name is None
    assert transcript.metadata.agent_name is None


def test_segment_stream_sample() -> None:
    transcript = one("connect", sample("amazon-connect-contact-lens-realtime/awsdocs_segment_stream_1.json"))
    assert speakers(transcript) == ["agent", "customer"]
    assert transcript.turns[0].text.startswith("Hello, thank you for calling Example Corp.")
    assert (transcript.turns[0].start, transcript.turns[0].end) == (19.01, 24.598)


def test_segment_stream_control_event_is_a_clear_error() -> None:
    problem = error("connect", sample("amazon-connect-contact-lens-realtime/awsdocs_segment_stream_0.json"))
    assert "STARTED" in problem.what and "no transcript segments" in problem.what


def test_chat_transcript_with_bot_transfer_and_attachment() -> None:
    transcript = one("connect", FIXTURES / "connect_chat_transcript.json")
    assert transcript.id == "chat-1"
    assert speakers(transcript) == ["system", "customer", "agent"]
    assert transcript.metadata.agent_name == "Maria"
    assert transcript.metadata.customer_name is None  # the default "Customer" is not a name
    assert events(transcript) == [("transfer", 6.0, None, None)]
    assert transcript.metadata.model_extra["dropped_attachments"] == 1


def test_ctr_beside_contact_lens_file_is_joined() -> None:
    results = read("connect", FIXTURES / "connect" / "contact_lens_voice.json")
    transcript = results[0]
    assert speakers(transcript) == ["agent", "customer", "agent"]  # sorted by offset
    assert transcript.metadata.agent_name == "sam.lee"
    assert transcript.metadata.model_extra["holds"] == 1
    assert events(transcript) == [("transfer", 65.0, None, "billing-queue")]


def test_ctr_alone_is_metadata_only() -> None:
    problem = error("connect", FIXTURES / "connect" / "ctr.json")
    assert "metadata only" in problem.what and problem.transcript_id == "contact-7"


def test_missing_role_names_record_and_field() -> None:
    problem = error("connect", FIXTURES / "connect_missing_role.json")
    assert problem.location == "Transcript[0]"
    assert "ParticipantRole" in problem.what


def test_interactive_messages_read_as_their_words(tmp_path) -> None:
    # a Lex bot's interactive message (list picker, quick replies) holds a JSON template
    # in Content; the customer's "show more" clicks come back as interactive.response JSON
    template = ('{\\"templateType\\":\\"ListPicker\\",\\"version\\":\\"1.0\\",\\"data\\":{\\"content\\":'
                '{\\"title\\":\\"What is your question about?\\",\\"subtitle\\":\\"Tap one\\",'
                '\\"imageType\\":\\"URL\\",\\"imageData\\":\\"https://x.test/i.png\\",'
                '\\"elements\\":[{\\"title\\":\\"Billing\\"},{\\"title\\":\\"Delivery\\",\\"subtitle\\":\\"Where is my parcel\\"}]},'
                '\\"replyMessage\\":{\\"title\\":\\"Thanks for choosing\\"}}}')
    click = '{\\"version\\":\\"1.0\\",\\"data\\":{\\"actionName\\":\\"SHOW_MORE\\",\\"listId\\":\\"l1\\"},\\"action\\":\\"SHOW_MORE\\"}'
    item = ('{{"AbsoluteTime": "2024-06-01T10:00:0{0}.000Z", "Type": "MESSAGE", "ContentType": "{1}",'
            ' "ParticipantRole": "{2}", "DisplayName": "{3}", "Content": "{4}"}}')
    (tmp_path / "chat.json").write_text(
        '{"Version": "2019-08-26", "ContactId": "c-7", "Participants": [], "Transcript": ['
        + ",".join([
            item.format(0, "application/vnd.amazonaws.connect.message.interactive", "SYSTEM", "BOT", template),
            item.format(1, "application/vnd.amazonaws.connect.message.interactive.response", "CUSTOMER",
                        "Mara", click),
            item.format(2, "text/plain", "CUSTOMER", "Mara", "Delivery"),
        ]) + "]}"
    )
    transcript = one("connect", tmp_path / "chat.json")
    assert [(t.speaker.value, t.text) for t in transcript.turns] == [
        ("system", "What is your question about?\nTap one\nBilling\nDelivery\nWhere is my parcel"),
        ("customer", "Delivery"),
    ]
    assert transcript.metadata.model_extra["dropped_interactive_responses"] == 1
