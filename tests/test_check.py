"""`servicecoach check`: expectations of each kind passing and failing, thresholds,
baselines, JUnit and GitHub output, and the pytest plugin on a sample project."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, transcript

from servicecoach import Coach
from servicecoach.cli import main
from servicecoach.errors import InputError
from servicecoach.expectations import SidecarReaders, load_canned
from servicecoach.testing import assert_findings
from servicecoach.writers import printable

pytest_plugins = ["pytester"]

CALL = """\
%% id: {id}
%% customer_name: Dana Reyes
{headers}
Customer: This is the third time I've called and I'm fed up.
Agent: Calm down, as I already said, it's on its way.
Customer: When?
Agent: Tomorrow by noon.
"""


def canned(tmp_path: Path, headers: str, name: str = "call.txt", id: str = "call") -> Path:
    path = tmp_path / name
    path.write_text(CALL.format(id=id, headers=headers))
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("headers", "passes"),
    [
        ("%% expect: defensive.dismissive", True),
        ("%% expect: defensive.dismissive@1", True),
        ("%% expect: defensive.dismissive@1:warning", True),
        ("%% expect: defensive.dismissive@3", False),          # wrong turn
        ("%% expect: defensive.dismissive:critical", False),   # wrong severity
        ("%% expect: defensive.blame", False),                 # not found
        ("%% expect-not: defensive.blame", True),
        ("%% expect-not: defensive.dismissive", False),
        ("%% expect-not: defensive.dismissive@3", True),       # only that turn
        ("%% min-score: defensiveness=99", False),
        ("%% min-score: defensiveness=50", True),
        ("%% min-score: hold_transfer=10", False),             # not applicable is not a pass
    ],
)
def test_each_expectation_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], headers: str, passes: bool
) -> None:
    path = canned(tmp_path, headers)
    code, out = run(["check", str(path)], capsys)
    assert (code == 0) is passes, out
    assert ("PASS" if passes else "FAIL") in out


def test_failure_diff_names_the_line_and_the_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = canned(tmp_path, "%% expect-not: defensive.dismissive")
    _, out = run(["check", str(path)], capsys)
    assert f"{path}:5: did not expect defensive.dismissive@1 (turn 1, agent: " in out
    assert "Calm down, as I already said" in out


def test_json_expect_key_and_sidecar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {
        "id": "j1",
        "turns": [{"speaker": "agent", "text": "Calm down."}],
        "expect": {"present": ["defensive.dismissive@0"], "absent": [{"rule_id": "defensive.blame"}]},
    }
    (tmp_path / "calls.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "calls.expect.yaml").write_text("j1:\n  min_scores: {defensiveness: 95}\n")
    code, out = run(["check", str(tmp_path)], capsys)
    assert code == 1
    assert "defensiveness score" in out and "is below 95" in out


def test_a_sidecar_entry_that_reaches_no_transcript_is_an_error(tmp_path: Path) -> None:
    """Before 2026-12-06 expectations for an id the file does not hold (a typo, a renamed
    transcript), or beside ids at the sidecar's top level, were never checked, silently."""
    path = canned(tmp_path, "", id="call-7")
    sidecar = tmp_path / "call.expect.yaml"
    sidecar.write_text("call-7:\n  present: [defensive.dismissive]\ncall-9:\n  present: [name.used]\n")
    results = list(load_canned(path))
    assert [type(r).__name__ for r in results] == ["CannedTranscript", "InputError"]
    assert str(results[1]).startswith(
        f"{sidecar}:line 3: expectations for transcript 'call-9', which {path.name} does not "
        "hold (it holds 'call-7')")
    sidecar.write_text("present: [name.used]\ncall-7:\n  present: [defensive.dismissive]\n")
    (error,) = list(load_canned(path))
    assert isinstance(error, InputError) and str(error).startswith(f"{sidecar}: ")
    assert "both expectation keys (present) and transcript ids (call-7)" in str(error)


@pytest.mark.parametrize(("sidecar_text", "line", "problem"), [
    ("call-7:\n  present: [defensive.dismissive]\n  presnt: [name.used]\n", 3,
     "presnt: Extra inputs are not permitted"),
    ("call-7:\n  absent:\n    - name.used\n    - {rule_id: 7}\n", 4,
     "absent.1.rule_id: Input should be a valid string"),
    ("min_scores:\n  overall: .nan\n", 2, "min_scores.overall: Input should be a finite number"),
])
def test_a_bad_sidecar_expectation_is_located_in_the_sidecar(
    tmp_path: Path, sidecar_text: str, line: int, problem: str,
) -> None:
    """A sidecar's bad expectation was reported at the canned file's line (`call.txt:line 1,
    transcript 'call-7': bad expectations: presnt: ...`), where nothing of it is written:
    it names the sidecar and the line of the key that is wrong."""
    path = canned(tmp_path, "", id="call-7")
    sidecar = tmp_path / "call.expect.yaml"
    sidecar.write_text(sidecar_text)
    (error,) = list(load_canned(path))
    assert isinstance(error, InputError)
    assert str(error).startswith(
        f"{sidecar}:line {line}, transcript 'call-7': bad expectations: {problem}"), str(error)


def test_an_expected_turn_of_true_is_refused_not_read_as_turn_1(tmp_path: Path) -> None:
    """Python reads true as 1: `turn: true` in an expectation pinned turn 1, without a word
    (as a turn's start of true was read as 1 s until 2026-12-07)."""
    path = canned(tmp_path, "", id="call-7")
    (tmp_path / "call.expect.yaml").write_text(
        "present: [{rule_id: defensive.dismissive, turn: true}]\n")
    (error,) = list(load_canned(path))
    assert isinstance(error, InputError)
    assert "present.0.turn: takes a number, not true or false" in str(error), str(error)


@pytest.mark.parametrize("name", ["calls.jsonl.expect.yaml", "calls.expect.yml",
                                  "call.expect.yaml"])
def test_a_sidecar_no_canned_file_reads_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A sidecar named after the whole file name (calls.jsonl.expect.yaml), with .yml, or
    after no file was never read: its transcripts passed as having nothing expected."""
    record = {"id": "j1", "turns": [{"speaker": "agent", "text": "Calm down."}]}
    (tmp_path / "calls.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / name).write_text("j1:\n  absent: [defensive.dismissive]\n")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / name}: a sidecar no canned file reads" in err
    assert "calls.jsonl reads calls.expect.yaml" in err


def test_a_sidecar_named_on_the_command_line_checks_the_file_it_belongs_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check training/*` (a shell glob) and a pre-commit hook given the files a commit
    changed named the sidecar itself, which was read as a transcript in the text form
    ("unknown speaker 'present'") and failed the run; it stands for the canned file that
    reads it, checked once however often it is named."""
    record = {"id": "j1", "turns": [{"speaker": "agent", "text": "Calm down."}]}
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps(record) + "\n")
    sidecar = tmp_path / "calls.expect.yaml"
    sidecar.write_text("j1:\n  absent: [defensive.dismissive]\n")
    code, out = run(["check", str(sidecar), str(calls)], capsys)
    assert code == 1, out
    assert out.count("FAIL j1") == 1 and "did not expect defensive.dismissive@0" in out
    assert "could not be checked" not in capsys.readouterr().err
    code, out = run(["check", str(sidecar)], capsys)
    assert code == 1 and out.count("FAIL j1") == 1
    lonely = tmp_path / "other.expect.yaml"
    lonely.write_text("j2:\n  absent: [defensive.dismissive]\n")
    assert main(["check", str(lonely)]) == 2
    assert f"error: {lonely}: a sidecar no canned file reads" in capsys.readouterr().err


def test_a_run_that_checks_nothing_is_an_error_not_a_pass(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An emptied canned file (a bad merge, a failed export), a blank JSON Lines file and
    an empty folder read "0 transcript(s) checked, 0 failed" and exit 0: a CI gate passed
    on nothing. Each empty file is an error at the file, and a run with nothing to check is
    an error."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "call.txt").write_text("")
    (files / "calls.jsonl").write_text("\n\n")
    assert main(["check", str(files)]) == 2
    err = capsys.readouterr().err
    for name in ("call.txt", "calls.jsonl"):
        assert f"error: {files / name}: holds no transcript (the file is empty or blank)" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", str(empty)]) == 2
    assert f"nothing to check: no canned transcript in {empty}" in capsys.readouterr().err


def test_a_minimum_given_inline_and_in_the_sidecar_differently_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The sidecar's minimum silently replaced the inline one (overall=99 inline, 1 in the
    sidecar: the call passed); two different minimums of one score are refused, as two
    header lines giving them are. The same minimum in both places is fine."""
    call = tmp_path / "call.txt"
    call.write_text("%% min-score: overall=99\nAgent: Hi.\nCustomer: I am upset.\n"
                    "Agent: Calm down.\n")
    sidecar = tmp_path / "call.expect.yaml"
    sidecar.write_text("present: []\nmin_scores: {overall: 1}\n")
    assert main(["check", str(call)]) == 2
    assert (f"{sidecar}:line 2, transcript 'call': 'overall' is given two minimums, 99 in "
            "call.txt") in capsys.readouterr().err
    sidecar.write_text("min_scores: {overall: 99}\n")
    assert main(["check", str(call)]) == 1  # checked: below its minimum
    assert "below 99" in capsys.readouterr().out


def test_a_folder_of_sidecars_is_listed_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding which canned file reads each sidecar listed the whole folder once per
    sidecar: `check` on 1,000 canned files with sidecars took 14 s, 4,000 over a minute
    (and so did pytest's collection). The folder is listed once however many sidecars it
    holds, and each sidecar still finds its reader or its error."""
    for index in range(40):
        (tmp_path / f"call{index}.txt").write_text("Agent: Hi\n")
        (tmp_path / f"call{index}.expect.yaml").write_text("present: [greeting.missing]\n")
    (tmp_path / "orphan.expect.yaml").write_text("present: [greeting.missing]\n")
    listed: list[Path] = []
    iterdir = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: listed.append(self) or iterdir(self))
    sidecars = SidecarReaders()
    readers = [sidecars.reading(tmp_path / f"call{index}.expect.yaml") for index in range(40)]
    assert readers == [[tmp_path / f"call{index}.txt"] for index in range(40)]
    assert sidecars.unread(tmp_path / "call7.expect.yaml") is None
    error = sidecars.unread(tmp_path / "orphan.expect.yaml")
    assert error is not None and "a sidecar no canned file reads" in str(error)
    assert listed == [tmp_path]


def test_an_unreadable_canned_file_costs_only_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before 2026-12-06 a canned file that could not be opened (no permission) stopped
    `check` with a traceback, and the files after it were not checked."""
    canned(tmp_path, "", name="a.txt", id="a")
    canned(tmp_path, "", name="b.txt", id="b")
    opened = Path.open

    def refuse_a(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse_a)
    assert main(["check", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert "PASS b" in out
    assert (f"error: {tmp_path / 'a.txt'}: cannot read the file: Permission denied (check its "
            "permissions)") in err


def test_what_is_no_canned_file_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder whose name ends in .txt is walked, not reported; a link to a device is not
    a regular file (it was "no such file" before 2026-12-06, and such a folder made `check`
    fail)."""
    (tmp_path / "cases.txt").mkdir()
    canned(tmp_path / "cases.txt", "", name="a.txt", id="a")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    assert main(["check", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert "PASS a" in out
    assert err.splitlines() == [(f"error: {tmp_path / 'zero.txt'}: not a regular file (a device "
                                 "or a named pipe); canned transcripts are files")]


def test_an_expected_turn_the_transcript_lacks_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before 2026-12-06 it read as a miss of the rule: "expected ...@9, found nothing"."""
    code, out = run(["check", str(canned(tmp_path, "%% expect: defensive.dismissive@9"))], capsys)
    assert code == 1
    assert ("expected defensive.dismissive@9, but the transcript has 4 turn(s), 0 to 3 "
            "(turns count from 0), found defensive.dismissive@1") in out


def test_an_expected_severity_that_differs_names_the_severity_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An expectation of another severity than the finding's failed as 'expected
    defensive.dismissive:critical, found defensive.dismissive@1', the severity found unsaid,
    so the team could not tell what to write (until 2026-12-07)."""
    code, out = run(["check", str(canned(tmp_path, "%% expect: defensive.dismissive:critical"))],
                    capsys)
    assert code == 1
    assert "expected defensive.dismissive:critical, found defensive.dismissive@1:warning" in out
    code, out = run(["check", str(canned(tmp_path, "%% expect: defensive.dismissive@3"))], capsys)
    assert ", found defensive.dismissive@1\n" in out  # no severity asked, none shown


@pytest.mark.parametrize(("headers", "passes"), [
    ("%% expect: empathy.needed@0", True),
    ("%% expect-not: empathy.needed", False),
    ("%% expect-not: escalation.risk", True),
])
def test_expectations_can_name_the_live_cues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester,
    headers: str, passes: bool,
) -> None:
    """check scored without cues (the reports' default), so a team pinning the hint its
    agents' desktop shows (empathy.needed, as docs/live.md shows it) failed with 'expected
    empathy.needed@0 ..., found nothing', and 'expect-not: empathy.needed' always held
    (until 2026-12-07); a transcript whose expectations name a cue rule is scored with
    cues, in check and in the pytest plugin."""
    path = canned(tmp_path, headers)
    code, out = run(["check", str(path)], capsys)
    assert code == (0 if passes else 1), out
    if not passes:
        assert "did not expect empathy.needed@0" in out
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    canned(pytester.mkdir("training"), headers)
    outcomes = {"passed": 1} if passes else {"failed": 1}
    pytester.runpytest().assert_outcomes(**outcomes)


def test_whether_expectations_name_a_cue_is_not_found_by_reading_every_rule(
    tmp_path: Path,
) -> None:
    """Whether a transcript's expectations name a cue rule (so that it is scored with cues)
    was found by reading every rule of the coach, for each canned transcript: a suite of
    n transcripts read n times the packs' rules (until 2026-12-07). The rules named are
    looked up by id: reads of the rules count the rules named, whatever the packs hold."""
    from servicecoach.check import CheckOptions, check

    coach = Coach()
    (item,) = load_canned(canned(tmp_path, "%% expect: empathy.needed, defensive.dismissive"))
    assert not isinstance(item, InputError)
    report = coach.score(item.transcript, cues=True)
    cues_asked: list[bool | None] = []
    reads: list[int] = []

    def scored(transcript: object, cues: bool | None = None) -> object:
        cues_asked.append(cues)
        return report

    class Counted(tuple):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            reads.append(len(self))
            return super().__iter__()

        def __getitem__(self, index):  # type: ignore[no-untyped-def]
            reads.append(1)
            return super().__getitem__(index)

    coach.score = scored  # type: ignore[method-assign,assignment]
    coach.rules = Counted(coach.rules)
    assert len(coach.rules) > 20
    for _ in range(100):
        check(item, coach, CheckOptions())
    assert cues_asked == [True] * 100
    assert sum(reads) <= 100 * 2  # the two rules named, not the packs' rules each time


def test_an_unexpected_turn_the_transcript_lacks_fails_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``expect-not: rule@9`` on a transcript of 4 turns held whatever was found, so a
    mistyped turn turned the expectation off without a word (until 2026-12-07)."""
    code, out = run(["check", str(canned(tmp_path, "%% expect-not: defensive.dismissive@9"))],
                    capsys)
    assert code == 1
    assert ("did not expect defensive.dismissive@9, but the transcript has 4 turn(s), 0 to 3 "
            "(turns count from 0): nothing can be found there") in out


def test_bad_expectations_are_input_errors(tmp_path: Path) -> None:
    path = canned(tmp_path, "%% expect: Not An Id")
    (error,) = list(load_canned(path))
    assert "bad expectations" in str(error) and "rule_id[@turn][:severity]" in str(error)


def test_many_bad_expectations_name_five_and_count_the_rest(tmp_path: Path) -> None:
    """Every problem of the expectations was listed with its keys whole: 5,000 expected
    findings of no string made an error line of 269 KB, a `min_scores` category of 100 KB
    one of 100 KB. The first five are named, the rest counted, a long key quoted by its
    start."""
    path = tmp_path / "call.json"
    record = {"id": "a", "turns": [{"speaker": "agent", "text": "Hello"}]}
    path.write_text(json.dumps({**record, "expect": {"present": [{"rule_id": 5}] * 5000}}),
                    encoding="utf-8")
    (error,) = list(load_canned(path))
    assert "present.4.rule_id: Input should be a valid string; and 4,995 more" in str(error)
    assert "present.5." not in str(error) and len(str(error)) < 1_000
    path.write_text(json.dumps({**record, "expect": {"min_scores": {"k" * 100_000: "x"}}}),
                    encoding="utf-8")
    (error,) = list(load_canned(path))
    assert "min_scores.'kkkk" in str(error) and "(100,000 characters)" in str(error)
    assert len(str(error)) < 1_000


@pytest.mark.parametrize("headers", [
    "%% min-score: overall=nan", "%% min-score: empathy=inf", "%% min-score: overall=-1e999"])
def test_a_minimum_score_that_is_no_number_is_an_error(tmp_path: Path, headers: str) -> None:
    """NaN compares false with every score: before 2026-12-06 ``overall=nan`` passed every
    transcript without a word (and an infinite minimum failed or passed them all)."""
    (error,) = list(load_canned(canned(tmp_path, headers)))
    assert isinstance(error, InputError)
    assert "bad expectations: min_scores" in str(error) and "finite number" in str(error)
    assert str(error).startswith(f"{tmp_path / 'call.txt'}:line 1, transcript 'call': ")


@pytest.mark.parametrize(("headers", "says"), [
    ("%% min-score: overall", "min_scores: 'overall' is not 'category=number'"),
    ("%% min-score: overall=high", "min_scores: 'overall=high' is not 'category=number'"),
    # read as the category 'empathy>' (a failure of the transcript) before 2026-12-07
    ("%% min-score: empathy>=90", "min_scores: 'empathy>=90' is not 'category=number'"),
])
def test_a_minimum_score_that_is_not_category_equals_number_says_so(
    tmp_path: Path, headers: str, says: str
) -> None:
    """Before 2026-12-06: "not enough values to unpack (expected 2, got 1)"."""
    (error,) = list(load_canned(canned(tmp_path, headers)))
    assert isinstance(error, InputError) and says in str(error)
    assert "unpack" not in str(error) and "could not convert" not in str(error)


@pytest.mark.parametrize("headers", [
    "%% min-score: overall=90, overall=10", "%% min-score: overall=90\n%% min-score: overall=10"])
def test_a_category_given_two_minimums_is_an_error(tmp_path: Path, headers: str) -> None:
    """The lines of a min-score header add up, and until 2026-12-07 a category named twice
    kept its last minimum without a word: a transcript of 87.9 passed ``overall=90`` followed
    by ``overall=10``. The same minimum twice is taken."""
    (error,) = list(load_canned(canned(tmp_path, headers)))
    assert isinstance(error, InputError)
    assert "min_scores: 'overall' is given two minimums, 90 and 10 (keep one)" in str(error)
    (twice,) = list(load_canned(canned(tmp_path, "%% min-score: overall=80, overall=80.0")))
    assert twice.expect.min_scores == {"overall": 80.0}  # type: ignore[union-attr]


def test_a_minimum_for_an_unknown_category_names_the_nearest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'min-score names unknown category 'empathie'' left the reader to find the name. Until
    2026-12-07 it failed the transcript (exit 1, as if the agent had scored low) where an
    unknown rule id is a usage error (exit 2): no transcript could meet it."""
    assert main(["check", str(canned(tmp_path, "%% min-score: empathie=90"))]) == 2
    out, err = capsys.readouterr()
    assert "FAIL" not in out
    assert (f"error: {tmp_path / 'call.txt'}:line 1, transcript 'call': min-score names unknown "
            "category(ies): 'empathie' (did you mean 'empathy'?)") in err
    assert main(["check", str(canned(tmp_path, "%% min-score: warmth=90, overall=10"))]) == 2
    assert ("min-score names unknown category(ies): 'warmth' (the categories are commitments, "
            "confidence, defensiveness, empathy," in capsys.readouterr().err)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_min_score_option_that_is_no_number_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", str(canned(tmp_path, "")), f"--min-score={value}"])
    assert exited.value.code == 2
    assert f"--min-score: {value!r} is not a finite number" in capsys.readouterr().err


def test_thresholds_work_without_expectations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = canned(tmp_path, "")
    assert run(["check", str(path)], capsys)[0] == 0
    assert run(["check", str(path), "--fail-on", "warning"], capsys)[0] == 1
    assert run(["check", str(path), "--fail-on", "critical"], capsys)[0] == 0
    assert run(["check", str(path), "--min-score", "99"], capsys)[0] == 1


def test_an_issue_the_transcript_expects_does_not_fail_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A canned bad call expects its issues; with --fail-on (as the CI example runs check)
    those very issues failed it: a training library could not hold both good and bad calls.
    Issues it does not expect still fail it."""
    path = canned(tmp_path, "%% expect: defensive.dismissive@1")
    code, out = run(["check", str(path), "--fail-on", "warning"], capsys)
    assert "issue defensive.dismissive@1" not in out
    assert code == 1 and "issue empathy.missing@1" in out  # not expected: still fails
    path = canned(tmp_path, "%% expect: defensive.dismissive@1, empathy.missing")
    assert run(["check", str(path), "--fail-on", "warning"], capsys)[0] == 0


def test_baseline_fails_only_on_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = canned(tmp_path, "")
    baseline = tmp_path / "baseline.json"
    assert run(["check", str(path), "--write-baseline", str(baseline)], capsys)[0] == 0
    assert run(["check", str(path), "--baseline", str(baseline)], capsys)[0] == 0
    # a new issue appears in an inserted turn; the old ones stay baselined
    text = path.read_text().replace("Customer: When?", "Customer: When?\nAgent: You should have read the email.")
    path.write_text(text)
    code, out = run(["check", str(path), "--baseline", str(baseline)], capsys)
    assert code == 1
    assert "new issue defensive.blame@3" in out
    assert "defensive.dismissive" not in out


def test_a_baseline_holding_fixed_issues_says_to_write_it_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline kept the issues a team had fixed, without a word, so one that came back
    passed as baselined: check says how many of its issues the transcripts checked no
    longer have and to write it again (the exit code is unchanged); a baseline's issues of
    transcripts not checked in this run are not counted."""
    path = canned(tmp_path, "")
    other = canned(tmp_path, "", name="other.txt", id="other")
    baseline = tmp_path / "baseline.json"
    assert main(["check", str(path), str(other), "--write-baseline", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--baseline", str(baseline)]) == 0
    assert "note:" not in capsys.readouterr().err
    path.write_text(path.read_text().replace("Calm down, as I already said, it's on its way.",
                                             "I'm so sorry, Dana. It's on its way."))
    assert main(["check", str(path), "--baseline", str(baseline)]) == 0
    err = capsys.readouterr().err
    assert (f"note: 3 issue(s) of the baseline {baseline} are no longer found in the "
            "transcripts checked (fixed, or their turn's text changed): write it again with "
            f"'servicecoach check TRANSCRIPTS --write-baseline {baseline}' so that they fail if "
            "they come back") in err
    assert main(["check", str(path), "--baseline", str(baseline), "--write-baseline",
                 str(baseline)]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--baseline", str(baseline)]) == 0
    assert "note:" not in capsys.readouterr().err


def test_baseline_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text("{}")
    code = main(["check", str(canned(tmp_path, "")), "--baseline", str(bad)])
    assert code == 2
    assert "not a servicecoach baseline" in capsys.readouterr().err
    bad.write_text("[" * 100_000)  # nested past Python's recursion limit: an error, no crash
    assert main(["check", str(tmp_path / "call.txt"), "--baseline", str(bad)]) == 2
    assert "cannot read baseline" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "says"), [
    ('{"version": 1, "findings": 5}', "'findings' is a list of fingerprints, not int"),
    ('{"version": 1, "findings": "call|defensive.blame|abc"}',
     "'findings' is a list of fingerprints, not str"),
    ('{"version": 1, "findings": [["call"]]}', "findings[0] is a fingerprint (a string), not list"),
    ('{"version": 1, "findings": ["a", {"b": 1}]}', "findings[1] is a fingerprint (a string), not dict"),
    ('{"version": 1}', "'findings' is a list of fingerprints, not missing"),
    ('{"version": true, "findings": []}', "not a servicecoach baseline (version 1)"),
])
def test_a_baseline_of_wrong_types_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, says: str
) -> None:
    """Before 2026-12-06 a number or a list inside was a traceback, and a string was read as
    a set of characters (baselining nothing) without a word."""
    bad = tmp_path / "baseline.json"
    bad.write_text(content)
    assert main(["check", str(canned(tmp_path, "")), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: " in err and says in err and "--write-baseline" in err
    assert "Traceback" not in err


def test_writing_a_baseline_refuses_outputs_it_would_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'--write-baseline' with '--junit' ended without the JUnit file a CI job then looked
    for, and without a word."""
    path = canned(tmp_path, "")
    junit = tmp_path / "junit.xml"
    assert main(["check", str(path), "--write-baseline", str(tmp_path / "b.json"),
                 "--junit", str(junit)]) == 2
    err = capsys.readouterr().err
    assert "--write-baseline writes the baseline and nothing else, so --junit" in err
    assert not junit.exists() and not (tmp_path / "b.json").exists()


def test_a_baseline_is_read_as_other_files_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A byte-order mark (UTF-8, UTF-16) is accepted, as in every other file; a device is
    refused unopened (a link to /dev/zero was read until memory ran out)."""
    path = canned(tmp_path, "")
    baseline = tmp_path / "baseline.json"
    assert main(["check", str(path), "--write-baseline", str(baseline)]) == 0
    text = baseline.read_text(encoding="utf-8")
    for encoding in ("utf-8-sig", "utf-16"):
        baseline.write_text(text, encoding=encoding)
        assert main(["check", str(path), "--fail-on", "suggestion", "--baseline", str(baseline)]) == 0
    device = tmp_path / "zero.json"
    device.symlink_to("/dev/zero")
    capsys.readouterr()
    assert main(["check", str(path), "--baseline", str(device)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_junit_output_follows_the_junit_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canned(tmp_path, "%% expect: defensive.dismissive", name="a.txt", id="good")
    canned(tmp_path, "%% expect: defensive.blame", name="b.txt", id="bad")
    code, out = run(["check", str(tmp_path), "--format", "junit"], capsys)
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    for attribute in ("name", "tests", "failures", "errors", "skipped", "time"):
        assert attribute in suite.attrib
    assert suite.attrib["tests"] == "2" and suite.attrib["failures"] == "1"
    cases = {case.attrib["name"]: case for case in suite}
    assert set(cases) == {"good", "bad"}
    for case in cases.values():
        assert {"classname", "name", "time"} <= set(case.attrib)
        float(case.attrib["time"])
    assert list(cases["good"]) == []
    (failure,) = list(cases["bad"])
    assert failure.tag == "failure" and "message" in failure.attrib
    assert "expected defensive.blame" in (failure.text or "")


def test_junit_reads_in_jenkins_and_gitlab_as_a_test_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until 2026-12-07 a JUnit failure's message was '2 expectation(s) failed' (what a CI
    summary shows, a minimum score or a --fail-on issue called an expectation too), every
    time was 0, and the classname was the file's path, which Jenkins splits at its last dot:
    every transcript the test 'txt' of a package 'training/call'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "training").mkdir()
    canned(tmp_path / "training", "%% expect: defensive.blame\n%% min-score: overall=99",
           name="call.v2.txt", id="bad")
    code, out = run(["check", "training", "--format", "junit"], capsys)
    assert code == 1
    (suite,) = ET.fromstring(out.split("\n", 1)[1])
    (case,) = suite
    assert case.attrib["classname"] == "training.call_v2"
    assert case.attrib["file"] == "training/call.v2.txt"
    assert float(case.attrib["time"]) > 0
    assert suite.attrib["time"] == case.attrib["time"]
    (failure,) = case
    assert failure.attrib["message"].startswith("expected defensive.blame, found nothing")
    assert failure.attrib["message"].endswith(" (and 1 more)")
    assert "overall score" in (failure.text or "")


def test_github_annotations_point_at_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = canned(tmp_path, "%% expect-not: defensive.dismissive")
    _, out = run(["check", str(path), "--format", "github"], capsys)
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={path},line=5,title=servicecoach call::")
    assert "did not expect defensive.dismissive@1" in first


def test_junit_beside_github_annotations_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI wants both the annotations and a JUnit file; the example workflow ran check twice
    (scoring every transcript twice) because --format gives one or the other."""
    path = canned(tmp_path, "%% expect-not: defensive.dismissive")
    junit = tmp_path / "junit.xml"
    code, out = run(["check", str(path), "--format", "github", "--junit", str(junit)], capsys)
    assert code == 1 and out.startswith(f"::error file={path},line=5,")
    (suite,) = ET.fromstring(junit.read_text().split("\n", 1)[1])
    assert suite.attrib["failures"] == "1"
    assert main(["check", str(path), "--junit", str(path)]) == 2  # never over an input


@pytest.mark.parametrize("output", ["--format", "--junit"])
def test_junit_stays_well_formed_with_escape_sequences_in_ids_and_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    """The serialised document went through the filter that takes terminal escapes out of
    output, and an id ending in ESC lost the quote and markup after it: a report no CI
    server could read. Each value is made printable before the document is made."""
    turns = [{"speaker": "agent", "text": "Hi, this is Sam."}]
    ids = ["esc-at-end\x1b", "csi\x1b[", "osc\x1b]0;title", "c1-csi\x9b"]
    folder = tmp_path / "calls\x1b"
    folder.mkdir()
    path = folder / "calls.jsonl"
    path.write_text("".join(json.dumps({"id": i, "turns": turns,
                                        "expect": {"present": ["defensive.blame"]}}) + "\n"
                            for i in ids) + "{not json\n")
    junit = tmp_path / "junit.xml"
    args = ["--format", "junit", "--output", str(junit)] if output == "--format" else [
        "--junit", str(junit)]
    assert main(["check", str(path), *args]) == 2  # a record could not be checked
    capsys.readouterr()
    (suite,) = ET.fromstring(junit.read_text(encoding="utf-8").split("\n", 1)[1])
    cases = list(suite)
    assert [case.attrib["name"] for case in cases[:4]] == ["esc-at-end", "csi", "osc", "c1-csi"]
    assert {case.attrib["file"] for case in cases} == {printable(str(path))}
    assert cases[4].find("error") is not None and len(cases) == 5


def test_training_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(REPO / "examples/training/model-call.txt")], capsys)[0] == 0
    code, out = run(["check", str(REPO / "examples/training/failing-call.txt")], capsys)
    assert code == 1 and "overall score" in out and "below 90" in out


def test_assert_findings_helper(coach: Coach) -> None:
    report = coach.score(transcript("Customer: hi\nAgent: Calm down.\n"))
    assert_findings(report, present=["defensive.dismissive@1"], absent=["defensive.blame"])
    with pytest.raises(AssertionError) as caught:
        assert_findings(report, present=["defensive.blame"], absent=["defensive.dismissive"])
    message = str(caught.value)
    assert "missing: defensive.blame" in message
    assert "unexpected: defensive.dismissive@1:warning" in message
    assert "found:" in message


def test_pytest_plugin_collects_canned_transcripts(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "good.txt").write_text(CALL.format(id="good-call",
                                                   headers="%% expect: defensive.dismissive@1"))
    (training / "bad.txt").write_text(CALL.format(id="bad-call",
                                                  headers="%% expect-not: defensive.dismissive"))
    (training / "broken.jsonl").write_text("{oops\n")
    pytester.makepyfile(test_own="""
        from servicecoach import Transcript
        from servicecoach.testing import assert_findings

        def test_uses_the_coach_fixture(coach):
            report = coach.score(Transcript.model_validate(
                {"id": "t", "turns": [{"speaker": "agent", "text": "Relax."}]}))
            assert_findings(report, present=["defensive.dismissive"])
    """)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=2)
    for line in ("*training/good.txt::good-call PASSED*", "*training/bad.txt::bad-call FAILED*",
                 "*did not expect defensive.dismissive@1*", "*broken.jsonl:line 1: invalid JSON*"):
        result.stdout.fnmatch_lines([line])


def test_pytest_plugin_failure_names_the_file_as_pytest_names_the_item(
    pytester: pytest.Pytester
) -> None:
    """A failure's lines began with the file's absolute path, so the short test summary
    ('FAILED training/bad.txt::bad-call - /tmp/.../training/bad.txt:5: did not ...') was
    cut before the mismatch on a terminal (until 2026-12-07); the path is from the root
    directory, as the item's own. The short summary shows the failure's message, the first
    mismatch without its path, since the second round of leftovers of 2026-12-07."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "bad.txt").write_text(CALL.format(id="bad-call",
                                                  headers="%% expect-not: defensive.dismissive"))
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["training/bad.txt:5: did not expect defensive.dismissive@1*",
                                 "FAILED training/bad.txt::bad-call - did not expect *"])
    assert str(pytester.path / "training") not in result.stdout.str()


def test_pytest_plugin_names_an_odd_transcript_id_printably(pytester: pytest.Pytester) -> None:
    """A canned transcript's id was its item's name as it was: an id holding an escape
    sequence wrote it to the terminal, a line break split the progress line, `::` split the
    node id (the item could not be selected) and an id of 200,000 characters made three
    lines of 200 KB. Such an id is named by its first 40 printable characters and its place
    in the file."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    turns = [{"speaker": "agent", "text": "Hello, this is Sam, how can I help?"}]
    ids = ["a::b", "line\nbreak", "L" * 200_000, "\x1b[31mred", "plain-id"]
    (training / "odd.jsonl").write_text(
        "\n".join(json.dumps({"id": i, "turns": turns}) for i in ids) + "\n", encoding="utf-8")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=5)
    out = result.stdout.str()
    assert "\x1b" not in out and max(map(len, out.splitlines())) < 300
    for line in ("*odd.jsonl::a: :b[[]0[]] PASSED*", "*odd.jsonl::line break[[]1[]] PASSED*",
                 "*odd.jsonl::" + "L" * 40 + "...[[]2[]] PASSED*", "*odd.jsonl::red[[]3[]] PASSED*",
                 "*odd.jsonl::plain-id PASSED*"):
        result.stdout.fnmatch_lines([line])
    chosen = pytester.runpytest("-v", "training/odd.jsonl::a: :b[0]")
    chosen.assert_outcomes(passed=1)


@pytest.mark.parametrize(("option", "value", "says"), [
    ("servicecoach_min_score", "nan", "servicecoach_min_score = 'nan' is not a finite number"),
    ("servicecoach_min_score", "high", "servicecoach_min_score = 'high' is not a finite number"),
    ("servicecoach_fail_on", "fatal", ("servicecoach_fail_on = 'fatal' is not one of suggestion, "
     "warning, critical")),
])
def test_pytest_plugin_refuses_a_bad_option(
    pytester: pytest.Pytester, option: str, value: str, says: str
) -> None:
    """Before 2026-12-06 ``servicecoach_min_score = nan`` passed every transcript without a
    word, and a word failed every one with a traceback."""
    pytester.makeini(f"[pytest]\nservicecoach_transcripts = training\n{option} = {value}\n")
    (pytester.mkdir("training") / "bad.txt").write_text(
        CALL.format(id="bad-call", headers="%% expect-not: defensive.dismissive"))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{says}*"])


@pytest.mark.parametrize(("toml", "says"), [
    ('max_turn_chars = "lots"\n', "bad.toml: max_turn_chars: Input should be a valid integer"),
    ("redact = \n", "bad.toml: invalid TOML"),
    (None, "bad.toml"),  # no such file
])
def test_pytest_plugin_refuses_a_configuration_it_cannot_read(
    pytester: pytest.Pytester, toml: str | None, says: str,
) -> None:
    """A `servicecoach_config` that could not be read failed every canned transcript with
    the same traceback (the file read again for each): it is pytest's usage error naming
    the option and what is wrong, as the other options are."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n"
                     "servicecoach_config = bad.toml\n")
    if toml is not None:
        (pytester.path / "bad.toml").write_text(toml)
    (pytester.mkdir("training") / "bad.txt").write_text(
        CALL.format(id="bad-call", headers="%% expect-not: defensive.dismissive"))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*servicecoach_config: *{says}*"])


def _baselined_training(pytester: pytest.Pytester) -> Path:
    """A `training` folder of one call, its baseline written, for the plugin to run."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n"
                     "servicecoach_baseline = baseline.json\n")
    training = pytester.mkdir("training")
    (training / "call.txt").write_text(CALL.format(id="call", headers=""))
    assert main(["check", str(training), "--write-baseline",
                 str(pytester.path / "baseline.json")]) == 0
    return training


def test_pytest_plugin_takes_a_baseline(pytester: pytest.Pytester) -> None:
    """`check --baseline` lets a library adopt servicecoach without fixing everything
    first; the plugin had no such option, so a team on pytest could not."""
    training = _baselined_training(pytester)
    pytester.runpytest().assert_outcomes(passed=1)
    (training / "call.txt").write_text(CALL.format(id="call", headers="").replace(
        "Customer: When?", "Customer: When?\nAgent: You should have read the email."))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*new issue defensive.blame@3*"])
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n"
                     "servicecoach_baseline = missing.json\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*missing.json: cannot read baseline*"])


def test_pytest_plugin_says_when_baselined_issues_are_fixed(pytester: pytest.Pytester) -> None:
    """As `check --baseline` does, the plugin says how many of the baseline's issues the
    transcripts no longer have and to write it again, so a fixed issue cannot come back
    unnoticed."""
    training = _baselined_training(pytester)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "no longer found" not in result.stdout.str()
    (training / "call.txt").write_text(CALL.format(id="call", headers="").replace(
        "Calm down, as I already said, it's on its way.", "I'm so sorry, Dana. It's on its way."))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        ("servicecoach: 3 issue(s) of the baseline baseline.json are no longer found in the "
         "transcripts checked (fixed, or their turn's text changed): write it again with "
         "'servicecoach check TRANSCRIPTS --write-baseline baseline.json' so that they fail if "
         "they come back")])


def test_pytest_plugin_fails_what_check_refuses(pytester: pytest.Pytester) -> None:
    """`check` refuses expectations naming a rule id no pack has and a transcript id used
    twice; the plugin ran them: a misspelt id in expect-not passed without a word, and two
    transcripts of one id were two items of one name (one file) or one baseline key."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "typo.txt").write_text(CALL.format(
        id="typo", headers="%% expect-not: defensive.dismisive"))
    (training / "one.txt").write_text(CALL.format(id="twice", headers=""))
    (training / "two.txt").write_text(CALL.format(id="twice", headers=""))
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*expectations name unknown rule id(s): defensive.dismisive*"])
    result.stdout.fnmatch_lines([f"*transcript id already used at {training / 'one.txt'}:1*"])


def test_pytest_plugin_is_opt_in(pytester: pytest.Pytester) -> None:
    (pytester.mkdir("training") / "bad.txt").write_text(
        CALL.format(id="bad-call", headers="%% expect-not: defensive.dismissive"))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_rule_catalogue_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rules", "docs", "--check", "--out", str(REPO / "docs" / "rules")])
    out = capsys.readouterr().out
    assert code == 0, f"stale rule pages (run 'servicecoach rules docs'):\n{out}"


def test_rule_catalogue_check_finds_stale_and_leftover_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "rules"
    assert main(["rules", "docs", "--out", str(out_dir)]) == 0
    assert main(["rules", "docs", "--check", "--out", str(out_dir)]) == 0
    (out_dir / "old.rule.md").write_text((out_dir / "defensive.blame.md").read_text())
    (out_dir / "defensive.blame.md").write_text("edited by hand")
    (out_dir / "empathy.shown.md").write_bytes(b"caf\xe9, not UTF-8")
    capsys.readouterr()
    assert main(["rules", "docs", "--check", "--out", str(out_dir)]) == 1
    out = capsys.readouterr().out
    assert "defensive.blame.md: stale" in out and "old.rule.md: stale" in out
    assert "empathy.shown.md: stale" in out  # read as bytes: no traceback


def test_rule_catalogue_removes_only_the_pages_it_wrote(tmp_path: Path) -> None:
    """`rules docs --out FOLDER` removed every other Markdown file of FOLDER (a README, a
    design note) as the page of a removed rule: it removes only the pages it wrote."""
    out_dir = tmp_path / "docs"
    out_dir.mkdir()
    (out_dir / "README.md").write_text("# My project\n")
    (out_dir / "notes.md").write_bytes(b"caf\xe9 notes")
    assert main(["rules", "docs", "--out", str(out_dir)]) == 0
    (out_dir / "old.rule.md").write_text((out_dir / "defensive.blame.md").read_text())
    assert main(["rules", "docs", "--out", str(out_dir)]) == 0
    assert (out_dir / "README.md").read_text() == "# My project\n"
    assert (out_dir / "notes.md").read_bytes() == b"caf\xe9 notes"
    assert not (out_dir / "old.rule.md").exists()
    assert main(["rules", "docs", "--check", "--out", str(out_dir)]) == 0


def test_unknown_rule_ids_and_reused_ids_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canned(tmp_path, "%% expect: no.such-rule", name="a.txt", id="one")
    canned(tmp_path, "", name="b.txt", id="two")
    canned(tmp_path, "", name="c.txt", id="two")
    code = main(["check", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "transcript 'one': expectations name unknown rule id(s): no.such-rule" in err
    assert f"transcript 'two': transcript id already used at {tmp_path / 'b.txt'}:1" in err


@pytest.mark.parametrize("headers", [
    "%% expect: no.such-" + "x" * 100_000,
    "%% expect: " + "Y" * 100_000,
    "%% min-score: " + "Z" * 100_000,
    "%% min-score: " + "q" * 100_000 + "=5",
])
def test_an_expectation_of_100_kb_is_not_quoted_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], headers: str
) -> None:
    """An expected rule id of 100 KB (or an expectation or minimum score that reads as
    none, or a minimum for a category of 100 KB) was quoted whole: one line of 100 KB. An id
    is at most 100 characters, as a pack's, and the rest is quoted by its start."""
    canned(tmp_path, headers, name="a.txt", id="one")
    assert main(["check", str(tmp_path)]) in (1, 2)
    out, err = capsys.readouterr()
    assert "a.txt" in out + err
    assert all(len(line) < 500 for line in (out + err).splitlines())


@pytest.mark.parametrize("headers", ["%% expect-not: defensive.dismissive@" + "9" * 4_300,
                                     "%% expect: empathy.missing@" + "7" * 4_000,
                                     "%% expect: empathy.missing@" + "7" * 5_000])
def test_an_expected_turn_of_thousands_of_digits_is_refused_not_quoted_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], headers: str
) -> None:
    """Until 2026-12-07 `expect-not: rule@<4,300 digits>` was quoted whole in the failure
    (a line of 4 KB), and 5,000 digits read "Unable to parse input string as an integer"."""
    path = canned(tmp_path, headers)
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert f"{path}:line 1, transcript 'call': bad expectations:" in err
    assert "digits is past any transcript's turns (at most 999,999,999; turns count from 0)" in err
    assert all(len(line) < 400 for line in (out + err).splitlines())


@pytest.mark.parametrize(("header", "near"), [
    ("%% expects: defensive.dismissive", ("expects", "expect")),
    ("%% expect_not: defensive.dismissive", ("expect_not", "expect-not")),
    ("%% Min_Score: overall=99", ("min_score", "min-score")),
])
def test_a_misspelt_expectations_header_is_an_error_not_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, near: tuple[str, str]
) -> None:
    """'%% expects:' or '%% expect_not:' was read as metadata: the expectations were left
    out and the transcript passed on what it no longer asked ('nothing was expected', or
    nothing at all beside other headers)."""
    path = canned(tmp_path, f"%% expect: empathy.missing\n{header}")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert (f"{path}:line 1, transcript 'call': header '%% {near[0]}' is no expectations "
            "header: it would be read as metadata, its expectations left out; did you mean "
            f"'%% {near[1]}'?") in err
    for metadata in ("export: yes", "expert: Jane Doe", "expected_handle_time: 300"):
        assert main(["check", str(canned(tmp_path, f"%% {metadata}\n%% expect: empathy.missing"))]) == 0
    capsys.readouterr()
    record = {"id": "j", "expects": {"present": ["empathy.missing"]},
              "turns": [{"speaker": "customer", "text": "I'm really upset."}]}
    (tmp_path / "j.jsonl").write_text(json.dumps(record) + "\n")
    assert main(["check", str(tmp_path / "j.jsonl")]) == 2
    assert ("j.jsonl:line 1: key 'expects' is not 'expect': its expectations would not be read"
            in capsys.readouterr().err)


def test_many_unknown_rule_ids_are_counted_not_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every id the expectations named that no pack has (or the configuration leaves out)
    was listed: 20,000 of them made one error line of 500 KB. The first five are named and
    the rest counted."""
    ids = [f"no.such-rule-{n:05}" for n in range(20_000)]
    canned(tmp_path, "%% expect: " + ", ".join(ids), name="a.txt", id="one")
    code = main(["check", str(tmp_path)])
    line = next(line for line in capsys.readouterr().err.splitlines() if "unknown" in line)
    assert code == 2
    assert ("expectations name unknown rule id(s): no.such-rule-00000, no.such-rule-00001, "
            "no.such-rule-00002, no.such-rule-00003, no.such-rule-00004 and 19,995 more") in line
    assert len(line) < 500
    off = sorted(Coach().rule_order)[1:8]
    canned(tmp_path, "%% expect: " + ", ".join(off), name="a.txt", id="one")
    code = main(["check", str(tmp_path), "--select", min(Coach().rule_order)])
    err = capsys.readouterr().err
    assert code == 2
    assert (f"expectations name rule(s) the configuration leaves out: {', '.join(off[:5])} "
            "and 2 more") in err


def test_canned_files_are_read_as_score_reads_them(tmp_path: Path) -> None:
    """A line separator inside a JSON Lines string is text, not a line end; bytes that are
    not UTF-8 are an error naming the file or, in a JSON document, the record (never
    replaced and checked); a sidecar nested
    too deeply is an error, not a crash."""
    lines = tmp_path / "chats.jsonl"
    records = [{"id": i, "turns": [{"speaker": "customer", "text": "a\u2028b"}]} for i in "uv"]
    lines.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                     encoding="utf-8")
    read = list(load_canned(lines))
    assert [c.transcript.id for c in read if not isinstance(c, Exception)] == ["u", "v"]
    latin = tmp_path / "call.txt"
    latin.write_bytes("Agent: Hello\nCustomer: caf\xe9\n".encode("latin-1"))
    (error,) = load_canned(latin)
    assert isinstance(error, Exception) and "invalid UTF-8" in str(error)
    array = tmp_path / "calls.json"  # one document: only the record with the bad byte is lost
    array.write_bytes(json.dumps([{"id": i, "turns": [{"speaker": "customer", "text": f"caf@{i}"}]}
                                  for i in "abc"], indent=1).encode().replace(b"caf@b", b"caf\xe9b"))
    first, error, last = load_canned(array)
    assert isinstance(error, InputError) and error.transcript_id == "b"
    assert "the text holds a byte that is not UTF-8 (0xE9)" in str(error)
    assert not isinstance(first, Exception) and not isinstance(last, Exception)
    deep = tmp_path / "deep.txt"
    deep.write_text("Agent: Hello\nCustomer: hi\n")
    (tmp_path / "deep.expect.yaml").write_text("present: " + "[" * 5_000 + "]" * 5_000 + "\n")
    (error,) = load_canned(deep)
    assert isinstance(error, Exception) and "nested too deeply" in str(error)


def test_what_could_not_be_checked_is_in_junit_and_github_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A canned file that could not be read, or expectations naming an unknown rule, were
    only on stderr: the JUnit file listed the other transcripts, all passing, so a CI test
    summary showed nothing wrong, and GitHub had no annotation on the file."""
    canned(tmp_path, "%% expect: defensive.dismissive", name="a.txt", id="good")
    canned(tmp_path, "%% expect: empathy.shwn", name="b.txt", id="typo")
    (tmp_path / "c.jsonl").write_text("{oops\n")
    code, out = run(["check", str(tmp_path), "--format", "junit"], capsys)
    assert code == 2
    (suite,) = ET.fromstring(out.split("\n", 1)[1])
    assert suite.attrib["tests"] == "3" and suite.attrib["errors"] == "2"
    errors = {case.attrib["file"]: case[0] for case in suite if len(case)}
    assert {error.tag for error in errors.values()} == {"error"}
    assert "did you mean 'empathy.shown'?" in errors[str(tmp_path / "b.txt")].attrib["message"]
    assert "invalid JSON" in errors[str(tmp_path / "c.jsonl")].attrib["message"]
    code, out = run(["check", str(tmp_path), "--format", "github"], capsys)
    assert code == 2
    assert f"::error file={tmp_path / 'b.txt'},line=1,title=servicecoach typo::" in out
    assert f"::error file={tmp_path / 'c.jsonl'},line=1,title=servicecoach::" in out
    code, out = run(["check", str(tmp_path)], capsys)
    assert out.rstrip().endswith("1 transcript(s) checked, 0 failed; 2 could not be checked")


def test_expectations_of_rules_the_configuration_leaves_out_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --ignore or select leaving a rule out, its expectations were said to name an
    'unknown rule id' and the user was sent to 'rules list', where it is not either."""
    canned(tmp_path, "%% expect: defensive.dismissive\n%% expect-not: empathy.missing")
    code = main(["check", str(tmp_path), "--ignore", "defensive,empathy.missing"])
    err = capsys.readouterr().err
    assert code == 2
    assert ("expectations name rule(s) the configuration leaves out: defensive.dismissive, "
            "empathy.missing (enable them with --select/--extend-select, or drop --ignore "
            "for them)") in err


def test_pytest_plugin_fails_on_a_sidecar_no_canned_file_reads(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "call.txt").write_text(CALL.format(id="call", headers=""))
    (training / "call.txt.expect.yaml").write_text("absent: [defensive.dismissive]\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*call.txt.expect.yaml: a sidecar no canned file reads*"])


@pytest.mark.parametrize(("header", "said"), [
    ("%% expect: defensive.dismisive", ("expectations name unknown rule id(s): "
     "defensive.dismisive (did you mean 'defensive.dismissive'?)")),
    ("%% min-score: empthy=90", ("min-score names unknown category(ies): 'empthy' "
     "(did you mean 'empathy'?)")),
])
def test_pytest_plugin_names_an_unknown_rule_id_or_category(
    pytester: pytest.Pytester, header: str, said: str,
) -> None:
    """A typo in an expectation failed as 'expected empathy.shwn ..., found nothing' in the
    plugin, and a minimum for a category no pack has as a low score, where `servicecoach
    check` says the rule or category is unknown and suggests the nearest."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    (pytester.mkdir("training") / "typo.txt").write_text(CALL.format(id="typo", headers=header))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{said}*"])


def test_pytest_plugin_says_how_to_run_a_rule_its_configuration_leaves_out(
        pytester: pytest.Pytester) -> None:
    """The plugin told a user whose configuration file ignores a rule to 'drop --ignore',
    a flag pytest does not take: it points to the configuration file."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n"
                     "servicecoach_config = sc.toml\n")
    pytester.makefile(".toml", sc='ignore = ["defensive"]\n')
    (pytester.mkdir("training") / "off.txt").write_text(
        CALL.format(id="off", headers="%% expect-not: defensive.dismissive"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        ("*expectations name rule(s) the configuration leaves out: defensive.dismissive "
         "(enable them with select/extend-select in the configuration file "
         "(servicecoach_config), or take them out of its ignore)*")])
    assert "--ignore" not in result.stdout.str()


def test_drafted_expectations_pasted_into_the_transcripts_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A training team starting on a library of calls had to write every '%% expect:' line
    by hand from the findings: --draft-expectations prints them in each file's form, and
    pasted as they are, the transcripts pass."""
    text = canned(tmp_path, "")
    chat = tmp_path / "chat.jsonl"
    chat.write_text(json.dumps({"id": "chat", "turns": [
        {"speaker": "customer", "text": "My parcel never came and I'm really upset."},
        {"speaker": "agent", "text": "We'll look into it and get back to you."}]}) + "\n")
    code, out = run(["check", str(tmp_path), "--draft-expectations"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{text}:1: call (overall ")
    assert lines[0].endswith("; nothing expected yet)")
    header = lines[1].strip()
    assert header.startswith("%% expect: ") and "defensive.dismissive@1" in header
    assert lines[2].startswith(f"{chat}:1: chat (overall ")
    key = json.loads("{" + lines[3].strip() + "}")["expect"]
    assert "commitment.vague@1" in key["present"] and "empathy.missing@1" in key["present"]
    assert lines[-1].startswith("drafted expectations for 2 of 2 transcript(s)")
    text.write_text(CALL.format(id="call", headers=header))
    chat.write_text(json.dumps({**json.loads(chat.read_text()), "expect": key}) + "\n")
    code, out = run(["check", str(tmp_path)], capsys)
    assert code == 0, out
    assert "2 transcript(s) checked, 0 failed" in out and "nothing was expected" not in out


def test_a_text_transcript_of_another_name_is_drafted_in_the_text_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A transcript named on the command line whose name does not end in .txt (call.log,
    which check reads as text) was drafted as a JSON "expect" key, which pasted into it is
    a line of no speaker; it is drafted as a '%% expect:' header, which passes."""
    path = canned(tmp_path, "", name="call.log")
    code, out = run(["check", str(path), "--draft-expectations"], capsys)
    header = out.splitlines()[1].strip()
    assert code == 0 and header.startswith("%% expect: "), out
    path.write_text(CALL.format(id="call", headers=header))
    code, out = run(["check", str(path)], capsys)
    assert code == 0 and out.startswith("PASS call"), out


def test_drafting_expectations_with_outputs_it_would_not_write_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canned(tmp_path, "")
    junit = tmp_path / "junit.xml"
    assert main(["check", str(tmp_path), "--draft-expectations", "--junit", str(junit)]) == 2
    assert ("--draft-expectations prints drafts and checks nothing, so --junit would not be "
            "written") in capsys.readouterr().err
    assert not junit.exists()


def test_what_could_not_be_checked_is_named_by_its_file_when_it_has_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error without a transcript id or a line (a sidecar no canned file reads, a path
    that is no file) was a JUnit test case named after the file with a colon, 'FILE:'."""
    canned(tmp_path, "%% expect: defensive.dismissive")
    sidecar = tmp_path / "call.txt.expect.yaml"
    sidecar.write_text("absent: [defensive.dismissive]\n")
    missing = tmp_path / "gone.txt"
    code, out = run(["check", str(tmp_path), str(missing), "--format", "junit"], capsys)
    assert code == 2
    (suite,) = ET.fromstring(out.split("\n", 1)[1])
    errored = {case.attrib["name"] for case in suite if len(case) and case[0].tag == "error"}
    assert errored == {str(sidecar), str(missing)}


def test_a_file_whose_expectations_live_in_a_sidecar_is_drafted_in_the_sidecars_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team that keeps expectations in calls.expect.yaml got inline "expect" keys to paste
    into calls.jsonl; the draft is a sidecar entry per transcript, which pasted into the
    sidecar passes."""
    import yaml

    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(json.dumps({"id": name, "turns": [
        {"speaker": "customer", "text": "My parcel never came and I'm really upset."},
        {"speaker": "agent", "text": "We'll look into it and get back to you."}]}) + "\n"
        for name in ("1001", "chat-b")))
    sidecar = tmp_path / "calls.expect.yaml"
    sidecar.write_text('"1001": {absent: [defensive.blame]}\n')
    code, out = run(["check", str(calls), "--draft-expectations"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{calls}:1: 1001 (overall ")
    assert lines[0].endswith("; already has expectations; in calls.expect.yaml)")
    assert lines[2].endswith("; nothing expected yet; in calls.expect.yaml)")
    entries = [yaml.safe_load(lines[n].strip()) for n in (1, 3)]
    assert list(entries[0]) == ["1001"] and list(entries[1]) == ["chat-b"]
    assert "empathy.missing@1" in entries[1]["chat-b"]["present"]
    assert "paste each into its transcript or its sidecar" in lines[-1]
    sidecar.write_text(lines[1].strip() + "\n" + lines[3].strip() + "\n")
    code, out = run(["check", str(calls)], capsys)
    assert code == 0 and "2 transcript(s) checked, 0 failed" in out, out
    assert "nothing was expected" not in out


def test_a_transcript_with_a_sidecar_of_its_own_is_drafted_as_the_sidecars_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    path = canned(tmp_path, "")
    sidecar = tmp_path / "call.expect.yaml"
    sidecar.write_text("absent: [defensive.blame]\n")
    code, out = run(["check", str(path), "--draft-expectations"], capsys)
    drafted = yaml.safe_load(out.splitlines()[1].strip())
    assert code == 0 and list(drafted) == ["present"], out
    sidecar.write_text(out.splitlines()[1].strip() + "\n")
    code, out = run(["check", str(path)], capsys)
    assert code == 0 and out.startswith("PASS call"), out


def test_expectation_headers_on_several_lines_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Until 2026-12-07 a second '%% expect:' (or expect-not, min-score) line replaced the
    first without a word: a team writing one expectation a line checked only the last."""
    path = canned(tmp_path, "%% expect: greeting.introduced\n%% expect: defensive.dismissive@1\n"
                            "%% expect-not: defensive.blame\n%% Expect-Not: empathy.missing\n"
                            "%% min-score: defensiveness=99\n%% min-score: overall=1")
    code, out = run(["check", str(path)], capsys)
    assert code == 1
    assert "expected greeting.introduced, found nothing" in out
    assert "did not expect empathy.missing@1" in out
    assert "defensiveness score" in out and "is below 99" in out


def test_pytest_plugin_junitxml_names_the_class_as_check_does(pytester: pytest.Pytester) -> None:
    """pytest's --junitxml gave a canned transcript the classname 'training.failing-call.txt',
    which Jenkins and GitLab split at its last dot (every transcript of every file the class
    'txt'); the plugin sets it as `check --format junit` does, the file's folders and name
    without the suffix, pytest's --junit-prefix first. Python tests keep pytest's."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "failing-call.txt").write_text(CALL.format(
        id="bad-call", headers="%% expect-not: defensive.dismissive"))
    (training / "v1.2").mkdir()
    (training / "v1.2" / "good.txt").write_text(CALL.format(
        id="good-call", headers="%% expect: defensive.dismissive@1"))
    (training / "broken.jsonl").write_text("{oops\n")
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    pytester.runpytest("--junitxml=out.xml").assert_outcomes(passed=2, failed=2)
    cases = {case.get("name"): case.get("classname")
             for case in ET.parse(pytester.path / "out.xml").iter("testcase")}
    assert cases == {"bad-call": "training.failing-call", "good-call": "training.v1_2.good",
                     "unreadable-0": "training.broken", "test_own": "test_own"}
    pytester.runpytest("--junitxml=prefixed.xml", "--junit-prefix=ci")
    classes = {case.get("classname")
               for case in ET.parse(pytester.path / "prefixed.xml").iter("testcase")}
    assert classes == {"ci.training.failing-call", "ci.training.v1_2.good", "ci.training.broken",
                       "ci.test_own"}


def test_pytest_plugin_junit_failure_message_is_the_first_mismatch(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest's --junitxml gave a failing transcript the whole diff as its failure's
    message, the line Jenkins and GitLab list (and pytest's short test summary cut it to
    its first line, without a count); until 2026-12-07. The message is the first mismatch
    and how many more, as `check --format junit` writes it, the failure's text every
    mismatch at its file line, and a distributed run's controller gets the same message."""
    pytester.makeini("[pytest]\nservicecoach_transcripts = training\n")
    training = pytester.mkdir("training")
    (training / "call.txt").write_text(CALL.format(
        id="bad-call", headers="%% expect: defensive.blame\n%% min-score: overall=99"))
    monkeypatch.setenv("CI", "true")  # the short summary's lines are not cut on CI
    result = pytester.runpytest("--junitxml=out.xml", "-rf")
    result.assert_outcomes(failed=1)
    (case,) = ET.parse(pytester.path / "out.xml").iter("testcase")
    (failure,) = case
    message = failure.attrib["message"]
    assert message.startswith("expected defensive.blame, found nothing"), message
    assert message.endswith(" (and 1 more)") and "\n" not in message, message
    text = failure.text or ""
    assert text.startswith("training/call.txt:1: expected defensive.blame"), text
    assert "training/call.txt:1: overall score" in text, text
    summary = "FAILED training/call.txt::bad-call - expected defensive.blame, found nothing*"
    result.stdout.fnmatch_lines([f"{summary} (and 1 more)"])

    reports = pytester.inline_run().getreports("pytest_runtest_logreport")
    (failed,) = [report for report in reports if report.failed]
    hook = pytester.parseconfig().hook
    sent = hook.pytest_report_to_serializable(config=None, report=failed)
    received = hook.pytest_report_from_serializable(config=None, data=sent)
    assert received.longrepr.reprcrash.message == message
    assert str(received.longrepr) == str(failed.longrepr) == text


def test_a_score_below_its_minimum_says_what_took_it_there(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'overall score 86.1 is below 90' told a training team the score and not why: ten
    findings stood behind it, the costliest a missing acknowledgement (twice) and an
    unconfirmed ending. A score below its minimum names the rules that cost it, most
    first (the overall's points as the summaries count them; a category's own)."""
    path = tmp_path / "call.txt"
    path.write_text("%% id: c\n%% min-score: overall=99, defensiveness=95\n"
                    "Agent: Hi, this is Sam.\n"
                    "Customer: Third time I'm calling about my meter, I'm fed up.\n"
                    "Agent: Calm down, that's our policy.\n")
    code, out = run(["check", str(path), "--min-score", "99"], capsys)
    assert code == 1
    assert ("defensiveness score 80 is below 95: lost to defensive.deflection -10, "
            "defensive.dismissive -10\n") in out
    lost = [line for line in out.splitlines() if "overall score" in line]
    assert len(lost) == 2 and all(": lost to " in line for line in lost)
    assert lost[0].split(": lost to ")[1] == lost[1].split(": lost to ")[1]
    assert "defensive.deflection -" in lost[0]


def test_a_score_that_is_not_applicable_says_so_rather_than_none_or_below(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A minimum on a category the conversation gave nothing to judge read 'empathy score
    not applicable is below 90', and --min-score on a conversation with no applicable
    category 'overall None' and 'overall score None is below --min-score 80'."""
    path = tmp_path / "call.txt"
    path.write_text("%% id: c\n%% min-score: hold_transfer=80\nAgent: Hi, this is Sam.\n"
                    "Customer: Can I change my address?\n")
    code, out = run(["check", str(path)], capsys)
    assert code == 1
    assert ("hold_transfer score is not applicable (the conversation gave its rules nothing "
            "to judge: docs/scoring.md), so it does not meet the minimum 80") in out
    path.write_text("%% id: c\nAgent: Hi, this is Sam.\nCustomer: Can I change my address?\n")
    code, out = run(["check", str(path), "--min-score", "80", "--select", "hold"], capsys)
    assert code == 1 and "None" not in out
    assert "FAIL c (" in out and ") overall n/a\n" in out
    assert ("overall score is not applicable (no category had anything to judge), so it does "
            "not meet --min-score 80") in out
