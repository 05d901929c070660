"""Per-turn customer signals on real corpus turns nobody on the team wrote.

`training/signals/corpus-turns.jsonl` labels 338 customer turns of ../shared/corpora/
(ids and turn indexes only) for distress and strong negativity against CHECKS.md; the
cues were written from the misses of its dev half, so its test half is checked here.
docs/accuracy.md has the numbers and how the turns were drawn and labelled.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest
from conftest import REPO, SHARED

from servicecoach import Coach

CORPORA = SHARED / "corpora"
TURNS = REPO / "training" / "signals" / "corpus-turns.jsonl"
pytestmark = pytest.mark.skipif(not (CORPORA / "stc3_helpdesk_test_en.jsonl").is_file(),
                                reason="../shared/corpora/ is not beside the checkout")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "measure_signals", REPO / "scripts" / "measure_signals.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def test_half_counts(coach: Coach) -> dict[str, list[int]]:
    script = _script()
    turns = list(script.corpus_turns(TURNS, CORPORA, "test"))
    assert len(turns) >= 150
    counts, _ = script.measure(coach, turns)
    return counts


@pytest.mark.parametrize(("signal", "min_precision", "min_recall"),
                         [("distress", 0.85, 0.75), ("strong", 0.9, 0.75)])
def test_test_half_precision_and_recall(test_half_counts: dict[str, list[int]], signal: str,
                                        min_precision: float, min_recall: float) -> None:
    precision, recall = _script().ratios(*test_half_counts[signal])
    assert precision >= min_precision, test_half_counts[signal]
    assert recall >= min_recall, test_half_counts[signal]


def test_the_labelled_turns_hold_no_corpus_text() -> None:
    """The corpora stay in ../shared: the file keeps ids, indexes, labels and reasons."""
    for line in TURNS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert set(record) == {"id", "turn", "distress", "strong", "reason", "stratum", "half"}
        assert len(record["reason"]) <= 80
