"""Regex hits are character offsets into the turn, whichever engine runs the expression and
whatever the turn holds (evidence spans and highlights rely on them)."""

from __future__ import annotations

import pytest

from servicecoach.nlp.safe_regex import compile_safe, match_spans

TURNS = [
    "I am so upset, I am really upset",
    "Café crème — I am so upset, 😤 I am really upset",
]


@pytest.mark.parametrize("text", TURNS)
@pytest.mark.parametrize("source", [
    r"\bupset\b",  # RE2 runs it
    r"(?<=really )upset",  # look-behind: RE2 cannot, `re` runs it
])
def test_spans_are_character_offsets_on_either_engine(text: str, source: str) -> None:
    spans = list(match_spans(compile_safe(source), text))
    assert spans
    assert all(text[start:end] == "upset" for start, end in spans)
    assert spans[-1][1] == len(text)


def test_every_match_is_found_in_order() -> None:
    text = "Ünïcode first: upset, upset and upset"
    spans = list(match_spans(compile_safe(r"upset"), text))
    assert [text[start:end] for start, end in spans] == ["upset"] * 3
    assert spans == sorted(spans)
