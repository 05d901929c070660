"""A turn's snippet (in messages and evidence) is the start of its text on one line."""

from __future__ import annotations

import json

from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach import Coach
from servicecoach.analyzers.phrase_lists import snippet, snippet_around


def _whole(text: str, limit: int) -> str:
    """The snippet as the whole text put on one line gives it."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


def test_a_snippet_read_off_the_start_is_that_of_the_whole_text() -> None:
    """Only the start of a long turn is put on one line: the snippet is the same, also when
    white space fills the start, a word runs across the cut or the text is just long
    enough."""
    texts = [
        "word " * 40, " " * 200 + "late start of the text, " * 5, "\n\t " * 50 + "x",
        "a" * 59 + " " + "b" * 70, "a" * 61, "a" * 120 + " b", "short", "", " " * 130,
        "one two,   three;\n\nfour - " * 9, "x " * 60 + "y" * 3, "x" * 119 + " " + "y",
    ]
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:200]:
            texts += [turn["text"] for turn in json.loads(line)["turns"]]
    for text in texts:
        for limit in (60, 80, 5, 1):
            for cut in range(len(text) + 1) if len(text) < 140 else (len(text),):
                assert snippet(text[:cut], limit) == _whole(text[:cut], limit), (text, limit)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["word", "longer", "a", "x", ".", "!", "?", "\n", " ", "  "]),
                max_size=120), st.data())
def test_a_quote_around_the_fired_words_is_theirs_and_short(parts: list[str], data: st.DataObject
                                                            ) -> None:
    """The quote holds the words that fired, is the turn's own text (whitespace put on one
    line; an ellipsis marks each cut) and stays near the limit."""
    text = " ".join(parts) + " frustrated " + " ".join(reversed(parts))
    start = text.index("frustrated")
    span = (start, start + len("frustrated"))
    limit = data.draw(st.integers(min_value=20, max_value=120))
    quote = snippet_around(text, span, limit)
    body = quote.removeprefix("...").removesuffix("...")
    assert "frustrated" in body and body in " ".join(text.split())
    assert len(body) <= limit


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["word", "longer", "a", "x", ".", "!", "?", "\n", " ", "£12.50",
                                 "example.com", "!!!"]), max_size=120), st.data())
def test_a_quote_of_any_span_is_the_turns_words_within_the_limit(
        parts: list[str], data: st.DataObject) -> None:
    """Whatever fired, at the very start or end, over sentence marks, or longer than the
    limit: the quote is the turn's own words within the limit, holding the fired words
    when they fit (a span longer than the limit was quoted whole, 150 characters for 60)."""
    text = " ".join(parts)
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    limit = data.draw(st.integers(min_value=20, max_value=120))
    quote = snippet_around(text, (start, end), limit)
    body = quote.removeprefix("...").removesuffix("...")
    assert body in " ".join(text.split()) and len(body) <= limit
    if end - start <= limit:
        assert " ".join(text[start:end].split()) in body


def test_a_point_inside_a_word_ends_no_sentence() -> None:
    """"£12.50" and "example.com" are no sentence ends: the quote was "50 for a kettle..."
    with nothing to say it was cut; a cut sentence is marked by its ellipsis."""
    text = ("I paid £12.50 for a kettle from your shop on example.com three weeks ago and it "
            "still has not come, so I am absolutely furious with all of you.")
    start = text.index("furious")
    quote = snippet_around(text, (start, start + len("furious")), 100)
    assert quote.startswith("...") and "furious" in quote
    assert not quote.startswith(("50", "com"))
    assert snippet_around("Fine. " + text, (start + 6, start + 13), len(text)) == text


def test_a_long_turn_is_quoted_by_the_sentence_that_decided_it() -> None:
    """A distressed customer's long message is quoted by its distressed sentence, not by
    its opening (which said nothing of the distress)."""
    coach = Coach()
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": (
        "Hello, I ordered the blue kettle on the website last Monday and paid with my card. "
        "The tracking page has said 'label created' ever since. I'm really upset about "
        "this, it was a birthday present.")})
    session.add_turn({"speaker": "agent", "text": "Please send me the order number."})
    missing = next(f for f in session.close().findings if f.rule_id == "empathy.missing")
    assert "(\"I'm really upset about this, it was a birthday present.\")" in missing.message
