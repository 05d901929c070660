"""`servicecoach rules lint`: every rule documented and tested both ways."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from servicecoach.errors import RulePackError
from servicecoach.readers.text import parse_blocks
from servicecoach.rules.loader import RuleLocation, read_utf8
from servicecoach.rules.schema import Rule
from servicecoach.testing.annotations import SUFFIX, annotations_of


@dataclass(frozen=True)
class LintProblem:
    """One rule that falls short, and where it is defined."""

    rule_id: str
    where: RuleLocation
    problem: str

    def __str__(self) -> str:
        return f"{self.where.path}:{self.where.line}: {self.rule_id}: {self.problem}"


def test_file_for(where: RuleLocation) -> Path:
    """The annotated test file that belongs to a rule file."""
    path = Path(where.path)
    return path.with_name(path.name.removesuffix(".yaml") + SUFFIX)


def lint(rules: tuple[Rule, ...], locations: dict[str, RuleLocation]) -> list[LintProblem]:
    """Problems: missing docs, missing test file, no must-fire or no must-not-fire case."""
    problems: list[LintProblem] = []
    kinds_by_file: dict[Path, dict[str, set[str]] | str] = {}
    for rule in rules:
        where = locations[rule.id]
        if rule.docs is None:
            problems.append(LintProblem(rule.id, where, "no 'docs' (what, why, example, use_instead)"))
        test_file = test_file_for(where)
        if not test_file.is_file():
            problems.append(LintProblem(rule.id, where, f"no test file {test_file.name}"))
            continue
        if test_file not in kinds_by_file:
            kinds_by_file[test_file] = _annotated_kinds(test_file)
        found = kinds_by_file[test_file]
        if isinstance(found, str):
            problems.append(LintProblem(rule.id, where, found))
            continue
        kinds = found.get(rule.id, set())
        if "ruleid" not in kinds:
            problems.append(LintProblem(rule.id, where, f"{test_file.name} has no 'ruleid' case"))
        if "ok" not in kinds:
            problems.append(LintProblem(rule.id, where, f"{test_file.name} has no 'ok' case"))
    return problems


def _annotated_kinds(test_file: Path) -> dict[str, set[str]] | str:
    """The kinds of annotation (``ruleid``, ``ok``...) each rule has in `test_file`, read
    as `rules test` reads it (a byte-order mark dropped); what is wrong with the file when
    it cannot be read (not UTF-8, too large)."""
    try:
        text = read_utf8(test_file)
    except RulePackError as error:
        line = f":{error.line}" if error.line else ""
        return f"{test_file.name}{line}: {error.what}" + (f" ({error.hint})" if error.hint else "")
    by_rule: dict[str, set[str]] = {}
    for block in parse_blocks(io.StringIO(text, newline=None)):
        for note in annotations_of(block):
            by_rule.setdefault(note.rule_id, set()).add(note.kind)
    return by_rule
