"""The import contract of pyproject.toml ([tool.importlinter]) holds: facts below, thin
rules above; readers know nothing of scoring."""

from __future__ import annotations

import shutil
import subprocess

from conftest import REPO


def test_import_contracts_are_kept() -> None:
    command = shutil.which("lint-imports")
    assert command is not None, "install the test extras: pip install -e '.[test]'"
    done = subprocess.run([command], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
