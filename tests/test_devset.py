"""The labelled development set covers the contract, and the core pack meets its targets on it."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from conftest import REPO, SHARED

from servicecoach import Coach
from servicecoach.evaluation import run_eval

DEVSET = REPO / "tests" / "devset"


def contract_ids() -> set[str]:
    """Every rule id in the tables of ../shared/CHECKS.md."""
    text = (SHARED / "CHECKS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", text, flags=re.MULTILINE))


NO_SHARED = pytest.mark.needs_shared


@NO_SHARED
def test_every_contract_id_is_labelled_at_least_three_times() -> None:
    counts: Counter[str] = Counter()
    for line in (DEVSET / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        for label in json.loads(line)["expected"]:
            counts[label["rule_id"]] += 1
    ids = contract_ids()
    assert len(ids) >= 29
    assert {rule_id: counts[rule_id] for rule_id in ids if counts[rule_id] < 3} == {}


@NO_SHARED
def test_every_contract_id_is_a_core_rule(coach: Coach) -> None:
    assert contract_ids() <= set(coach.rule_order)


def test_core_pack_meets_precision_and_recall_targets(coach: Coach) -> None:
    out = io.StringIO()
    code = run_eval(coach, DEVSET / "transcripts.jsonl", DEVSET / "labels.jsonl", 0.9, 0.85, out)
    report = out.getvalue()
    assert code == 0, report[report.index("rule id(s) below target") - 3:]
