"""`score --format csv`: one row per finding with its conversation's metadata, in the
documented column order, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from summary_cases import four_reports

from servicecoach.cli import main
from servicecoach.writers.csv import FINDING_COLUMNS, FindingsCsvWriter, cell

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "transcripts"


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == FINDING_COLUMNS
    return list(reader)


def test_one_row_per_finding_and_one_for_a_conversation_without_findings() -> None:
    out = io.StringIO()
    writer = FindingsCsvWriter(out)
    for report in four_reports():
        writer.write(report)
    writer.close()
    rows = _rows(out.getvalue())
    assert [(r["transcript_id"], r["rule_id"]) for r in rows] == [
        ("a", "empathy.missing"), ("a", "empathy.missing"), ("a", "name.unused"),
        ("b", "empathy.shown"), ("b", "defensive.blame"), ("c", ""), ("d", "empathy.shown")]
    first = rows[0]
    assert (first["agent_name"], first["queue"], first["started_at"], first["overall"]) == (
        "Ann", "billing", "2026-03-01T09:00:00Z", "40.0")
    assert (first["turn_index"], first["span_start"], first["span_end"], first["span_text"]) == (
        "2", "4", "16", "order number")
    assert rows[2]["turn_index"] == rows[2]["span_text"] == ""  # about the whole conversation
    assert rows[5]["agent_name"] == "Bo" and rows[5]["kind"] == ""


def test_an_empty_run_still_has_the_header() -> None:
    out = io.StringIO()
    FindingsCsvWriter(out).close()
    assert out.getvalue() == ",".join(FINDING_COLUMNS) + "\r\n"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_cell_a_spreadsheet_would_evaluate_is_quoted(text: str) -> None:
    assert cell(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert (cell("Dana"), cell(-3.5), cell(None), cell("a=b")) == ("Dana", -3.5, "", "a=b")


def test_score_writes_csv_with_metadata_from_the_export(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call = {"id": "c1", "metadata": {"agent_name": "=cmd|' /C calc'!A0", "queue": "billing",
                                     "region": "EU"},
            "turns": [{"speaker": "customer", "text": "Third time I'm calling, I'm fed up."},
                      {"speaker": "agent", "text": "Calm down, that's our policy."}]}
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(call) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--format", "csv"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert "defensive.dismissive" in {r["rule_id"] for r in rows}
    assert {r["agent_name"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert {r["queue"] for r in rows} == {"billing"}
    assert {r["metadata"] for r in rows} == {'{"region": "EU"}'}


def test_each_finding_row_says_what_it_cost_the_overall_score(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A QA lead pivoting the findings CSV could count findings by rule but not what they
    cost: the refund call's negative ending (8 points of its overall) and a missing
    acknowledgement (2) were one row each. The `points` column says, as the text and HTML
    reports do, and the rows of a conversation add up to what its overall lost."""
    assert main(["score", str(EXAMPLES / "refund-call.txt"), "--format", "csv", "--cues"]) == 0
    rows = _rows(capsys.readouterr().out)
    points = {(r["rule_id"], r["turn_index"]): r["points"] for r in rows}
    assert points[("outcome.negative-ending", "")] == "-8.0"
    assert points[("empathy.missing", "2")] == "-2.0"
    assert points[("closing.missing", "")] == "0.0"  # the greeting made up for it
    assert all(r["points"] == "" for r in rows if r["kind"] == "cue")
    assert sum(float(r["points"] or 0) for r in rows) == pytest.approx(79.5 - 100)
