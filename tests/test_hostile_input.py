"""Hostile input that used to end in a traceback: NaN, infinite and huge times, CSV cells
over the csv module's field limit. Each is read or refused with one located line, and the
rest of the file is read."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from servicecoach import Coach
from servicecoach.analyzers.responsiveness import duration
from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import MAX_NESTING, Transcript
from servicecoach.readers.base import ReadResult, Source
from servicecoach.readers.registry import detect, get_reader

FIXTURES = Path(__file__).resolve().parent / "readers" / "fixtures"

# JSON literals: Python's json module reads NaN/Infinity, 1e400 overflows to infinity.
BAD_TIMES = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "1e400": "1e400",
    "1e300": "1e300",
    "30-digit": "1" + "0" * 30,
    "400-digit": "1" + "0" * 400,
}


def _read(path: Path, reader: str | None = None) -> list[ReadResult]:
    source = Source.from_path(path)
    chosen = get_reader(reader) if reader else detect(source)
    return list(chosen.read(source))


def _canonical(tmp_path: Path, literal: str, channel: str = "chat") -> Path:
    record = {"id": "c", "channel": channel, "turns": [
        {"speaker": "customer", "text": "Hi, my order is late.", "start": 0},
        {"speaker": "agent", "text": "Sorry about that, let me check.", "start": "@@"},
    ]}
    path = tmp_path / "canonical.json"
    path.write_text(json.dumps(record).replace('"@@"', literal))
    return path


@pytest.mark.parametrize("literal", list(BAD_TIMES.values()), ids=list(BAD_TIMES))
def test_a_bad_time_in_canonical_json_is_a_located_error(tmp_path: Path, literal: str) -> None:
    [result] = _read(_canonical(tmp_path, literal))
    assert isinstance(result, InputError), result
    assert result.turn == 1
    assert "canonical.json" in str(result) and "\n" not in str(result)


def test_a_turn_with_an_infinite_time_is_refused_by_the_model() -> None:
    with pytest.raises(ValueError, match="finite"):
        Transcript.model_validate({"id": "c", "turns": [
            {"speaker": "agent", "text": "Hello", "start": math.inf}]})


def test_duration_of_a_wait_that_is_not_finite_is_not_an_overflow() -> None:
    assert duration(math.inf) == "an unknown time"
    assert duration(math.nan) == "an unknown time"


def _numbers_replaced(data: Any) -> Any:
    if isinstance(data, bool):
        return data
    if isinstance(data, (int, float)):
        return "@@"
    if isinstance(data, str) and data.replace(".", "", 1).isdigit() and len(data) > 3:
        return "@@"
    if isinstance(data, list):
        return [_numbers_replaced(item) for item in data]
    if isinstance(data, dict):
        return {key: _numbers_replaced(value) for key, value in data.items()}
    return data


EXPORTS = sorted(path for path in FIXTURES.rglob("*.json")
                 if path.name not in ("broken.json",))


@pytest.mark.parametrize("literal", list(BAD_TIMES.values()), ids=list(BAD_TIMES))
@pytest.mark.parametrize("export", EXPORTS, ids=[p.name for p in EXPORTS])
def test_bad_times_in_any_export_are_read_or_refused_never_a_traceback(
    tmp_path: Path, export: Path, literal: str, coach: Coach,
) -> None:
    data = _numbers_replaced(json.loads(export.read_text(encoding="utf-8")))
    path = tmp_path / export.name
    path.write_text(json.dumps(data).replace('"@@"', literal), encoding="utf-8")
    for result in _read(path):
        if isinstance(result, Transcript):
            coach.score(result)
        else:
            assert isinstance(result, InputError)
            assert "\n" not in str(result)


def _numbers(data: Any) -> list[str]:
    """The JSON of each value `_numbers_replaced` replaces, in the order it replaces them."""
    if isinstance(data, list):
        return [number for item in data for number in _numbers(item)]
    if isinstance(data, dict):
        return [number for value in data.values() for number in _numbers(value)]
    return [json.dumps(data)] if _numbers_replaced(data) == "@@" else []


def _times(results: list[ReadResult]) -> list[Any]:
    return [[(t.start, t.end) for t in r.turns] + [(e.at, e.after_turn) for e in r.events]
            if isinstance(r, Transcript) else None for r in results]


@pytest.mark.parametrize("literal", ["true", "false"])
@pytest.mark.parametrize("export", EXPORTS, ids=[p.name for p in EXPORTS])
def test_true_or_false_where_an_export_has_a_number_is_no_time(
    tmp_path: Path, export: Path, literal: str,
) -> None:
    """An export's time, offset or duration given as true or false (a wrong field mapping)
    was read as 1 or 0, as Python reads it (a turn at 1 ms, an epoch of 1 s), or as no time
    without a word. Each number of each fixture in turn is given as true or false: the
    conversations are read with the times they had (the number was no time: an id, a count)
    or refused, naming the boolean."""
    original = json.loads(export.read_text(encoding="utf-8"))
    numbers = _numbers(original)
    parts = json.dumps(_numbers_replaced(original)).split('"@@"')
    path = tmp_path / export.name
    expected = _times(_read(export))
    for index in range(len(numbers)):
        values = [*numbers[:index], literal, *numbers[index + 1:], ""]
        path.write_text("".join(part + value for part, value in zip(parts, values, strict=True)),
                        encoding="utf-8")
        results = _read(path)
        if len(results) != len(expected):  # an id that groups the records otherwise
            continue
        for result, times, before in zip(results, _times(results), expected, strict=True):
            if times is None and before is not None:
                assert f"{literal} (true or false, not a number)" in str(result), result
            else:
                assert times == before, (export.name, index, numbers[index])


@pytest.mark.parametrize(("key", "value"), [("start", True), ("end", False)])
def test_true_or_false_as_a_diarized_segment_time_is_refused(
    tmp_path: Path, key: str, value: bool,
) -> None:
    """OpenAI's diarized segments give their times as they are to the transcript, where a
    start of true was a turn at 1 s."""
    segments = [{"speaker": "A", "text": "Thanks for calling, how can I help?", "start": 0.0,
                 "end": 2.0}, {"speaker": "B", "text": "My order is late.", "start": 3.0}]
    segments[0][key] = value
    path = tmp_path / "diarized.json"
    path.write_text(json.dumps({"task": "transcribe", "id": "d", "segments": segments}))
    [result] = _read(path)
    assert isinstance(result, InputError) and result.turn == 0, result
    assert f"{key} time {str(value).lower()} (true or false, not a number)" in str(result)


def _tickets(times: list[str]) -> list[dict[str, Any]]:
    """A Freshdesk conversations export: one ticket per time, two messages each."""
    entries: list[dict[str, Any]] = []
    for number, time in enumerate(times, start=1):
        entries.append({"id": number * 10, "ticket_id": number, "incoming": True,
                        "private": False, "body_text": "My login fails.", "created_at": time})
        entries.append({"id": number * 10 + 1, "ticket_id": number, "incoming": False,
                        "private": False, "body_text": "Fixed it.",
                        "created_at": "2024-05-01T11:00:00Z"})
    return entries


@pytest.mark.parametrize(("time", "why"), [
    ("2024-13-01T10:00:00Z", "month must be in 1..12"),
    ("2024-02-30T10:00:00Z", "day is out of range for month"),
    ("0000-05-01T10:00:00Z", "year 0 is out of range"),
    ("2024-05-01T25:00:00Z", "hour must be in 0..23"),
    ("2024-05-01T10:00:00+24:00", "a UTC offset must be under 24 hours, not +24:00"),
    ("0001-01-01T00:00:00+05:00", "earlier than 0001-01-01T00:00:00Z"),
    ("9999-12-31T23:00:00-05:00", "later than 9999-12-31T23:59:59Z"),
])
def test_a_date_that_is_no_date_costs_only_its_conversation(
    tmp_path: Path, time: str, why: str,
) -> None:
    """An ISO time with month 13, 30 February or an offset of 24 hours raised ValueError
    in the middle of a file: reported as "unexpected structure after 1 record(s)" (not a
    complete export, pass --input-format), and every conversation after it was lost, and
    not counted. It is an error naming the conversation, the turn and the time."""
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(_tickets(["2024-05-01T10:00:00Z", time,
                                         "2024-05-01T10:00:00Z"])), encoding="utf-8")
    first, bad, last = _read(path)
    assert isinstance(first, Transcript) and isinstance(last, Transcript), (first, last)
    assert isinstance(bad, InputError), bad
    assert bad.transcript_id == "2" and bad.turn == 0
    assert f"start time {time!r} ({why}" in str(bad) and "fix or remove that time" in str(bad)


@pytest.mark.parametrize("time", [-90_000_000_000, "-90000000000"])
def test_an_epoch_before_year_1_costs_only_its_conversation(
    tmp_path: Path, time: int | str,
) -> None:
    """Times were refused only past 9999-12-31 either way from 1970: an epoch of -9 * 10^10 s
    (year -882) was taken, then the conversation's date could not be written ('year -882 is
    out of range'), which stopped the file as "unexpected structure after 1 record(s)": the
    conversations after it were lost, and not counted. It is an error naming the turn."""
    path = tmp_path / "conversations.json"
    tickets = _tickets(["2024-05-01T10:00:00Z", "@", "2024-05-01T10:00:00Z"])
    tickets[2]["created_at"] = time
    path.write_text(json.dumps(tickets), encoding="utf-8")
    first, bad, last = _read(path)
    assert isinstance(first, Transcript) and isinstance(last, Transcript), (first, last)
    assert isinstance(bad, InputError) and bad.transcript_id == "2" and bad.turn == 0, bad
    assert "start time -90000000000.0 is not a usable time" in str(bad)


@pytest.mark.parametrize("time", ["2024-05-01T10:00:00\\ud800Z", "Tue Oct 31 22:10:47 \\udc00 2017 (+0000)"])
def test_a_time_with_a_lone_surrogate_is_no_time(tmp_path: Path, time: str) -> None:
    """A time holding a JSON "\\ud800" escape was matched by an expression on RE2, which
    could not encode it: the file stopped as "unexpected structure after 1 record(s)" (a
    traceback in the Teams WebVTT reader), the conversations after it lost. It is a time no
    format reads, as any other text that is no time."""
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(_tickets(["2024-05-01T10:00:00Z", "@", "2024-05-01T10:00:00Z"])
                               ).replace('"@"', json.dumps(time).replace("\\\\", "\\")),
                    encoding="utf-8")
    assert [type(result) for result in _read(path)] == [Transcript] * 3


@pytest.mark.parametrize("start", ["NaN", '"2024-13-01T00:00:00Z"'])
def test_a_conversation_start_that_is_no_time_costs_only_its_conversation(
    tmp_path: Path, start: str,
) -> None:
    """A LivePerson conversation whose start time was NaN (or month 13) stopped the file
    ("unexpected structure after 1 record(s): Invalid value NaN"): the conversations after
    it were lost, and not counted."""
    record = json.loads((FIXTURES / "liveperson_bot.json").read_text(encoding="utf-8"))
    records = []
    for number, value in enumerate(["@ok", "@bad", "@ok"]):
        one = record["conversationHistoryRecords"][0] | {}
        one["info"] = one["info"] | {"conversationId": f"lp-{number}", "startTimeL": value}
        records.append(one)
    path = tmp_path / "liveperson.json"
    path.write_text(json.dumps({"conversationHistoryRecords": records}).replace(
        '"@ok"', "1600000000000").replace('"@bad"', start), encoding="utf-8")
    first, bad, last = _read(path)
    assert isinstance(first, Transcript) and isinstance(last, Transcript), (first, last)
    assert isinstance(bad, InputError) and bad.transcript_id == "lp-1", bad
    assert "the conversation's start time" in str(bad) and "is not a usable time" in str(bad)


@pytest.mark.parametrize(("time", "seconds"), [
    ("2016-12-31T23:59:60Z", 1_483_228_800.0),  # a leap second: the next minute's start
    ("2024-04-30T24:00:00Z", 1_714_521_600.0),  # ISO 8601's end of a day: the next day
])
def test_a_leap_second_and_the_end_of_a_day_are_times(time: str, seconds: float) -> None:
    from servicecoach.readers._time import to_epoch

    assert to_epoch(time) == seconds


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "1e300", "9" * 400,
                                   "2024-13-01T00:00:00Z"])
def test_bad_times_in_csv_are_located(tmp_path: Path, value: str) -> None:
    path = tmp_path / "turns.csv"
    path.write_text("conversation_id,speaker,text,start\n"
                    "a,agent,Hello,0\n"
                    f"a,customer,Hi,{value}\n"
                    "b,agent,Hello again,1\n", encoding="utf-8")
    first, second = _read(path, "csv")
    assert isinstance(first, InputError), first
    assert "line 2" in str(first) and first.transcript_id == "a"
    assert isinstance(second, Transcript)


def test_a_csv_time_that_is_no_time_is_not_quoted_whole(tmp_path: Path) -> None:
    """A time cell that holds a message (columns shifted by a comma in the text) was quoted
    whole in the error: a turn written on stderr, a 100 KB cell made a 100 KB line. A value
    longer than a time is shown by its length."""
    path = tmp_path / "turns.csv"
    path.write_text("conversation_id,speaker,text,start\n"
                    "a,agent,Hello,0\n"
                    "a,customer,My card is 4111 1111 1111 1111 and the order,is late" + "!" * 100_000
                    + "\nb,agent,Hello again,1\n", encoding="utf-8")
    first, second = _read(path, "csv")
    assert isinstance(first, InputError), first
    assert "4111" not in str(first) and len(str(first)) < 400
    assert "cannot read time <100,007 characters> in 'start'" in str(first)
    assert isinstance(second, Transcript)


@pytest.mark.parametrize(("first", "later"), [("2024-01-05T10:00:00Z", "10:00:30"),
                                              ("1704448800", "30"), ("00:05", "1704448800")])
def test_a_csv_conversation_mixing_dates_and_clock_times_is_located(
    tmp_path: Path, first: str, later: str,
) -> None:
    """A date (or an epoch) among clock times or offsets in one conversation was read as
    seconds since 1970 beside seconds since the call's start: the turns were reordered by
    those times (the first message last, 54 years on) and the call dated 1970, without a
    word. It is an error at the first row that reads its time the other way."""
    path = tmp_path / "turns.csv"
    path.write_text("conversation_id,speaker,text,start\n"
                    f"a,customer,My order is late.,{first}\n"
                    f"a,agent,Sorry about that.,{later}\n"
                    "b,agent,Hello again,1\n", encoding="utf-8")
    mixed, other = _read(path, "csv")
    assert isinstance(mixed, InputError), mixed
    assert mixed.transcript_id == "a" and mixed.location == "line 3"
    assert f"{later!r}" in str(mixed) and f"{first!r} on line 2" in str(mixed)
    assert isinstance(other, Transcript)


def test_a_csv_cell_over_the_csv_field_limit_is_read(tmp_path: Path, coach: Coach) -> None:
    path = tmp_path / "turns.csv"
    big = "word " * 40_000  # 200 KB, over the csv module's 128 KB default
    path.write_text("conversation_id,speaker,text\n"
                    "a,agent,Hello\n"
                    f'a,customer,"{big}"\n'
                    "b,agent,Hello again\n", encoding="utf-8")
    first, second = _read(path, "csv")
    assert isinstance(first, Transcript) and len(first.turns[1].text) == len(big.strip())
    assert isinstance(second, Transcript)
    coach.score(first)  # scored on its first max_turn_chars characters


def test_a_csv_row_the_csv_module_cannot_read_is_located_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import csv

    from servicecoach.readers import csv as csv_reader

    monkeypatch.setattr(csv_reader, "FIELD_LIMIT", 10)
    path = tmp_path / "turns.csv"
    path.write_text("call_id,speaker,text\n"
                    "a,agent,Hello\n"
                    "a,customer,this cell is longer than ten characters\n"
                    "b,agent,Hello\n", encoding="utf-8")
    before = csv.field_size_limit(10)
    try:
        results = _read(path, "csv")
    finally:
        csv.field_size_limit(before)
    errors = [r for r in results if isinstance(r, InputError)]
    assert [str(e) for e in errors] and "line 3" in str(errors[0])
    assert any(isinstance(r, Transcript) and r.id == "b" for r in results)


# --- configuration ------------------------------------------------------------------------

BAD_CONFIGS = {
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "latin1": ('packs = ["caf\xe9"]\n'.encode("latin-1"), "line 1"),
    "nested-arrays": (b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested"),
    "nested-tables": (b"a = " + b"{b=" * 50_000 + b"1" + b"}" * 50_000, "nested"),
    "huge-integer": (b"max_turn_chars = 1" + b"0" * 5000, "digits"),
    "nan-weight": (b"[scoring.weights]\nempathy = nan\n", "scoring.weights.empathy"),
    "infinite-weight": (b"[scoring.weights]\nempathy = inf\n", "scoring.weights.empathy"),
    "negative-weight": (b"[scoring.weights]\nempathy = -1.0\n", "scoring.weights.empathy"),
    "huge-weight": (b"[scoring.weights]\nempathy = 1e308\n", "scoring.weights.empathy"),
    "nan-penalty": (b"[scoring.penalties]\nwarning = nan\n", "scoring.penalties.warning"),
    "negative-penalty": (b"[scoring.penalties]\nwarning = -5.0\n", "scoring.penalties.warning"),
    "infinite-bonus": (b"[scoring]\nstrength_bonus = inf\n", "scoring.strength_bonus"),
}


@pytest.mark.parametrize(("content", "where"), list(BAD_CONFIGS.values()), ids=list(BAD_CONFIGS))
def test_a_bad_config_is_one_line_naming_the_file_and_key(
    tmp_path: Path, content: bytes, where: str,
) -> None:
    from servicecoach.config import load_config
    from servicecoach.errors import ConfigError

    path = tmp_path / "servicecoach.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and where in message and "\n" not in message
    assert len(message) < 400


@pytest.mark.parametrize("manifest", [
    "weights: {empathy: .nan}", "weights: {empathy: -2}", "penalties: {warning: .inf}",
    "strength_bonus: .inf",
])
def test_bad_weights_in_a_pack_manifest_are_a_located_pack_error(
    tmp_path: Path, manifest: str,
) -> None:
    from servicecoach.errors import RulePackError
    from servicecoach.rules.loader import load_pack

    (tmp_path / "pack.yaml").write_text(f"name: p\nversion: '1'\n{manifest}\n")
    with pytest.raises(RulePackError) as caught:
        load_pack(str(tmp_path))
    assert "pack.yaml" in str(caught.value) and "\n" not in str(caught.value)


# --- the command line ---------------------------------------------------------------------


def test_output_into_a_missing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from servicecoach.cli import main

    (tmp_path / "a.txt").write_text("Customer: Where is my order?\nAgent: It ships today.\n")
    target = tmp_path / "missing" / "out.txt"
    code = main(["score", str(tmp_path / "a.txt"), "--output", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert str(target.parent) in line and "does not exist" in line


def test_workers_write_every_good_record_around_bad_ones(tmp_path: Path) -> None:
    import subprocess
    import sys

    good = [json.dumps({"id": f"c{i}", "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "Calm down." if i % 2 else "It ships today."}]})
        for i in range(2000)]
    huge = json.dumps({"id": "huge", "turns": [
        {"speaker": "customer", "text": "Help me. " * 222_223}]})  # 2,000,000 characters
    lines = good[:700] + [huge] + good[700:1400] + ["{not json"] + good[1400:]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "reports.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "servicecoach.cli", "score", str(path), "--format", "jsonl",
         "--workers", "2", "--output", str(out)],
        capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    ids = [json.loads(line)["transcript_id"] for line in out.read_text().splitlines()]
    assert ids == [f"c{i}" for i in range(700)] + ["huge"] + [f"c{i}" for i in range(700, 2000)]
    assert done.returncode == 2
    assert "line 1402: invalid JSON" in done.stderr
    assert "scored 2001 transcript(s); 1 could not be read" in done.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_line_that_is_not_utf8_costs_a_batch_only_its_record(tmp_path: Path,
                                                              workers: str) -> None:
    """A Latin-1 "é" in one line of a JSON Lines export: that record is reported with its
    line and byte, and every record after it is scored (the run once lost them)."""
    import subprocess
    import sys

    good = [json.dumps({"id": f"c{i}", "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "It ships today."}]}).encode("utf-8") for i in range(6)]
    bad = b'{"id": "cafe", "turns": [{"speaker": "customer", "text": "caf\xe9"}]}'
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"\n".join([*good[:3], bad, *good[3:]]) + b"\n")
    out = tmp_path / "reports.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "servicecoach.cli", "score", str(path), "--format", "jsonl",
         "--workers", workers, "--output", str(out)],
        capture_output=True, text=True, check=False)
    ids = [json.loads(line)["transcript_id"] for line in out.read_text().splitlines()]
    assert ids == [f"c{i}" for i in range(6)], done.stderr
    assert "line 4, byte" in done.stderr and "invalid UTF-8" in done.stderr
    assert "scored 6 transcript(s); 1 could not be read" in done.stderr


@pytest.mark.parametrize("records", [6, 3_000])
def test_a_byte_that_is_not_utf8_in_a_json_array_costs_only_its_record(
        tmp_path: Path, records: int) -> None:
    """A Latin-1 "é" in the last record of a JSON array: every other record is converted
    and the bad one is reported with its byte (the block of 64 KB holding it was lost
    whole: 0 of 6 records of a small file, the last 289 of 40,000 of a large one; then the
    records after the bad byte were)."""
    import subprocess
    import sys

    array = json.dumps([{"id": f"c{i}", "turns": [{"speaker": "agent", "text": "Hello " * 50}]}
                        for i in range(records)], indent=1).encode("utf-8")
    cut = array.rfind(b"Hello")
    path = tmp_path / "export.json"
    path.write_bytes(array[:cut] + b"caf\xe9 " + array[cut:])
    done = subprocess.run([sys.executable, "-m", "servicecoach.cli", "convert", str(path),
                           "--to", "jsonl"], capture_output=True, text=True, check=False)
    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert ids == [f"c{i}" for i in range(records - 1)], done.stderr[-500:]
    assert (f"record {records - 1}, transcript 'c{records - 1}', turn 0: the text holds a byte "
            "that is not UTF-8 (0xE9)") in done.stderr
    assert f"converted {records - 1} transcript(s); 1 could not be read" in done.stderr


class _Failing(Coach):
    """A coach that fails on one transcript, as a bug in a rule would."""

    def score(self, transcript: Transcript) -> Any:  # type: ignore[override]
        if transcript.id == "bad":
            raise ZeroDivisionError("a rule divided by zero")
        return super().score(transcript)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_that_fails_to_score_is_reported_and_the_batch_goes_on(workers: int) -> None:
    from servicecoach.parallel import render_stream

    coach = _Failing()
    transcripts = [Transcript.model_validate({"id": name, "turns": [
        {"speaker": "agent", "text": "Hello, how can I help?"}]})
        for name in ("a", "bad", "c")]
    from servicecoach.writers import render_jsonl as render

    results = list(render_stream(coach, transcripts, render, workers))
    assert [type(r).__name__ for r in results] == ["Rendered", "InputError", "Rendered"]
    error = results[1]
    assert isinstance(error, InputError) and error.transcript_id == "bad"
    assert "ZeroDivisionError: a rule divided by zero" in str(error)


def test_errors_cross_process_boundaries_intact() -> None:
    import pickle

    error = InputError("bad", source="a.jsonl", location="line 3", transcript_id="x", turn=2,
                       hint="fix it")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InputError and str(copy) == str(error) and copy.turn == 2


# --- terminal output ----------------------------------------------------------------------

ESCAPES = ("\x1b[2J\x1b[31m", "\x1b]0;owned\x07", "\x1b]8;;http://x\x1b\\", "\x9b1A", "\x07",
           "\x08\x08", "\r", "\u202e", "\x00")


def test_text_reports_strip_control_characters_and_terminal_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from servicecoach.cli import main

    hostile = "".join(ESCAPES)
    record = {"id": f"call{hostile}1", "turns": [
        {"speaker": "customer", "text": f"My name is Dana{hostile}. Where is my order?"},
        {"speaker": "agent", "text": f"Calm down{hostile}, that's our policy{hostile}."}]}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record) + "\n{broken" + hostile + "\n", encoding="utf-8")
    main(["score", str(path), "--format", "text"])
    out, err = capsys.readouterr()
    assert "defensive" in out and "call1" in out
    for text in (out, err):
        kept = {char for char in text if char != "\n" and (ord(char) < 32 or 127 <= ord(char) < 160)}
        assert not kept, (kept, text)
        assert "\u202e" not in text


def test_printable_keeps_ordinary_text() -> None:
    from servicecoach.writers import printable

    assert printable("Caf\u00e9 \u2014 \U0001f600 ok\ttab") == "Caf\u00e9 \u2014 \U0001f600 ok tab"
    assert printable("a\x1b[1;31mred\x1b[0m b") == "ared b"


# --- speakers ------------------------------------------------------------------------------

SPELLINGS = [("AGENT", "CUSTOMER"), ("Agent", "Customer"), (" agent ", "customer\t")]


@pytest.mark.parametrize(("agent", "customer"), SPELLINGS)
def test_the_live_api_takes_a_speaker_in_any_case_as_the_readers_do(
        tmp_path: Path, coach: Coach, agent: str, customer: str) -> None:
    """A live session refused "AGENT" and "Customer" (an `InputError`) where a text
    transcript, a CSV file and ``--roles`` take any case: it takes what they take now, and
    scores the turns as the readers' transcripts are scored."""
    said = [(customer, "This is awful, my order never arrived."), (agent, "Calm down.")]
    session = coach.session(transcript_id="t")
    for speaker, text in said:
        session.add_turn({"speaker": speaker, "text": text})
    live = session.close()
    path = tmp_path / "t.txt"
    path.write_text("".join(f"{speaker.strip()}: {text}\n" for speaker, text in said))
    (read,) = _read(path)
    assert isinstance(read, Transcript)
    assert [turn.speaker.value for turn in read.turns] == ["customer", "agent"]
    assert live.findings == coach.score(read).findings
    assert "defensive.dismissive" in {finding.rule_id for finding in live.findings}


def test_a_speaker_that_names_no_role_is_still_refused_in_a_live_session(coach: Coach) -> None:
    session = coach.session()
    with pytest.raises(InputError, match="turn 0: turn refused: speaker") as refused:
        session.add_turn({"speaker": "Robot", "text": "Beep."})
    assert "in any case" in refused.value.hint
    assert session.add_turn({"speaker": "SYSTEM", "text": "Chat started."}) == []


# --- memory -------------------------------------------------------------------------------

_GROWTH = """
import resource, sys
from servicecoach import Coach
coach = Coach()
session = coach.session(channel="chat")
lines = {lines!r}
marks = []
for index in range({turns}):
    speaker, text = lines[index % 2]
    session.add_turn({{"speaker": speaker, "text": text}})
    if index + 1 in ({first}, {turns}):
        marks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
session.close()
marks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(*marks)
"""
QUIET = [("customer", "The parcel number is 1234 and it left on Monday, can you check it?"),
         ("agent", "The parcel left the warehouse on Monday morning and is on its way.")]
BUSY = [("customer", "Hi, my order 1234 has not arrived and I am getting worried about it."),
        ("agent", "I'm sorry to hear that, let me check the tracking for you right now.")]


def _growth(lines: list[tuple[str, str]]) -> tuple[float, int]:
    """(bytes of peak RSS a turn between 4,000 and 24,000 turns, peak RSS once closed) of a
    live session in a fresh process."""
    import subprocess
    import sys

    first, turns = 4_000, 24_000
    done = subprocess.run(
        [sys.executable, "-c", _GROWTH.format(first=first, turns=turns, lines=lines)],
        capture_output=True, text=True, check=True)
    at_first, at_last, closed = (int(kb) * 1024 for kb in done.stdout.split())
    return (at_last - at_first) / (turns - first), closed


def test_a_long_conversation_keeps_little_per_turn() -> None:
    """A session keeps what its rules need of each turn, not the turn's analysis: a turn
    that finds nothing costs under 600 bytes (it was 830). (The process's own size depends on
    the installed packages, so it is measured by the benchmark, not asserted here.)"""
    per_turn, _closed = _growth(QUIET)
    assert per_turn < 600, f"{per_turn:.0f} bytes a turn"


def test_a_long_conversation_of_findings_keeps_only_the_findings() -> None:
    """With a finding and a live cue on every other turn, the findings are most of the
    cost: under 2,500 bytes a turn (it was 4,500 when every turn's analysis was kept)."""
    per_turn, _ = _growth(BUSY)
    assert per_turn < 2_500, f"{per_turn:.0f} bytes a turn"


def _peak_detecting(path: Path) -> tuple[int, str]:
    """The bytes allocated at the peak while the format of `path` is detected, and the
    error detection ends in."""
    import tracemalloc

    tracemalloc.start()
    try:
        detect(Source.from_path(path))
    except InputError as error:
        message = str(error)
    else:
        message = ""
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, message


@pytest.mark.parametrize("opening", ["plain", "array", "utf-16"])
def test_format_detection_reads_a_long_first_line_in_pieces(tmp_path: Path, opening: str) -> None:
    """Detection reads the first 4 KB, then the first megabyte: it collected whole lines
    before cutting them, so a file of one 2 GB line (no line end anywhere) took 2 GB of
    memory before it was refused as a format no reader knows. It reads at most a few
    megabytes of a line, in UTF-8 and UTF-16 alike."""
    body = {"plain": "a" * 24_000_000, "array": "[" + "1," * 12_000_000,
            "utf-16": "\ufeff" + "a" * 12_000_000}[opening]
    path = tmp_path / "one-line.dat"
    path.write_bytes(body.encode("utf-16-le" if opening == "utf-16" else "utf-8"))
    peak, message = _peak_detecting(path)
    assert "cannot tell the input format" in message
    assert peak < 12_000_000, f"{peak:,} bytes at the peak"


def test_a_json_array_on_one_line_is_read_a_record_at_a_time(tmp_path: Path) -> None:
    """A JSON array is streamed so that a file of many conversations is never held whole,
    but the stream parser was fed the file's lines: an array written on one line, as
    json.dump writes one, was held whole (a 30 MB file took 120 MB at the peak). It is fed
    pieces of 64 KB."""
    import tracemalloc

    record = {"turns": [{"speaker": "customer", "text": "Where is my order? " * 20},
                        {"speaker": "agent", "text": "Let me check that for you."}]}
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([dict(record, id=f"c{n}") for n in range(40_000)]))
    source = Source.from_path(path)
    tracemalloc.start()
    try:
        read = sum(isinstance(item, Transcript) for item in detect(source).read(source))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == 40_000
    assert peak < 8_000_000, f"{peak:,} bytes at the peak for a file of {path.stat().st_size:,}"


# --- strings no UTF-8 output can hold -----------------------------------------------------

LONE = "\ud800"


def _ok_record(name: str) -> str:
    return json.dumps({"id": name, "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "Calm down."}]})


@pytest.mark.parametrize("where", ["metadata value", "metadata key", "record field",
                                   "turn field", "event field"])
@pytest.mark.parametrize(("command", "output"), [
    ("score", "jsonl"), ("score", "csv"), ("convert", "jsonl")])
def test_a_lone_surrogate_anywhere_in_a_record_is_replaced_not_a_lost_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, command: str, output: str,
) -> None:
    """A JSON ``"\\ud800"`` escape outside a turn's text (in metadata, in a field servicecoach
    keeps but does not read) crashed `score --format csv` and `convert` with a traceback and
    lost the record in JSON output: it is replaced by U+FFFD, as in turn texts."""
    record: dict[str, Any] = {"id": "odd", "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "Calm down."}],
        "events": [{"type": "transfer", "after_turn": 0}]}
    if where == "metadata value":
        record["metadata"] = {"queue": LONE, "tags": [{"name": f"a{LONE}"}]}
    elif where == "metadata key":
        record["metadata"] = {f"q{LONE}": "x"}
    elif where == "record field":
        record[f"x{LONE}"] = [LONE]
    elif where == "turn field":
        record["turns"][0]["note"] = LONE
    else:
        record["events"][0]["note"] = {"k": LONE}
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([_ok_record("a"), json.dumps(record), _ok_record("c")]) + "\n",
                    encoding="utf-8")
    from servicecoach.cli import main

    flag = "--to" if command == "convert" else "--format"
    main([command, str(path), flag, output])
    out, err = capsys.readouterr()
    assert "could not" not in err.replace("0 could not", ""), err
    if output == "jsonl":
        key = "id" if command == "convert" else "transcript_id"
        assert [json.loads(line)[key] for line in out.splitlines()] == ["a", "odd", "c"]
    if command == "convert" or where.startswith("metadata"):
        assert "\ufffd" in out


def test_a_lone_surrogate_in_an_etl_stream_record_is_replaced_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """An ETL (Airbyte) stream's first record is written out as JSON text to detect the
    format its data is in: a lone surrogate was written as it was, and detection's
    expressions (RE2 reads UTF-8) stopped `score` with a UnicodeEncodeError traceback,
    losing the batch."""
    def record(id_: str, text: str) -> str:
        return json.dumps({"type": "RECORD", "record": {"stream": "transcripts", "data": {
            "id": id_, "turns": [{"speaker": "agent", "text": "Thanks for calling, I'm Sam."},
                                 {"speaker": "customer", "text": text}]}}})

    path = tmp_path / "sync.jsonl"
    path.write_text("\n".join([record("odd", f"Hi{LONE} there."), record("b", "Hi."),
                               record("c", "Hello.")]) + "\n", encoding="utf-8")
    from servicecoach.cli import main

    assert main(["score", str(path), "--format", "jsonl"]) == 0
    out = capsys.readouterr().out
    assert [json.loads(line)["transcript_id"] for line in out.splitlines()] == ["odd", "b", "c"]
    assert main(["convert", str(path)]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["turns"][1]["text"] \
        == "Hi\ufffd there."


@pytest.mark.parametrize("where", ["metadata", "record field", "turn field"])
def test_data_nested_deeper_than_reports_can_hold_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str,
) -> None:
    """Metadata nested 300 levels deep (JSON reads up to about 990) was read, then lost
    when its report was written ("Maximum serialization depth exceeded", called a bug in
    servicecoach): it is refused when read, naming the record and the limit."""
    from servicecoach.cli import main

    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    record: dict[str, Any] = {"id": "deep", "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "Calm down."}]}
    if where == "metadata":
        record["metadata"] = {"tags": deep}
    elif where == "record field":
        record["raw"] = deep
    else:
        record["turns"][0]["raw"] = deep
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([_ok_record("a"), json.dumps(record), _ok_record("c")]) + "\n",
                    encoding="utf-8")
    for command, flag in (("score", "--format"), ("convert", "--to")):
        main([command, str(path), flag, "jsonl"])
        out, err = capsys.readouterr()
        assert len(out.splitlines()) == 2
        [line] = [line for line in err.splitlines() if line.startswith("error:")]
        assert "line 2, transcript 'deep'" in line and "64 levels" in line, line
        assert "bug" not in line


@pytest.mark.parametrize(("name", "text"), [
    ("lists.json", "[" * 100_000 + "]" * 100_000),
    ("objects.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
    ("record.jsonl", '{"id": "x", "turns": ' + "[" * 100_000 + "]" * 100_000 + "}\n"),
    ("turns.json", '{"id": "x", "turns": ' + "[" * 100_000 + "]" * 100_000 + "}"),
])
def test_json_nested_too_deeply_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str,
) -> None:
    """A JSON document nested 100,000 levels deep was "cannot tell the input format" (no
    format recognised its head of brackets), or, where one did, 'nested too deeply' at line
    1 column 1, wherever the nesting was: it says what is wrong and where the nesting goes
    too deep, and the other files of the batch are read."""
    from servicecoach.cli import main

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(_ok_record("a") + "\n", encoding="utf-8")
    main(["convert", str(path), str(good)])
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a"]
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert f"{name}:line 1" in line and "nested more than 900 levels deep" in line, line
    assert f"column {_level_opened_at(text, 901) + 1}" in line, line
    assert "cannot tell" not in line and "no export nests so deep" in line, line


def _level_opened_at(text: str, level: int) -> int:
    """The offset of the bracket that opens `level` (in a text of no string with one)."""
    depth = 0
    for at, char in enumerate(text):
        depth += (char in "[{") - (char in "]}")
        if depth == level:
            return at
    raise ValueError(level)


@pytest.mark.parametrize("event", [{"type": "nope", "at": 1}, {"type": "hold_start"},
                                   {"type": "hold_start", "at": math.nan}, "hold_start"])
def test_a_live_event_that_does_not_validate_is_an_input_error(coach: Coach, event: Any) -> None:
    """`add_event` let pydantic's ValidationError out where `add_turn` raises the
    `InputError` a live integration catches: it names the session and the event now, and
    leaves the session as it was."""
    session = coach.session(transcript_id="live")
    session.add_turn({"speaker": "customer", "text": "Where is my order?"})
    with pytest.raises(InputError, match="session 'live': event 0 refused: ") as refused:
        session.add_event(event)
    assert "hold_start, hold_end or transfer" in refused.value.hint
    assert session.add_event({"type": "hold_start", "at": 1}) == []
    assert session.close().transcript_id == "live"


@pytest.mark.parametrize("after_turn", [0, 2, 2**70, -1])
def test_a_live_event_after_a_turn_other_than_the_latest_is_refused(
    coach: Coach, after_turn: int,
) -> None:
    """A live session places an event after its latest turn: an `after_turn` naming another
    (an event sent late, a wrong index, 2**70) was taken without a word, the event counted
    after the latest turn whatever it said, where `coach.score` places it after the turn it
    names. It is refused, naming the field and the latest turn."""
    session = coach.session(transcript_id="live")
    session.add_turn({"speaker": "customer", "text": "Where is my order?"})
    session.add_turn({"speaker": "agent", "text": "Let me check."})
    with pytest.raises(InputError, match=rf"event 0 refused: after_turn: {after_turn}, but the "
                       r"latest turn is 1 \(a live session places an event after its latest "
                       r"turn\)") as refused:
        session.add_event({"type": "hold_start", "after_turn": after_turn})
    assert "give 'after_turn' 1 or leave it out" in refused.value.hint
    assert session.add_event({"type": "hold_start", "after_turn": 1}) != []
    assert session.close().transcript_id == "live"


def test_a_live_event_before_the_first_turn_is_after_turn_minus_one(coach: Coach) -> None:
    session = coach.session(transcript_id="live")
    with pytest.raises(InputError, match="after_turn: 0, but no turn was given yet"):
        session.add_event({"type": "transfer", "after_turn": 0, "target": "billing"})
    session.add_event({"type": "transfer", "after_turn": -1, "target": "billing"})
    session.add_turn({"speaker": "agent", "text": "Hello, billing here."})
    assert session.close().transcript_id == "live"


_T0 = 1_700_000_000.0
_HOLD_CALL = [
    {"speaker": "customer", "text": "Hi, my parcel is late.", "start": _T0},
    {"speaker": "agent", "text": "Hello, I'm Sam. May I place you on hold for two minutes?",
     "start": _T0 + 5},
    {"speaker": "customer", "text": "Sure.", "start": _T0 + 10},
    {"speaker": "agent", "text": "Thank you for holding. It ships today.", "start": _T0 + 70},
]


@pytest.mark.parametrize("live", [True, False], ids=["live", "score"])
def test_an_event_timed_before_the_turn_it_follows_is_noted_not_timed(
    coach: Coach, live: bool,
) -> None:
    """Turns on Unix time and a hold given in seconds from the start (two clocks, as a
    desktop that times events itself sends them) made a hold of 1,700,000,058 s, reported
    as held too long, without a word. An event timed before the turn it follows is taken
    without its time, and the report's notes say so, once, counting such events."""
    events = [{"type": "hold_start", "at": 12.0, "after_turn": 2},
              {"type": "transfer", "at": 13.0, "after_turn": 2, "target": "billing"}]
    if live:
        session = coach.session(transcript_id="call")
        for index, turn in enumerate(_HOLD_CALL):
            session.add_turn(turn)
            if index == 2:
                for event in events:
                    session.add_event(event)
        report = session.close()
    else:
        report = coach.score(Transcript.model_validate(
            {"id": "call", "turns": _HOLD_CALL, "events": events}))
    assert "hold.too-long" not in {f.rule_id for f in report.findings}
    assert [n for n in report.notes if "event" in n] == [(
        "event 0 (hold_start) at 12 s is before turn 2 (1700000010 s), which it follows: "
        "its time is not used (2 event(s) so); give the turns and the events times on one "
        "clock")]


@pytest.mark.parametrize(("field", "value"), [("start", True), ("end", False),
                                              ("event at", True), ("event after_turn", True)])
def test_true_or_false_is_no_time_or_turn(coach: Coach, field: str, value: bool) -> None:
    """Python and pydantic read True as 1: a turn that 'starts' at true (a wrong field
    mapping in a live integration or a canonical file) started at 1 s, an event after_turn
    true came after turn 1, without a word. They are refused, naming the field."""
    session = coach.session(transcript_id="live")
    session.add_turn({"speaker": "customer", "text": "Where is my order?", "start": 0})
    if field.startswith("event"):
        key = field.split()[1]
        with pytest.raises(InputError, match=f"event 0 refused: {key}: .*not true or false"):
            session.add_event({"type": "hold_start", key: value})
    else:
        with pytest.raises(InputError, match=f"turn 1: turn refused: {field}: .*not true or false"):
            session.add_turn({"speaker": "agent", "text": "Let me check.", field: value})


@pytest.mark.parametrize(("field", "value", "said"), [
    ("start", 1_700_000_000_123, "looks like epoch milliseconds: give seconds (1700000000.123)"),
    ("end", 1.7e15, "looks like epoch microseconds: give seconds (1700000000)"),
    ("event at", 1_700_000_000_000, "looks like epoch milliseconds: give seconds (1700000000)"),
    ("start", 1e20, "later than 10^11 s")])
def test_a_time_in_milliseconds_says_so(coach: Coach, field: str, value: float, said: str) -> None:
    """A live integration that sends epoch milliseconds (JavaScript's Date.now()) was
    refused as 'Input should be less than or equal to 100000000000', with no word of why.
    Times are seconds (a reader of an export takes milliseconds by their size, but here 5000
    is 5000 s, not 5 s): the error says the time looks like milliseconds (or microseconds)
    and gives it in seconds, in the live API and in canonical JSON."""
    session = coach.session(transcript_id="live")
    session.add_turn({"speaker": "customer", "text": "Where is my order?", "start": 0})
    if field.startswith("event"):
        with pytest.raises(InputError, match=f"event 0 refused: at: .*{re.escape(said)}"):
            session.add_event({"type": "hold_start", "at": value})
        return
    turn = {"speaker": "agent", "text": "Let me check.", "start": 0, field: value}
    with pytest.raises(InputError, match=f"turn 1: turn refused: {field}: .*{re.escape(said)}"):
        session.add_turn(turn)
    with pytest.raises(ValidationError, match=re.escape(said)):
        Transcript.model_validate({"id": "c", "turns": [turn]})


@pytest.mark.parametrize(("field", "value", "said"), [
    ("start", "2026-12-01T10:00:00Z", ("'2026-12-01T10:00:00Z' is a date and time, not a number "
     "of seconds: give its Unix time 1796119200 (datetime.fromisoformat(time).timestamp())")),
    ("end", "2026-12-01 10:00:00", ("is a date and time, not a number of seconds: give its Unix "
     "time (datetime.fromisoformat(time).timestamp())")),
    ("start", "01:02:03.5", "'01:02:03.5' is a clock time, not a number of seconds: give 3723.5"),
    ("event at", "00:30", "'00:30' is a clock time, not a number of seconds: give 30")])
def test_a_time_as_a_date_or_a_clock_says_what_to_give(
    coach: Coach, field: str, value: str, said: str
) -> None:
    """live.md says an ISO time is refused and to give its timestamp(); until 2026-12-07 the
    error said only 'unable to parse string as a number' (an "mm:ss" likewise), leaving an
    integrator to find the docs. The error names the seconds to give, in the live API and
    in canonical JSON; a time in seconds as a string is still read."""
    session = coach.session(transcript_id="live")
    session.add_turn({"speaker": "customer", "text": "Where is my order?", "start": "0"})
    if field.startswith("event"):
        with pytest.raises(InputError, match=f"event 0 refused: at: .*{re.escape(said)}"):
            session.add_event({"type": "hold_start", "at": value})
        return
    turn = {"speaker": "agent", "text": "Let me check.", field: value}
    with pytest.raises(InputError, match=f"turn 1: turn refused: {field}: .*{re.escape(said)}"):
        session.add_turn(turn)
    with pytest.raises(ValidationError, match=re.escape(said)):
        Transcript.model_validate({"id": "c", "turns": [turn]})


def _lists(depth: int) -> Any:
    """A value of lists nested `depth` levels deep."""
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("options", "refused"), [
    ({"metadata": {"customer_name": 5}}, "metadata refused: customer_name"),
    ({"metadata": "Ana"}, "metadata refused: metadata"),
    ({"metadata": {"crm": _lists(MAX_NESTING + 1)}}, "metadata refused: .* nested more than"),
    ({"channel": "fax"}, "channel 'fax' refused"),
])
def test_a_live_session_with_bad_metadata_or_channel_is_an_input_error(
        coach: Coach, options: dict[str, Any], refused: str) -> None:
    """Starting a session let pydantic's ValidationError (or a bare ValueError for the
    channel) out where `add_turn` raises `InputError`: a live integration catches one kind
    of error, which names the session and says how to fix it."""
    with pytest.raises(InputError, match=f"session 'call-7': {refused}") as error:
        coach.session(transcript_id="call-7", **options)
    assert error.value.hint
    assert coach.session(transcript_id="call-7", metadata={"customer_name": "Ana"}).close()


def test_a_named_pipe_is_read_as_stdin_is(tmp_path: Path) -> None:
    """``score <(command)`` names a pipe (``/dev/fd/63``), which was "no such file or
    folder": it is read once, as stdin is."""
    import os
    import threading

    from servicecoach.readers import iter_sources, read_sources

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)

    def write() -> None:
        with pipe.open("w", encoding="utf-8") as out:
            out.write(_ok_record("a") + "\n" + _ok_record("b") + "\n")

    writer = threading.Thread(target=write)
    writer.start()
    results = list(read_sources(iter_sources([str(pipe)])))
    writer.join()
    assert [r.id for r in results if isinstance(r, Transcript)] == ["a", "b"], results


def test_a_device_is_refused_unread(tmp_path: Path) -> None:
    """A link to /dev/zero among the inputs is refused, not read until memory runs out, and
    not called missing."""
    from servicecoach.readers import iter_sources, read_sources

    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    [error] = read_sources(iter_sources([str(tmp_path / "zero.jsonl")]))
    assert isinstance(error, InputError) and "not a file, folder or pipe" in str(error)


@pytest.mark.parametrize("command", [
    ["score", "@in", "--format", "jsonl", "--output", "@out"],
    ["score", "@in", "--errors", "@out"],
    ["score", "@in", "--report", "@out"],
    ["convert", "@in", "--output", "@out"],
    ["score", "@folder", "--output", "@out"],
    ["check", "@in", "--output", "@out"],
    ["check", "@folder", "--write-baseline", "@out"],
])
def test_an_output_that_is_an_input_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str],
) -> None:
    """`score calls.jsonl --output calls.jsonl` replaced the transcripts with their reports,
    and `convert` (and `--errors`) emptied the file before reading it: every record was
    lost; `check` wrote its results (or a baseline) over the canned file it had read.
    Writing over an input is refused, and the input is left as it was."""
    from servicecoach.cli import main

    folder = tmp_path / "calls"
    folder.mkdir()
    path = folder / "calls.jsonl"
    text = _ok_record("a") + "\n" + _ok_record("b") + "\n"
    path.write_text(text, encoding="utf-8")
    where = {"@in": str(path), "@out": str(path), "@folder": str(folder)}
    code = main([where.get(part, part) for part in command])
    err = capsys.readouterr().err
    assert code == 2
    assert "is one of the inputs" in err and str(path) in err
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("command", [
    ["score", "@in", "--format", "jsonl", "--output", "@out", "--errors", "@out"],
    ["score", "@in", "--format", "jsonl", "--output", "@out", "--report", "@same"],
    ["score", "@in", "--errors", "@out", "--report", "@out", "--summary"],
    ["summarize", "@results", "--output", "@out", "--html", "@same"],
    ["check", "@in", "--output", "@out", "--junit", "@same"],
])
def test_two_outputs_that_are_one_file_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str],
) -> None:
    """`score --output X --errors X` let both write X, then stopped with a traceback
    (FileNotFoundError) after the errors had replaced the reports; `--output X --report X`
    and `summarize --output X --html X` kept only the HTML page, without a word. Two
    outputs naming one file (the same path, or a link to it) are refused first."""
    from servicecoach.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_text(_ok_record("a") + "\n{\n", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    results.write_text("", encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_text("kept", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(out)
    where = {"@in": str(path), "@results": str(results), "@out": str(out),
             "@same": str(tmp_path / "link.txt")}
    code = main([where.get(part, part) for part in command])
    err = capsys.readouterr().err
    assert code == 2
    assert "are the same file" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize("option", ["--output", "--errors", "--report"])
def test_an_output_that_is_a_named_pipe_is_written_into_not_replaced(
    tmp_path: Path, option: str,
) -> None:
    """Outputs were written beside their path (FILE.partial) and renamed over it: `score
    -o >(gzip > x.gz)` or `-o /dev/stdout` put a regular file in place of the pipe or the
    link (as root, /dev/null and /dev/stdout were replaced for the whole machine), and the
    pipe's reader got nothing. A pipe or a device is written into."""
    import os
    import threading

    from servicecoach.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_text(_ok_record("a") + "\n{\n", encoding="utf-8")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    code = main(["score", str(path), "--format", "jsonl", option, str(pipe),
                 *(["-o", str(tmp_path / "o.jsonl")] if option != "--output" else [])])
    reader.join(timeout=30)
    assert code == 2  # the line that is no record
    assert pipe.is_fifo()
    assert received and ({"--output": b'"transcript_id":"a"', "--errors": b'"kind": "reading"',
                          "--report": b"<!DOCTYPE html>"}[option] in received[0])
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".pipe*"))


def test_resuming_into_a_named_pipe_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A pipe holds no partial output to resume from: said so, nothing opened."""
    import os

    from servicecoach.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_text(_ok_record("a") + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    assert main(["score", str(path), "--format", "jsonl", "--resume",
                 "-o", str(tmp_path / "pipe")]) == 2
    assert "cannot resume --output" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--output", "--errors", "--report"])
def test_an_output_that_is_a_link_writes_the_file_it_links_to(tmp_path: Path, option: str,
                                                             ) -> None:
    """The rename put a regular file in place of a link (the file linked to kept its old
    content): the link stays, and the file it names gets the output."""
    from servicecoach.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_text(_ok_record("a") + "\n{\n", encoding="utf-8")
    target = tmp_path / "store" / "target"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(target)
    main(["score", str(path), "--format", "jsonl", option, str(link),
          *(["-o", str(tmp_path / "o.jsonl")] if option != "--output" else [])])
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8") != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["calls.jsonl", "store", "link", *(["o.jsonl"] if option != "--output" else [])])
    assert [p.name for p in target.parent.iterdir()] == ["target"]


@pytest.mark.parametrize("name", ["{agent_name}", "{detail}", "{detail}" * 2_000])
def test_a_name_that_looks_like_a_slot_is_written_as_it_is(coach: Coach, name: str) -> None:
    """Messages filled their slots one after another, each over the text the ones before
    had written: a customer named ``{agent_name}`` was called by the agent's name, and one
    named ``{detail}`` repeated 100,000 times (800 KB) made 16 MB of report, the first agent
    message copied into every suggestion 100,000 times. A value is never read for slots (and
    a name longer than 60 characters is written by its first 40)."""
    first = "Your order ships tomorrow from the warehouse, tracking follows by mail."
    transcript = Transcript.model_validate({
        "id": "t", "metadata": {"customer_name": name, "agent_name": "Bob"},
        "turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": first}]})
    report = coach.score(transcript)
    greeting = next(f for f in report.findings if f.rule_id == "greeting.missing")
    assert (name if len(name) <= 60 else name[:40] + "…") in greeting.suggestion
    assert greeting.suggestion.count(first[:20]) == 1
    assert all(len(f.suggestion) < len(name) + 1_000 for f in report.findings)


def _liveperson(bad: bool, number: int) -> Any:
    record = json.loads((FIXTURES / "liveperson_bot.json").read_text(encoding="utf-8"))
    one = record["conversationHistoryRecords"][0]
    one["info"]["conversationId"] = f"c-{number}"
    if bad:
        one["messageRecords"][1] = "a message that is a string"
    return one


def _intercom(bad: bool, number: int) -> Any:
    one = json.loads((FIXTURES / "intercom_conversation.json").read_text(encoding="utf-8"))
    one["id"] = f"c-{number}"
    if bad:
        one["conversation_parts"]["conversation_parts"][0] = "a part that is a string"
    return one


def _connect(bad: bool, number: int) -> Any:
    one = json.loads((FIXTURES / "connect_chat_transcript.json").read_text(encoding="utf-8"))
    one["ContactId"] = f"c-{number}"
    if bad:
        one["Transcript"][0] |= {"ParticipantRole": None, "ParticipantId": ["p-b"]}
    return one


def _twilio(bad: bool, number: int) -> list[Any]:
    data = json.loads((FIXTURES / "twilio" / "messages.json").read_text(encoding="utf-8"))
    messages = [m | {"conversation_sid": f"c-{number}"} for m in data["messages"]]
    if bad:
        messages[1]["index"] = "second"
    return messages


def _freshdesk(bad: bool, number: int) -> list[Any]:
    data = json.loads((FIXTURES / "freshdesk_html.json").read_text(encoding="utf-8"))[:2]
    entries = [entry | {"ticket_id": f"c-{number}", "id": 100 * number + entry["id"]}
               for entry in data]
    if bad:
        entries[1] = "an entry that is a string"  # type: ignore[call-overload]
    return entries


def _zendesk_chat(bad: bool, number: int) -> Any:
    history: list[Any] = [
        {"type": "chat.msg", "name": "Vi", "msg": "My order is late.",
         "timestamp": "2024-05-01T10:00:00Z"},
        {"type": "chat.msg", "name": "Ann", "msg": "Let me check that for you.",
         "timestamp": "2024-05-01T10:01:00Z"}]
    if bad:
        history[1] = "a message that is a string"
    return {"id": f"c-{number}", "visitor": {"name": "Vi"}, "agent_names": ["Ann"],
            "history": history}


MULTI_RECORD_EXPORTS = {
    "liveperson": lambda r: {"conversationHistoryRecords": r},
    "intercom": lambda r: {"type": "conversation.list", "conversations": r},
    "connect": lambda r: r,
    "twilio": lambda r: {"messages": [m for one in r for m in one]},
    "freshdesk": lambda r: [e for one in r for e in one],
    "zendesk": lambda r: {"chats": r},
}


@pytest.mark.parametrize("reader", list(MULTI_RECORD_EXPORTS))
def test_a_record_of_unexpected_structure_costs_only_its_conversation(
    tmp_path: Path, reader: str,
) -> None:
    """A conversation whose record had a structure the reader did not expect (a message
    that is a string, a list index that is a word) stopped the file: "unexpected structure
    after 1 record(s)", naming no conversation, and the conversations after it were lost
    and not counted. The error names that record, and the rest of the file is read."""
    build = {"liveperson": _liveperson, "intercom": _intercom, "connect": _connect,
             "twilio": _twilio, "freshdesk": _freshdesk, "zendesk": _zendesk_chat}[reader]
    path = tmp_path / f"{reader}.json"
    records = [build(number == 1, number) for number in range(3)]
    path.write_text(json.dumps(MULTI_RECORD_EXPORTS[reader](records)), encoding="utf-8")
    results = _read(path, reader)
    assert [type(r) for r in results] == [Transcript, InputError, Transcript], results
    assert [r.id for r in results if isinstance(r, Transcript)] == ["c-0", "c-2"]
    error = results[1]
    assert isinstance(error, InputError)
    assert "unexpected structure" in str(error) and "\n" not in str(error)
    assert "c-1" in str(error) or "[1]" in str(error), error


@pytest.mark.parametrize("beside", ["device", "pipe", "folder"])
def test_a_json_beside_an_export_that_is_no_file_is_passed_over(
    tmp_path: Path, beside: str,
) -> None:
    """Freshdesk, Connect and Genesys readers look for companion ``.json`` files in the
    export's folder. Before 2026-12-06 a link to /dev/zero there was read until memory ran
    out (the process was killed), a named pipe hung the read, and a folder was a traceback."""
    import os
    import resource
    import subprocess
    import sys

    export = tmp_path / "tickets.json"
    export.write_bytes((FIXTURES / "freshdesk_html.json").read_bytes())
    other = tmp_path / "other.json"
    if beside == "device":
        other.symlink_to("/dev/zero")
    elif beside == "pipe":
        os.mkfifo(other)
    else:
        other.mkdir()

    def limit_memory() -> None:  # a regression is an error, not the machine out of memory
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "servicecoach.cli", "convert", str(export), "--input-format",
         "freshdesk"], capture_output=True, text=True, check=False, timeout=120,
        preexec_fn=limit_memory)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["9"]
    assert "converted 1 transcript(s); 1 could not be read" in done.stderr


def test_a_connect_stream_without_segments_names_a_few_of_its_event_types(
        tmp_path: Path) -> None:
    """Amazon Connect segment-stream events with no transcript segment are an error naming
    their event types: it joined every distinct one whole, so 2,000 types of 1,000 characters
    made an error line of 2 MB. The first few are named, each cut short, and the rest
    counted."""
    events = [{"ContactId": "c1", "EventType": f"{i:04d}" + "x" * 1_000, "Segments": []}
              for i in range(2_000)]
    path = tmp_path / "stream.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    [error] = _read(path, "connect")
    assert isinstance(error, InputError)
    assert "carry no transcript segments" in str(error)
    assert "1,995 more" in str(error) and len(str(error)) < 1_000


def test_a_connect_contact_without_segments_names_its_own_event_types(tmp_path: Path) -> None:
    """The error for a contact whose events carry no transcript segment named the event
    types of every contact of the file (and gathered them again for each contact)."""
    events = [{"ContactId": f"c{i}", "EventType": f"KIND_{i}", "Segments": []}
              for i in range(3)]
    path = tmp_path / "stream.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    errors = _read(path, "connect")
    assert [str(error).split(": ", 1)[1].split(" carry")[0] for error in errors] == [
        f"segment-stream event(s) 'KIND_{i}'" for i in range(3)]


def test_a_transcript_id_of_1_mb_is_cut_in_errors(tmp_path: Path, coach: Coach) -> None:
    """Errors quote the transcript (or live session) they are about by its id, and an id
    of 1 MB made an error line of 1 MB (so did a session's channel that is none): a value
    longer than 100 characters is shown by its first 40 and its length (the error's
    `transcript_id` keeps it whole)."""
    long_id = "i" * 1_000_000
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps({"id": long_id, "turns": [{"speaker": "robot", "text": "hi"}]})
                    + "\n", encoding="utf-8")
    [error] = _read(path)
    assert isinstance(error, InputError) and error.transcript_id == long_id
    assert f"transcript '{'i' * 40}...' (1,000,000 characters)" in str(error)
    assert len(str(error)) < 500
    with pytest.raises(InputError) as refused:
        coach.session(transcript_id=long_id, channel="fax")
    assert len(str(refused.value)) < 500
    with pytest.raises(InputError) as refused:
        coach.session(channel=long_id)
    assert len(str(refused.value)) < 500
    session = coach.session(transcript_id=long_id)
    with pytest.raises(InputError) as refused:
        session.add_turn({"speaker": "robot", "text": "hi"})
    assert len(str(refused.value)) < 500


@pytest.mark.parametrize(("name", "content", "said"), [
    ("call.txt", "Agent: hi\n" + "Secretword" * 10_000 + ": hello\nCustomer: hi\n",
     "it does not start with a speaker label"),
    ("call.vtt", "WEBVTT\n\nthe customer said Secretword --> " + "x" * 100_000
     + "\nAgent: hi\n", "cannot read cue timing: line 3 does not start with a time"),
    ("call.vtt", "WEBVTT\n\n" + "0" * 100_000 + "x --> 00:01.000\nAgent: hi\n",
     "cannot read cue timing '00000000"),
])
def test_a_text_or_webvtt_line_that_is_no_label_or_timing_is_not_quoted_whole(
        tmp_path: Path, name: str, content: str, said: str) -> None:
    """A word of 100 KB before a colon in the text form ('unknown speaker ...') and a cue's
    timing line that is no timing (speech holding an arrow, in a cue without its timing
    line) were quoted whole in the error, on stderr; a label is quoted up to 30 characters,
    as an unreadable line's is, and a timing line only when it starts with a digit, cut
    short past 100 characters."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [error] = _read(path)
    assert isinstance(error, InputError)
    assert said in str(error) and len(str(error)) < 500
    assert "Secretword" not in str(error)


def test_a_name_longer_than_any_name_is_cut_in_the_messages_it_fills(coach: Coach) -> None:
    """Messages and suggestions write the customer's and the agent's name (`{customer_name}`),
    and a metadata name of 1 MB was written whole into each: 2 MB of names in a call of 40
    exchanges made a report of 89 MB. A name is written whole up to 60 characters, else by
    its first 40 and an ellipsis; the metadata keeps it as it is."""
    name = "Zed" + "a" * 200_000
    turns = []
    for _ in range(40):
        turns.append({"speaker": "customer", "text": "This is awful, I am furious."})
        turns.append({"speaker": "agent", "text": "Calm down, that is our policy."})
    report = coach.score(Transcript.model_validate({
        "id": "x", "metadata": {"customer_name": name, "agent_name": name}, "turns": turns}))
    written = [f.message + (f.suggestion or "") for f in report.findings]
    assert sum(name[:40] + "…" in text for text in written) >= 40
    assert max(map(len, written)) < 1_000
    assert report.metadata["customer_name"] == name


def test_a_pack_named_many_times_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration's `packs` naming one pack many times loaded and compiled it each
    time: 2,000 times `core` took 201 s and 2.5 GB to start. A pack's files are read once
    however often it is named, and its rules counted once."""
    from servicecoach.rules import loader

    read: list[str] = []
    compose = loader._compose

    def counted(path: Path) -> Any:
        read.append(path.name)
        return compose(path)

    monkeypatch.setattr(loader, "_compose", counted)
    once = Coach(packs=["core"])
    read_once = list(read)
    read.clear()
    many = Coach(packs=["core"] * 16)
    assert read == read_once and read.count("pack.yaml") == 1
    assert many.rules == once.rules


@pytest.mark.parametrize(("turn", "said"), [
    ({"role": "agent", "text": "Hello"}, "no 'speaker', but 'role': name it 'speaker'"),
    ({"role": "assistant", "content": "Hello"}, "no 'speaker', but 'role': name it 'speaker'"),
    ({"speaker": "agent", "message": "Hello"}, "no 'text', but 'message': name it 'text'"),
    ({"speaker": "agent", "content": "Hello"}, "no 'text', but 'content': name it 'text'")])
def test_a_turn_whose_speaker_or_text_has_another_name_says_so(
    coach: Coach, turn: dict[str, str], said: str
) -> None:
    """A turn as a chat API or a webhook names it ({"role", "content"}, "message") was
    refused as 'speaker: Field required' until 2026-12-07, with the name it had unsaid."""
    session = coach.session(transcript_id="live")
    with pytest.raises(InputError, match=f"turn 0: turn refused: turn: .*{re.escape(said)}"):
        session.add_turn(turn)
    with pytest.raises(ValidationError, match=re.escape(said)):
        Transcript.model_validate({"id": "c", "turns": [turn]})
    session.add_turn({"speaker": "agent", "text": "Hello", "content": "kept, not read"})


@pytest.mark.parametrize(("name", "content", "line", "said"), [
    ("call.txt", "[00:03] Agent: Hello, this is Sam.\n[99:99] Customer: hi\n", "line 2",
     "clock time '99:99' has seconds 99"),
    ("call.txt", "[00:03] Agent: hello\n[1:75:00] @hold_start\n", "line 2",
     "clock time '1:75:00' has minutes 75"),
    ("call.vtt", "WEBVTT\n\n00:00:01.000 --> 00:61:02.000\n<v Sam>Hello there\n", "line 3",
     "clock time '00:61:02.000' has minutes 61"),
])
def test_a_clock_time_past_59_minutes_or_seconds_is_a_located_error(
        tmp_path: Path, name: str, content: str, line: str, said: str) -> None:
    """The text form's `[99:99]` was read as 99 minutes and 99 seconds (6039 s) and a
    WebVTT cue at minute 61 as 61 minutes, without a word: a typo put a turn an hour on.
    Minutes and seconds after the first part run from 0 to 59; past that is an error at
    the line, saying which part."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    results = _read(path)
    assert len(results) == 1 and isinstance(results[0], InputError)
    text = str(results[0])
    assert line in text and said in text and "00 to 59" in text
    ok = tmp_path / "ok.txt"
    ok.write_text("[75:30] Agent: hello\n[1:05:09.5] Customer: hi\n", encoding="utf-8")
    (transcript,) = _read(ok)
    assert isinstance(transcript, Transcript)
    assert [turn.start for turn in transcript.turns] == [4530.0, 3909.5]


def test_a_canonical_turn_or_event_that_does_not_validate_is_named_once(tmp_path: Path) -> None:
    """A bad turn of canonical JSON was named twice, by the location and again by pydantic's
    path ("turn 1: turns.1.speaker: ..."), an end before its start in pydantic's words
    ("turns.0: Value error, end ..."), and an event by a path ("events.0.type"); the turn
    is named once, the event as "event 0"."""
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id":"c","turns":[{"speaker":"agent","text":"hi"},{"speaker":"robot","text":"x"}]}\n'
        '{"id":"d","turns":[{"speaker":"agent","text":"hi","start":5,"end":2}]}\n'
        '{"id":"f","events":[{"type":"nope"}],"turns":[{"speaker":"agent","text":"x"}]}\n',
        encoding="utf-8")
    errors = [str(result) for result in _read(path)]
    assert errors[0].startswith("bad.jsonl:line 1, transcript 'c', turn 1: speaker: Input "
                                "should be 'agent'") or ", turn 1: speaker: Input" in errors[0]
    assert ", turn 0: end (2.0) is before start (5.0)" in errors[1]
    assert "transcript 'f': event 0: type: Input should be" in errors[2]
    assert not any("turns." in error or "events." in error or "Value error" in error
                   for error in errors)


def test_a_transcript_of_many_bad_turns_names_five_and_counts_the_rest(tmp_path: Path) -> None:
    """Every turn or event that did not validate was listed: 5,000 turns with a bad `start`
    made an error line of 429 KB (on stderr, and again in the errors file). The first five
    are named and the others counted."""
    path = tmp_path / "many.jsonl"
    turns = [{"speaker": "agent", "text": "hi", "start": "x"}] * 5000
    events = [{"type": "hold_start", "at": "x"}] * 5000
    path.write_text(json.dumps({"id": "c", "turns": turns}) + "\n"
                    + json.dumps({"id": "d", "turns": [{"speaker": "agent", "text": "hi"}],
                                  "events": events}) + "\n", encoding="utf-8")
    errors = [str(result) for result in _read(path)]
    assert "; turn 4: start: should be a number, not 'x'" in errors[0]
    assert errors[0].count("turn ") == 5 and "; and 4,995 more" in errors[0]
    assert "event 4: at: should be a number, not 'x'" in errors[1]
    assert "event 5:" not in errors[1] and "; and 4,995 more" in errors[1]
    assert all(len(error) < 1_000 for error in errors)


LONG_KEY = "k" * 100_000


@pytest.mark.parametrize("toml", [
    f'"{LONG_KEY}" = 1\n',
    f'[rules."{LONG_KEY}"]\nenabled = false\n',
    f'disable = ["{LONG_KEY}"]\n',
    f'[rules."greeting.missing".settings]\n"{LONG_KEY}" = 1\n',
])
def test_a_configuration_key_of_100_kb_is_quoted_by_its_start(tmp_path: Path, toml: str) -> None:
    """An unknown key, a rule table, a selector or a setting named with 100,000 characters
    was written whole into the error: a line of 100 KB on stderr. It is shown by its first
    40 characters and its length, as an id is."""
    path = tmp_path / "servicecoach.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ServiceCoachError) as refused:
        Coach.from_config(path)
    said = str(refused.value)
    assert len(said) < 600 and "'" + "k" * 40 + "...' (100,000 characters)" in said


def test_a_configuration_key_that_is_not_printable_is_quoted(tmp_path: Path) -> None:
    """A key of a NUL was shown as nothing (`servicecoach.toml: : unknown key`)."""
    path = tmp_path / "servicecoach.toml"
    path.write_text('"\\u0000" = 1\n', encoding="utf-8")
    with pytest.raises(ServiceCoachError) as refused:
        Coach.from_config(path)
    assert str(refused.value).startswith(f"{path}: '\\x00': unknown key")


def test_summarize_warns_of_repeated_transcript_ids_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`summarize --html --transcripts` warned once per repeated transcript, the id whole:
    300 copies of a transcript whose id is 100 KB wrote 30 MB of warnings. It warns once,
    counting the repetitions and naming the first five ids, each by its start when long."""
    from servicecoach.cli import main

    long_id = "i" * 100_000
    transcripts = tmp_path / "t.jsonl"
    record = {"turns": [{"speaker": "agent", "text": "Hello, this is Sam."}]}
    ids = [long_id] * 300 + [f"c{n}" for n in range(8) for _ in range(2)]
    transcripts.write_text("".join(json.dumps({"id": i, **record}) + "\n" for i in ids),
                           encoding="utf-8")
    results = tmp_path / "r.jsonl"
    assert main(["score", str(transcripts), "--format", "jsonl", "-o", str(results)]) == 0
    capsys.readouterr()
    assert main(["summarize", str(results), "--html", str(tmp_path / "r.html"),
                 "--transcripts", str(transcripts), "-o", str(tmp_path / "s.txt")]) == 0
    err = capsys.readouterr().err
    assert len(err) < 1_000, len(err)
    assert ("warning: 307 transcript(s) in --transcripts repeat an id read before ('"
            + "i" * 40 + "...' (100,000 characters), 'c0', 'c1', 'c2', 'c3', ...): the first "
            "transcript of each id is shown") in err
