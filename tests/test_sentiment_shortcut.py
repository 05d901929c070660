"""The customer sentiment's shortcut: a piece without a word of VADER's lexicon is scored 0
without VADER, which must be exactly what VADER would say for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.nlp.sentiment import _analyzer, has_lexicon_word, piece_compound

_WORDS = ["ok", "ok!", "OK.", "no", "not", "very", "but", "kind", "of", "least", "good",
          "bad", "hate", "refund", "order", "12345", ":)", ":(", "!!!", "???", "the",
          "cheat", "cheated", "wtf", "lol", "😤", "😀", "👍", "thanks", "thx", "please",
          "FIX", "THIS", "never", "so", "really", "sort", "without", "doubt", "-"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join))
def test_the_shortcut_scores_a_piece_as_vader_does(text: str) -> None:
    piece_compound.cache_clear()
    assert piece_compound(text) == _analyzer().polarity_scores(text)["compound"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_without_a_lexicon_word_scores_zero_on_vader(text: str) -> None:
    if not has_lexicon_word(text, _analyzer()):
        assert _analyzer().polarity_scores(text)["compound"] == 0.0


def test_plain_requests_are_not_read_by_vader_and_feelings_are() -> None:
    analyzer = _analyzer()
    assert not has_lexicon_word("What is the status of order 12345?", analyzer)
    assert not has_lexicon_word("Send it to the new address, flat 2.", analyzer)
    assert has_lexicon_word("This is RIDICULOUS.", analyzer)  # a lexicon word, any case
    assert has_lexicon_word("ok", analyzer)
    assert not has_lexicon_word("ok!", analyzer)  # as VADER reads it: "ok!" keeps its mark
    assert has_lexicon_word("my parcel 😤", analyzer)  # an emoji VADER spells out
    assert piece_compound("no refund yet") == analyzer.polarity_scores("no refund yet")["compound"]
