"""Salesforce LiveChatTranscript bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import FIXTURES, events, one, read, sample, speakers

from servicecoach.errors import InputError
from servicecoach.models import Transcript

PEPPER = "salesforce-livechat/livechattranscript_body_text_pepperstone.txt"


def test_two_chats_with_bot_transfer() -> None:
    first, second = read("salesforce", sample(PEPPER))
    assert (first.id, second.id) == ("01267967", "01273017")
    assert speakers(first) == ["system", "customer", "customer", "agent"]
    assert first.turns[0].text.startswith("Hi, I'm Pepperstone's chatbot")
    # offsets after the second 'Chat Started' (+14 s) count from it
    assert [t.start for t in first.turns] == [2.0, 12.0, 106.0, 191.0]
    assert events(first) == [("transfer", 14.0, None, "Support")]
    assert first.metadata.agent_name is None  # "Support" is a role, not a name
    assert first.metadata.model_extra["started_at"] == "2025-02-26T02:27:21Z"
    assert speakers(second) == ["customer", "agent"]
    assert [t.start for t in second.turns] == [19.0, 218.0]


def test_html_body_multiline_message_and_transfer_after_turn() -> None:
    transcript = one("salesforce", FIXTURES / "salesforce_body.html")
    assert speakers(transcript) == ["customer", "agent", "customer", "agent"]
    assert transcript.turns[0].text == "Hi & hello"
    assert transcript.turns[2].text == "My invoice is wrong.\nIt shows two lines."
    assert events(transcript) == [("transfer", 65.0, None, "Billing Team")]  # after 1m 5s
    assert transcript.metadata.agent_name == "Anna Smith"


def test_agents_named_in_the_body_and_a_transfer_back() -> None:
    transcript = one("salesforce", FIXTURES / "salesforce" / "transfer_and_back.txt")
    assert speakers(transcript) == ["agent", "customer", "agent", "agent", "customer", "agent",
                                    "agent", "customer"]
    names = [transcript.metadata.model_extra["role_mapping"][n]
             for n in ("Dana K", "Luis M", "Priya Natarajan")]
    assert names == ["agent", "agent", "customer"]
    assert transcript.metadata.customer_name == "Priya Natarajan"
    assert transcript.metadata.agent_name == "Dana K"
    # each transfer at the time of the message before it; back to the first agent too
    assert events(transcript) == [("transfer", 58.0, None, "Luis M"),
                                  ("transfer", 252.0, None, "Dana K")]
    # hard negative: a wrapped customer line starting with 'Agent' is text, not an agent joining
    assert transcript.turns[1].text.endswith("\nAgent Smith told me last time it was fixed.")


@pytest.mark.parametrize("typed", ["<title>", "<script>", "<style>"])
def test_a_tag_typed_into_a_message_and_never_closed_loses_no_message(
        tmp_path: Path, typed: str) -> None:
    """An element whose text the HTML parser skips ("<script>", "<title>"), opened in a
    message and never closed, gives its text back: the messages after it are kept."""
    path = tmp_path / "body.html"
    path.write_text("<p>Chat Started: Wednesday, February 26, 2025, 10:27:21 (+0800)</p>"
                    f"( 10s ) Visitor: I typed {typed} into the form<br>"
                    "( 20s ) Anna Smith: ok, let me look<br>( 30s ) Visitor: thanks</p>")
    transcript = one("salesforce", path)
    assert [turn.text for turn in transcript.turns] == [
        "I typed into the form", "ok, let me look", "thanks"]


@pytest.mark.parametrize("when", ["2024-02-30T10:00:00Z", "Friday, December 31, 9999, 23:00:00 (-0800)"])
def test_chat_started_at_no_date_is_a_located_error(tmp_path: Path, when: str) -> None:
    # a 'Chat Started' line of 30 February, or of a time past 9999 in UTC, stopped the whole
    # run with a traceback (the chat's date could not be written); the chat's turns, timed
    # from it, are refused naming the time, and the chats after it are read
    (tmp_path / "body.txt").write_text(
        f"Chat Started: {when}\nAgent Dana K\n( 4s ) Dana K: Hello, this is Dana.\n"
        "( 21s ) Visitor: There's a charge I don't recognise.\n"
        "*****\n"
        "Chat Started: Tuesday, March 04, 2025, 14:02:10 (+0000)\nAgent Dana K\n"
        "( 4s ) Dana K: Hello again.\n( 9s ) Visitor: Hi.\n")
    bad, good = read("salesforce", tmp_path / "body.txt")
    assert isinstance(bad, InputError) and bad.turn == 0, bad
    assert "is not a usable time" in str(bad) and when.split(" (")[0][:10] in str(bad)
    assert isinstance(good, Transcript) and good.metadata.model_extra["started_at"] == "2025-03-04T14:02:10Z"
