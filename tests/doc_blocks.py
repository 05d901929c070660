"""The fenced code blocks of README.md and docs/, and how the docs test checks each one.

The convention (also in docs/contributing.md). The first word of a block's info string is
its language; the word ``excerpt`` after it marks a block that is not run (a fragment, a
layout, an elided output, a command that downloads or runs for minutes):

- ``console``: ``$ command`` lines, each followed by what it prints on stdout (add ``2>&1``
  to show stderr). Compared after stripping trailing spaces; ``...`` on a line of its own
  stands for any number of lines, and inside a line for any text. A command may exit 0,
  or 1 when it is a ``servicecoach`` command (findings or mismatches).
- ``sh``: every line is a command, run the same way; its output is not compared. ``pip
  install`` lines are left to ``.ci/run``, which runs the README's set-up commands.
- ``python``: run; the blocks of one page share one namespace, in order. A block that
  defines ``test_`` functions is a test file: it is run by pytest (with the servicecoach
  plugin). An ``output`` block right after a ``python`` block is its stdout.
- ``yaml``: a rule (``id`` and ``kind``) is loaded by a `Coach` as the only rule of a
  pack; a manifest (``name`` and ``version``) is validated.
- ``toml``: a servicecoach configuration, read by `load_config`.
- ``json``: parsed; a transcript (``turns``) or a report (``transcript_id``) is validated.
- ``transcript``: the plain-text transcript form, read without error; a block with
  ``# ruleid:`` / ``# ok:`` annotations runs as a rule test against the core pack.

Commands and code run in a scratch folder holding copies of ``examples/``, ``training/``,
``tests/devset/``, ``docs/`` and ``rules/``, with ``../shared`` beside it when the shared
data is there (a block that reads ``../shared`` is skipped otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CHECKED = frozenset({"console", "sh", "python", "output", "yaml", "toml", "json", "transcript"})
"""Languages the docs test runs or validates; any other block must be an excerpt."""

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>.*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its info string and its text."""

    path: Path
    line: int
    language: str
    words: tuple[str, ...]
    text: str

    @property
    def excerpt(self) -> bool:
        """True when the block is marked as an excerpt (not run)."""
        return "excerpt" in self.words

    @property
    def where(self) -> str:
        """``file:line`` of the opening fence."""
        return f"{self.path}:{self.line}"


def blocks_of(path: Path, *, root: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order (indented ones too, de-indented)."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        info = opening["info"].split()
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            line = lines[index]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
            index += 1
        start = index - len(body)
        found.append(Block(path.relative_to(root), start, info[0] if info else "",
                           tuple(info[1:]), "\n".join(body) + "\n"))
        index += 1
    return found


def markdown_files(root: Path) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


@dataclass(frozen=True)
class Command:
    """A ``console`` command and the output shown for it (None when none is shown)."""

    line: str
    expected: str | None


def console_commands(block: Block) -> list[Command]:
    """The ``$ command`` lines of a console block, each with the lines after it."""
    commands: list[Command] = []
    current: str | None = None
    shown: list[str] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            if current is not None:
                commands.append(Command(current, "\n".join(shown)))
            current, shown = line[2:], []
        elif current is not None:
            shown.append(line)
    if current is not None:
        commands.append(Command(current, "\n".join(shown)))
    return commands


def sh_commands(block: Block) -> list[str]:
    """The command lines of an ``sh`` block, without comments-only lines and installs."""
    return [line for line in block.text.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "pip install"))]


def output_matches(expected: str, actual: str) -> bool:
    """True when `actual` is what `expected` shows: trailing spaces and blank lines at the
    end ignored, ``...`` alone on a line for any number of lines, ``...`` in a line for any
    text."""
    pattern = []
    for line in expected.rstrip().splitlines():
        if line.strip() == "...":
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            pattern.append(".*?".join(map(re.escape, line.rstrip().split("..."))) + "\n")
    text = "".join(line.rstrip() + "\n" for line in actual.rstrip().splitlines())
    return re.fullmatch("".join(pattern), text) is not None
