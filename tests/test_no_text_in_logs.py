"""Logs and error lines never contain what a turn says: a transcript whose turns hold a
marker, with errors of every kind around them, is scored, checked and converted, and the
marker is in no line on stderr and in no log record."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from servicecoach.cli import main

MARKER = "SECRETMARKER"


def _inputs(folder: Path) -> list[Path]:
    said = f"my card is {MARKER} 4111"
    good = {"id": "good", "turns": [{"speaker": "customer", "text": said},
                                    {"speaker": "agent", "text": f"Calm down {MARKER}."}]}
    lines = [
        json.dumps(good),
        json.dumps({"id": "bad-speaker", "turns": [{"speaker": "robot", "text": said}]}),
        json.dumps({"id": "bad-text", "turns": [{"speaker": "agent", "text": [said]}]}),
        json.dumps({"id": "bad-time", "turns": [{"speaker": "agent", "text": said,
                                                 "start": 5, "end": 1}]}),
        f'{{"id": "broken", "turns": [{{"speaker": "agent", "text": "{said}" }}',
        json.dumps({"id": "extra", "turns": [{"speaker": "agent", "text": said}],
                    "events": [{"type": "hold_start", "at": -1, "note": said}]}),
    ]
    jsonl = folder / "calls.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = folder / "call.txt"
    text.write_text(f"Customer: {said}\nAgent (Sam): {said}\nRobot {said}: {said}\n",
                    encoding="utf-8")
    csv = folder / "turns.csv"
    csv.write_text(f"conversation_id,speaker,text\nc1,customer,{said}\nc1,,{said}\n"
                   f'c2,agent,"{said}\n', encoding="utf-8")
    vtt = folder / "call.vtt"
    vtt.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Agent>{said}\n\n"
                   f"00:00:xx --> nonsense\n<v Customer>{said}\n", encoding="utf-8")
    return [jsonl, text, csv, vtt]


@pytest.mark.parametrize("command", [["score"], ["score", "--workers", "2"], ["convert"],
                                     ["check"]])
def test_no_turn_text_on_stderr_or_in_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    command: list[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    paths = [str(path) for path in _inputs(tmp_path)]
    main([*command, *paths])
    err = capsys.readouterr().err
    assert "error" in err  # the errors were reported ...
    assert MARKER not in err  # ... without what the turns say
    assert all(MARKER not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("options", [[], ["--text-column", "message"],
                                     ["--speaker-column", "text", "--text-column", "text"]])
def test_a_csv_file_without_a_header_is_not_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
) -> None:
    """An error about the CSV header listed its cells: in a file without a header row its
    first row, a turn, was written on stderr whole (a card number, a 1 MB message). A cell
    that reads as no column name (over 30 characters or 3 words) is shown by its length,
    and past 20 cells the rest are counted."""
    said = f"my card is {MARKER} 4111"
    path = tmp_path / "turns.csv"
    path.write_text(f"c1,agent,{said}\nc1,customer,{said}\n" + "", encoding="utf-8")
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"col{n}" for n in range(5_000)) + "\n1,2\n", encoding="utf-8")
    main(["score", str(path), str(wide), "--input-format", "csv", *options])
    err = capsys.readouterr().err
    assert "turns.csv:line 1" in err and "<28 characters>" in err
    assert MARKER not in err
    assert "col19 and 4,980 more" in err and "col20" not in err
