"""docs/batch.md: every ``console`` block runs, in order, in a copy of examples/batch, and
prints what the page shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PAGE = REPO / "docs" / "batch.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def commands(page: str) -> list[tuple[str, str]]:
    """(command, expected output) for every ``$ `` line of the page's console blocks."""
    found: list[tuple[str, str]] = []
    for block in BLOCK.findall(page):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def test_the_console_blocks_print_what_the_page_shows(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    shutil.copytree(REPO / "examples" / "batch", folder)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "200"}
    ran = commands(PAGE.read_text(encoding="utf-8"))
    assert len(ran) >= 7
    for command, expected in ran:
        done = subprocess.run(["bash", "-c", command], check=False, cwd=folder, env=env,
                              text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        assert done.stdout == expected, command
