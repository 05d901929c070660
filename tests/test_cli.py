"""The command line: formats, inputs, exit codes, and bad input that never stops a batch."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import REPO, shared

from servicecoach.cli import main

EXAMPLES = REPO / "examples" / "transcripts"
CALM = "%% id: calm\nCustomer: Where is my order?\nAgent: Calm down, it's coming.\n"
FINE = "%% id: fine\nCustomer: Where is my order?\nAgent: It arrives tomorrow morning.\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_score_the_bundled_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["score", str(EXAMPLES)], capsys)
    assert code == 0
    assert "refund-call" in out and "billing-chat" in out
    assert "scored 2 transcript(s); 0 could not be read" in err


def test_jsonl_gives_one_report_a_line_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.txt").write_text(FINE)
    (tmp_path / "a.txt").write_text(CALM)
    code, out, _ = run(["score", str(tmp_path / "b.txt"), str(tmp_path / "a.txt"),
                        "--format", "jsonl"], capsys)
    reports = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["transcript_id"] for r in reports] == ["fine", "calm"]
    assert "defensive.dismissive" in [f["rule_id"] for f in reports[1]["findings"]]
    assert "defensive.dismissive" not in [f["rule_id"] for f in reports[0]["findings"]]


def test_json_is_one_array(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(CALM)
    _, out, _ = run(["score", str(tmp_path), "--format", "json"], capsys)
    assert [r["transcript_id"] for r in json.loads(out)] == ["calm"]


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(CALM)
    target = tmp_path / "out.jsonl"
    code, out, _ = run(["score", str(tmp_path / "a.txt"), "--format", "jsonl",
                        "--output", str(target)], capsys)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["transcript_id"] == "calm"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(CALM))
    code, out, _ = run(["score", "-", "--format", "jsonl"], capsys)
    assert code == 0 and json.loads(out)["transcript_id"] == "calm"


def test_fail_on_sets_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(CALM)
    assert run(["score", str(tmp_path), "--fail-on", "warning"], capsys)[0] == 1
    assert run(["score", str(tmp_path), "--fail-on", "critical"], capsys)[0] == 0


def test_bad_records_are_reported_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"id": "ok-1", "turns": [{"speaker": "agent", "text": "Calm down."}]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "no-turns"}),
        json.dumps({"id": "bad-speaker", "turns": [{"speaker": "agent", "text": "hi"},
                                                    {"speaker": "robot", "text": "beep"}]}),
        json.dumps({"id": "bad-text", "turns": [{"speaker": "agent", "text": ["x"]}]}),
        json.dumps(good | {"id": "ok-2"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run(["score", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(line)["transcript_id"] for line in out.splitlines()] == ["ok-1", "ok-2"]
    assert f"{path}:line 2: invalid JSON" in err
    assert f"{path}:line 3, transcript 'no-turns': turns: Field required" in err
    assert f"{path}:line 4, transcript 'bad-speaker', turn 1: speaker: Input should be" in err
    assert f"{path}:line 5, transcript 'bad-text', turn 0: text: " in err
    assert "scored 2 transcript(s); 4 could not be read" in err


def test_bad_text_transcript_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "call.txt"
    path.write_text("Agent: Hello\nRobot: beep\n")
    code, _, err = run(["score", str(path)], capsys)
    assert code == 2
    assert f"{path}:line 2, transcript 'call': unknown speaker 'Robot'" in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", "no/such/file.json"], capsys)
    assert code == 2 and "no/such/file.json: no such file or folder" in err


@pytest.mark.parametrize("command", ["score", "convert"])
def test_unknown_input_format(capsys: pytest.CaptureFixture[str], command: str,
                              tmp_path: Path) -> None:
    """Refused before anything is written: until 2026-12-07 `convert --to json --output
    FILE` emptied FILE (and wrote ``[`` to it) before it checked the format."""
    output = tmp_path / "kept.json"
    output.write_text("kept\n", encoding="utf-8")
    code, out, err = run([command, str(EXAMPLES), "--input-format", "fax",
                          "--output", str(output), *(["--to", "json"] * (command == "convert"))],
                         capsys)
    assert code == 2 and "unknown --input-format 'fax'" in err
    assert "use auto or one of: " in err and out == ""
    assert output.read_text(encoding="utf-8") == "kept\n"


def test_spacy_model_not_installed_says_how_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", str(EXAMPLES), "--spacy-model", "xx_not_a_model"], capsys)
    assert code == 2
    assert "python -m spacy download xx_not_a_model" in err


def test_broken_pack_exits_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text("id: p.x\nkind: phrase\n  bad: indent\n")
    code, _, err = run(["score", str(EXAMPLES), "--pack", str(pack)], capsys)
    assert code == 2 and f"{pack / 'r.yaml'}:3: invalid YAML" in err


def test_rules_list_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "list"], capsys)
    assert code == 0 and "defensive.blame" in out and "empathy.shown" in out
    code, out, _ = run(["rules", "explain", "defensive.dismissive"], capsys)
    assert code == 0
    for title in ("What it does:", "Why it matters:", "Example:", "Use instead:"):
        assert title in out
    assert run(["rules", "explain", "no.such"], capsys)[0] == 2


def test_rules_test_reports_missed_and_unexpected_with_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_file = tmp_path / "dismissive.test.transcript"
    test_file.write_text(
        "Customer: hello\n"
        "# ruleid: defensive.dismissive\n"
        "Agent: Good morning.\n"
        "---\n"
        "Customer: hello\n"
        "Agent: Relax.\n"
        "# ok: defensive.dismissive\n"
        "Agent: Calm down.\n"
        "# ruleid: no.such-rule\n"
        "Agent: hi\n"
    )
    code, out, _ = run(["rules", "test", str(test_file)], capsys)
    assert code == 1
    assert f"{test_file}:2: missed defensive.dismissive" in out
    assert f"{test_file}:6: unexpected defensive.dismissive" in out
    assert f"{test_file}:7: unexpected defensive.dismissive" in out
    assert f"{test_file}:9: unknown-rule no.such-rule" in out


def test_rules_test_cuts_an_annotated_id_too_long_for_a_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An annotation naming an id of 100 KB (no rule has one: an id is at most 100
    characters) made a problem line of 100 KB; the id is shown by its first 40 characters."""
    test_file = tmp_path / "x.test.transcript"
    test_file.write_text("# ruleid: empathy." + "z" * 100_000 + "\nCustomer: I am upset\n")
    code, out, _ = run(["rules", "test", str(test_file)], capsys)
    assert code == 1
    assert f"{test_file}:1: unknown-rule empathy.{'z' * 32}... no loaded rule has this id" in out
    assert all(len(line) < 500 for line in out.splitlines())


def test_rules_lint_requires_tests_both_ways(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text(
        "id: p.x\nkind: phrase\ncategory: c\nmessage: m\nsuggestion: s\nmatch: {phrases: [x]}\n"
    )
    (pack / "r.test.transcript").write_text("# ruleid: p.x\nAgent: x\n")
    code, out, _ = run(["rules", "lint", "--pack", str(pack)], capsys)
    assert code == 1
    assert "p.x: no 'docs'" in out and "has no 'ok' case" in out


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "servicecoach"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "score" in done.stdout


def test_python_m_runs_the_command_line(tmp_path: Path) -> None:
    """`python -m servicecoach` is the command (where the script is not on PATH) and keeps
    its exit codes: 1 when findings reach --fail-on."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-m", "servicecoach", "--help"], capture_output=True,
                          text=True, check=False, env=env)
    assert done.returncode == 0 and "score" in done.stdout
    assert done.stdout.startswith("usage: servicecoach ")
    calls = REPO / "examples" / "transcripts" / "refund-call.txt"
    done = subprocess.run([sys.executable, "-m", "servicecoach", "score", str(calls), "--quiet",
                           "--fail-on", "warning"], capture_output=True, text=True, check=False,
                          env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stderr


def test_published_schemas_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    for model in ("transcript", "report", "rule"):
        code, out, _ = run(["schema", model], capsys)
        published = (REPO / "docs" / "schemas" / f"{model}.schema.json").read_text()
        assert code == 0
        assert json.loads(out) == json.loads(published), (
            f"docs/schemas/{model}.schema.json is stale: "
            f"run 'servicecoach schema {model} > docs/schemas/{model}.schema.json'"
        )


def _many(tmp_path: Path, broken: bool) -> Path:
    lines = [json.dumps({"id": f"c{i}", "turns": [{"speaker": "customer", "text": "hi"},
                                                   {"speaker": "agent", "text": text}]})
             for i, text in enumerate(["Calm down.", "Sure, done.", "That's our policy."] * 3)]
    if broken:
        lines.insert(4, "{broken")
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_workers_keep_input_order_and_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _many(tmp_path, broken=True)
    one_code, one, _ = run(["score", str(path), "--format", "jsonl"], capsys)
    two_code, two, err = run(["score", str(path), "--format", "jsonl", "--workers", "2"], capsys)
    assert one_code == two_code == 2
    assert one == two
    assert [json.loads(line)["transcript_id"] for line in two.splitlines()] == [
        f"c{i}" for i in range(9)]
    assert "line 5: invalid JSON" in err


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("fail_on", [None, "warning", "critical"])
def test_workers_render_every_format_and_fail_on_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, fail_on: str | None
) -> None:
    """Workers render the reports themselves: the output and exit code must not change."""
    path = _many(tmp_path, broken=False)
    args = ["score", str(path), "--format", output] + (["--fail-on", fail_on] if fail_on else [])
    one_code, one, _ = run(args, capsys)
    two_code, two, _ = run([*args, "--workers", "2"], capsys)
    assert one == two
    assert one_code == two_code == (1 if fail_on == "warning" else 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no conversation in the file"),
        ("# only a comment\n", "no conversation in the file"),
        ("%% id: a\nAgent: hi\n---\n%% id: second\n---\nAgent: third\n",
         "line 4, transcript 'second': this conversation has no turns"),
    ],
)
def test_text_input_without_turns_is_reported_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(content)
    code, _, err = run(["score", str(path), "--input-format", "text"], capsys)
    assert code == 2 and message in err
    code, _, err = run(["score", str(path)], capsys)  # auto: detected, empty, or unknown
    assert code == 2 and "1 could not be read" in err
    if not content:
        assert "the file is empty" in err


def test_bad_regex_inside_a_token_pattern_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text("id: p.x\nkind: phrase\ncategory: c\nmessage: m\nsuggestion: s\n"
                                 "match: {patterns: [[{LOWER: {REGEX: '('}}]]}\n")
    code, _, err = run(["score", str(EXAMPLES), "--pack", str(pack)], capsys)
    assert code == 2
    assert f"{pack / 'r.yaml'}:6: rule p.x: match.patterns: bad REGEX '(': does not compile" in err


def test_metadata_only_records_are_skipped_and_counted_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = shared("formats/zendesk/zenpy_spec_talk_leg.json")
    (tmp_path / "leg.json").write_text(sample.read_text())
    (tmp_path / "call.txt").write_text(FINE)
    code, _, err = run(["score", str(tmp_path)], capsys)
    assert code == 0
    assert "skipped: " in err and "metadata only" in err
    assert "scored 1 transcript(s); 0 could not be read; 1 metadata-only record(s) skipped" in err


def test_reports_say_when_roles_were_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    sample = shared("formats/aws-transcribe/awsdocs_transcribe_batch_speaker_labels.json")
    _, out, _ = run(["score", str(sample), "--format", "jsonl"], capsys)
    (note,) = json.loads(out)["notes"]
    assert note.startswith("speaker roles were decided by heuristic (spk_0 = ")
    _, out, _ = run(["score", str(sample), "--format", "jsonl", "--roles", "spk_0=agent",
                     "--roles", "spk_1=customer"], capsys)
    assert json.loads(out)["notes"] == []


def test_convert_warns_of_a_transcript_id_seen_twice_as_score_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """convert wrote a folder of two deliveries of one export without a word, and only
    scoring the converted file said that its ids repeat, naming lines of the converted
    file rather than the exports (until 2026-12-07); convert warns as score does, naming
    the export's file, record and line."""
    export = REPO / "examples" / "exports" / "chat-export.csv"
    (tmp_path / "a.csv").write_text(export.read_text())
    (tmp_path / "b.csv").write_text(export.read_text().replace("\n", "\r\n"))
    converted = tmp_path / "out" / "all.jsonl"
    converted.parent.mkdir()
    assert main(["convert", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"),
                 "-o", str(converted)]) == 0
    err = capsys.readouterr().err
    assert (f"warning: duplicate transcript id 'chat-1001': {tmp_path / 'b.csv'}: record 1 "
            f"(line 2) repeats {tmp_path / 'a.csv'}: record 1 (line 2)") in err
    assert len(converted.read_text().splitlines()) == 4  # warned of, still written


def test_convert_keeps_a_channel_given_as_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """convert left out every field at its default, chat included: a conversation the
    export said was a chat (an Amazon Connect chat, canonical JSON with "channel": "chat")
    was written with no channel, then scored on --channel or the configuration's channel,
    as a call. A channel the input gives is written; one it does not give is not."""
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(json.dumps(record) + "\n" for record in [
        {"id": "given", "channel": "chat", "turns": [{"speaker": "agent", "text": "Hi"}]},
        {"id": "unsaid", "turns": [{"speaker": "agent", "text": "Hi"}]}]))
    converted = tmp_path / "converted.jsonl"
    assert main(["convert", str(calls), "-o", str(converted)]) == 0
    assert [json.loads(line).get("channel") for line in converted.read_text().splitlines()] \
        == ["chat", None]
    capsys.readouterr()
    for source in (calls, converted):
        assert main(["score", str(source), "--channel", "voice", "--format", "jsonl"]) in (0, 1)
        reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [report["channel"] for report in reports] == ["chat", "voice"], source


def test_an_output_that_is_a_pipe_or_a_device_is_written_into(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A named pipe (and /dev/null) given as --output or --junit is written into, not
    replaced by a file renamed over it (its reader would get nothing) nor given a
    partial file beside it."""
    results = tmp_path / "results.jsonl"
    assert main(["score", "examples/transcripts", "--format", "jsonl", "--output",
                 str(results)]) == 0
    pipe = tmp_path / "summary.pipe"
    os.mkfifo(pipe)
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    assert main(["summarize", str(results), "--output", str(pipe)]) == 0
    reader.join(timeout=30)
    assert "2 conversation(s)" in read[0] and stat.S_ISFIFO(pipe.stat().st_mode)
    assert main(["summarize", str(results), "--output", os.devnull]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl", "summary.pipe"]
    capsys.readouterr()


def test_a_command_that_fails_leaves_its_output_file_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """summarize (and every command writing --output) opened the file before reading its
    input, so a missing input emptied last week's summary; the file is replaced only when
    the command completes, through a link to it as well."""
    kept = tmp_path / "summary.txt"
    kept.write_text("last week's summary\n", encoding="utf-8")
    assert main(["summarize", str(tmp_path / "missing.jsonl"), "--output", str(kept)]) == 2
    assert kept.read_text(encoding="utf-8") == "last week's summary\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.txt"]  # no partial left
    results = tmp_path / "results.jsonl"
    assert main(["score", "examples/transcripts", "--format", "jsonl", "--output",
                 str(results)]) == 0
    link = tmp_path / "latest.txt"
    link.symlink_to(kept)
    assert main(["summarize", str(results), "--output", str(link)]) == 0
    assert link.is_symlink() and "2 conversation(s)" in kept.read_text(encoding="utf-8")
    capsys.readouterr()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_a_replaced_output_keeps_its_permission_bits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: int) -> None:
    """An output was written beside it and renamed over it as a new file with the umask's
    bits: a report kept 0600 for privacy, or made group-readable (0640) for a team, became
    0644. Every output replaced (score's, summarize's, check's, the HTML report) keeps the
    bits of the file it replaces."""
    results = tmp_path / "results.jsonl"
    summary = tmp_path / "summary.txt"
    report = tmp_path / "report.html"
    checked = tmp_path / "checked.txt"
    for path in (results, summary, report, checked):
        path.write_text("last week\n", encoding="utf-8")
        path.chmod(mode)
    assert main(["score", str(EXAMPLES), "--format", "jsonl", "--output", str(results),
                 "--quiet"]) == 0
    assert main(["summarize", str(results), "--output", str(summary),
                 "--html", str(report)]) == 0
    canned = tmp_path / "canned" / "calm.txt"
    canned.parent.mkdir()
    canned.write_text(CALM.replace("\n", "\n%% expect: defensive.dismissive\n", 1),
                      encoding="utf-8")
    assert main(["check", str(canned.parent), "--output", str(checked)]) == 0
    for path in (results, summary, report, checked):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
        assert path.read_text(encoding="utf-8") != "last week\n", path
    fresh = tmp_path / "fresh.txt"
    assert main(["summarize", str(results), "--output", str(fresh)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # a new file: the umask's
    capsys.readouterr()


@pytest.mark.parametrize("wrong", ["missing-folder", "a-folder"])
def test_an_output_that_cannot_be_written_leaves_every_other_output_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], wrong: str) -> None:
    """`check --output X --junit Y` replaced X, then failed to open Y (a folder that does
    not exist, a path that is a folder): exit 2 with X half of the result. Every output a
    command writes is opened (or its folder checked) before any is replaced: `check`'s
    --junit, `score`'s --report and `summarize`'s --html, which are written at the end."""
    kept = tmp_path / "kept.txt"
    kept.write_text("last week\n", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    assert main(["score", str(EXAMPLES), "--format", "jsonl", "-o", str(results),
                 "--quiet"]) == 0
    before = results.read_bytes()
    canned = tmp_path / "canned" / "calm.txt"
    canned.parent.mkdir()
    canned.write_text(CALM.replace("\n", "\n%% expect: defensive.dismissive\n", 1),
                      encoding="utf-8")
    bad = tmp_path / "missing" / "out" if wrong == "missing-folder" else canned.parent
    capsys.readouterr()
    for argv, option in (
            (["check", str(canned.parent), "-o", str(kept), "--junit", str(bad)], "--junit"),
            (["score", str(EXAMPLES), "--format", "jsonl", "-o", str(results),
              "--errors", str(kept), "--report", str(bad)], "--report"),
            (["summarize", str(results), "-o", str(kept), "--html", str(bad)], "--html")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"error: cannot write {option} {bad}: " in err, err
        assert ("does not exist (create it first" in err if wrong == "missing-folder"
                else "Is a directory" in err or "it is a folder (name a file" in err), err
        assert kept.read_text(encoding="utf-8") == "last week\n", argv
        assert results.read_bytes() == before, argv
        assert sorted(p.name for p in tmp_path.iterdir()) == ["canned", "kept.txt",
                                                              "results.jsonl"], argv
