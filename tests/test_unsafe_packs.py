"""Untrusted rule packs: every unsafe or malformed file is one located error, never a hang,
a memory blow-up or a traceback; a pack reached twice through ``extends`` loads once."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach import Coach, Transcript
from servicecoach.errors import RulePackError
from servicecoach.rules.loader import load_pack

RULE = ("id: p.x\nkind: phrase\ncategory: c\nmessage: m\nsuggestion: s\n"
        "match: {{{match}}}\n")


def _pack(folder: Path, rule: bytes | str, manifest: str = "name: p\nversion: '1'\n") -> Path:
    folder.mkdir()
    (folder / "pack.yaml").write_text(manifest)
    body = rule.encode("utf-8") if isinstance(rule, str) else rule
    (folder / "r.yaml").write_bytes(body)
    return folder


def _error(folder: Path) -> str:
    with pytest.raises(RulePackError) as caught:
        load_pack(str(folder))
    message = str(caught.value)
    assert "\n" not in message  # one line
    return message


def test_an_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 20)]
    folder = _pack(tmp_path / "p", "\n".join(lines) + "\n")
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:13: more than 100 aliases (*name)")
    assert "alias bomb is refused" in message


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo hi']",
                                 "!!python/name:os.system ''", "!!binary aGk="])
def test_a_tag_is_refused_at_its_line(tmp_path: Path, tag: str) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hi]") + f"docs: {tag}\n")
    name = tag.split()[0].split(":")[0] if "python" in tag else "!!binary"
    assert _error(folder).startswith(f"{folder / 'r.yaml'}:7: the tag {name}")


def test_a_key_that_is_a_list_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", "id: p.x\n? [a, b]\n: c\n")
    assert _error(folder).startswith(f"{folder / 'r.yaml'}:2: a key must be a string")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", "id: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested too deeply (limit 64 levels)" in _error(folder)


def test_a_file_in_latin1_is_refused_at_the_line_of_its_first_bad_byte(tmp_path: Path) -> None:
    rule = RULE.format(match="phrases: [caf\xe9]").encode("latin-1")
    folder = _pack(tmp_path / "p", rule)
    offset = rule.index(b"\xe9")
    assert _error(folder) == (f"{folder / 'r.yaml'}:6: not UTF-8 (byte {offset} "
                              "is 0xe9) (save the file as UTF-8 (it may be Latin-1 or "
                              "Windows-1252))")


def test_a_huge_number_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hi]") + "x: " + "9" * 5000 + "\n")
    assert _error(folder).startswith(f"{folder / 'r.yaml'}:7: invalid YAML value")


@pytest.mark.parametrize("match", [r'phrases: ["a\ud800b"]', r'exceptions: ["\udfff"], phrases: [hi]',
                                   r'lemmas: ["x\ud83d"]', r'fuzzy: {phrases: ["\ud800"]}',
                                   r'patterns: [[{LOWER: "\ud800"}]]'])
def test_a_lone_surrogate_escape_is_refused_at_its_line(tmp_path: Path, match: str) -> None:
    """A "\\ud800" escape in a phrase list gave a traceback from the matcher's set-up (the
    spec could not be written as UTF-8), where a message or a category was refused."""
    folder = _pack(tmp_path / "p", RULE.format(match=match))
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: ") and "lone surrogate" in message
    with pytest.raises(RulePackError):
        Coach(packs=[str(folder)])


def test_a_version_that_reads_as_a_date_says_to_quote_it(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hi]"),
                   manifest="name: p\nversion: 2001-12-14\n")
    assert _error(folder) == (f"{folder / 'pack.yaml'}:2: 2001-12-14 reads as a date (YAML's "
                              '!!timestamp), which is not allowed (quote it to keep it as '
                              'text: "2001-12-14")')


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", b"\xef\xbb\xbf" + RULE.format(match="phrases: [hi]").encode())
    assert [rule.id for rule in load_pack(str(folder)).rules] == ["p.x"]


def test_a_backtracking_regex_runs_on_re2(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="regex: ['(a+)+$', '(a|aa)+$']"))
    coach = Coach(packs=[str(folder)])
    session = coach.session()
    session.add_turn({"speaker": "agent", "text": "a" * 5_000 + "!"})  # no hang: RE2
    hints = session.add_turn({"speaker": "agent", "text": "aaaa"})
    assert [f.rule_id for f in hints] == ["p.x"]


@pytest.mark.parametrize(("regex", "why"), [
    ("(?=a)(a+)+$", "a repeated group holds another repeat"),
    ("(?<!b)(a|aa)+$", "a repeated group has alternatives"),
    # exponential through an optional part repeated: 2^30 ways for 30 characters
    ("(?=a)(?:a?){30}a{30}", "a repeated group holds another repeat or an optional part"),
    # polynomial of a high degree: long repeats side by side, the ones between them optional
    (r"(?<!not )\w*\s*\w*\s*\w*\s*\w*\s*!", "two long repeats over the same characters"),
    ("(?=a)a*a*a*a*a*a*a*b", "two long repeats over the same characters"),
    # alternatives between them that may match nothing, or that start with a long repeat:
    # 14 s and 2 s on 120 characters
    (r"(?<!x)\w*(?:|a)\w*(?:|a)\w*(?:|a)\w*!", "two long repeats over the same characters"),
    (r"(?<!x)(?:\w*|b)\w*(?:\w*|b)\w*!", "two long repeats over the same characters"),
    # characters between them that both read: each "a" of a run splits it another way (87 s
    # for one add_turn of 300 characters)
    (r"(?<!x)\w+a\w+a\w+a\w+!", "two long repeats over the same characters"),
    (r"(?=.)\w*a\w*a\w*a\w*b", "two long repeats over the same characters"),
    (r"(?<!x)[^.]{0,150}foo[^.]{0,150}bar", "two long repeats over the same characters"),
    # small repeats nested until they copy a long one 64 times
    ("(?=a)(?:(?:(?:(?:(?:(?:a*){2}){2}){2}){2}){2}){2}b", "nested in repeats that copy it 64 times"),
    # an atomic group backtracks inside until it first matches: 23 s on 28 characters
    ("(?>(a+)+b)", "a repeated group holds another repeat"),
    ("(?>(?>a|aa)+)$", "a repeated group has alternatives"),
    # a conditional's branches are alternatives, read as such
    (r"(a)?(?(1)\w*\s*\w*\s*\w*\s*\w*!)", "two long repeats over the same characters"),
])
def test_a_backtracking_regex_re2_cannot_run_is_refused(tmp_path: Path, regex: str,
                                                        why: str) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match=f"regex: ['{regex}']"))
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.regex: bad regex")
    assert why in message and "exponential time" in message


@pytest.mark.parametrize("regex", [
    r"(?<!x)\w+ \w+!", r"(?<!x)\w+\s\w+!", r"(?<!x)\d+\.\d+", r"(?<!x)[a-z]+-[0-9]+",
    r"(?<!x)\s*[^.!?\s][^.!?\n]*\?", r"(?<!x)\w{2}\w+"])
def test_long_repeats_kept_apart_by_a_character_only_one_reads_are_accepted(
        tmp_path: Path, regex: str) -> None:
    """A character between two long repeats that one of them cannot read splits a run of
    text between them in one way only: the expression runs on re."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"regex: ['{regex}']"))
    assert [rule.id for rule in load_pack(str(folder)).rules] == ["p.x"]
    Coach(packs=[str(folder)])


def test_a_token_regex_whose_repeats_share_a_character_between_them_is_refused(
        tmp_path: Path) -> None:
    """A token pattern's REGEX runs on re: 11 s on one token of 200 characters."""
    folder = _pack(tmp_path / "p", RULE.format(
        match=r"patterns: [[{LOWER: {REGEX: '\w+a\w+a\w+a\w+b'}}]]"))
    assert "two long repeats over the same characters" in _error(folder)


@pytest.mark.parametrize("match", ["phrases: ['hello', '']", "phrases: ['   ']",
                                   "exceptions: [' '], phrases: [hi]",
                                   "lemmas: [\"\\t\"]", "fuzzy: {phrases: ['']}"])
def test_a_blank_phrase_is_refused_at_its_line(tmp_path: Path, match: str) -> None:
    """A phrase that is empty or only spaces has no token: it loaded and never matched, and
    the pack's author was not told."""
    folder = _pack(tmp_path / "p", RULE.format(match=match))
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.")
    assert "is blank: it never matches (remove it)" in message


@pytest.mark.parametrize(("regex", "why"), [
    ("(?:a{100}){100}", ("its repeat counts, multiplied where repeats nest, pass RE2's "
                         "limit of 1,000: lower them")),
    ("(?:a+){1001}", "its repeat counts, multiplied where repeats nest, pass RE2's limit"),
    ("(?=a)(a+)+", "it uses look-around, a back-reference or a flag"),
])
def test_a_refused_regex_says_why_re2_did_not_run_it(tmp_path: Path, regex: str,
                                                     why: str) -> None:
    """An expression RE2 refused for a repeat count past its limit of 1,000 (nested counts
    multiply) was refused saying RE2 did not run it because "it uses look-around, a
    back-reference or a flag", which it need not use: the author looked for what was not
    there. It says what RE2 refused."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"regex: ['{regex}']"))
    message = _error(folder)
    assert f"RE2, which cannot, does not run it ({why}" in message


@pytest.mark.parametrize("match", ["regex: ['[[:alpha:]]+q']", "regex: ['(?<=x)[a&&b]']",
                                   "patterns: [[{LOWER: {REGEX: '[a--z]'}}]]"])
def test_a_set_python_warns_about_is_refused_without_a_warning(tmp_path: Path,
                                                               match: str) -> None:
    """'[[', '--', '&&' in a set made Python's re write a FutureWarning on stderr, and
    they read differently on RE2 (a POSIX class), on re today and in a later Python."""
    folder = _pack(tmp_path / "p", RULE.format(match=match))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.")
    assert "in a set at position" in message and "which Python's re warns about" in message


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="[]^-&~|\\a:", max_size=12))
def test_the_set_check_refuses_what_python_warns_about(source: str) -> None:
    """The check reads sets as `re`'s parser does: it finds a doubled "-&~|" or a "[["
    exactly where the parser warns (ranges, escapes, a "]" first in a set included)."""
    import re._parser as parser  # type: ignore[import-not-found]

    from servicecoach.nlp.safe_regex import _warned_set

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser.parse(source)
        except Exception:  # noqa: BLE001 - not an expression: re refuses it anyway
            return
    assert bool(caught) == (_warned_set(source) is not None), source


def test_the_set_check_is_not_misled_by_other_threads_warnings() -> None:
    """The check once caught warnings process-wide: another thread's warning during it
    refused a harmless expression."""
    import threading

    from servicecoach.nlp.safe_regex import compile_safe

    stop = threading.Event()

    def warn() -> None:
        while not stop.is_set():
            warnings.warn("unrelated", FutureWarning, stacklevel=1)

    other = threading.Thread(target=warn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other.start()
        try:
            for _ in range(2000):
                compile_safe("(?<=x)[a-z]+ and [0-9]")
        finally:
            stop.set()
            other.join()


def test_a_repeat_re2_reads_as_text_is_refused(tmp_path: Path) -> None:
    """``{,3}`` repeats on Python's re and is the text "{,3}" on RE2: 'x{,3}y' loaded and
    never matched "xxy". On re (with a look-behind) it is a repeat, and accepted."""
    folder = _pack(tmp_path / "p", RULE.format(match="regex: ['x{,3}y']"))
    assert _error(folder).startswith(
        f"{folder / 'r.yaml'}:6: rule p.x: match.regex: bad regex 'x{{,3}}y': '{{,3}}' is a "
        "repeat on Python's re but the text '{,3}' on RE2, which runs this expression: write "
        "'{0,3}'")
    folder = _pack(tmp_path / "q", RULE.format(match="regex: ['(?<!a)x{,3}y']"))
    hints = Coach(packs=[str(folder)]).session().add_turn({"speaker": "agent", "text": "xxy"})
    assert [f.rule_id for f in hints] == ["p.x"]


def test_re2_s_one_byte_escape_is_refused(tmp_path: Path) -> None:
    """RE2's ``\\C`` matches one byte, part of a character outside ASCII, and gave offsets
    past the end of the turn: refused, saying what to write instead."""
    folder = _pack(tmp_path / "p", RULE.format(match=r"regex: ['lost\C']"))
    assert _error(folder).startswith(
        f"{folder / 'r.yaml'}:6: rule p.x: match.regex: bad regex 'lost\\\\C': has '\\C' "
        "(any one byte on RE2)")


def test_an_expression_in_re2_s_syntax_runs_on_re2(tmp_path: Path) -> None:
    """An expression RE2 compiles runs there, in its syntax: a Unicode class Python's re
    has no escape for matches letters beyond ASCII."""
    folder = _pack(tmp_path / "p", RULE.format(match=r"regex: ['\bcaf\p{L}']"))
    session = Coach(packs=[str(folder)]).session()
    hints = session.add_turn({"speaker": "agent", "text": "the café is open"})
    assert [(f.rule_id, f.span and (f.span.start, f.span.end)) for f in hints] == [
        ("p.x", (4, 8))]


def test_long_repeats_over_different_characters_side_by_side_are_accepted(tmp_path: Path) -> None:
    """``u+h+m*`` (the core pack's "uhm") splits a run of text only one way: accepted."""
    folder = _pack(tmp_path / "p", RULE.format(match=r"regex: ['(?<!no )u+h+m*\b']"))
    session = Coach(packs=[str(folder)]).session()
    hints = session.add_turn({"speaker": "agent", "text": "uhhmm"})
    assert [f.rule_id for f in hints] == ["p.x"]


def test_a_backtracking_token_regex_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="patterns: [[{LOWER: {REGEX: '(a|aa)+$'}}]]"))
    message = _error(folder)
    assert "bad REGEX '(a|aa)+$': a repeated group has alternatives" in message


@pytest.mark.parametrize(("fuzzy", "refused"), [
    (", ".join(f"w{i} x" for i in range(6_000)), "at most 5000 items"),
    ("'" + "word " * 300 + "'", "is 1500 characters long (limit 1000)"),
])
def test_a_huge_fuzzy_phrase_list_or_phrase_is_refused(tmp_path: Path, fuzzy: str,
                                                       refused: str) -> None:
    """Fuzzy phrases, each scored against every token window of a turn, had no bound:
    20,000 of them took 35 s on one turn of 200 words."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"fuzzy: {{phrases: [{fuzzy}]}}"))
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.fuzzy.phrases: ")
    assert refused in message


@pytest.mark.parametrize(("part", "refused"), [
    ("swap: {" + ", ".join(f"w{i}: x" for i in range(6_000)) + "}", "swap: "),
    ("swap: {a: b}\nexceptions: [" + ", ".join(f"w{i}" for i in range(6_000)) + "]",
     "exceptions: "),
    ("swap:\n  ? '" + "word " * 300 + "'\n  : b", "swap: "),
])
def test_a_huge_substitution_rule_is_refused_at_its_line(tmp_path: Path, part: str,
                                                         refused: str) -> None:
    """A substitution's swaps and exceptions become a phrase list when the coach is built:
    over 5,000 of them was a bare pydantic ValidationError out of Coach()."""
    folder = _pack(tmp_path / "p", "id: p.x\nkind: substitution\ncategory: c\nmessage: m\n"
                                    f"suggestion: s\n{part}\n")
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:")
    assert f"rule p.x: {refused}" in message


@pytest.mark.parametrize(("token", "attribute"), [
    ("{DEP: nsubj}", "DEP"), ("{POS: VERB}", "POS"), ("{TAG: NN}", "TAG"),
    ("{MORPH: {IS_SUPERSET: [Number=Sing]}}", "MORPH"), ("{ENT_TYPE: PERSON}", "ENT_TYPE"),
    ("{_: {mood: x}}", "_"),
])
def test_a_token_attribute_no_turn_has_is_refused_at_load(
        tmp_path: Path, token: str, attribute: str) -> None:
    """Patterns are matched on a turn's tokens: DEP, POS, TAG and custom extensions made
    every turn fail (a live session raised, a batch lost every transcript), MORPH and
    ENT_* never matched."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"patterns: [[{{LOWER: hi}}, {token}]]"))
    message = _error(folder)
    assert message.startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.patterns: token "
                              f"pattern 0 reads {attribute}, ")
    assert "use ORTH, LOWER, NORM, LEMMA" in message


@pytest.mark.parametrize(("token", "refused"), [
    ("{pos: VERB}", "reads POS, "), ("{lemma: {regex: 'go+'}}", "LEMMA takes a word"),
    ("{LOWER: {regex: '^(a+)+$'}}", "bad REGEX '^(a+)+$'"),
    ("{LOWER: x, op: '+'}", "OP '+' repeats without bound"),
    ("{lower: x, LOWER: y}", "gives LOWER twice"),
])
def test_token_keys_in_lower_case_are_checked_as_spacy_reads_them(
        tmp_path: Path, token: str, refused: str) -> None:
    """spaCy reads a pattern's keys in any case ({pos: VERB} is POS, {regex: ...} is REGEX,
    op is OP), but the checks read capitals only: a lower-case key slipped past every one
    (an unbounded repeat, a regex that backtracks for seconds on one word, an attribute no
    turn has, which made every turn fail)."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"patterns: [[{{LOWER: hi}}, {token}]]"))
    assert refused in _error(folder)


def test_token_keys_in_lower_case_match_as_in_capitals(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(
        match="patterns: [[{lower: {in: [sorry, apologies]}}, {norm: for, op: '?'}]]"))
    coach = Coach(packs=[str(folder)])
    found = coach.score(Transcript.model_validate({"id": "t", "turns": [
        {"speaker": "agent", "text": "Apologies for the wait."}]})).findings
    assert [f.rule_id for f in found if f.rule_id == "p.x"] == ["p.x"]


def test_a_huge_phrase_list_is_refused(tmp_path: Path) -> None:
    phrases = ", ".join(f"w{i}" for i in range(6_000))
    folder = _pack(tmp_path / "p", RULE.format(match=f"phrases: [{phrases}]"))
    assert "at most 5000 items" in _error(folder)


def test_an_extends_diamond_loads_the_shared_pack_once(tmp_path: Path) -> None:
    for name in ("left", "right"):
        _pack(tmp_path / name, f"id: {name}.x\nkind: phrase\ncategory: c\nmessage: m\n"
                               "suggestion: s\nmatch: {phrases: [hi]}\n",
              manifest=f"name: {name}\nversion: '1'\nextends: [core]\n")
    top = _pack(tmp_path / "top", RULE.format(match="phrases: [yo]"),
                manifest="name: top\nversion: '1'\nextends: [../left, ../right]\n")
    pack = load_pack(str(top))
    ids = [rule.id for rule in pack.rules]
    assert len(ids) == len(set(ids))
    assert {"left.x", "right.x", "p.x", "empathy.missing"} <= set(ids)
    assert [m.name for m in pack.lineage].count("core") == 1


@pytest.mark.parametrize("operator", ["*", "+", "{2,}"])
def test_a_token_repeat_without_bound_is_refused_with_the_bound_to_give(
        tmp_path: Path, operator: str) -> None:
    """One wildcard repeat took quadratic time in spaCy's matcher, two cubic: a pack rule
    [a, *, *, c] took 146 s on a 4,000-character turn."""
    folder = _pack(tmp_path / "p", RULE.format(
        match=f'patterns: [[{{LOWER: a}}, {{OP: "{operator}"}}, {{LOWER: c}}]]'))
    message = _error(folder)
    assert "r.yaml" in message and "token pattern 0" in message
    assert "without bound" in message and "such as" in message


@pytest.mark.parametrize("tokens, refused", [
    ('{OP: "{0,9}"}', "more than 8 times"),
    (", ".join(['{OP: "?"}'] * 9), "9 optional token slots"),
    ('{OP: "{0,4}"}, {OP: "{1,6}"}', "9 optional token slots"),
])
def test_too_many_optional_tokens_are_refused(tmp_path: Path, tokens: str, refused: str) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match=f"patterns: [[{{LOWER: a}}, {tokens}]]"))
    assert refused in _error(folder)


def test_a_pattern_at_the_limits_matches_a_long_turn_in_linear_time(tmp_path: Path) -> None:
    """Eight optional wildcard slots, the most a pattern may have, on a turn built to keep
    every partial match alive: twice the turn takes about twice the time, not four times."""
    folder = _pack(tmp_path / "p", RULE.format(
        match='patterns: [[{LOWER: a}, {OP: "{0,4}"}, {OP: "{0,4}"}, {LOWER: c}]]'))
    coach = Coach(packs=[str(folder)])

    def seconds(tokens: int) -> float:
        times = []
        for _ in range(3):
            session = coach.session()
            started = time.perf_counter()
            session.add_turn({"speaker": "agent", "text": "a " * tokens + "c"})
            times.append(time.perf_counter() - started)
        return min(times)

    assert seconds(8_000) / seconds(2_000) < 9  # 4 when linear, 16 when quadratic
    hits = coach.score(Transcript.model_validate(
        {"id": "t", "turns": [{"speaker": "agent", "text": "a b b b b c"}]})).findings
    assert [finding.rule_id for finding in hits] == ["p.x"]


LEMMA_BOMB = "be have do get go make"
"""Six verbs of many forms each: 16,000 phrases once expanded (the limit is 512)."""


def _coach_error(folder: Path) -> RulePackError:
    with pytest.raises(RulePackError) as caught:
        Coach(packs=[str(folder)])
    assert "\n" not in str(caught.value)  # one line
    return caught.value


def test_a_lemma_bomb_is_a_located_pack_error(tmp_path: Path) -> None:
    """A lemma phrase whose words' forms multiply past 512 phrases is refused, as a pack
    error naming the file, the line of the phrase, the rule and the list, with how to fix it
    (it was a bare error naming no file, rule or line)."""
    rule = ("id: p.x\nkind: phrase\ncategory: c\nmessage: m\nsuggestion: s\nmatch:\n"
            f"  lemmas:\n    - i understand\n    - {LEMMA_BOMB}\n")
    folder = _pack(tmp_path / "p", rule)
    error = _coach_error(folder)
    assert (error.path, error.line) == (str(folder / "r.yaml"), 9)
    assert str(error).startswith(
        f"{folder / 'r.yaml'}:9: rule p.x: match.lemmas[1]: the lemma phrase '{LEMMA_BOMB}' "
        "expands to 16,000 word-form combinations (limit 512) (shorten it, or list the forms "
        "you mean under 'phrases' instead of 'lemmas'")


def test_a_lemma_bomb_in_a_list_of_rules_is_at_its_own_line(tmp_path: Path) -> None:
    good = "- id: p.a\n  kind: phrase\n  category: c\n  message: m\n  suggestion: s\n" \
           "  match: {phrases: [hi]}\n"
    bomb = ("- id: p.b\n  kind: conditional\n  category: c\n  message: m\n  suggestion: s\n"
            f"  trigger:\n    speaker: customer\n    match:\n      lemmas: ['{LEMMA_BOMB}']\n"
            "  expect: {phrases: [sorry]}\n")
    folder = _pack(tmp_path / "p", good + bomb)
    error = _coach_error(folder)
    assert error.line == 15
    assert f"rule p.b: trigger.match.lemmas[0]: the lemma phrase '{LEMMA_BOMB}'" in str(error)


def test_a_lemma_bomb_in_a_signal_names_the_signal_and_its_cue(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hi]"))
    (folder / "signals").mkdir()
    (folder / "signals" / "customer.yaml").write_text(
        "- id: customer.bored\n  cues:\n    - name: said\n      score: 0.8\n"
        f"      match:\n        lemmas: ['{LEMMA_BOMB}']\n")
    error = _coach_error(folder)
    assert (error.path, error.line) == (str(folder / "signals" / "customer.yaml"), 1)
    assert "signal customer.bored: cue 'said', match.lemmas[0]: the lemma phrase" in str(error)


@pytest.mark.parametrize("lemma", ["{REGEX: 'go+'}", "{IN: [go], NOT_IN: [went]}", "[go]"])
def test_a_lemma_constraint_servicecoach_cannot_expand_is_a_pack_error(
        tmp_path: Path, lemma: str) -> None:
    """LEMMA is rewritten to word forms: anything but a word or {IN: [...]} was a bare
    ValueError out of Coach() (a traceback from the CLI), and a NOT_IN beside IN was dropped."""
    folder = _pack(tmp_path / "p", RULE.format(match=f"patterns: [[{{LEMMA: {lemma}}}]]"))
    error = _coach_error(folder)
    assert str(error).startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.patterns: token "
                                 "pattern 0: LEMMA takes a word or {IN: [words]} here")


def test_a_token_reading_both_lemma_and_norm_is_a_pack_error(tmp_path: Path) -> None:
    """LEMMA is matched as the NORM of the lemma's forms: a token that also gave NORM
    ({LEMMA: go, NORM: went}) lost its NORM without a word, and matched "goes"."""
    folder = _pack(tmp_path / "p", RULE.format(match="patterns: [[{LEMMA: go, NORM: went}]]"))
    error = _coach_error(folder)
    assert str(error).startswith(f"{folder / 'r.yaml'}:6: rule p.x: match.patterns: token "
                                 "pattern 0: a token cannot read both LEMMA and NORM")


@pytest.mark.parametrize("kind", ["device", "pipe"])
@pytest.mark.parametrize("name", ["r2.yaml", "pack.yaml", "signals/customer.yaml"])
def test_a_pack_file_that_is_not_a_regular_file_is_refused_unread(
    tmp_path: Path, kind: str, name: str,
) -> None:
    """A pack's ``.yaml`` that is a link to /dev/zero was read until memory ran out (5 GB in
    8 s), and a named pipe hung the loader: a file that is not a regular file is refused
    without being opened."""
    import os

    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [x]"))
    target = folder / name
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    if kind == "device":
        target.symlink_to("/dev/zero")
    else:
        os.mkfifo(target)
    message = _error(folder)
    if name == "pack.yaml":  # a folder without a regular pack.yaml is no pack
        assert "no rule pack" in message
    else:
        assert name in message and "not a regular file" in message


def test_a_pack_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicecoach.rules import loader

    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [x]") + "# padding\n" * 20)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    assert "r.yaml" in _error(folder) and "larger than 100 bytes" in _error(folder)


@pytest.mark.parametrize("kind", ["latin-1", "folder", "device", "pipe"])
def test_a_rule_test_file_that_cannot_be_read_fails_its_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
) -> None:
    """`rules test` of a pack whose ``.test.transcript`` was Latin-1 or a folder stopped
    with a traceback; one that linked to /dev/zero was read until memory ran out, and a
    named pipe hung. Such a file fails, located, and the pack's other test files run."""
    import os

    from servicecoach.cli import main

    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [order]"))
    (folder / "r.test.transcript").write_text("# ruleid: p.x\nAgent: Your order shipped.\n")
    bad = folder / "bad.test.transcript"
    if kind == "latin-1":
        bad.write_bytes(b"# ok: p.x\nAgent: caf\xe9\n")
    elif kind == "folder":
        bad.mkdir()
    elif kind == "device":
        bad.symlink_to("/dev/zero")
    else:
        os.mkfifo(bad)
    code = main(["rules", "test", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"{bad}:" in out and "r.test.transcript" not in out, out
    assert "2 test file(s), 1 expectation(s) checked, 1 file(s) failed" in err


@pytest.mark.parametrize(("value", "shown"), [(".inf", "inf"), (".nan", "nan"),
                                              ("1" + "0" * 400, "a number of 401 digits")])
def test_a_count_or_time_setting_that_is_not_finite_is_a_located_error(
    tmp_path: Path, value: str, shown: str,
) -> None:
    """``warn_at: .inf`` (a count) and a 400-digit ``limit_seconds`` stopped the coach with
    a traceback (OverflowError); ``.nan`` was kept, and the rule never fired."""
    rules = ("- id: p.um\n  kind: builtin\n  analyzer: fillers\n  category: c\n"
             "  message: m\n  suggestion: s\n  phrases: {filler: {phrases: [um]}}\n"
             f"  settings: {{warn_at: {value}}}\n"
             "- id: p.slow\n  kind: builtin\n  analyzer: reply_time\n  category: c\n"
             "  message: m\n  suggestion: s\n  phrases: {working: {phrases: [one moment]}}\n"
             f"  settings: {{limit_seconds: {value}}}\n")
    folder = _pack(tmp_path / "p", rules)
    with pytest.raises(RulePackError) as caught:
        Coach(packs=[str(folder)])
    assert str(caught.value).startswith(
        f"{folder / 'r.yaml'}:1: rule p.um (analyzer 'fillers'): setting 'warn_at' takes a "
        f"finite number, not {shown}")


def test_the_rule_catalogue_shows_a_pack_s_text_and_runs_none_of_it(tmp_path: Path) -> None:
    """Before 2026-12-06 a pack's text went into the Markdown pages as it was: HTML in a
    description or message was rendered (a `<script>`), a ``` in an example closed its code
    block, a backtick in a phrase closed its code span, a `|` in a category split the
    table's columns and a line break in a message started a heading."""
    import yaml

    from servicecoach.rules.catalog import index_page, rule_page

    rule = {"id": "p.x", "kind": "phrase", "category": "c | <img src=x onerror=alert(1)>",
            "message": "hi <script>alert(1)</script>", "suggestion": "s\n\n# Injected",
            "docs": {"what": "what | <b>bold</b>", "why": "y",
                     "example": "ok\n```\n<script>alert(3)</script>\n```", "use_instead": "u"},
            "match": {"phrases": ["a ` <script>x</script> ` b", "``two``"]}}
    folder = _pack(tmp_path / "p", yaml.safe_dump([rule]))
    (loaded,) = load_pack(str(folder)).rules
    page = rule_page(loaded)
    assert "<img" not in page and "<b>" not in page  # <script> stays, in code only:
    assert "hi &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "| category | c \\| &lt;img src=x onerror=alert(1)&gt; |" in page
    assert "- suggestion: s # Injected" in page
    assert "````text excerpt\nok\n```\n<script>alert(3)</script>\n```\n````" in page
    assert "``a ` <script>x</script> ` b``" in page and "``` ``two`` ```" in page
    row = index_page((loaded,)).splitlines()[-1]
    assert row == ("| [`p.x`](p.x.md) | issue | warning | c \\| &lt;img src=x onerror=alert(1)&gt; "
                   "| what \\| &lt;b&gt;bold&lt;/b&gt; |")


def test_an_annotation_that_names_no_turn_fails_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """An annotation in a conversation of comments only (after a last ``---``) was never
    checked, and one after a conversation's last turn was "missed (whole conversation)"
    for a rule that fires on turns; both fail at their line, saying where to put them."""
    from servicecoach.cli import main

    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [order]"))
    test = folder / "r.test.transcript"
    test.write_text("# ruleid: p.x\nAgent: Your order shipped.\n# ruleid: p.x\n---\n"
                    "# ok: p.x\n")
    assert main(["rules", "test", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        (f"{test}:3: missed p.x (after the last turn: for a rule on a turn, put the annotation "
        "on the line above the turn it is about)"),
        (f"{test}:5: misplaced p.x (in no conversation: put the annotation on the line above "
        "the turn it is about)")]
    assert "2 expectation(s) checked" in err


def test_an_expression_on_python_s_re_is_not_cut_mid_word(tmp_path: Path) -> None:
    """Expressions on Python's re read a turn's first 10,000 characters: cut there, the
    word across the cut lost its end, and 'nothing' read as 'not' fired a look-behind rule
    on 'not'. The part read ends at a space."""
    folder = _pack(tmp_path / "p", RULE.format(match=r"regex: ['(?<!x)\bnot\b']"))
    coach = Coach(packs=[str(folder)])
    text = "word " * 1999 + "x nothing more to add"
    assert text.index("nothing") < 10_000 < text.index("nothing") + len("nothing")
    hints = coach.session().add_turn({"speaker": "agent", "text": text})
    assert [f.rule_id for f in hints] == []
    hints = coach.session().add_turn({"speaker": "agent", "text": "it is not " + text})
    assert [(f.rule_id, f.span and f.span.start) for f in hints] == [("p.x", 6)]


@pytest.mark.parametrize(("key", "line"), [("name", 1), ("version", 2)])
def test_a_pack_name_or_version_longer_than_an_id_is_refused_at_its_line(
    tmp_path: Path, key: str, line: int,
) -> None:
    """Every report writes its packs' names and versions (`packs`): a pack.yaml of a 5 MB
    version loaded, and five reports of `score --format json` made 25 MB."""
    values = {"name": "p", "version": "'1'"} | {key: "v" * 5_000_000}
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hello]"),
                   manifest=f"name: {values['name']}\nversion: {values['version']}\n")
    message = _error(folder)
    assert f"pack.yaml:{line}: {key}: String should have at most 100 characters" in message
    assert len(message) < 300


def test_a_pack_named_longer_than_a_file_name_may_be_is_no_pack_not_a_traceback(
        tmp_path: Path) -> None:
    """A pack name in `extends` (or `--pack`) longer than a file name may be (255 bytes)
    stopped the loader with a traceback (OSError: File name too long), and a name of 1 MB
    would have been quoted whole; it is no pack, quoted by its start and its length."""
    folder = _pack(tmp_path / "p", RULE.format(match="phrases: [hello]"),
                   manifest="name: p\nversion: '1'\nextends: [" + "a" * 1_000_000 + "]\n")
    message = _error(folder)
    assert "no rule pack 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (1,000,000 characters)" \
        in message
    assert len(message) < 1_000
    with pytest.raises(RulePackError, match="no rule pack 'bbbb"):
        load_pack("b" * 300)
