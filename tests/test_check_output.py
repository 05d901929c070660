"""`servicecoach check` output a user can act on: no `@None`, a pass with nothing expected
says so, and GitHub annotations on a JSON transcript point at the turn's line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicecoach.cli import main
from servicecoach.json_positions import record_lines

CALL = """\
%% id: call
%% customer_name: Dana Reyes
{headers}
Customer: Thanks for nothing. It still does not work.
Agent: I see.
"""

RECORD = {"id": "chat-7", "metadata": {"customer_name": "Dana Reyes"}, "turns": [
    {"speaker": "customer", "text": "This is the third time I've called and I'm fed up."},
    {"speaker": "agent", "text": "Calm down, as I already said, it's on its way."},
    {"speaker": "customer", "text": 'When? {not a key}, "quoted" [brackets]'},
    {"speaker": "agent", "text": "Tomorrow by noon."},
]}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_whole_conversation_findings_are_named_without_a_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(CALL.format(headers="%% expect-not: closing.missing, outcome.negative-ending"))
    code, out = run(["check", str(path)], capsys)
    assert code == 1
    assert "did not expect closing.missing (whole conversation)" in out
    assert "@None" not in out


def test_a_pass_with_nothing_expected_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "call.txt").write_text(CALL.format(headers=""))
    code, out = run(["check", str(tmp_path)], capsys)
    assert code == 0
    assert "PASS call" in out and "nothing was expected" in out
    assert out.rstrip().endswith("1 transcript(s) checked, 0 failed; 1 had nothing expected of them")
    code, out = run(["check", str(tmp_path), "--min-score", "1"], capsys)  # a threshold is asked
    assert code == 0 and "nothing was expected" not in out and "nothing expected" not in out


def test_github_annotations_on_a_json_transcript_point_at_the_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "calls.json"
    other = {**RECORD, "id": "chat-8"}
    path.write_text(json.dumps([{**RECORD, "expect": {"absent": ["defensive.dismissive"]}},
                                {**other, "expect": {"present": ["empathy.shown@3"]}}], indent=2))
    lines = path.read_text().splitlines()
    turn_lines = [n for n, line in enumerate(lines, start=1) if '"speaker"' in line]
    code, out = run(["check", str(path), "--format", "github"], capsys)
    assert code == 1
    first, second = out.splitlines()[:2]
    # json.dumps(indent=2) puts "speaker" on the line after the turn's opening brace
    assert first.startswith(f"::error file={path},line={turn_lines[1] - 1},")
    assert "did not expect defensive.dismissive@1" in first
    assert second.startswith(f"::error file={path},line={turn_lines[4 + 3] - 1},")


def test_record_lines_of_one_record_and_of_an_array() -> None:
    one = '{"id": "a",\n "turns": [\n  {"speaker": "agent", "text": "x"},\n  {"speaker": "customer",\n  "text": "{y}"}]}'
    (record,) = record_lines(one)
    assert record.line == 1 and record.turns == [3, 4]
    nested = '[\n {"id": "a", "metadata": {"turns": [{"x": 1}]}, "turns": []},\n {"id": "b", "turns": [\n {}]}\n]'
    first, second = record_lines(nested)
    assert (first.line, first.turns) == (2, [])  # a "turns" key deeper down is not the record's
    assert (second.line, second.turns) == (3, [4])


def test_text_output_starts_no_github_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub Actions runs any line of a step's output that starts (after spaces) with
    ``::`` as a workflow command: a canned file's name or a transcript id must not make one."""
    record = {"id": "x\n::error file=evil.py,line=1::pwned",
              "turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": "ok"}],
              "expect": {"present": ["name.used"]}}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / " ::warning file=z::boom.txt").write_text(
        "%% expect: name.used\nCustomer: hi\nAgent: ok\n")
    monkeypatch.chdir(tmp_path)  # `check .` names the files found without a folder
    code, out = run(["check", "."], capsys)
    assert code == 1
    assert "FAIL x ::error file=evil.py,line=1::pwned (a.jsonl:1)" in out
    assert "  ./ ::warning file=z::boom.txt:1: expected name.used" in out
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")]
