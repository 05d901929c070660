"""`check` and `rules` outputs remove terminal escapes and control characters that come
from a transcript or a rule pack, as the text report does: a file cannot drive the
terminal of whoever reads the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicecoach.cli import main

HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b1A\x08\u202e"


def _controls(text: str) -> set[str]:
    return {c for c in text if c != "\n" and (ord(c) < 32 or 127 <= ord(c) < 160 or c == "\u202e")}


@pytest.mark.parametrize("output", ["text", "junit", "github"])
def test_check_output_is_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str,
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(f"%% id: call{HOSTILE}7\n%% expect-not: defensive.dismissive\n"
                    f"Customer: Where is my order{HOSTILE}?\nAgent: Calm down, it is on its way. {HOSTILE}\n",
                    encoding="utf-8")
    code = main(["check", str(path), "--format", output])
    out = capsys.readouterr().out
    assert code == 1 and "call" in out and "7" in out  # the failure is reported
    assert not _controls(out), out


def test_rules_output_is_printable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text(
        "id: p.x\nkind: phrase\ncategory: c\n"
        f"message: {json.dumps('said it' + HOSTILE)}\n"
        f"suggestion: {json.dumps('say' + HOSTILE + ' else')}\nmatch: {{phrases: [x]}}\n",
        encoding="utf-8")
    (pack / "r.test.transcript").write_text(f"# ruleid: p.x\nAgent: y{HOSTILE}\n",
                                            encoding="utf-8")
    for command in (["rules", "explain", "p.x"], ["rules", "list"], ["rules", "test"],
                    ["rules", "lint"]):
        main([*command, "--pack", str(pack)])
        out = capsys.readouterr().out
        assert out.strip(), command
        assert not _controls(out), (command, out)
    main(["rules", "explain", "p.x", "--pack", str(pack)])
    assert "Message: said it" in capsys.readouterr().out


@pytest.mark.parametrize("output", ["text", "junit", "github"])
def test_check_writes_any_id_and_file_name_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str,
) -> None:
    """A canned file whose name is not UTF-8 (`caf\\xe9.txt`, a surrogate in Python) stopped
    `check --output` with a traceback, and an id with U+FFFE or U+FFFF (which XML cannot
    hold) made JUnit output that no XML parser reads. The name is written with U+FFFD, the
    characters XML cannot hold are replaced, and the JUnit file parses."""
    import os
    import xml.etree.ElementTree as ET

    path = tmp_path / os.fsdecode(b"caf\xe9.txt")
    path.write_text("%% id: call\ufffe\uffff7\n%% expect-not: defensive.dismissive\n"
                    "Customer: Where is my order\ufffe?\nAgent: Calm down, it is on its way.\uffff\n",
                    encoding="utf-8")
    target = tmp_path / "out.txt"
    code = main(["check", str(path), "--format", output, "--output", str(target)])
    assert code == 1, capsys.readouterr().err
    written = target.read_text(encoding="utf-8")
    assert "caf\ufffd.txt" in written
    if output == "junit":
        case = ET.fromstring(written).find("testsuite/testcase")
        assert case is not None and case.get("name") == "call\ufffd\ufffd7"


def test_a_text_report_starts_no_github_workflow_command() -> None:
    """GitHub Actions runs a line of a step's output that starts (after spaces) with ``::``
    as a workflow command: before 2026-12-06 a transcript id ``::error file=a.py::x`` began
    the text report's first line, and made an annotation of it."""
    from servicecoach import Coach, Transcript
    from servicecoach.writers import render_text

    transcript = Transcript.model_validate({"id": " ::error file=a.py,line=1::forged", "turns": [
        {"speaker": "agent", "text": "Hello."}]})
    text = render_text(Coach().score(transcript))
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    assert text.startswith("' ::error file=a.py,line=1::forged'  overall")


FORGED = "::error file=a.py,line=1::forged"


def _workflow_commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("::")]


def test_a_summary_starts_no_github_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`summarize`'s group lines start with two spaces and the group's value, which comes
    from the transcripts' metadata: a team named ``::error ...`` made a line GitHub Actions
    runs as a workflow command (it trims spaces before looking for ``::``)."""
    from servicecoach import Coach, Transcript

    reports = tmp_path / "reports.jsonl"
    lines = []
    for index in range(2):
        transcript = Transcript.model_validate({
            "id": f"{FORGED} {index}", "metadata": {"team": FORGED, "queue": f" {FORGED}"},
            "turns": [{"speaker": "customer", "text": "My card was charged twice, I'm upset."},
                      {"speaker": "agent", "text": "Please send the order number."}]})
        lines.append(Coach().score(transcript).model_dump_json())
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["summarize", str(reports), "--by", "team", "--by", "queue"]) == 0
    out = capsys.readouterr().out
    assert "By team" in out and "forged" in out  # the groups are there, quoted
    assert not _workflow_commands(out), out


def test_an_evaluation_starts_no_github_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`eval` writes transcript ids at the start of miss lines, and rule ids from the
    labels file in its error for a rule no pack has (they began table rows and target
    lines until that was an error): ids beginning with ``::`` made lines GitHub Actions
    runs as workflow commands."""
    transcripts = tmp_path / "t.jsonl"
    transcripts.write_text(json.dumps({"id": FORGED, "turns": [
        {"speaker": "customer", "text": "Hi"}, {"speaker": "agent", "text": "Hello."}]}) + "\n",
        encoding="utf-8")
    labels = tmp_path / "l.jsonl"
    labels.write_text(json.dumps({"id": FORGED, "expected": [
        {"rule_id": "escalation.threat", "turn_index": 1}]}) + "\n", encoding="utf-8")
    code = main(["eval", str(transcripts), str(labels)])
    out = capsys.readouterr().out
    assert code == 1 and "forged" in out and "misses (1)" in out
    assert not _workflow_commands(out), out
    assert not _controls(out)
    labels.write_text(json.dumps({"id": FORGED, "expected": [
        {"rule_id": f"{FORGED}\x1b[2J", "turn_index": 1}]}) + "\n", encoding="utf-8")
    assert main(["eval", str(transcripts), str(labels)]) == 2
    err = capsys.readouterr().err
    assert "unknown rule id" in err and "forged" in err
    assert not _workflow_commands(err), err
    assert not _controls(err)


def _github_lines(text: str) -> list[str]:
    """The lines GitHub Actions reads in a step's output (split at CR, LF and CRLF), those
    that start with '::' after any space: what it would run as workflow commands."""
    import re

    return [line for line in re.split(r"\r\n|\r|\n", text) if line.lstrip().startswith("::")]


@pytest.mark.parametrize("command", [["score", "--format", "csv"],
                                     ["score", "--format", "csv", "--summary"],
                                     ["summarize", "--format", "csv"]])
def test_csv_output_starts_no_github_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str],
) -> None:
    """A CSV row starts with the transcript id, and a cell holding a line break (a message
    quoting a turn, a team) goes on over lines: an id '::add-mask::x' (unquoted: it holds
    no comma) or a text whose line starts with '::' made lines GitHub Actions runs as
    workflow commands. The id is quoted as CSV quotes a cell, so it reads back the same;
    a line break before '::' in a cell is a space."""
    import csv
    import io

    transcripts = tmp_path / "t.jsonl"
    ids = ["::add-mask::secret", " ::warning::forged"]
    transcripts.write_text("".join(json.dumps({
        "id": id_, "metadata": {"team": f"team\n{FORGED}", "queue": f"q\r\n  {FORGED}"},
        "turns": [{"speaker": "customer", "text": "My card was charged twice, I'm upset."},
                  {"speaker": "agent", "text": f"Please send the order number.\n{FORGED}"}]})
        + "\n" for id_ in ids), encoding="utf-8")
    if command[0] == "summarize":
        assert main(["score", "--format", "jsonl", "-o", str(tmp_path / "r.jsonl"),
                     str(transcripts)]) in (0, 1)
        capsys.readouterr()
        code = main([*command, str(tmp_path / "r.jsonl")])
    else:
        code = main([*command, str(transcripts)])
    out = capsys.readouterr().out
    assert code in (0, 1) and "forged" in out
    assert not _github_lines(out), out
    if "--summary" not in command:
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {row["transcript_id"] for row in rows} == set(ids)
        assert {row["team"] for row in rows} == {f"team {FORGED}"}
        assert {row["queue"] for row in rows} == {f"q    {FORGED}"}
