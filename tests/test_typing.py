"""The package is typed and lint-clean: mypy (configured by ``[tool.mypy]``) finds nothing in
it, ``ruff check`` finds nothing in the tree, and a user's ``mypy --strict`` reads our types
(``py.typed``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

USER_PROGRAM = """
from servicecoach import Coach, Report, Transcript


def overall(coach: Coach, transcript: Transcript) -> float | None:
    report: Report = coach.score(transcript)
    return report.overall


def wrong(coach: Coach) -> None:
    coach.score("not a transcript")
"""


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_mypy_is_clean_on_the_package() -> None:
    done = run("mypy", "src/servicecoach")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_check_is_clean() -> None:
    done = run("ruff", "check", "src", "tests", "benchmarks", "scripts")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_a_users_strict_mypy_reads_the_package_types(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(USER_PROGRAM)
    done = run("mypy", "--strict", "--no-incremental", "app.py", cwd=tmp_path)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    # the one mistake in the program is caught, which needs servicecoach's own annotations
    assert len(errors) == 1, done.stdout
    assert 'app.py:11: error: Argument 1 to "score" of "Coach" has incompatible type "str"' \
        in errors[0]
