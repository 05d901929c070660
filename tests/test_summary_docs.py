"""docs/summaries.md and docs/html-report.md show real output: each ``console`` block's
``$ servicecoach ...`` commands run here, in a folder holding a copy of examples/, and
print exactly the lines the page shows (``| head -N``: the first N lines)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from servicecoach.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGES = ("summaries.md", "html-report.md")
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def console_runs(page: Path) -> list[tuple[str, list[str]]]:
    """Every ``$ command`` of the page's console blocks with the lines shown after it."""
    runs: list[tuple[str, list[str]]] = []
    for block in _BLOCK.findall(page.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("$ "):
                runs.append((line[2:], []))
            else:
                runs[-1][1].append(line)
    return runs


def run_command(command: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines `command` prints on stdout (a trailing ``| head -N`` keeps N)."""
    command, _, head = command.partition(" | head -")
    words = shlex.split(command)
    assert words[0] == "servicecoach", command
    capsys.readouterr()
    main(words[1:])
    lines = capsys.readouterr().out.splitlines()
    return lines[:int(head)] if head else lines


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_commands_print_what_the_page_shows(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    runs = console_runs(REPO / "docs" / name)
    assert runs, f"docs/{name} has no console block"
    for command, shown in runs:
        assert run_command(command, capsys) == shown, f"docs/{name}: {command}"
