"""Every example a user would copy runs and does what its docs say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
