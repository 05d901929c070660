"""The regex prefilter only ever skips text a regex cannot match."""

from __future__ import annotations

import functools
import json
import re

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach import Coach
from servicecoach.nlp.regex_prefilter import (
    LiteralIndex,
    required_literal_groups,
    required_literals,
)


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"\b(?:i|we) (?:can't|won't) help", {"i can't help", "i won't help", "we can't help", "we won't help"}),
        (r"\bwe (?:don't|do not)\b", {"we don't", "we do not"}),
        (r"\b(?:oh great|just great)\b[^.]*", {"oh great", "just great"}),
        (r"\byou should(?: have|'ve) read", {"you should have read", "you should've read"}),
        (r"\bcan['’]?t", {"can't", "can’t", "cant"}),
    ],
)
def test_literals_of_literal_starts(pattern: str, prefixes: set[str]) -> None:
    assert required_literals(pattern) == prefixes


@pytest.mark.parametrize("pattern", [r"[a-z]+ing", r"(?<=x)abc", r"\b\d+ minutes", r"(?:a|b)c",
                                     r".*sorry", r"\bwe(?: really)? can"])
def test_no_prefix_where_the_start_is_not_literal_enough(pattern: str) -> None:
    prefixes = required_literals(pattern)
    assert prefixes is None or all(len(p) >= 3 for p in prefixes)
    text = "we really can"
    if prefixes is not None and re.search(pattern, text):
        assert any(p in text for p in prefixes)


def _turn_texts() -> list[str]:
    texts = []
    for line in (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines():
        texts.extend(turn["text"].lower() for turn in json.loads(line)["turns"])
    return texts


def _pack_sources(coach: Coach) -> list[str]:
    """Every regex of the pack's rules and signals."""
    specs = [spec for analyzer in coach.analyzers for _, spec in analyzer.specs()]
    specs += [spec for _, spec in coach.signals.match_specs()]
    return sorted({source for spec in specs for source in spec.regex})


def test_pack_regexes_never_skip_a_match(coach: Coach) -> None:
    """Wherever a regex of the pack matches, one literal of each of its gate groups occurs."""
    texts = _turn_texts()
    checked = 0
    for source in _pack_sources(coach):
        groups = required_literal_groups(source)
        if not groups:
            continue
        regex = re.compile(source)
        for text in texts:
            if regex.search(text):
                checked += 1
                for group in groups:
                    assert any(p in text for p in group), (source, text, sorted(group))
    assert checked > 50


@pytest.mark.parametrize(
    ("pattern", "groups"),
    [
        # more than `MAX_LITERALS` spellings in all: each part is a requirement of its own
        (r"\bfor (?:several|many|a few|\d+|two|three|four|five|six) (?:days|weeks|months)\b",
         [{" days", " months", " weeks"}, {"for "}]),
        (r"\b(?:waited|waiting)\b[^.!?]{0,20}?\b(?:for ages|forever)",
         [{"for ages", "forever"}, {"waited", "waiting"}]),
        (r"\bmy (?:money|data)\b", [{"my money", "my data"}]),
        # a group with a common word (" my ", " the ": in most turns) gates last, even
        # when its literals are as long and fewer: the rarer words open the regex
        (r"\b(?:cut|bin)\w* (?:my|the) (?:\w+ )?(?:club|store|loyalty)\b",
         [{"club", "store", "loyalty"}, {"cut", "bin"}, {" my ", " the "}]),
        (r"[a-z]+\d", []),
    ],
)
def test_literal_groups_are_every_requirement_most_selective_first(
    pattern: str, groups: list[set[str]]
) -> None:
    assert [set(group) for group in required_literal_groups(pattern)] == groups
    assert required_literals(pattern) == (frozenset(groups[0]) if groups else None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcwe i'tnod", max_size=40))
def test_random_text_never_skipped_when_a_regex_matches(text: str) -> None:
    for source in (r"\b(?:i|we) (?:can't|won't) do", r"\bwe (?:don't|do not)\b",
                   r"\b(?:ab|ba)c+ d"):
        prefixes = required_literals(source)
        if re.search(source, text):
            assert prefixes is None or any(p in text for p in prefixes)


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\b(?:i|we)(?:['’]ve| have)? (?:just )?lost\b", None),
        (r"(?:^|[.!?]\s*)seriously\s*[?!]", {"seriously"}),
        (r"\b(?:complain|complaint|report)\w*\b[^.!?]{0,30}", {"complain", "report"}),
        (r"\b\d+\s+(?:seconds?|secs?)\b", {"sec"}),
        (r"(?i)\bhow convenient\b", None),
        (r"\b(?i:how) convenient\b", {" convenient"}),
        (r"\b\d{3,4}[-. ]\d{3,4}\b", None),
    ],
)
def test_literals_required_anywhere_in_the_match(pattern: str, literals: set[str] | None) -> None:
    found = required_literals(pattern)
    if literals is None:
        assert found is None or all(len(literal) >= 3 for literal in found)
    else:
        assert found == literals


def test_literal_index_finds_exactly_the_literals_a_text_holds() -> None:
    index = LiteralIndex()
    first = index.add(["abc", "abd", "ab."])
    second = index.add(["xyz", "a", "abc"])  # "abc" again: one id, shared
    index.freeze()
    literals = {"abc", "abd", "ab.", "xyz", "a"}
    assert len(first | second) == len(literals)
    for text in ["", "ab", "zzabd", "ab.x", "xy", "xxyz", "b", "ba", "abcabd", "xyzabc"]:
        present = index.present(text)
        assert bool(present & first) == any(lit in text for lit in ("abc", "abd", "ab.")), text
        assert bool(present & second) == any(lit in text for lit in ("xyz", "a", "abc")), text
        assert len(present) == sum(lit in text for lit in literals), text


def test_an_empty_literal_index_finds_nothing() -> None:
    index = LiteralIndex()
    index.freeze()
    assert index.present("anything") == frozenset()


@functools.cache
def _gated_sources(coach: Coach) -> list[str]:
    """The pack's regexes that have a prefilter."""
    return [source for source in _pack_sources(coach) if required_literal_groups(source)]


@functools.cache
def _gated_strategy(source: str) -> st.SearchStrategy[str]:
    return st.from_regex(source, alphabet=st.characters(codec="utf-8"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_text_a_pack_regex_matches_always_holds_one_of_its_literals(
    coach: Coach, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(_gated_sources(coach)))
    text = data.draw(_gated_strategy(source))
    found = re.search(source, text)
    if found is not None and found.end() > found.start():
        groups = required_literal_groups(source)
        assert groups, source
        for group in groups:
            assert any(literal in text for literal in group), (source, text, sorted(group))


UNGATED_IN_CORE = {
    "commitment.vague/time_frame",  # a clock time ("3pm"): digits, no literal of 3 letters
    "greeting.no-introduction/signature",  # a sign-off at the end ("^JD", "-Ana")
    "greeting.no-introduction/signature@social",
    "transfer.unannounced/warm",  # a phone number to call back on
}
"""The specs of the `core` pack with a regex that runs on every turn: their matches hold no
literal long enough to look for first. Every other regex waits for its literals."""


def test_every_core_regex_but_a_known_few_waits_for_its_literals() -> None:
    """A regex without a gate literal runs on every turn of its speaker (a whole pass over
    the text each time): a new one is a cost to every conversation, so it must be split
    into alternatives that each hold a literal (docs/performance.md, "Costs a pack author
    controls"), or listed above."""
    compiled = Coach().matchers._compiled
    ungated = {key: [spec.regexes[position][0] for position in spec.ungated]
               for key, spec in compiled.items() if spec.ungated}
    assert set(ungated) == UNGATED_IN_CORE, ungated


_UPDATE_GATES = "src/servicecoach/nlp/regex_gates.json is stale: run python scripts/update_regex_gates.py"


def test_the_precomputed_gates_are_those_of_the_bundled_packs() -> None:
    """A `Coach` reads the bundled packs' gates from a table instead of working them out at
    start-up: the table must hold every expression of the packs, with the groups this
    module works out now."""
    import runpy

    from servicecoach.nlp import regex_prefilter

    fresh = runpy.run_path(str(REPO / "scripts" / "update_regex_gates.py"))["bundled_table"]()
    shipped = json.loads(regex_prefilter.BUNDLED_GATES.read_text(encoding="utf-8"))
    assert shipped == fresh, _UPDATE_GATES


def test_an_expression_of_a_users_pack_is_worked_out() -> None:
    from servicecoach.nlp import regex_prefilter

    pattern = r"\bmy (?:parcel|package) (?:never|still hasn't) (?:came|arrived)\b"
    assert regex_prefilter.expression_key(pattern) not in regex_prefilter._bundled_gates()
    assert required_literal_groups(pattern) == regex_prefilter.literal_groups_of(pattern)
    assert "my parcel never arrived" in required_literal_groups(pattern)[0]
