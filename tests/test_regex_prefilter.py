"""The regex prefilter only ever skips text a regex cannot match."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach import Coach
from servicecoach.nlp.regex_prefilter import literal_prefixes

from conftest import REPO


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"\b(?:i|we) (?:can't|won't) help", {"i can't help", "i won't help", "we can't help", "we won't help"}),
        (r"\bwe (?:don't|do not)\b", {"we don't", "we do not"}),
        (r"\b(?:oh great|just great)\b[^.]*", {"oh great", "just great"}),
        (r"\byou should(?: have|'ve) read", {"you should have read", "you should've read"}),
        (r"\bcan['’]?t", {"can"}),
    ],
)
def test_prefixes_of_literal_starts(pattern: str, prefixes: set[str]) -> None:
    assert literal_prefixes(pattern) == prefixes


@pytest.mark.parametrize("pattern", [r"[a-z]+ing", r"(?<=x)abc", r"\b\d+ minutes", r"(?:a|b)c",
                                     r".*sorry", r"\bwe(?: really)? can"])
def test_no_prefix_where_the_start_is_not_literal_enough(pattern: str) -> None:
    prefixes = literal_prefixes(pattern)
    assert prefixes is None or all(len(p) >= 3 for p in prefixes)
    text = "we really can"
    if prefixes is not None and re.search(pattern, text):
        assert any(p in text for p in prefixes)


def _turn_texts() -> list[str]:
    texts = []
    for line in (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines():
        texts.extend(turn["text"].lower() for turn in json.loads(line)["turns"])
    return texts


def test_pack_regexes_never_skip_a_match(coach: Coach) -> None:
    texts = _turn_texts()
    checked = 0
    sources = {source for analyzer in coach.analyzers for _, spec in analyzer.specs()
               for source in spec.regex}
    for source in sorted(sources):
        prefixes = literal_prefixes(source)
        if prefixes is None:
            continue
        regex = re.compile(source)
        for text in texts:
            if regex.search(text):
                checked += 1
                assert any(p in text for p in prefixes), (source, text)
    assert checked > 50


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcwe i'tnod", max_size=40))
def test_random_text_never_skipped_when_a_regex_matches(text: str) -> None:
    for source in (r"\b(?:i|we) (?:can't|won't) do", r"\bwe (?:don't|do not)\b",
                   r"\b(?:ab|ba)c+ d"):
        prefixes = literal_prefixes(source)
        if re.search(source, text):
            assert prefixes is None or any(p in text for p in prefixes)
