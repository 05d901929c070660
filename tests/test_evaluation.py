"""The accuracy harness on hand-made reports and labels (no rule behaviour involved)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO

from servicecoach import Coach
from servicecoach import evaluation as evaluation_module
from servicecoach.cli import main
from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.evaluation import (
    Evaluation,
    Fold,
    check_targets,
    evaluate,
    format_evaluation,
    load_labels,
    run_eval,
)
from servicecoach.models import (
    Finding,
    FindingKind,
    Report,
    Severity,
    Speaker,
    Transcript,
)


def finding(rule_id: str, turn: int | None) -> Finding:
    """A minimal finding of `rule_id` on `turn`."""
    return Finding(
        rule_id=rule_id, kind=FindingKind.ISSUE, severity=Severity.WARNING, category="test",
        turn_index=turn, speaker=None if turn is None else Speaker.AGENT, message="m",
        suggestion="s",
    )


def report(transcript_id: str, *findings: tuple[str, int | None]) -> Report:
    """A report holding findings given as (rule id, turn) pairs."""
    return Report(transcript_id=transcript_id, findings=tuple(finding(r, t) for r, t in findings),
                  scores=(), overall=None)


def labels(**expected: list[tuple[str, int | None]]) -> dict[str, list[tuple[str, str, int | None]]]:
    """Labels by transcript id, as `load_labels` returns them."""
    return {tid: [(tid, r, t) for r, t in keys] for tid, keys in expected.items()}


def scores(evaluation: Evaluation) -> dict[str, tuple[int, int, int]]:
    """(TP, FP, FN) per rule id."""
    return {s.rule_id: (s.tp, s.fp, s.fn) for s in evaluation.rules}


@pytest.fixture
def sample() -> Evaluation:
    """Two transcripts: hits, a wrong turn, a miss, a false alarm, a transcript-level label."""
    reports = [
        report("a", ("empathy.missing", 1), ("empathy.missing", 5), ("greeting.missing", None),
               ("defensive.blame", 3)),
        report("b", ("empathy.missing", 2), ("closing.missing", None)),
    ]
    expected = labels(
        a=[("empathy.missing", 1), ("empathy.missing", 3), ("greeting.missing", None)],
        b=[("empathy.missing", 2), ("name.unused", None), ("closing.missing", None)],
    )
    return evaluate(reports, expected)


def test_counts_per_rule(sample: Evaluation) -> None:
    assert scores(sample) == {
        "closing.missing": (1, 0, 0),
        "defensive.blame": (0, 1, 0),
        "empathy.missing": (2, 1, 1),
        "greeting.missing": (1, 0, 0),
        "name.unused": (0, 0, 1),
    }
    assert (sample.overall.tp, sample.overall.fp, sample.overall.fn) == (4, 2, 2)


def test_ratios(sample: Evaluation) -> None:
    empathy = next(s for s in sample.rules if s.rule_id == "empathy.missing")
    assert (empathy.labels, empathy.found) == (3, 3)
    assert empathy.precision == pytest.approx(2 / 3)
    assert empathy.recall == pytest.approx(2 / 3)
    assert empathy.f1 == pytest.approx(2 / 3)
    blame = next(s for s in sample.rules if s.rule_id == "defensive.blame")
    assert (blame.precision, blame.recall, blame.f1) == (0.0, None, 0.0)
    unused = next(s for s in sample.rules if s.rule_id == "name.unused")
    assert (unused.precision, unused.recall, unused.f1) == (None, 0.0, 0.0)
    assert sample.overall.precision == pytest.approx(4 / 6)
    assert sample.overall.recall == pytest.approx(4 / 6)


def test_misses_and_false_alarms(sample: Evaluation) -> None:
    assert [(m.transcript_id, m.rule_id, m.turn_index) for m in sample.misses] == [
        ("a", "empathy.missing", 3), ("b", "name.unused", None),
    ]
    assert [(m.transcript_id, m.rule_id, m.turn_index) for m in sample.false_alarms] == [
        ("a", "defensive.blame", 3), ("a", "empathy.missing", 5),
    ]


def test_transcript_label_matches_a_finding_on_any_turn() -> None:
    evaluation = evaluate([report("a", ("name.unused", 4))], labels(a=[("name.unused", None)]))
    assert scores(evaluation) == {"name.unused": (1, 0, 0)}


def test_transcript_labels_are_matched_in_time_linear_in_the_findings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each transcript-level label looked for its finding among the false alarms of every
    transcript: quadratic (8,000 transcripts with one such label and five false alarms
    each took 39 s to evaluate). The false alarms are ordered once; a label still takes
    the first finding of its rule, on any turn."""
    ordered = 0
    order = evaluation_module._order

    def counted(key: tuple[str, str, int | None]) -> tuple[str, int, str]:
        nonlocal ordered
        ordered += 1
        return order(key)

    monkeypatch.setattr(evaluation_module, "_order", counted)
    count = 200
    reports = [report(f"t{i}", *[("name.used", turn) for turn in range(5)]) for i in range(count)]
    expected = {f"t{i}": [(f"t{i}", "name.used", None), (f"t{i}", "empathy.shown", None)]
                for i in range(count)}
    outcome = evaluate(reports, expected)
    assert scores(outcome) == {"name.used": (count, 4 * count, 0),
                               "empathy.shown": (0, 0, count)}
    assert [m.turn_index for m in outcome.false_alarms[:4]] == [1, 2, 3, 4]  # turn 0 matched
    sorting = 5 * count  # the false alarms, once
    assert ordered <= sorting + 4 * count + count  # and the misses and false alarms listed


def test_turn_label_does_not_match_a_transcript_finding() -> None:
    evaluation = evaluate([report("a", ("hold.no-thanks", None))], labels(a=[("hold.no-thanks", 2)]))
    assert scores(evaluation) == {"hold.no-thanks": (0, 1, 1)}


def test_duplicate_findings_count_once_each() -> None:
    evaluation = evaluate([report("a", ("confidence.filler", 1), ("confidence.filler", 1))],
                          labels(a=[("confidence.filler", 1)]))
    assert scores(evaluation) == {"confidence.filler": (1, 1, 0)}


def test_nothing_expected_nothing_found() -> None:
    evaluation = evaluate([report("a")], labels(a=[]))
    assert evaluation.rules == ()
    assert (evaluation.overall.precision, evaluation.overall.recall, evaluation.overall.f1) == (
        None, None, None)


def test_unscored_and_unlabelled_transcripts_are_named() -> None:
    with pytest.raises(ServiceCoachError, match="labelled but not scored: b.*scored but not "
                       "labelled: c"):
        evaluate([report("a"), report("c")], labels(a=[], b=[]))


def test_many_unscored_transcripts_are_counted_not_listed() -> None:
    """Labels of another set (20,000 ids no transcript has) made an error line of 290 KB
    naming every id; the first five of each kind are named and the rest counted."""
    many = {f"x{n:05}": [] for n in range(20_000)}
    with pytest.raises(ServiceCoachError) as error:
        evaluate([report("a"), *(report(f"y{n}") for n in range(7))], labels(a=[]) | many)
    message = str(error.value)
    assert "labelled but not scored: x00000, x00001, x00002, x00003, x00004 and 19,995 more" \
        in message
    assert "scored but not labelled: y0, y1, y2, y3, y4 and 2 more" in message
    assert len(message) < 400


def test_targets(sample: Evaluation) -> None:
    failures = check_targets(sample, min_precision=0.9, min_recall=0.85)
    assert [line.split(":")[0] for line in failures] == [
        "defensive.blame", "empathy.missing", "name.unused",
    ]
    assert "precision 0.67 < 0.90 (2 of 3 findings right)" in failures[1]
    assert "recall 0.67 < 0.85 (2 of 3 labels found)" in failures[1]
    assert check_targets(sample, min_precision=0.0, min_recall=0.0) == []


def test_format_lists_table_and_turn_text(sample: Evaluation) -> None:
    transcript = Transcript.model_validate({"id": "a", "turns": [
        {"speaker": "customer", "text": f"turn {i}"} for i in range(6)]})
    text = format_evaluation(sample, {"a": transcript})
    lines = text.splitlines()
    assert lines[0].split() == ["rule_id", "labels", "found", "TP", "FP", "FN", "prec", "recall",
                                "F1"]
    assert "empathy.missing 3 3 2 1 1 0.67 0.67 0.67" in [" ".join(l.split()) for l in lines]
    assert "overall 6 6 4 2 2 0.67 0.67 0.67" in [" ".join(l.split()) for l in lines]
    assert "defensive.blame 0 1 0 1 0 0.00 - 0.00" in [" ".join(l.split()) for l in lines]
    assert "  a turn 3 empathy.missing: customer: 'turn 3'" in lines
    assert "  b (transcript) name.unused" in lines
    assert text.index("misses (2):") < text.index("false alarms (2):")


def test_load_labels(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"id": "a", "expected": [{"rule_id": "name.used", "turn_index": 2}]}\n\n'
        '{"id": 7, "expected": [{"rule_id": "closing.missing", "turn_index": null}]}\n')
    assert load_labels(path) == {"a": [("a", "name.used", 2)],
                                 "7": [("7", "closing.missing", None)]}


@pytest.mark.parametrize("line", [
    "not json",
    '{"expected": []}',
    '{"id": "x", "expected": {}}',
    '{"id": "x", "expected": [{"turn_index": 1}]}',
    '{"id": "x", "expected": [{"rule_id": "a.b", "turn_index": "2"}]}',
    '{"id": "a", "expected": []}',
])
def test_bad_label_line_names_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "a", "expected": []}\n' + line + "\n")
    with pytest.raises(InputError) as error:
        load_labels(path)
    assert f"{path}:line 2" in str(error.value)


@pytest.mark.parametrize(("labels", "said"), [
    ([{"rule_id": "defensive.blame", "turn": 2}],
     "expected[0] ('defensive.blame') has an unknown key 'turn'"),
    ([{"rule_id": "defensive.blame"}],
     ("expected[0] ('defensive.blame') has no 'turn_index' (a turn number, or null for the "
      "whole conversation)")),
    ([{"rule_id": "name.used", "turn_index": 1}, {"rule_id": "name.used", "turn_index": 1}],
     "expected[1] ('name.used') repeats expected[0]: a finding is labelled once"),
])
def test_a_label_that_would_be_read_otherwise_than_meant_is_refused(
        tmp_path: Path, labels: list[dict[str, object]], said: str) -> None:
    """A misspelt or missing 'turn_index' made a turn's label the whole conversation's,
    matched by a finding on any turn (recall inflated without a word); a label given twice
    counted twice, so the finding found was also listed as a miss."""
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": "a", "expected": labels}) + "\n")
    with pytest.raises(InputError) as error:
        load_labels(path)
    assert f"{path}:line 1: {said}" in str(error.value)


@pytest.mark.parametrize(("label", "said"), [
    ({"rule_id": 5, "note": "x" * 100_000}, "expected[1] has no 'rule_id' (a string)"),
    ({"rule_id": "a.b", "turn_index": "2" * 100_000},
     "expected[1] ('a.b'): 'turn_index' must be a turn number or null"),
    ("y" * 100_000, "expected[1] has no 'rule_id' (a string)"),
])
def test_a_bad_label_is_named_by_its_place_not_quoted(
    tmp_path: Path, label: object, said: str,
) -> None:
    """A bad label was quoted whole in the error: one with a 100 KB note (or a 100 KB
    string for a label) made an error line of 100 KB. It is named by its place in
    'expected' (and its rule id, when it has one)."""
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": "a", "expected": [{"rule_id": "a.b", "turn_index": None},
                                                         label]}) + "\n")
    with pytest.raises(InputError) as error:
        load_labels(path)
    assert f"{path}:line 1: {said}" in str(error.value)
    assert len(str(error.value)) < 400


class FakeCoach:
    """Stands in for `Coach`: reports one greeting.missing on every transcript; its packs
    have greeting.missing and name.unused, the second left out by the configuration."""

    locations: ClassVar[dict[str, str]] = {"greeting.missing": "core/greeting.yaml",
                                           "name.unused": "core/name.yaml"}
    rule_order: ClassVar[dict[str, int]] = {"greeting.missing": 0}

    def score_many(self, transcripts: list[Transcript]) -> list[Report]:
        return [report(t.id, ("greeting.missing", None)) for t in transcripts]


def write_set(tmp_path: Path, expected: list[dict[str, object]]) -> tuple[Path, Path]:
    """Two one-turn transcripts and the given label lines."""
    transcripts = tmp_path / "transcripts.jsonl"
    transcripts.write_text("".join(
        json.dumps({"id": tid, "turns": [{"speaker": "agent", "text": "Hi"}]}) + "\n"
        for tid in ("t1", "t2")))
    labels_path = tmp_path / "labels.jsonl"
    labels_path.write_text("".join(json.dumps(line) + "\n" for line in expected))
    return transcripts, labels_path


def test_run_eval_exit_codes(tmp_path: Path) -> None:
    hit = [{"rule_id": "greeting.missing", "turn_index": None}]
    paths = write_set(tmp_path, [{"id": "t1", "expected": hit}, {"id": "t2", "expected": hit}])
    out = io.StringIO()
    assert run_eval(FakeCoach(), *paths, 0.9, 0.85, out) == 0  # type: ignore[arg-type]
    assert "0 rule id(s) below target" in out.getvalue()
    paths = write_set(tmp_path, [{"id": "t1", "expected": hit}, {"id": "t2", "expected": []}])
    out = io.StringIO()
    assert run_eval(FakeCoach(), *paths, 0.9, 0.85, out) == 1  # type: ignore[arg-type]
    assert "greeting.missing: precision 0.50 < 0.90" in out.getvalue()


def test_run_eval_unreadable_transcript(tmp_path: Path) -> None:
    transcripts, labels_path = write_set(tmp_path, [{"id": "t1", "expected": []}])
    transcripts.write_text(transcripts.read_text() + '{"id": "t3", "turns": [{"speaker": "x"}]}\n')
    with pytest.raises(ServiceCoachError, match="1 transcript"):
        run_eval(FakeCoach(), transcripts, labels_path, 0.9, 0.85, io.StringIO())  # type: ignore[arg-type]


def test_folds_split_a_set_stably_and_completely() -> None:
    ids = [f"t{i}" for i in range(300)]
    parts = [[tid for tid in ids if Fold(k, 3).keeps(tid)] for k in range(3)]
    assert sorted(tid for part in parts for tid in part) == sorted(ids)  # each in one fold
    assert all(80 <= len(part) <= 120 for part in parts)  # roughly a third each
    rest = [tid for tid in ids if Fold(0, 3, exclude=True).keeps(tid)]
    assert sorted(rest) == sorted(parts[1] + parts[2])
    assert Fold.parse(" 1 / 3 ") == Fold(1, 3)


@pytest.mark.parametrize("text", ["3/3", "a/3", "1", "-1/3"])
def test_a_bad_fold_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="expected K/N with 0 <= K < N"):
        Fold.parse(text)


@pytest.mark.parametrize(("content", "message"), [
    (b'{"id": "a", "expected": []}\n' + b"[" * 100_000 + b"\n", "line 2: nested more than 900 levels deep"),
    (b'{"id": "a", "expected": []}\n{"id": "caf\xe9", "expected": []}\n', "line 2: invalid UTF-8"),
])
def test_a_hostile_labels_file_is_a_located_error(tmp_path: Path, content: bytes,
                                                  message: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_labels(path)


def test_a_missing_labels_file_is_an_error_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the labels"):
        load_labels(tmp_path / "nowhere.jsonl")


@pytest.mark.parametrize("turn", [1, 10**30])
def test_a_label_on_a_turn_the_transcript_lacks_is_an_error(tmp_path: Path, turn: int) -> None:
    """Before 2026-12-06 such a label was counted as a miss (`<no such turn>`), lowering
    the rule's recall for a mistake in the labels."""
    paths = write_set(tmp_path, [
        {"id": "t1", "expected": []},
        {"id": "t2", "expected": [{"rule_id": "greeting.missing", "turn_index": turn}]}])
    with pytest.raises(InputError) as raised:
        run_eval(FakeCoach(), *paths, 0.9, 0.85, io.StringIO())  # type: ignore[arg-type]
    assert str(raised.value).startswith(
        f"{paths[1]}:line 2, transcript 't2': the label greeting.missing is on turn {turn}, "
        "but the transcript has 1 turn(s) (0 to 0)")
    assert "turn_index counts from 0" in str(raised.value)


def test_a_labels_file_that_is_a_device_is_refused(tmp_path: Path) -> None:
    """A link to /dev/zero was read until memory ran out before 2026-12-06."""
    device = tmp_path / "labels.jsonl"
    device.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="labels.jsonl: cannot read the labels: not a regular "
                       "file"):
        load_labels(device)


@pytest.mark.parametrize("fold", ["fold 0/5", "all but fold 0/1"])
def test_an_empty_fold_is_an_error_not_a_pass(tmp_path: Path, fold: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`eval --fold K/N` on a set whose fold K holds no transcript exited 0 with "0 rule
    id(s) below target ... (0 transcripts)", so a CI gate on that fold passed having measured
    nothing; it is an error (exit 2) saying the fold is empty and what to do. So is the
    rank agreement on ratings (`--satisfaction`) of an empty fold."""
    transcripts, labels = write_set(tmp_path, [{"id": "t1", "expected": []},
                                               {"id": "t2", "expected": []}])
    option = ["--exclude-fold" if fold.startswith("all") else "--fold", fold.split()[-1]]
    assert main(["eval", str(transcripts), str(labels), *option]) == 2
    err = capsys.readouterr().err
    assert f"{fold} of the set holds no transcript" in err and "fewer folds" in err
    rated = tmp_path / "rated.jsonl"
    rated.write_text("".join(json.dumps({"id": tid, "metadata": {"quality_mean": {"S": 1.0}},
                                         "turns": [{"speaker": "agent", "text": "Hi"}]}) + "\n"
                             for tid in ("t1", "t2")))
    assert main(["eval", "--satisfaction", str(rated), *option]) == 2
    assert f"{fold} of the set holds no transcript" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_an_over_long_labels_line_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    """A labels file of one 2 GB line was read whole before it was parsed (in UTF-16 or
    UTF-32 too, a line at a time); a line longer than labels may be is an error at its
    line, read in pieces or its text dropped as it is decoded (here with the limit made
    small)."""
    import tracemalloc

    from servicecoach import evaluation

    monkeypatch.setattr(evaluation, "MAX_LABEL_LINE", 100_000)
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "a", "expected": []}\n{"id": "' + "x" * 5_000_000 + '"}\n',
                    encoding=encoding)
    tracemalloc.start()
    with pytest.raises(InputError, match=r"line 2: a line of 5,000,011 bytes") as caught:
        load_labels(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000 and len(str(caught.value)) < 400


@pytest.mark.parametrize(("rule_id", "message", "hint"), [
    ("greeting.misssing", "the labels name unknown rule id(s): greeting.misssing",
     "did you mean 'greeting.missing'?"),
    ("name.unused", "the labels name rule(s) the configuration leaves out: name.unused",
     "take them out of ignore"),
])
def test_a_label_naming_a_rule_the_coach_does_not_run_is_an_error(
        tmp_path: Path, rule_id: str, message: str, hint: str) -> None:
    """A label with a misspelt rule id (or one the configuration leaves out) was counted
    as the rule's miss: an ML engineer read 'acme.jargn: recall 0.00 < 0.85' as their pack
    failing. It is an error at the label's line, as an expectation naming one is in check."""
    paths = write_set(tmp_path, [
        {"id": "t1", "expected": [{"rule_id": "greeting.missing", "turn_index": None}]},
        {"id": "t2", "expected": [{"rule_id": rule_id, "turn_index": 0}]}])
    with pytest.raises(InputError) as raised:
        run_eval(FakeCoach(), *paths, 0.9, 0.85, io.StringIO())  # type: ignore[arg-type]
    assert str(raised.value).startswith(f"{paths[1]}:line 2, transcript 't2': {message}")
    assert hint in str(raised.value)


@pytest.mark.parametrize(("lines", "message"), [
    ([], "labels.jsonl: holds no labels (the file is empty or blank)"),
    ([{"id": "t1", "expected": []}, {"id": "t2", "expected": []}],
     ("labels.jsonl: no label names a rule (every 'expected' is empty): no rule would be "
      "evaluated, and every target would be met")),
])
def test_labels_that_name_no_rule_are_an_error_not_a_pass(
        tmp_path: Path, lines: list[dict[str, object]], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Until 2026-12-07 an empty labels file read "scored but not labelled: t1, t2", and
    labels whose 'expected' lists were all empty evaluated no rule and met every target
    (exit 0): a CI gate passed having measured nothing."""
    transcripts, labels = write_set(tmp_path, lines)
    assert main(["eval", str(transcripts), str(labels)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--min-precision", "5", "5 is not a ratio (0 to 1)"),
    ("--min-recall", "-1", "-1 is not a ratio (0 to 1)"),
    ("--min-f1", "2", "2 is not a ratio (0 to 1)"),
    ("--min-labels", "-5", "-5 is below 0"),
    ("--min-rho", "3", "3 is not a correlation (-1 to 1)"),
])
def test_a_target_out_of_range_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], option: str, value: str, said: str) -> None:
    """A target that can never be met (a precision of 5) or is always met (-1) ran and
    failed or passed every set; it is refused before anything is scored."""
    with pytest.raises(SystemExit) as stopped:
        main(["eval", "examples/eval/calls.jsonl", "examples/eval/labels.jsonl", option, value])
    assert stopped.value.code == 2
    assert f"argument {option}: {said}" in capsys.readouterr().err


def test_a_labels_file_that_is_a_json_array_or_names_another_set_says_so(
        tmp_path: Path) -> None:
    """A JSON array read as 'Expecting value: line 2 column 1', and a transcript labelled
    but not in the set was named with no file or line."""
    calls = REPO / "examples" / "eval" / "calls.jsonl"
    labels_text = (REPO / "examples" / "eval" / "labels.jsonl").read_text()
    records = [json.loads(line) for line in labels_text.splitlines()]
    array = tmp_path / "labels.json"
    array.write_text(json.dumps(records, indent=1))
    with pytest.raises(InputError, match=r"labels\.json:line 1: a JSON array, not JSON Lines"):
        run_eval(Coach(), calls, array, out=io.StringIO())
    ghost = tmp_path / "labels.jsonl"
    ghost.write_text("".join(json.dumps(r) + "\n" for r in [*records, {"id": "ghost", "expected": []}]))
    with pytest.raises(InputError, match=rf"labels\.jsonl:line {len(records) + 1}: labelled, but "
                       rf"not in {re.escape(str(calls))}: ghost"):
        run_eval(Coach(), calls, ghost, out=io.StringIO())
