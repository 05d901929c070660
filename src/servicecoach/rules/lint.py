"""`servicecoach rules lint`: every rule documented and tested both ways."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from servicecoach.readers.text import parse_blocks
from servicecoach.rules.loader import RuleLocation
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
    kinds_by_file: dict[Path, dict[str, set[str]]] = {}
    for rule in rules:
        where = locations[rule.id]
        if rule.docs is None:
            problems.append(LintProblem(rule.id, where, "no 'docs' (what, why, example, use_instead)"))
        test_file = test_file_for(where)
        if not test_file.is_file():
            problems.append(LintProblem(rule.id, where, f"no test file {test_file.name}"))
            continue
        if test_file not in kinds_by_file:
            with test_file.open(encoding="utf-8") as handle:
                notes = [n for block in parse_blocks(handle) for n in annotations_of(block)]
            by_rule: dict[str, set[str]] = {}
            for note in notes:
                by_rule.setdefault(note.rule_id, set()).add(note.kind)
            kinds_by_file[test_file] = by_rule
        kinds = kinds_by_file[test_file].get(rule.id, set())
        if "ruleid" not in kinds:
            problems.append(LintProblem(rule.id, where, f"{test_file.name} has no 'ruleid' case"))
        if "ok" not in kinds:
            problems.append(LintProblem(rule.id, where, f"{test_file.name} has no 'ok' case"))
    return problems
