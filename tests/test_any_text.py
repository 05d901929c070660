"""Any text a person can type is scored: no turn makes a live session raise.

Real chat is lower case, unpunctuated or cut off mid-sentence ("hi,", "thanks ,"); the
rules look for words at the edges of a turn (a lead before a name, a sign-off at the end),
where an off-by-one only shows on such text. The turns here are made of the words the
rules look for, with punctuation, in any case and any order.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach import Coach

WORDS = [
    "hi", "hello", "hey", "dear", "thanks", "thank", "you", "Sam", "dana", "Mr", "Ms.",
    "my", "name", "is", "this", "I'm", "I'll", "we'll", "call", "back", "get", "to",
    "hold", "on", "please", "transfer", "you", "the", "team", "sorry", "but", "not",
    "can't", "policy", "calm", "down", "um", "maybe", "manager", "cancel", "worst", "ha",
    "oh", "great", "by", "5pm", "tomorrow", "@acme", "^JD", "-Ana", "xiao", "wo",
]
PUNCTUATION = [",", ".", "?", "!", "!!!", "'", '"', "-", ":", "(", ")", "\n", "😤", "…"]
PIECES = st.sampled_from(WORDS) | st.sampled_from(PUNCTUATION)
CASE_CHANGES: list[Callable[[str], str]] = [str, str.lower, str.upper, str.title]
CASES = st.sampled_from(CASE_CHANGES)


@st.composite
def turn_texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(PIECES, min_size=1, max_size=12))
    joined = "".join(piece + draw(st.sampled_from([" ", "", " "])) for piece in pieces)
    return draw(CASES)(joined)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(st.tuples(st.sampled_from(["agent", "customer"]), turn_texts()),
                      min_size=1, max_size=4),
       channel=st.sampled_from(["chat", "voice"]),
       name=st.sampled_from([None, "Dana Reyes"]))
def test_a_live_session_scores_any_words_the_rules_read(
        coach: Coach, turns: list[tuple[str, str]], channel: str, name: str | None) -> None:
    session = coach.session({"customer_name": name} if name else {}, channel=channel)
    for speaker, text in turns:
        session.add_turn({"speaker": speaker, "text": text})
    report = session.close()
    assert len(report.customer_sentiment) == len(turns)


def test_every_word_beside_every_mark_is_scored_for_both_speakers(coach: Coach) -> None:
    """Every word the rules read, next to every punctuation mark, on either side, with or
    without a space, in lower and upper case: the short turns where edges meet."""
    texts = {case(text) for word in WORDS for mark in PUNCTUATION
             for text in (word + mark, f"{word} {mark}", mark + word, f"{mark} {word}")
             for case in (str.lower, str.upper)}
    for name in (None, "Dana Reyes"):
        for speaker in ("agent", "customer"):
            for text in sorted(texts):
                session = coach.session({"customer_name": name} if name else {})
                session.add_turn({"speaker": speaker, "text": text})
                assert len(session.close().signals) == 1, text


def test_a_lower_case_greeting_cut_off_after_its_comma_is_scored(coach: Coach) -> None:
    """Once raised IndexError: "hi," took the token after the comma for a name."""
    for text in ("hi,", "thanks,", "ok thank you,"):
        session = coach.session()
        session.add_turn({"speaker": "agent", "text": text})
        report = session.close()
        assert not [f for f in report.findings if f.rule_id == "name.used"]
