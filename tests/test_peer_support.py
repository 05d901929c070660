"""Acknowledgement and distress outside customer service (tests/peer-support/).

720 peer-support pairs written from CHECKS.md alone by three writers apart: `pa-*` and
`pc-dev-*` were read for misses, `pb-*` and `pc-test-*` are only scored. The `core` pack
read `empathy.shown` at F1 0.23 (pa) and 0.21 (pb) before the classes written from `pa-*`
(2026-12-06), 0.62 and 0.47 after them; with a validating reply read as the sign of the
distress it answers and the validation phrases written from `pc-dev-*` (2026-12-06,
later), 0.88 and 0.74, and `pc-test-*` went from 0.38 to 0.67. The floors sit a little
under what they reached, so that a change which loses the other domain fails here.
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
    for prefix, size in (("pa-", 240), ("pb-", 240), ("pc-dev-", 120), ("pc-test-", 120)):
        half_records = [r for r in records if r["id"].startswith(prefix)]
        assert len(half_records) == size
        assert all([t["speaker"] for t in r["turns"]] == ["customer", "agent"]
                   for r in half_records)


@pytest.mark.parametrize(("prefix", "min_shown_f1", "min_overall_f1"),
                         [("pa-", 0.84, 0.75), ("pb-", 0.70, 0.59),
                          ("pc-dev-", 0.86, 0.71), ("pc-test-", 0.63, 0.58)])
def test_acknowledgement_of_distress_is_read_in_peer_support(
        coach: Coach, tmp_path: Path, prefix: str, min_shown_f1: float,
        min_overall_f1: float) -> None:
    """`empathy.shown` (and with `empathy.missing` the micro F1) stay above floors a little
    under what they reached: 0.88 / 0.79 (pa), 0.74 / 0.63 (pb), 0.90 / 0.75 (pc-dev),
    0.67 / 0.62 (pc-test)."""
    table, report = rows(coach, prefix, tmp_path)
    assert table["empathy.shown"][2] >= min_shown_f1, report
    assert table["overall"][2] >= min_overall_f1, report


def test_replies_that_do_not_acknowledge_are_rarely_credited(coach: Coach, tmp_path: Path
                                                              ) -> None:
    """The hard negatives (advice only, "i'm sorry but...", "sad to say") keep
    `empathy.shown`'s precision on the unread halves at 0.85 or more (0.93 on pb, 0.90
    on pc-test measured)."""
    for prefix in ("pb-", "pc-test-"):
        table, report = rows(coach, prefix, tmp_path)
        assert table["empathy.shown"][0] >= 0.85, report
