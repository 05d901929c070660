"""Every annotated rule test of the bundled packs passes, and every rule is documented and tested."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from servicecoach import Coach
from servicecoach.rules.lint import lint
from servicecoach.testing.annotations import find_test_files, format_result, run_file

TEST_FILES = find_test_files([REPO / "rules"])


def test_there_are_rule_tests() -> None:
    assert len(TEST_FILES) >= 3


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(REPO / "rules")))
def test_annotated_rule_file(path: Path, coach: Coach) -> None:
    result = run_file(path, coach)
    assert result.checked > 0, f"{path} checks nothing"
    assert result.passed, "\n" + format_result(result)


def test_every_core_rule_is_documented_and_tested_both_ways(coach: Coach) -> None:
    problems = lint(coach.rules, coach.locations)
    assert not problems, "\n".join(str(p) for p in problems)
