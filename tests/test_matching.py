"""The matching engine on small packs of its own, so core-pack tuning cannot change these."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SHARED

from servicecoach import Coach, Finding, RulePackError


def coach_with(tmp_path: Path, rules: str, manifest: str = "") -> Coach:
    folder = tmp_path / "pack"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text("name: t\nversion: '1'\n" + manifest)
    (folder / "rules.yaml").write_text(rules)
    return Coach(packs=[str(folder)])


def fired(coach: Coach, *turns: tuple[str, str]) -> list[Finding]:
    session = coach.session({"customer_name": "Dana Reyes"})
    found: list[Finding] = []
    for speaker, text in turns:
        found.extend(session.add_turn({"speaker": speaker, "text": text}))
    return found


def rule(match: str, extra: str = "", kind: str = "phrase") -> str:
    return f"""\
id: t.rule
kind: {kind}
category: tone
message: 'matched "{{match}}"'
suggestion: 'say it differently, {{customer_name}}'
{extra}
match:
{match}
"""


@pytest.mark.parametrize("text", ["I can't do that", "I can’t do that", "I cannot do that",
                                  "I CAN NOT do that"])
def test_phrases_compare_normalised_tokens(tmp_path: Path, text: str) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [\"can't do\"]"))
    (finding,) = fired(coach, ("agent", text))
    assert finding.span is not None and finding.span.text.lower().startswith("can")


def test_phrases_match_whole_tokens_only(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [relax]"))
    assert fired(coach, ("agent", "Our spa has relaxing rooms.")) == []
    assert len(fired(coach, ("agent", "Relax."))) == 1


def test_lemma_phrases_match_inflections(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  lemmas: [i understand your frustration]"))
    for text in ["I understood your frustration", "i understand your frustrations"]:
        assert len(fired(coach, ("agent", text))) == 1, text
    assert fired(coach, ("agent", "I understand your question")) == []


def test_token_patterns_with_lemma_need_no_lemmatizer(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  patterns: [[{LEMMA: promise}, {NORM: to}]]"))
    assert len(fired(coach, ("agent", "She promised to call."))) == 1
    assert fired(coach, ("agent", "A promise is a promise.")) == []


def test_regex_runs_on_lower_case_text_and_reports_the_span(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  regex: ['\\bref(?:und|und request) \\d+']"))
    (finding,) = fired(coach, ("agent", "Your Refund 42 is done"))
    assert finding.span is not None and finding.span.text == "Refund 42"
    assert finding.evidence[0].source == "regex"


def test_fuzzy_matching_uses_the_named_scorer_and_cutoff(tmp_path: Path) -> None:
    coach = coach_with(
        tmp_path, rule("  fuzzy: {phrases: [my hands are tied], scorer: ratio, cutoff: 80}")
    )
    (finding,) = fired(coach, ("agent", "Sorry, my hands is tied here."))
    assert finding.evidence[0].source == "fuzzy"
    assert finding.evidence[0].score is not None and finding.evidence[0].score >= 80
    assert fired(coach, ("agent", "We can hand it over on Tuesday.")) == []


def test_negation_in_the_same_clause_cancels_a_hit(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"))
    assert fired(coach, ("agent", "I'm not going to tell you to calm down.")) == []
    assert fired(coach, ("agent", "I would never ask you to calm down.")) == []
    assert len(fired(coach, ("agent", "Not a problem, calm down."))) == 1  # new clause


def test_negation_can_be_switched_off(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]\n  negation: false"))
    assert len(fired(coach, ("agent", "I'm not going to tell you to calm down."))) == 1


def test_a_pack_reads_clauses_with_its_own_words(tmp_path: Path) -> None:
    """`clause_words:` in pack.yaml replaces the language's lists it names (here negation,
    with "hardly" added), and keeps the others (the clause still ends at a comma)."""
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"),
                       "clause_words:\n  negation: [not, never, hardly]\n")
    assert fired(coach, ("agent", "I would hardly tell you to calm down.")) == []
    assert len(fired(coach, ("agent", "Hardly a problem, calm down."))) == 1
    assert len(fired(coach, ("agent", "I would neither laugh nor tell you to calm down."))) == 1


def test_a_language_without_clause_words_reads_no_negation_until_its_pack_gives_some(
        tmp_path: Path) -> None:
    bare = coach_with(tmp_path / "bare", rule("  phrases: [calm down]"), "language: xx\n")
    assert len(fired(bare, ("agent", "I'm not going to tell you to calm down."))) == 1
    given = coach_with(tmp_path / "given", rule("  phrases: [calm down]"),
                       "language: xx\nclause_words:\n  negation: [not]\n  negation_window: 6\n")
    assert fired(given, ("agent", "I'm not going to tell you to calm down.")) == []


def test_a_misspelt_clause_words_list_is_a_located_pack_error(tmp_path: Path) -> None:
    with pytest.raises(RulePackError) as error:
        coach_with(tmp_path, rule("  phrases: [calm down]"), "clause_words:\n  negations: [not]\n")
    assert "pack.yaml" in str(error.value) and "negations" in str(error.value)


def test_quoted_words_do_not_fire(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"))
    assert fired(coach, ("agent", 'The note says "calm down" in red.')) == []
    assert fired(coach, ("agent", "The note says “calm down” in red.")) == []


def test_exceptions_cancel_overlapping_hits(tmp_path: Path) -> None:
    coach = coach_with(
        tmp_path, rule("  phrases: [\"i can't\"]\n  exceptions: [\"can't thank you enough\"]")
    )
    assert fired(coach, ("agent", "I can't thank you enough.")) == []
    assert len(fired(coach, ("agent", "I can't thank you enough, but I can't refund it."))) == 1


def test_contrast_cancels_when_asked(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [i understand]\n  contrast: true"))
    assert fired(coach, ("agent", "I understand, but that is how it works.")) == []
    assert len(fired(coach, ("agent", "I understand. But first, your name?"))) == 1


def test_speaker_scope(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"))
    assert fired(coach, ("customer", "The last agent told me to calm down.")) == []


def test_unless_in_the_same_turn_cancels(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [\"can't\"]", "unless:\n  phrases: [instead]"))
    assert fired(coach, ("agent", "I can't refund it; instead I'll send a new one.")) == []
    assert len(fired(coach, ("agent", "I can't refund it."))) == 1


def test_followed_by_requires_a_second_match_after_the_first(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [sorry]", "followed_by:\n  phrases: [policy]"))
    assert len(fired(coach, ("agent", "Sorry, but policy says no."))) == 1
    assert fired(coach, ("agent", "Policy says no, sorry.")) == []


def test_message_slots_use_the_match_and_the_customer_name(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"))
    (finding,) = fired(coach, ("agent", "Calm down!"))
    assert finding.message == 'matched "Calm down"'
    assert finding.suggestion == "say it differently, Dana"


def test_unknown_customer_name_drops_the_slot_cleanly(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule("  phrases: [calm down]"))
    (finding,) = coach.session().add_turn({"speaker": "agent", "text": "calm down"})
    assert finding.suggestion == "say it differently"


def test_rewrites_give_each_phrase_its_own_suggestion(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, rule(
        "  phrases: [\"it's not possible\", \"you'll have to\"]",
        "rewrites:\n  \"it's not possible\": 'Say what is possible, {customer_name}.'"))
    (first,) = fired(coach, ("agent", "It's not possible today."))
    (second,) = fired(coach, ("agent", "You'll have to call back."))
    assert first.suggestion == "Say what is possible, Dana."
    assert second.suggestion == "say it differently, Dana"


def test_rewrites_must_name_a_phrase_of_the_rule(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="rewrites for"):
        coach_with(tmp_path, rule("  phrases: [calm down]", "rewrites: {relax: 'x'}"))


def test_substitution_suggests_the_replacement(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, """\
id: t.swap
kind: substitution
category: tone
message: '"{match}" sounds negative'
suggestion: 'Say "{replacement}".'
swap:
  "no problem": "happy to help"
""")
    (finding,) = fired(coach, ("agent", "No problem at all."))
    assert finding.suggestion == 'Say "happy to help".'


CONDITIONAL = """\
id: t.ack
kind: conditional
category: empathy
trigger:
  speaker: customer
  match: {phrases: [upset]}
expect:
  phrases: [sorry]
within: WITHIN
when: WHEN
message: 'no acknowledgement after "{trigger}"'
suggestion: acknowledge it
"""


def test_conditional_missing_fires_on_the_reply_that_lacks_it(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, CONDITIONAL.replace("WITHIN", "1").replace("WHEN", "missing"))
    found = fired(coach, ("customer", "I'm upset."), ("agent", "Account number?"))
    assert [(f.rule_id, f.turn_index) for f in found] == [("t.ack", 1)]
    assert found[0].evidence[0].note == "trigger"
    assert fired(coach, ("customer", "I'm upset."), ("agent", "I'm sorry.")) == []
    assert fired(coach, ("customer", "I'm not upset."), ("agent", "Account number?")) == []


def test_conditional_window_of_two_turns(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, CONDITIONAL.replace("WITHIN", "2").replace("WHEN", "missing"))
    turns = [("customer", "I'm upset."), ("agent", "One moment."), ("agent", "So sorry.")]
    assert fired(coach, *turns) == []
    found = fired(coach, turns[0], turns[1], ("agent", "Done."))
    assert [f.turn_index for f in found] == [2]


def test_conditional_present_fires_where_it_is_found(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, CONDITIONAL.replace("WITHIN", "1").replace("WHEN", "present"))
    found = fired(coach, ("customer", "I'm upset."), ("agent", "So sorry about that."))
    assert [(f.turn_index, f.span.text if f.span else None) for f in found] == [(1, "sorry")]


def test_conditional_still_open_at_the_end_is_decided_by_close(tmp_path: Path) -> None:
    coach = coach_with(tmp_path, CONDITIONAL.replace("WITHIN", "2").replace("WHEN", "missing"))
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "I'm upset."})
    assert session.add_turn({"speaker": "agent", "text": "Checking."}) == []
    report = session.close()
    assert [(f.rule_id, f.turn_index) for f in report.findings] == [("t.ack", 1)]


def _real_turns() -> list[str]:
    lines = (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()[:80]
    return [turn["text"] for line in lines for turn in json.loads(line)["turns"]]


_CAPITALS = ["can you PLEASE fix it", "It broke AGAIN.", "HELP! Nobody answers", "Please help",
             "NOT what I paid for", "Why is it STILL not working", "WHY", "it is NOT ok!",
             "I am NOT happy", "Again, please", "ok, AGAIN!"]
"""Words raised in capitals among words that are not: token patterns that need a word as
written (ORTH) run only where it is, and must find there what they find over the turn."""


def test_skipped_specs_and_anchored_patterns_lose_no_hit(coach: Coach) -> None:
    """A spec left out of a turn's candidates has no hit in it, nor has a regex its literal
    gates leave out, and token patterns run from
    their first possible word, or only on the runs of their words, or only where the words
    they need occur (as normalised, in lower case or as written), find what the matcher
    finds over the whole turn."""
    from servicecoach.nlp.matching import _regexes_to_run

    matchers = coach.matchers
    keys = sorted({matchers.canonical(key) for a in coach.analyzers for key, _ in a.specs()}
                  | {matchers.canonical(key) for key, _ in coach.signals.match_specs()})
    patterned = [key for key in keys if matchers._compiled[key].patterns is not None]
    assert patterned
    for text in [*_real_turns(), *_CAPITALS]:
        doc = coach.nlp.make_doc(text)
        scan = matchers.scan(doc, text)
        for key in set(keys) - scan.candidates:
            compiled = matchers._compiled[key]
            assert not scan.phrases[0].get(key), (key, text)
            assert compiled.patterns is None and not compiled.fuzzy, key
            for source, regex in compiled.regexes:  # every regex, ungated
                assert all(m.end() == m.start() for m in regex.finditer(scan.lowered)), (source, text)
        for key in scan.candidates:  # a candidate's regexes left out cannot match either
            compiled = matchers._compiled[key]
            left_out = set(range(len(compiled.regexes))) - set(
                _regexes_to_run(compiled, scan.opened.get(key, ()), scan.lowered))
            for position in left_out:
                source, regex = compiled.regexes[position]
                assert all(m.end() == m.start() for m in regex.finditer(scan.lowered)), (source, text)
        for key in patterned:
            whole = sorted((start, end) for _, start, end in matchers._compiled[key].patterns(doc))
            found = sorted((hit.token_start, hit.token_end)
                           for hit in matchers.hits(key, scan) if hit.source == "pattern")
            assert found == whole, (key, text)


def test_word_regex_memory_answers_as_the_regex_does_after_it_starts_over(coach: Coach) -> None:
    """The per-word memory of a token regex gate gives the regex's own answer, also once it
    is full and starts over."""
    from servicecoach.nlp.matching import WordRegex

    strings = coach.nlp.vocab.strings
    gate = WordRegex(r"^(?:u+m+|e+r+m+)$", strings)
    gate.MAX_SEEN = 8
    texts = [*_real_turns()[:300], "umm, ok", "errm", "Umbrella um"]
    for text in texts * 2:  # the second time from memory
        words = frozenset(token.lower for token in coach.nlp.make_doc(text))
        expected = not any(gate.regex.search(strings[word]) for word in words)
        assert gate.isdisjoint(words) is expected, text
