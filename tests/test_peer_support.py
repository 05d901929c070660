"""Acknowledgement and distress outside customer service (tests/peer-support/).

480 peer-support pairs written from CHECKS.md alone by two writers apart: `pa-*` was read
for misses (the dev half), `pb-*` is only scored (the test half). On 2026-12-06 the `core`
pack read `empathy.shown` at F1 0.23 (pa) and 0.21 (pb) before the distress and
acknowledgement classes written from `pa-*`, and 0.62 and 0.47 after; the floors sit a
little under what they reached, so that a change which loses the other domain fails here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import half_of

from servicecoach import Coach
from servicecoach.evaluation import run_eval

FOLDER = Path(__file__).parent / "peer-support"


def rows(coach: Coach, prefix: str, directory: Path) -> tuple[dict[str, list[float]], str]:
    """Precision, recall and F1 by rule id (and `overall`) of one half, with the report."""
    transcripts, labels = half_of(FOLDER, prefix, directory)
    out = io.StringIO()
    run_eval(coach, transcripts, labels, out=out)
    table: dict[str, list[float]] = {}
    for line in out.getvalue().split("\nmisses")[0].splitlines():
        cells = line.split()
        if cells and (cells[0].startswith("empathy.") or cells[0] == "overall"):
            table[cells[0]] = [float(value) if value != "-" else 0.0 for value in cells[-3:]]
    return table, out.getvalue()


def test_the_halves_hold_240_pairs_each_of_a_seeker_then_a_reply() -> None:
    records = [json.loads(line) for line in
               (FOLDER / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()]
    for prefix in ("pa-", "pb-"):
        half_records = [r for r in records if r["id"].startswith(prefix)]
        assert len(half_records) == 240
        assert all([t["speaker"] for t in r["turns"]] == ["customer", "agent"]
                   for r in half_records)


@pytest.mark.parametrize(("prefix", "min_shown_f1", "min_overall_f1"),
                         [("pa-", 0.58, 0.6), ("pb-", 0.43, 0.45)])
def test_acknowledgement_of_distress_is_read_in_peer_support(
        coach: Coach, tmp_path: Path, prefix: str, min_shown_f1: float,
        min_overall_f1: float) -> None:
    """`empathy.shown` (and with `empathy.missing` the micro F1) stay above floors a little
    under what they reached: 0.62 / 0.65 on the dev half, 0.47 / 0.49 on the test half."""
    table, report = rows(coach, prefix, tmp_path)
    assert table["empathy.shown"][2] >= min_shown_f1, report
    assert table["overall"][2] >= min_overall_f1, report


def test_replies_that_do_not_acknowledge_are_rarely_credited(coach: Coach, tmp_path: Path
                                                              ) -> None:
    """The hard negatives (advice only, "i'm sorry but...", "sad to say") keep
    `empathy.shown`'s precision on the unread half at 0.85 or more (0.89 measured)."""
    table, report = rows(coach, "pb-", tmp_path)
    assert table["empathy.shown"][0] >= 0.85, report
