"""Accuracy on a second set of real dialogues, labelled blind (tests/real-heldout/).

Its labels are in the repository, its texts in ../shared (the dialogues' licences keep them
out): `scripts/gather_transcripts.py` writes the transcripts the labels name. Fold 1/2 (by
the hash of the dialogue id) was read for misses and false alarms and the classes they
showed were generalised into the rules; fold 0/2 is only scored. docs/accuracy.md has the
numbers.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO, shared

from servicecoach import Coach
from servicecoach.evaluation import Fold, run_eval

LABELS = REPO / "tests" / "real-heldout" / "labels.jsonl"


def _gather() -> ModuleType:
    """scripts/gather_transcripts.py, the way a user runs it."""
    spec = importlib.util.spec_from_file_location(
        "gather_transcripts", REPO / "scripts" / "gather_transcripts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The set's transcripts, gathered from ../shared into a file of their own."""
    gather = _gather()
    ids = gather.wanted_ids(LABELS)
    found = gather.find_dialogues(ids, [shared("corpora"), shared("satisfaction")])
    assert sorted(found) == sorted(ids), "every labelled dialogue is in ../shared"
    path = tmp_path_factory.mktemp("real-heldout") / "transcripts.jsonl"
    path.write_text("".join(found[i] + "\n" for i in ids), encoding="utf-8")
    return path


def test_labels_hold_no_dialogue_text() -> None:
    """Only ids, findings and turn signals are kept here: the text stays in ../shared."""
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == {"id", "expected", "signals"}


def test_the_set_is_disjoint_from_the_labelled_dev_set() -> None:
    """None of its dialogues is one the rules were tuned on in devset-real."""
    tuned = {json.loads(line)["id"] for line in
             shared("devset-real/transcripts.jsonl").read_text(encoding="utf-8").splitlines()}
    assert not tuned & set(_gather().wanted_ids(LABELS))


@pytest.mark.parametrize(("fold", "min_precision", "min_recall", "min_f1"),
                         [("0/2", 0.93, 0.8, 0.87), ("1/2", 0.88, 0.8, 0.84)])
def test_fold_reaches_precision_and_recall(coach: Coach, transcripts: Path, fold: str,
                                           min_precision: float, min_recall: float,
                                           min_f1: float) -> None:
    """The held-out fold 0/2 (never read: 0.97 / 0.85 / 0.91 on 2026-12-05) and the tuned
    fold 1/2 (0.92 / 0.85 / 0.88 after its misses were read) stay at or above floors a
    little under what they reached."""
    out = io.StringIO()
    run_eval(coach, transcripts, LABELS, out=out, fold=Fold.parse(fold))
    row = next(line for line in out.getvalue().splitlines() if line.startswith("overall"))
    precision, recall, f1 = (float(value) for value in row.split()[-3:])
    assert precision >= min_precision and recall >= min_recall and f1 >= min_f1, \
        out.getvalue()
