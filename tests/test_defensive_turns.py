"""The defensive, negative-language and hedge rules per turn on real agent turns nobody on the team wrote.

`training/signals/defensive-turns.jsonl` labels 201 agent turns of ../shared/corpora/ and of
the rated dialogues' fold 0/2 (ids and turn indexes only) for `defensive.blame`,
`defensive.deflection`, `defensive.dismissive`, `language.negative`, `confidence.hedge` and
`empathy.undercut` against CHECKS.md; the rules were widened and narrowed from the misses
of its dev half, so its test half is checked here (and the dev half is held to what it
reads now). docs/accuracy.md ("Agent readings per turn on real text") has the numbers.
"""

from __future__ import annotations

import json

import pytest
from conftest import REPO, SHARED
from test_agent_turns import _script

from servicecoach import Coach
from servicecoach.evaluation import Fold

CORPORA = SHARED / "corpora"
RATED = SHARED / "satisfaction" / "stc3_train_dev600.jsonl"
TURNS = REPO / "training" / "signals" / "defensive-turns.jsonl"
LABELS = ("blame", "deflection", "dismissive", "negative", "hedge", "undercut")
pytestmark = pytest.mark.skipif(not (CORPORA / "stc3_helpdesk_test_en.jsonl").is_file()
                                or not RATED.is_file(),
                                reason="../shared/corpora/ or ../shared/satisfaction/ is not "
                                       "beside the checkout")


def _records() -> list[dict[str, object]]:
    return [json.loads(line) for line in TURNS.read_text(encoding="utf-8").splitlines()]


def _counts(coach: Coach, half: str) -> dict[str, list[int]]:
    script = _script()
    counts, _ = script.measure(coach, list(script.corpus_turns(TURNS, CORPORA, half, RATED)))
    return counts


@pytest.fixture(scope="module")
def test_half_counts(coach: Coach) -> dict[str, list[int]]:
    return _counts(coach, "test")


@pytest.fixture(scope="module")
def dev_half_counts(coach: Coach) -> dict[str, list[int]]:
    return _counts(coach, "dev")


@pytest.mark.parametrize(("label", "min_precision", "min_recall"),
                         [("deflection", 0.9, 0.9), ("dismissive", 0.9, 0.25),
                          ("hedge", 0.75, 0.9)])
def test_test_half_precision_and_recall(test_half_counts: dict[str, list[int]], label: str,
                                        min_precision: float, min_recall: float) -> None:
    """Measured once after tuning (84 turns): deflection 1.00 / 1.00 (2 labels), dismissive
    1.00 / 0.25 (4), hedge 0.80 / 1.00 (4)."""
    precision, recall = _script().ratios(*test_half_counts[label])
    assert precision >= min_precision, test_half_counts[label]
    assert recall >= min_recall, test_half_counts[label]


def test_test_half_false_alarms_stay_few(test_half_counts: dict[str, list[int]]) -> None:
    """A false accusation of an agent is worse than a miss: no blame, deflection, dismissal
    or undercut read where the annotator saw none, and language.negative's two false alarms
    (of 84 turns) do not grow."""
    for label in ("blame", "deflection", "dismissive", "undercut"):
        assert test_half_counts[label][1] == 0, (label, test_half_counts[label])
    assert test_half_counts["negative"][1] <= 2, test_half_counts["negative"]


@pytest.mark.parametrize(("label", "min_precision", "min_recall"),
                         [("deflection", 1.0, 1.0), ("dismissive", 1.0, 1.0),
                          ("negative", 0.8, 1.0), ("hedge", 0.8, 1.0)])
def test_dev_half_precision_and_recall(dev_half_counts: dict[str, list[int]], label: str,
                                       min_precision: float, min_recall: float) -> None:
    """The dev half (117 turns, tuned on) keeps what the rules read now."""
    precision, recall = _script().ratios(*dev_half_counts[label])
    assert precision >= min_precision and recall >= min_recall, dev_half_counts[label]


def test_the_halves_share_no_dialogue_and_no_held_out_one() -> None:
    """A dialogue is in one half only; none is in devset-real, in the labelled agent turns
    (tuned on for acknowledgement and promises) or in the customer turns' test half; the
    rated dialogues come from their fold 0/2 only (fold 1/2 checks the overall score)."""
    halves: dict[str, set[str]] = {}
    for record in _records():
        halves.setdefault(str(record["half"]), set()).add(str(record["id"]))
    assert set(halves) == {"dev", "test"}
    assert not halves["dev"] & halves["test"]
    drawn = halves["dev"] | halves["test"]
    devset = SHARED / "devset-real" / "transcripts.jsonl"
    real = {json.loads(line)["id"] for line in devset.read_text(encoding="utf-8").splitlines()}
    signals = REPO / "training" / "signals"
    agent = {json.loads(line)["id"] for line in
             (signals / "agent-turns.jsonl").read_text(encoding="utf-8").splitlines()}
    customer_test = {record["id"] for record in map(
        json.loads, (signals / "corpus-turns.jsonl").read_text(encoding="utf-8").splitlines())
        if record["half"] == "test"}
    assert not drawn & (real | agent | customer_test)
    rated = {json.loads(line)["id"] for line in RATED.read_text(encoding="utf-8").splitlines()}
    assert all(Fold(0, 2).keeps(dialogue) for dialogue in drawn & rated)


def test_the_labelled_turns_hold_no_corpus_text() -> None:
    """The corpora stay in ../shared: the file keeps ids, indexes, labels and reasons."""
    for record in _records():
        assert set(record) == {"id", "turn", *LABELS, "reason", "stratum", "half"}
        assert len(str(record["reason"])) <= 80
