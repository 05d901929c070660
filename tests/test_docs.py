"""Every code block in README.md and docs/ runs (or is validated) as written, or is marked as
an excerpt: a documentation example that drifts from the code fails here.

How each block is checked, and how to mark an excerpt, is in `doc_blocks` and in
docs/contributing.md. New pages are picked up without registering them.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, SHARED, skip_without_shared
from doc_blocks import (
    CHECKED,
    Block,
    blocks_of,
    console_commands,
    markdown_files,
    output_matches,
    sh_commands,
)

from servicecoach import Coach, cli
from servicecoach.analyzers.builtins import registered
from servicecoach.config import CoachConfig, load_config
from servicecoach.models import Report, Transcript
from servicecoach.readers.text import parse_transcripts
from servicecoach.rules.schema import PackManifest
from servicecoach.testing.annotations import format_result, run_file

BLOCKS = [block for path in markdown_files(REPO) for block in blocks_of(path, root=REPO)]
COPIED = ["examples", "training", "tests/devset", "tests/real-heldout", "docs", "rules", "scripts"]
BIN = Path(sys.executable).parent


def _by_language(*languages: str) -> list[Any]:
    return [pytest.param(block, id=block.where) for block in BLOCKS
            if block.language in languages and not block.excerpt]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding copies of what the docs' commands read and write."""
    root = tmp_path_factory.mktemp("docs")
    work = root / "work"
    for name in COPIED:
        shutil.copytree(REPO / name, work / name)
    if SHARED.is_dir():
        (root / "shared").symlink_to(SHARED)
    return work


_SHELL = set("|&;<>()$`*?[]{}~\\")  # what only a shell can run (quotes shlex reads)
_COACHES: dict[tuple[object, ...], Coach] = {}


def _cached_coach(config: CoachConfig | None = None, **options: Any) -> Coach:
    """A `Coach` per configuration, built once: a Coach is immutable, and commands that
    load the same packs need not pay for it again."""
    key = (config.model_dump_json() if config else "", config.base_dir if config else None,
           *((name, str(value)) for name, value in sorted(options.items())))
    if key not in _COACHES:
        _COACHES[key] = Coach(config, **options)
    return _COACHES[key]


def _run_in_process(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A plain ``servicecoach`` command run by `main` in this process (same output and exit
    code, without starting Python and loading the packs each time)."""
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                pytest.MonkeyPatch.context() as patch:
            patch.setattr(cli, "Coach", _cached_coach)
            try:
                code = cli.main(argv[1:])
            except SystemExit as exit_:
                code = int(exit_.code or 0)
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if "../shared" in command:
        skip_without_shared()
    argv = shlex.split(command, comments=True)
    if argv and argv[0] == "servicecoach" and not _SHELL & set(command.split("#")[0]):
        return _run_in_process(argv, cwd)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": "100"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=900)


def _drift(where: str, shown: str, printed: str) -> str:
    """What the docs show against what was printed, as a diff (``...`` lines are wildcards).
    Where the docs end on ``...``, only as many printed lines as they show are compared: the
    rest (an eval's misses on a held-out set, which its page leaves out on purpose) is never
    put in the failure message."""
    shown_lines, printed_lines = shown.rstrip().splitlines(), printed.rstrip().splitlines()
    if shown_lines and shown_lines[-1].strip() == "...":
        printed_lines = printed_lines[:len(shown_lines) - 1] + ["..."]
    diff = difflib.unified_diff(shown_lines, printed_lines,
                                "the docs show", "printed", lineterm="", n=1)
    return f"{where} drifted from its docs:\n" + "\n".join(diff)


def _exited_well(command: str, done: subprocess.CompletedProcess[str]) -> bool:
    findings = done.returncode == 1 and command.lstrip().startswith("servicecoach ")
    return done.returncode == 0 or findings


def test_every_block_is_checked_or_marked_as_an_excerpt() -> None:
    unmarked = [f"{b.where} ({b.language or 'no language'})" for b in BLOCKS
                if not b.excerpt and b.language not in CHECKED]
    assert not unmarked, ("mark these blocks as excerpts (```text excerpt) or give them a "
                          f"checked language ({', '.join(sorted(CHECKED))}): {unmarked}")
    orphans = [b.where for before, b in zip([None, *BLOCKS], BLOCKS, strict=False)
               if b.language == "output" and (before is None or before.language != "python")]
    assert not orphans, f"an output block must follow a python block: {orphans}"


@pytest.mark.parametrize("block", _by_language("console"))
def test_console_blocks_print_what_they_show(block: Block, scratch: Path) -> None:
    commands = console_commands(block)
    assert commands, f"{block.where}: a console block needs '$ command' lines"
    for command in commands:
        done = _run(command.line, scratch)
        assert _exited_well(command.line, done), f"{block.where}: {command.line}\n{done.stderr}"
        if not output_matches(command.expected or "", done.stdout):
            pytest.fail(_drift(f"{block.where}: `{command.line}`", command.expected or "",
                               done.stdout), pytrace=False)


@pytest.mark.parametrize("block", _by_language("sh"))
def test_sh_blocks_run(block: Block, scratch: Path) -> None:
    for command in sh_commands(block):
        done = _run(command, scratch)
        assert _exited_well(command, done), f"{block.where}: {command}\n{done.stderr[-3000:]}"


def _pages_with_python() -> list[Any]:
    pages = dict.fromkeys(b.path for b in BLOCKS if b.language == "python" and not b.excerpt)
    return [pytest.param(page, id=str(page)) for page in pages]


@pytest.mark.parametrize("page", _pages_with_python())
def test_python_blocks_run(page: Path, scratch: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scratch)
    blocks = [b for b in BLOCKS if b.path == page]
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for block, after in zip(blocks, [*blocks[1:], None], strict=True):
        if block.language != "python" or block.excerpt:
            continue
        if "def test_" in block.text:
            _run_as_test_file(block, tmp_path)
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.text, block.where, "exec"), namespace)  # noqa: S102
        if after is None or after.language != "output":
            continue
        if not output_matches(after.text, printed.getvalue()):
            pytest.fail(_drift(f"{block.where} (output in {after.where})", after.text,
                               printed.getvalue()), pytrace=False)


def _run_as_test_file(block: Block, folder: Path) -> None:
    (folder / "test_from_docs.py").write_text(block.text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_from_docs.py"], cwd=folder, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, f"{block.where}:\n{done.stdout[-3000:]}"


@pytest.mark.parametrize("block", _by_language("yaml"))
def test_yaml_blocks_load(block: Block, tmp_path: Path) -> None:
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict), f"{block.where}: a rule or a pack manifest"
    if "kind" in data:  # a rule: the only rule of a pack that extends core
        (tmp_path / "pack.yaml").write_text('name: docs\nversion: "0"\nextends: [core]\n')
        (tmp_path / "rule.yaml").write_text(yaml.safe_dump({**data, "id": "docs.example"}))
        coach = Coach(packs=[str(tmp_path)])
        assert "docs.example" in coach.rule_order
    else:
        PackManifest.model_validate(data)


@pytest.mark.parametrize("block", _by_language("toml"))
def test_toml_blocks_are_configurations(block: Block, tmp_path: Path) -> None:
    path = tmp_path / "servicecoach.toml"
    path.write_text(block.text, encoding="utf-8")
    load_config(path)


@pytest.mark.parametrize("block", _by_language("json"))
def test_json_blocks_parse(block: Block) -> None:
    data = json.loads(block.text)
    if isinstance(data, dict) and "turns" in data:
        Transcript.model_validate(data)
    if isinstance(data, dict) and "transcript_id" in data:
        Report.model_validate(data)


@pytest.mark.parametrize("block", _by_language("transcript"))
def test_transcript_blocks_read(block: Block, tmp_path: Path) -> None:
    if "# ruleid:" in block.text or "# ok:" in block.text:
        path = tmp_path / "docs.test.transcript"
        path.write_text(block.text, encoding="utf-8")
        result = run_file(path, Coach())
        assert result.passed, f"{block.where}:\n{format_result(result)}"
        return
    for parsed in parse_transcripts(block.text, source=block.where):
        assert isinstance(parsed, Transcript), str(parsed)


def test_the_analyzer_names_a_builtin_rule_can_use_are_documented() -> None:
    page = (REPO / "docs" / "rules" / "analyzers.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in page for name in registered())


def test_a_page_that_drifts_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text("Text.\n\n```console\n$ echo hi\nhello\n```\n\n  ```yaml excerpt\n"
                    "  a: [\n  ```\n\n```\nno language\n```\n")
    console, excerpt, bare = blocks_of(page, root=tmp_path)
    assert (console.language, console.line, console.excerpt) == ("console", 3, False)  # the opening fence
    assert excerpt.excerpt and excerpt.text == "a: [\n" and not bare.excerpt
    (command,) = console_commands(console)
    assert not output_matches(command.expected or "", "hi\n")  # the page says hello
    assert output_matches("hi\n...\nend ... here", "hi\n1\n2\nend of it here  \n\n")
    assert not output_matches("hi", "hi\nmore\n")


def test_a_drift_shows_no_more_than_the_page_shows() -> None:
    """An accuracy page shows the first lines of an eval on a held-out set and ends on
    '...'; when the numbers drifted, the failure printed the whole output, the set's
    misses with it."""
    message = _drift("page.md:3: `servicecoach eval`", "rule_id\nx 1 1\n...\n",
                     "rule_id\nx 2 1\nmissed: the held-out turn's text\n")
    assert "+x 2 1" in message and "held-out turn" not in message
