"""Every example a user would copy runs and does what its docs say."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

EXAMPLES = REPO / "examples"
SCRIPT = Path(sys.executable).parent / "servicecoach"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


def test_quickstart_prints_findings_with_suggestions() -> None:
    done = run(sys.executable, str(EXAMPLES / "quickstart.py"))
    assert done.returncode == 0, done.stderr
    assert "refund-call: overall" in done.stdout
    assert "defensive.dismissive" in done.stdout and "suggestion:" in done.stdout


def test_live_session_gives_hints_as_turns_arrive() -> None:
    done = run(sys.executable, str(EXAMPLES / "live_session.py"))
    assert done.returncode == 0, done.stderr
    assert "[hint on turn 2] empathy.missing" in done.stdout
    assert "[hint on turn 4] empathy.undercut" in done.stdout
    assert "overall score:" in done.stdout


def test_custom_pack_config_is_found_and_applied() -> None:
    folder = EXAMPLES / "custom_pack"
    done = run(str(SCRIPT), "score", "call.txt", "--format", "jsonl", cwd=folder)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert by_rule["defensive.dismissive"]["severity"] == "critical"  # severity override
    assert by_rule["acme.jargon"]["suggestion"] == 'Say "return authorisation" instead.'
    assert report["packs"] == {"core": "0.1.0", "acme": "1.0.0"}


def test_custom_pack_rule_tests_pass() -> None:
    done = run(str(SCRIPT), "rules", "test", "acme", cwd=EXAMPLES / "custom_pack")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bundled_transcripts_score() -> None:
    done = run(str(SCRIPT), "score", str(EXAMPLES / "transcripts"), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


def test_exports_are_detected_and_scored() -> None:
    done = run(str(SCRIPT), "score", str(EXAMPLES / "exports"), "--agent", "Jordan Lee",
               "--format", "jsonl", "--verbose")
    assert done.returncode == 0, done.stderr
    assert "chat-export.csv: read as csv" in done.stderr
    assert "support-call.vtt: read as vtt" in done.stderr
    reports = {r["transcript_id"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(reports) == {"chat-1001", "chat-1002", "support-call"}
    rules_1001 = {f["rule_id"] for f in reports["chat-1001"]["findings"]}
    assert {"empathy.missing", "defensive.deflection", "responsiveness.slow-reply"} <= rules_1001


def test_convert_shows_what_was_understood() -> None:
    done = run(str(SCRIPT), "convert", str(EXAMPLES / "exports" / "support-call.vtt"),
               "--agent", "Jordan Lee")
    assert done.returncode == 0, done.stderr
    transcript = json.loads(done.stdout)
    assert transcript["metadata"]["customer_name"] == "Maria Lopez"
    assert [t["speaker"] for t in transcript["turns"]] == ["agent", "customer"] * 2 + ["agent"]
    assert transcript["turns"][1]["start"] == 4.5


def test_ci_examples_use_real_commands() -> None:
    import shlex

    import yaml

    from servicecoach.cli import _parser

    workflow = yaml.safe_load((EXAMPLES / "ci" / "servicecoach.yml").read_text())
    hooks = yaml.safe_load((EXAMPLES / "ci" / "pre-commit-config.yaml").read_text())
    commands = [step["run"] for step in workflow["jobs"]["check"]["steps"]
                if "run" in step and step["run"].startswith("servicecoach")]
    commands += [hook["entry"] + " training/x.txt" for hook in hooks["repos"][0]["hooks"]]
    assert len(commands) >= 4
    for command in commands:
        _parser().parse_args(shlex.split(command)[1:])  # exits on an unknown option
    installs = [step["run"] for step in workflow["jobs"]["check"]["steps"]
                if "pip install" in step.get("run", "")]
    version = importlib.metadata.version("servicecoach")
    assert installs == [f'pip install "servicecoach=={version}"'], \
        "the workflow pins this version: an upgrade is a pull request of its own"


def test_the_pre_commit_hook_checks_a_changed_sidecar(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook's files pattern left sidecars out, so a commit that changed only
    expectations (calls.expect.yaml) checked nothing; the hook is given the sidecar and
    checks the file that reads it."""
    import re
    import shlex

    import yaml

    from servicecoach.cli import main

    hooks = yaml.safe_load((EXAMPLES / "ci" / "pre-commit-config.yaml").read_text())
    (hook,) = [h for h in hooks["repos"][0]["hooks"] if h["id"] == "servicecoach-check"]
    changed = "training/calls.expect.yaml"
    assert re.search(hook["files"], changed)
    (tmp_path / "training").mkdir()
    record = {"id": "j1", "turns": [{"speaker": "agent", "text": "Calm down."}]}
    (tmp_path / "training" / "calls.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / changed).write_text("j1:\n  absent: [defensive.dismissive]\n")
    monkeypatch.chdir(tmp_path)
    assert main([*shlex.split(hook["entry"])[1:], changed]) == 1
    assert "FAIL j1" in capsys.readouterr().out

