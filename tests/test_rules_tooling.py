"""Rule tooling on a pack of one's own: `rules test FOLDER` puts the pack under test,
`rules explain` says to pass --pack, and a broken pack reports every problem at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

from servicecoach import Coach
from servicecoach.cli import main
from servicecoach.testing.annotations import run_file

ACME = REPO / "examples" / "custom_pack" / "acme"
BROKEN = """\
- id: house.one
  kind: phrase
  category: empathy
  match: {phrases: [no problem]}
  mesage: typo
  suggestion: s
- id: house.two
  kind: builtin
  analyzer: no-such-analyzer
  category: hold_transfer
  message: m
  suggestion: s
- id: house.three
  kind: builtin
  analyzer: another-missing-one
  category: hold_transfer
  message: m
  suggestion: s
"""


@pytest.fixture
def house(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A team pack under packs/house (a copy of the example acme pack), no configuration."""
    pack = tmp_path / "packs" / "house"
    shutil.copytree(ACME, pack)
    for path in pack.iterdir():
        path.write_text(path.read_text().replace("acme", "house"))
    monkeypatch.chdir(tmp_path)
    return pack


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_test_on_a_pack_folder_tests_that_pack(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["rules", "test", "packs/house"], capsys)
    assert code == 0, out + err
    assert "unknown" not in out and "1 test file(s), 3 expectation(s) checked, 0 file(s) failed" in err
    code, out, err = run(["rules", "test", "packs/house/jargon.test.transcript"], capsys)
    assert code == 0, out + err


@pytest.mark.parametrize("comment", ["# rule-id: house.jargon", "# RuleID house.jargon",
                                     "# rule_ids: house.jargon", "# OK: house.jargon"])
def test_rules_test_names_a_misspelt_annotation(
    house: Path, capsys: pytest.CaptureFixture[str], comment: str
) -> None:
    """Until 2026-12-07 a misspelt annotation was a comment: the rule it named was never
    checked there, and the file passed. Prose comments stay comments."""
    test_file = house / "jargon.test.transcript"
    test_file.write_text(test_file.read_text().replace("# ok: house.jargon", comment, 1)
                         + "# ok so far\nAgent: fine.\n")
    code, out, _ = run(["rules", "test", "packs/house"], capsys)
    assert code == 1
    assert "jargon.test.transcript:4: misspelt" in out and "reads as an annotation" in out
    assert out.count("misspelt") == 1


def test_rules_test_of_files_without_annotations_is_an_error_not_a_pass(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Until 2026-12-07 test files that annotate nothing passed: '0 expectation(s) checked',
    exit 0."""
    (house / "jargon.test.transcript").write_text("Agent: hello\nCustomer: hi\n")
    code, _, err = run(["rules", "test", "packs/house"], capsys)
    assert code == 2 and "the 1 test file(s) hold no annotation: nothing was checked" in err


def test_rules_test_still_fails_a_pack_rule_that_misbehaves(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_file = house / "jargon.test.transcript"
    test_file.write_text(test_file.read_text().replace("# ok: house.jargon", "# ruleid: house.jargon"))
    code, out, _ = run(["rules", "test", "packs/house"], capsys)
    assert code == 1 and "missed house.jargon" in out


def test_explain_a_rule_of_an_unloaded_pack_says_to_pass_pack(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["rules", "explain", "house.jargon"], capsys)
    assert code == 2 and "no rule 'house.jargon' in the loaded packs (core)" in err
    assert "pass --pack FOLDER" in err
    code, out, _ = run(["rules", "explain", "house.jargon", "--pack", "packs/house"], capsys)
    assert code == 0 and out.startswith("house.jargon (issue, suggestion")


def test_every_load_error_is_shown(house: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (house / "broken.yaml").write_text(BROKEN)
    (house / "unreadable.yaml").write_text("a: [\n")
    code, _, err = run(["rules", "test", "packs/house"], capsys)
    assert code == 2
    errors = err.splitlines()
    assert len(errors) == 2, err  # the file problems come first: the pack cannot be built
    assert errors[0].startswith(f"error: {house / 'broken.yaml'}:5: rule house.one: unknown key 'mesage'")
    assert errors[1].startswith(f"error: {house / 'unreadable.yaml'}:2: invalid YAML")
    (house / "unreadable.yaml").unlink()
    (house / "broken.yaml").write_text(BROKEN.replace("mesage", "message"))
    code, _, err = run(["rules", "test", "packs/house"], capsys)
    assert code == 2
    assert [line.split(": rule ")[1].split(":")[0] for line in err.splitlines()] == [
        "house.two", "house.three"]
    assert all("unknown analyzer" in line for line in err.splitlines())


def test_rules_lint_on_a_pack_folder_lints_that_pack(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules test packs/house` took the team's folder, `rules lint packs/house` refused it:
    a CI job that runs both after each other broke on the second; it lints the rules
    defined under the folder, with the pack loaded as `rules test` loads it."""
    code, out, err = run(["rules", "lint", "packs/house"], capsys)
    assert code == 0, out + err
    assert err.strip() == "1 rule(s), 0 problem(s)"
    test_file = house / "jargon.test.transcript"
    test_file.write_text(test_file.read_text().replace("# ok: house.jargon", "# ruleid: house.jargon"))
    code, out, err = run(["rules", "lint", "packs/house"], capsys)
    assert code == 1 and out.startswith(f"{house / 'jargon.yaml'}:")
    assert out.rstrip().endswith("house.jargon: jargon.test.transcript has no 'ok' case")
    code, _, err = run(["rules", "lint", "packs/hous"], capsys)
    assert code == 2 and "packs/hous: no rule of the loaded packs is defined here" in err


def test_rules_lint_reads_a_test_file_as_rules_test_does(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules lint` opened a test file itself: a byte-order mark hid the annotation on its
    first line (which `rules test` reads), and a byte that is not UTF-8 stopped it with a
    traceback and exit 1, as if it had found a problem. It reads the file as `rules test`
    does: the mark dropped, a file that is not UTF-8 a problem at its line."""
    test_file = house / "jargon.test.transcript"
    text = test_file.read_text()
    test_file.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run(["rules", "lint", "packs/house"], capsys)
    assert code == 0 and err.strip() == "1 rule(s), 0 problem(s)", out + err
    test_file.write_bytes(text.encode("utf-8") + b"Agent: caf\xe9\n")
    code, out, err = run(["rules", "lint", "packs/house"], capsys)
    line = text.count("\n") + 1
    assert code == 1 and out.rstrip().endswith(
        f"house.jargon: jargon.test.transcript:{line}: not UTF-8 (byte {len(text.encode()) + 10} "
        "is 0xe9) (save the file as UTF-8 (it may be Latin-1 or Windows-1252))"), out + err


def test_explain_says_what_the_configuration_changed_in_a_rule(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule author who gave a core rule more phrases in servicecoach.toml could not see
    them anywhere: explain named the pack's file alone, as if the rule were as shipped."""
    (house.parent.parent / "servicecoach.toml").write_text(
        '[rules."defensive.dismissive"]\nseverity = "critical"\n'
        'add_phrases = ["take a chill pill"]\nadd_exceptions = ["as i said i would"]\n')
    code, out, _ = run(["rules", "explain", "defensive.dismissive"], capsys)
    assert code == 0
    changed = out.splitlines()[2]
    assert changed.startswith("changed by ") and "servicecoach.toml" in changed
    assert 'severity = "critical"' in changed and 'add_phrases = ["take a chill pill"]' in changed
    assert 'add_exceptions = ["as i said i would"]' in changed


def test_explain_of_a_rule_the_configuration_leaves_out_says_so(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Until 2026-12-07 it read "no rule 'name.used' in the loaded packs (core)", a rule the
    packs have; and an id of 100 KB was quoted whole."""
    (house.parent.parent / "servicecoach.toml").write_text('ignore = ["name"]\n')
    code, _, err = run(["rules", "explain", "name.used"], capsys)
    assert code == 2
    assert ("servicecoach.toml: rule 'name.used' is in the loaded packs but the configuration "
            "leaves it out") in err and "no rule" not in err
    code, _, err = run(["rules", "explain", "x" * 100_000], capsys)
    assert code == 2 and len(err) < 1_000


def test_explain_shows_a_phrase_the_configuration_removed(
    house: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (house.parent.parent / "servicecoach.toml").write_text(
        '[rules."confidence.hedge"]\nremove_phrases = ["i guess"]\n')
    code, out, _ = run(["rules", "explain", "confidence.hedge"], capsys)
    assert code == 0 and 'remove_phrases = ["i guess"]' in out.splitlines()[2]


def test_an_ok_case_that_fires_is_one_problem_however_many_there_are(
        tmp_path: Path, coach: Coach) -> None:
    """Every `# ok:` whose rule fires is one "unexpected" problem at its line, and the
    finding is not reported again as one on a turn without an annotation; each finding is
    checked against the `ok` turns filed once (it was checked against every note: a
    conversation of 32,000 annotated turns took 35 s more than one of plain turns)."""
    pairs = 150
    lines = []
    for index in range(pairs):
        lines += [f"Customer: where is order {index}?", "# ok: confidence.filler",
                  "Agent: um, let me check."]
    path = tmp_path / "fillers.test.transcript"
    path.write_text("\n".join(lines) + "\n")
    result = run_file(path, coach)
    assert result.checked == pairs
    assert [(p.kind, p.line) for p in result.problems] == [
        ("unexpected", 3 * index + 2) for index in range(pairs)]


def test_rules_test_names_an_annotated_id_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An id holding an escape sequence was shown with it taken out, so the output said the
    known id "confidence.filler" was unknown; it is quoted with its escapes shown. A UTF-16
    file is said to be UTF-16, not Latin-1."""
    path = tmp_path / "odd.test.transcript"
    path.write_text("Customer: hi\n# ruleid: \x1b]0;x\x07confidence.filler\nAgent: um, hi\n")
    code, out, _ = run(["rules", "test", str(path)], capsys)
    assert code == 1 and "unknown-rule '\\x1b]0;x\\x07confidence.filler'" in out
    path.write_bytes("Customer: hi\n".encode("utf-16"))
    code, out, _ = run(["rules", "test", str(path)], capsys)
    assert code == 1 and "(it is UTF-16 or UTF-32: it starts with their byte-order mark)" in out
