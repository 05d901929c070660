"""Rule packs are data, validated strictly: every broken pack fails at load with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from servicecoach import Coach, RulePackError
from servicecoach.rules.loader import load_pack

MANIFEST = "name: acme\nversion: '1.0'\n"
GOOD_RULE = """\
id: acme.sigh
kind: phrase
category: tone
message: Sighing ("{match}").
suggestion: Say what you will do next.
match:
  phrases: [sigh]
"""


def write_pack(folder: Path, rules: str, manifest: str = MANIFEST) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(manifest)
    (folder / "rules.yaml").write_text(rules)
    return folder


def load_error(tmp_path: Path, rules: str, manifest: str = MANIFEST) -> RulePackError:
    pack = write_pack(tmp_path / "acme", rules, manifest)
    with pytest.raises(RulePackError) as caught:
        Coach(packs=[str(pack)])
    return caught.value


def test_a_good_pack_loads_and_fires(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "acme", GOOD_RULE)
    coach = Coach(packs=[str(pack)])
    session = coach.session()
    (finding,) = session.add_turn({"speaker": "agent", "text": "Sigh. Fine."})
    assert finding.rule_id == "acme.sigh"
    assert finding.message == 'Sighing ("Sigh").'
    assert coach.pack_versions == {"acme": "1.0"}


def test_yaml_syntax_error_has_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "match: [unclosed\n")
    assert error.path.endswith("rules.yaml")
    assert error.line == 9
    assert "invalid YAML" in str(error)


def test_unknown_key_is_an_error_at_its_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("category: tone", "category: tone\nserverity: warning"))
    assert error.line == 4
    assert "unknown key 'serverity'" in str(error)


def test_unknown_key_in_a_nested_match_is_located(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "  phrazes: [x]\n")
    assert error.line == 8
    assert "match.phrazes" in str(error)


def test_bad_regex(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "  regex: ['(unclosed']\n")
    assert error.line == 8
    assert "bad regex" in str(error)


def test_bad_token_pattern_names_the_rule_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "  patterns: [[{NOPE: x}]]\n")
    assert error.line == 8
    assert "acme.sigh" in str(error) and "token pattern 0 is invalid" in str(error)


def test_bad_token_pattern_says_what_is_wrong_in_one_line_at_the_pattern(tmp_path: Path) -> None:
    """Found by fuzzing (tests/test_fuzz_shapes.py): spaCy's words for a pattern it refuses
    were quoted as they are, lines of its validation models' names written as `\\n` escapes
    (`...\\n\\nPattern 0:\\n- [pattern -> 0 -> LOWER -> TokenPatternString -> IN -> 1] ...`),
    and the error stood at the rule's first line; it names the token, key and entry now, at
    the pattern's line."""
    error = load_error(tmp_path, GOOD_RULE + "  patterns:\n    - [{LOWER: b}]\n"
                       "    - [{LOWER: a}, {LOWER: {IN: [a, 5]}}]\n")
    assert error.line == 10
    assert ("rules.yaml:10: rule acme.sigh: match.patterns[1]: token pattern 1 is invalid: "
            "token 1, LOWER.IN[1]: Input should be a valid string") in str(error)
    assert "\\n" not in str(error) and "TokenPattern" not in str(error)


def test_unknown_kind(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("kind: phrase", "kind: vibes"))
    assert "unknown kind 'vibes'" in str(error)
    assert error.line == 2


@pytest.mark.parametrize("kind", ["k" * 100_000, "[" + ", ".join(map(str, range(5000))) + "]"])
def test_an_unknown_kind_of_100_kb_is_quoted_by_its_start(tmp_path: Path, kind: str) -> None:
    """An unknown kind was quoted whole: a kind of 100,000 characters made an error line of
    100 KB, a list of 5,000 numbers one of 29 KB. It is shown by its start and length, as an
    id is."""
    error = load_error(tmp_path, GOOD_RULE.replace("kind: phrase", f"kind: {kind}"))
    assert "unknown kind '" in str(error) and "characters)" in str(error)
    assert len(str(error)) < 1_000 and error.line == 2


def test_missing_kind(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("kind: phrase\n", ""))
    assert "missing 'kind'" in str(error)


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    error = load_error(tmp_path, f"- {GOOD_RULE.replace(chr(10), chr(10) + '  ')}\n"
                                 f"- {GOOD_RULE.replace(chr(10), chr(10) + '  ')}")
    assert "duplicate rule id 'acme.sigh'" in str(error)
    assert "first defined at" in str(error)
    assert error.line == 9


def test_unknown_message_slot(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("{match}", "{mtach}"))
    assert "unknown slot(s) {mtach}" in str(error)
    assert error.line == 4


def test_bad_id_shape(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("acme.sigh", "Sigh"))
    assert "family.name" in str(error)


def test_a_rule_or_signal_id_past_the_length_limit_is_refused_at_its_line(
        tmp_path: Path) -> None:
    """A 5,000-character rule id loaded, and 'rules lint' printed it on every line; an id is
    refused past 100 characters, at its line, quoting only its start."""
    long_id = "acme." + "s" * 5_000
    error = load_error(tmp_path, GOOD_RULE.replace("acme.sigh", long_id))
    assert error.line == 1
    assert "5,005 characters" in str(error) and "limit 100" in str(error)
    assert len(str(error)) < 400
    pack = write_pack(tmp_path / "signal", GOOD_RULE)
    (pack / "signals").mkdir()
    (pack / "signals" / "s.yaml").write_text(
        f"- id: customer.{'s' * 5_000}\n  cues: [{{name: x, score: 0.5, match: {{phrases: [sigh]}}}}]\n")
    with pytest.raises(RulePackError) as caught:
        Coach(packs=[str(pack)])
    assert caught.value.line == 1 and "limit 100" in str(caught.value)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_a_number_of_a_rule_or_signal_that_is_not_finite_says_so(
        tmp_path: Path, value: str) -> None:
    """A rule's `points`, a fuzzy `cutoff`, a signal's `sentiment_below` or a cue's `score`
    of `.nan` or `.inf` was refused by its bounds, in words that did not say why: until
    2026-12-07 `points: .nan` read "Input should be less than or equal to 100"."""
    error = load_error(tmp_path, GOOD_RULE.replace("category: tone", f"category: tone\npoints: {value}"))
    assert error.line == 4 and "rule acme.sigh: points: Input should be a finite number" in str(error)
    pack = write_pack(tmp_path / "signal", GOOD_RULE)
    (pack / "signals").mkdir()
    (pack / "signals" / "s.yaml").write_text(
        f"- id: customer.sigh\n  sentiment_below: {value}\n"
        "  cues: [{name: x, score: 0.5, match: {phrases: [sigh]}}]\n")
    with pytest.raises(RulePackError) as caught:
        Coach(packs=[str(pack)])
    assert caught.value.line == 2 and "sentiment_below: Input should be a finite number" in str(
        caught.value)


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "  regex: [!!python/object/apply:os.system ['true']]\n")
    assert "rules.yaml" in str(error)


def test_broken_manifest(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE, manifest="name: acme\nversoin: '1'\n")
    assert error.path.endswith("pack.yaml")
    assert "unknown key 'versoin'" in str(error)


def test_unknown_pack_lists_the_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="bundled pack: core"):
        Coach(packs=[str(tmp_path / "nowhere")])


def test_extends_loads_parent_rules_first(tmp_path: Path) -> None:
    write_pack(tmp_path / "acme", GOOD_RULE)
    child = write_pack(
        tmp_path / "child",
        GOOD_RULE.replace("acme.sigh", "child.meh").replace("[sigh]", "[meh]"),
        manifest="name: child\nversion: '2'\nextends: [../acme]\n",
    )
    pack = load_pack(str(child))
    assert [rule.id for rule in pack.rules] == ["acme.sigh", "child.meh"]
    assert pack.versions == {"acme": "1.0", "child": "2"}


def _extends_chain(folder: Path, packs: int) -> Path:
    """`packs` packs, each extending the next (by an absolute path)."""
    for i in range(packs):
        parent = f"extends: [{folder / f'p{i + 1}'}]\n" if i + 1 < packs else ""
        write_pack(folder / f"p{i}", GOOD_RULE.replace("acme.sigh", f"p{i}.sigh"),
                   manifest=f"name: p{i}\nversion: '1'\n{parent}")
    return folder / "p0"


def test_a_chain_of_extends_too_deep_is_refused(tmp_path: Path) -> None:
    """Each pack is loaded through the pack that extends it: until 2026-12-07 a chain of
    1,200 packs stopped the loader with a RecursionError traceback (and one of relative
    paths, `../p1`, grew a path past the system's limit: 'no rule pack' for one that was
    there). Past 32 packs it is refused at the manifest of the 33rd."""
    assert len(load_pack(str(_extends_chain(tmp_path / "ok", 33))).rules) == 33  # 32 deep
    with pytest.raises(RulePackError) as caught:
        load_pack(str(_extends_chain(tmp_path / "deep", 1_200)))
    assert str(caught.value).startswith(
        f"{tmp_path / 'deep' / 'p33' / 'pack.yaml'}: 'extends' reaches more than 32 packs deep "
        "(p0 -> p1 -> ... -> p32 -> p33) (shorten the chain")


def test_extends_cannot_reuse_an_id(tmp_path: Path) -> None:
    write_pack(tmp_path / "acme", GOOD_RULE)
    child = write_pack(tmp_path / "child", GOOD_RULE,
                       manifest="name: child\nversion: '2'\nextends: [../acme]\n")
    with pytest.raises(RulePackError, match="duplicate rule id"):
        load_pack(str(child))


def test_extending_core_adds_rules_without_copying(tmp_path: Path) -> None:
    child = write_pack(tmp_path / "child", GOOD_RULE,
                       manifest="name: child\nversion: '2'\nextends: [core]\n")
    coach = Coach(packs=[str(child)])
    assert "acme.sigh" in coach.rule_order and "defensive.blame" in coach.rule_order


def test_a_pack_s_weight_for_a_category_none_of_its_rules_has_is_refused_at_its_line(
        tmp_path: Path) -> None:
    """A pack's weight for a category that no rule of it or of the packs it extends has (a
    misspelt `empthy`) loaded and weighed nothing for every user of the pack, unseen. It is
    refused at its line, naming the nearest category; a weight for a category of a pack it
    extends is taken (a pack that weighs another pack's categories extends that pack)."""
    error = load_error(tmp_path, GOOD_RULE,
                       manifest="name: acme\nversion: '1'\nweights:\n  tone: 2\n  tne: 3\n")
    assert (error.path.endswith("pack.yaml") and error.line == 5
            and "category 'tne', so its weight would weigh nothing" in str(error)
            and "did you mean 'tone'?" in str(error))
    child = write_pack(tmp_path / "child", GOOD_RULE, manifest=(
        "name: child\nversion: '2'\nextends: [core]\nweights: {empathy: 3, empthy: 1}\n"))
    with pytest.raises(RulePackError, match="did you mean 'empathy'"):
        load_pack(str(child))
    child = write_pack(tmp_path / "child", GOOD_RULE, manifest=(
        "name: child\nversion: '2'\nextends: [core]\nweights: {empathy: 3, tone: 2}\n"))
    assert Coach(packs=[str(child)]).scoring.weights["empathy"] == 3
    alone = write_pack(tmp_path / "alone", GOOD_RULE, manifest="name: alone\nversion: '1'\n"
                       "weights: {empathy: 3}\n")
    with pytest.raises(RulePackError, match="its categories are tone; to weigh another "
                       "pack's category, extend that pack"):
        load_pack(str(alone))


def test_unknown_builtin_analyzer(tmp_path: Path) -> None:
    error = load_error(tmp_path, """\
id: acme.magic
kind: builtin
analyzer: telepathy
category: tone
message: m
suggestion: s
""")
    assert "unknown analyzer 'telepathy'" in str(error)


def test_yaml_merge_keys_share_settings(tmp_path: Path) -> None:
    rules = """\
- &base
  id: acme.one
  kind: phrase
  category: tone
  message: m
  suggestion: s
  match: {phrases: [sigh]}
- <<: *base
  id: acme.two
  match: {phrases: [meh]}
"""
    pack = write_pack(tmp_path / "acme", rules)
    coach = Coach(packs=[str(pack)])
    assert [rule.id for rule in coach.rules] == ["acme.one", "acme.two"]


def test_bad_merge_key_is_located(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "<<: 5\n")
    assert error.line is not None and "merge" in str(error)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """A "billion laughs" rule file (nine levels of nine aliases) is refused at once, with
    its file and line, instead of expanding to hundreds of millions of values."""
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    error = load_error(tmp_path, "\n".join(levels) + "\n")
    assert "rules.yaml:1" in str(error)
    assert "more than 100000 values" in str(error)


def test_anchors_used_a_few_times_still_load(tmp_path: Path) -> None:
    rules = GOOD_RULE.replace("match:\n  phrases: [sigh]", "match: &m\n  phrases: [sigh]")
    pack = write_pack(tmp_path / "acme", rules)
    assert [rule.id for rule in load_pack(str(pack)).rules] == ["acme.sigh"]


def test_libyaml_and_pyyaml_read_every_bundled_pack_file_alike() -> None:
    """The C composer (used when LibYAML is installed) gives the same data and the same
    lines as PyYAML's own, which reads the files it refuses."""
    import yaml

    from servicecoach.rules import loader

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML is built without LibYAML here: only the Python composer runs")
    files = sorted((REPO / "rules").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = loader.read_utf8(path)
        fast = loader._compose_in_c(text)
        slow = loader._compose_in_python(text, path)
        assert fast is not None and slow is not None, path
        read = []
        for node in (fast, slow):
            lines: dict = {}
            data = loader._to_python(node, (), lines, yaml.SafeLoader(text),
                                     loader._Budget(str(path)))
            read.append((data, lines))
        assert read[0] == read[1], path


def test_a_core_id_reused_says_how_to_change_the_core_rule(tmp_path: Path) -> None:
    """A rule author who wanted another phrase list for a core rule wrote the rule again in a
    pack extending core: the error said to rename one, which gives two rules, not the
    change; it names the configuration table that changes the rule in place."""
    child = write_pack(tmp_path / "child",
                       GOOD_RULE.replace("acme.sigh", "defensive.dismissive"),
                       manifest="name: child\nversion: '2'\nextends: [core]\n")
    with pytest.raises(RulePackError) as error:
        load_pack(str(child))
    assert '[rules."defensive.dismissive"]' in str(error.value)
    assert "add_phrases" in str(error.value)
