"""Accuracy on authored transcripts written blind to the rules (tests/authored-heldout/,
tests/authored-heldout-2/, tests/authored-heldout-3/ and tests/authored-heldout-4/).

Each set was written and labelled by someone who never read the rules. Its dev half
(`ho-dev-*`, `h2-dev-*`, `h3-dev-*`, `h4-dev-*`: 20 transcripts) was read for misses and false alarms and the
classes they showed were generalised into the rules; its test half (`ho-test-*`,
`h2-test-*`, `h3-test-*`, `h4-test-*`: 20 transcripts) is only scored. docs/accuracy.md has the numbers.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import half_of

from servicecoach import Coach
from servicecoach.evaluation import run_eval

TESTS = Path(__file__).parent
SETS = {"ho-": TESTS / "authored-heldout", "h2-": TESTS / "authored-heldout-2",
        "h3-": TESTS / "authored-heldout-3", "h4-": TESTS / "authored-heldout-4"}
"""Each set's folder, by the prefix of its transcript ids."""


def half(prefix: str, directory: Path) -> tuple[Path, Path]:
    """The transcripts and labels of one half, as files of their own."""
    return half_of(SETS[prefix[:3]], prefix, directory)


def overall(coach: Coach, prefix: str, directory: Path) -> tuple[float, float, str]:
    """Micro precision and recall of one half, with the printed evaluation."""
    transcripts, labels = half(prefix, directory)
    out = io.StringIO()
    run_eval(coach, transcripts, labels, out=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("overall"))
    precision, recall = (float(value) for value in row.split()[-3:-1])
    return precision, recall, out.getvalue()


@pytest.mark.parametrize("prefix", sorted(SETS))
def test_each_half_holds_twenty_transcripts(prefix: str) -> None:
    """The split the floors below rely on: 20 transcripts a half, every one labelled."""
    folder = SETS[prefix]
    ids = [json.loads(line)["id"] for line in
           (folder / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(i.startswith(f"{prefix}dev-") for i in ids) == 20
    assert sum(i.startswith(f"{prefix}test-") for i in ids) == 20
    labelled = [json.loads(line)["id"] for line in
                (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(labelled) == sorted(ids)


@pytest.mark.parametrize(("prefix", "min_precision", "min_recall"),
                         [("ho-dev-", 0.95, 0.95), ("ho-test-", 0.9, 0.8),
                          ("h2-dev-", 0.93, 0.88), ("h2-test-", 0.88, 0.75),
                          ("h3-dev-", 0.95, 0.92), ("h3-test-", 0.84, 0.72),
                          ("h4-dev-", 0.92, 0.68), ("h4-test-", 0.93, 0.74)])
def test_half_reaches_precision_and_recall(coach: Coach, tmp_path: Path, prefix: str,
                                           min_precision: float, min_recall: float) -> None:
    """The dev halves (tuned on: 1.00 / 0.98 and 0.96 / 0.92 on 2026-12-05, 1.00 / 0.96 on
    2026-12-06, 0.96 / 0.71 for the fourth set's, read later that day) and the test halves
    (measured, never read: 0.96 / 0.87, 0.92 / 0.79, 0.87 / 0.75 and 0.97 / 0.78) stay at
    or above floors a little under what they reached."""
    precision, recall, report = overall(coach, prefix, tmp_path)
    assert precision >= min_precision and recall >= min_recall, report
