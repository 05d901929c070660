"""Accuracy on more real dialogues, labelled blind (tests/real-heldout/).

Their labels are in the repository, their texts in ../shared (the dialogues' licences keep
them out): `scripts/gather_transcripts.py` writes the transcripts the labels name. In
`labels.jsonl` (50 dialogues) and `labels-2.jsonl` (40, labelled later) were read for misses
and false alarms (fold 1/2 of the first on 2026-12-05, late afternoon; the rest that
night) and the classes they showed were generalised into the rules. `labels-3.jsonl` (40
dialogues) is only scored. In `labels-4.jsonl` (40 dialogues) fold 1/2 was read and fold
0/2 is only scored; `labels-5.jsonl`, `labels-6.jsonl` and `labels-7.jsonl` (40 dialogues
each) are only scored; of the eighth batch, labelled last, `labels-8.jsonl` (48 dialogues) is
only scored and `labels-8-read.jsonl` (42) was read; so were `labels-9.jsonl` (51) and
`labels-9-read.jsonl` (39) of the ninth; `labels-10.jsonl` (41), the tenth, is only scored.
docs/accuracy.md has the numbers.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO, load_script, shared

from servicecoach import Coach
from servicecoach.evaluation import Fold, run_eval

FOLDER = REPO / "tests" / "real-heldout"
LABELS = FOLDER / "labels.jsonl"
LATER = FOLDER / "labels-2.jsonl"
"""A second batch, labelled after the first was read (read too since 2026-12-05, night)."""
LAST = FOLDER / "labels-3.jsonl"
"""A third batch, drawn from dialogues nobody had read: scored only."""
FOURTH = FOLDER / "labels-4.jsonl"
"""A fourth batch, drawn the same way: fold 0/2 scored only, fold 1/2 read."""
FIFTH = FOLDER / "labels-5.jsonl"
"""A fifth batch, drawn the same way: scored only."""
SIXTH = FOLDER / "labels-6.jsonl"
"""A sixth batch, drawn the same way (2026-12-05, night): scored only."""
SEVENTH = FOLDER / "labels-7.jsonl"
"""A seventh batch, translated helpdesk chats from the rated fold nobody had read
(2026-12-06, fifth session): scored only."""
EIGHTH = FOLDER / "labels-8.jsonl"
"""An eighth batch (2026-12-07, eighth session), the half of it that is scored only."""
EIGHTH_READ = FOLDER / "labels-8-read.jsonl"
"""The eighth batch's other half, read for misses and false alarms."""
NINTH = FOLDER / "labels-9.jsonl"
"""A ninth batch (2026-12-07, eighth session), the half of it that is scored only."""
NINTH_READ = FOLDER / "labels-9-read.jsonl"
"""The ninth batch's other half, read for misses and false alarms."""
TENTH = FOLDER / "labels-10.jsonl"
"""A tenth batch, the last unlabelled rated chats (2026-12-07, eighth session): scored only."""
BATCHES = (LABELS, LATER, LAST, FOURTH, FIFTH, SIXTH, SEVENTH, EIGHTH, EIGHTH_READ, NINTH,
           NINTH_READ, TENTH)


def _gather() -> ModuleType:
    """scripts/gather_transcripts.py, the way a user runs it."""
    return load_script("gather_transcripts")


def gathered(labels: Path, directory: Path) -> Path:
    """The transcripts a labels file names, gathered from ../shared into a file of their own."""
    gather = _gather()
    ids = gather.wanted_ids(labels)
    found = gather.find_dialogues(ids, [shared("corpora"), shared("satisfaction")])
    assert sorted(found) == sorted(ids), "every labelled dialogue is in ../shared"
    path = directory / "transcripts.jsonl"
    path.write_text("".join(found[i] + "\n" for i in ids), encoding="utf-8")
    return path


def overall(coach: Coach, transcripts: Path, labels: Path, fold: Fold | None) -> tuple[
        float, float, float, str]:
    """Micro precision, recall and F1, with the printed evaluation."""
    out = io.StringIO()
    run_eval(coach, transcripts, labels, out=out, fold=fold)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("overall"))
    precision, recall, f1 = (float(value) for value in row.split()[-3:])
    return precision, recall, f1, out.getvalue()


@pytest.mark.parametrize("labels", BATCHES, ids=lambda path: path.name)
def test_labels_hold_no_dialogue_text(labels: Path) -> None:
    """Only ids, findings and turn signals are kept here: the text stays in ../shared."""
    for line in labels.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == {"id", "expected", "signals"}


def test_the_sets_are_disjoint_from_each_other_and_the_labelled_dev_set() -> None:
    """None of the dialogues is one the rules were tuned on in devset-real, and no two
    batches share one."""
    tuned = {json.loads(line)["id"] for line in
             shared("devset-real/transcripts.jsonl").read_text(encoding="utf-8").splitlines()}
    batches = [set(_gather().wanted_ids(path)) for path in BATCHES]
    assert not tuned & set().union(*batches)
    assert all(not one & other for n, one in enumerate(batches) for other in batches[n + 1:])


@pytest.mark.parametrize(
    ("labels", "fold", "min_precision", "min_recall", "min_f1"),
    [(LABELS, "0/2", 0.93, 0.8, 0.87), (LABELS, "1/2", 0.88, 0.8, 0.84),
     (LATER, None, 0.85, 0.82, 0.85), (LAST, None, 0.88, 0.72, 0.8),
     (FOURTH, "0/2", 0.86, 0.74, 0.8), (FOURTH, "1/2", 0.8, 0.74, 0.78),
     (FIFTH, None, 0.86, 0.74, 0.8), (SIXTH, None, 0.87, 0.71, 0.78),
     (SEVENTH, None, 0.88, 0.72, 0.79), (EIGHTH, None, 0.88, 0.77, 0.82),
     (EIGHTH_READ, None, 0.9, 0.85, 0.88), (NINTH, None, 0.9, 0.82, 0.86),
     (NINTH_READ, None, 0.85, 0.8, 0.83), (TENTH, None, 0.88, 0.83, 0.86)],
    ids=lambda value: value.name if isinstance(value, Path) else value)
def test_each_batch_reaches_precision_and_recall(
        coach: Coach, tmp_path: Path, labels: Path, fold: str | None, min_precision: float,
        min_recall: float, min_f1: float) -> None:
    """Each batch (or fold) stays at or above floors a little under what it read on
    2026-12-05:

    - labels.jsonl: fold 0/2 (never read) 0.97 / 0.85 / 0.91, fold 1/2 0.94 / 0.90 / 0.92
      after its misses were read;
    - labels-2: 0.90 / 0.88 / 0.89 (0.90 / 0.86 / 0.88 on its 30 dialogues the session had
      not read);
    - labels-3 (never read): 0.93 / 0.76 / 0.84;
    - labels-4: fold 0/2 (never read) 0.90 / 0.79 / 0.84, fold 1/2 0.84 / 0.79 / 0.82
      before its misses were read;
    - labels-5 (never read): 0.90 / 0.78 / 0.84;
    - labels-6 (never read): 0.91 / 0.75 / 0.82;
    - labels-7 (never read): 0.90 / 0.76 / 0.82 with the rules of 2026-12-06's fifth
      session's start, 0.93 / 0.76 / 0.83 at its end;
    - labels-8 (never read): 0.92 / 0.81 / 0.86 with the rules of 2026-12-07's eighth
      session's start; labels-8-read 0.92 / 0.86 / 0.89 then, 0.94 / 0.90 / 0.92 once read;
    - labels-9 (never read): 0.94 / 0.86 / 0.90, the same with the rules of the eighth
      session's start; labels-9-read 0.89 / 0.76 / 0.82 before it was read, 0.89 / 0.84 /
      0.87 after;
    - labels-10 (never read): 0.92 / 0.88 / 0.90, the same with the rules of the eighth
      session's start.
    """
    transcripts = gathered(labels, tmp_path)
    part = Fold.parse(fold) if fold else None
    precision, recall, f1, report = overall(coach, transcripts, labels, part)
    assert precision >= min_precision and recall >= min_recall and f1 >= min_f1, report
