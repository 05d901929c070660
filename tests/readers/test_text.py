"""Plain-text transcripts as people and capture tools write them: wrapped messages."""

from __future__ import annotations

from reader_helpers import FIXTURES, events, read, speakers

from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers.text import parse_transcripts


def test_wrapped_lines_continue_the_turn_above() -> None:
    wrapped, untimed, no_speaker, preamble = read("text", FIXTURES / "text" / "wrapped.txt")
    assert isinstance(wrapped, Transcript)
    assert wrapped.id == "card-dispute" and wrapped.channel.value == "voice"
    assert speakers(wrapped) == ["agent", "customer", "agent", "agent"]
    assert wrapped.turns[1].text == (
        "There's a charge on my card.\nI haven't bought anything online this week.\n"
        "Reason given on the statement: online purchase.\nNote: the shop is in another country.")
    assert [t.start for t in wrapped.turns] == [130.0, 134.0, 160.0, 211.0]
    # events keep their place between the turns
    assert events(wrapped) == [("hold_start", 172.0, 2, None), ("hold_end", 210.0, 2, None)]
    # hard negative: an untimed file's 'Name:' line is a speaker we do not know, not more text
    assert isinstance(untimed, InputError)
    assert (untimed.location, untimed.what) == ("line 17", "unknown speaker 'Supervisor'")
    # only a conversation with no speaker line at all is an error, naming its first line
    assert isinstance(no_speaker, InputError) and no_speaker.location == "line 20"
    assert "no speaker line" in no_speaker.what
    # the rest of the file is read; a note before the first turn is left out and counted
    assert isinstance(preamble, Transcript)
    assert speakers(preamble) == ["agent", "customer"]
    assert preamble.turns[0].text == "Good morning."
    assert preamble.metadata.model_extra["dropped_unlabelled_lines"] == 1


def test_a_speaker_label_in_another_form_is_an_error_not_more_text() -> None:
    """Hard negative: 'Agent (Sam):' must not become part of the customer's turn above."""
    (result,) = parse_transcripts("Customer: My card was declined.\n"
                                  "Customer service told me: try again.\n"
                                  "Agent (Sam): I can check that.\n", source="call.txt")
    assert isinstance(result, InputError) and result.location == "line 3"
    assert "cannot read the speaker label" in result.what


def test_an_event_line_that_is_wrong_is_an_error_at_its_own_line() -> None:
    """An unknown event (`@nonsense`) and an event whose time cannot be used were errors
    at the conversation's first line, with the hint for turns; each is at the event's line,
    an unknown one saying which events there are."""
    unknown = parse_transcripts("Agent: Hello\nCustomer: hi\n[01:10] @nonsense\nAgent: ok\n",
                                source="t.txt")
    assert str(unknown[0]).startswith(
        "t.txt:line 3, transcript 't': unknown event '@nonsense': events are "
        "@hold_start, @hold_end and @transfer [target], after a turn")
    late = parse_transcripts("Agent: Hello\nCustomer: hi\n[99999999999999999999:00:00] "
                             "@hold_start\nAgent: ok\n", source="t.txt")
    assert str(late[0]).startswith("t.txt:line 3, transcript 't': event 0: at:")


def test_a_header_or_event_that_does_not_validate_gets_its_own_hint() -> None:
    """A `%% channel: fax` header was refused with the hint for writing turns ('write turns
    as Agent: ...'); the hint says to fix the header, and for an event how events are
    written."""
    (channel,) = parse_transcripts("%% channel: fax\nAgent: hi\n", source="t.txt")
    assert str(channel) == (
        "t.txt:line 1, transcript 't': channel: Input should be 'voice', 'chat', 'social' or "
        "'email' (fix the '%% channel:' header (docs/formats.md#text))")
    (event,) = parse_transcripts("Agent: hi\n[99999999999999999999:00:00] @hold_start\n",
                                 source="t.txt")
    assert str(event).startswith("t.txt:line 2, transcript 't': event 0: at:")
    assert str(event).endswith("(write events as @hold_start, @hold_end or @transfer [target], "
                               "after a turn (docs/formats.md#text))")


def test_a_new_id_after_a_conversations_turns_is_an_error_not_a_merge() -> None:
    """A file of conversations each opened by `%% id:` but not separated by `---` was read
    as one conversation, every turn of the file under the last id, without a word: until
    2026-12-07 200,000 such conversations became one of 200,000 turns. A different id after
    turns is an error at its line; the same id again, or an id for turns not yet named, is
    taken."""
    merged, after = parse_transcripts(
        "%% id: c0\nAgent: hi\n%% id: c1\nCustomer: hello\n---\n%% id: c2\nAgent: x\n"
        "%% id: c2\nAgent: y\n", source="t.txt")
    assert str(merged) == (
        "t.txt:line 3, transcript 'c0': a new id 'c1' comes after the turns of 'c0': a "
        "conversation has one id (put a line '---' before its '%% id:' header to start a new "
        "conversation (docs/formats.md#text))")
    assert isinstance(after, Transcript) and after.id == "c2" and len(after.turns) == 2
    (named,) = parse_transcripts("Agent: hi\n%% id: late\nAgent: bye\n", source="t.txt")
    assert isinstance(named, Transcript) and named.id == "late" and len(named.turns) == 2
