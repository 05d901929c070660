"""Summaries (`summarize`, `score --summary`): every number against a case worked out by
hand (tests/summary_cases.py), then the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from pathlib import Path

import pytest
from summary_cases import finding, four_reports, report

from servicecoach.cli import main
from servicecoach.summary import SummaryBuilder
from servicecoach.summary.grouping import UNREADABLE_DATE, started_date
from servicecoach.summary.table import ConversationTable
from servicecoach.summary.text import render_summary_text, sparkline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "transcripts"


def test_totals_rules_and_categories_match_the_hand_computed_case() -> None:
    summary = SummaryBuilder(top=2).add_all(four_reports()).summary()
    assert (summary.conversations, summary.scored) == (4, 3)
    assert summary.overall_mean == pytest.approx((40 + 90 + 90) / 3)
    assert (summary.overall_min, summary.overall_max) == (40.0, 90.0)
    assert summary.overall_distribution == [0, 0, 0, 0, 1, 0, 0, 0, 0, 2]
    assert summary.issues_by_severity == {"suggestion": 1, "warning": 2, "critical": 1}
    assert (summary.conversations_with_issues, summary.strengths) == (2, 2)
    assert [(r.rule_id, r.findings, r.conversations, r.share) for r in summary.rules] == [
        ("empathy.missing", 2, 1, 0.25), ("empathy.shown", 2, 2, 0.5),
        ("defensive.blame", 1, 1, 0.25), ("name.unused", 1, 1, 0.25)]
    examples = summary.rules[0].examples
    assert [(e.transcript_id, e.turn_index, e.text) for e in examples] == [
        ("a", 2, "order number"), ("a", 4, None)]
    assert [(c.category, c.applicable, c.mean) for c in summary.categories] == [
        ("defensiveness", 1, 60.0), ("empathy", 3, pytest.approx(220 / 3)), ("name", 2, 65.0)]
    empathy = summary.categories[1]
    assert empathy.distribution == [0, 0, 0, 1, 0, 0, 0, 0, 0, 2]


def test_worst_and_best_keep_input_order_between_equal_scores() -> None:
    summary = SummaryBuilder(top=2).add_all(four_reports()).summary()
    assert [(c.transcript_id, c.overall) for c in summary.worst] == [("a", 40.0), ("b", 90.0)]
    assert [(c.transcript_id, c.overall) for c in summary.best] == [("c", 90.0)]
    assert (summary.worst[0].issues, summary.worst[0].top_issue) == (3, "empathy.missing")
    assert summary.worst[1].top_issue == "defensive.blame"  # the critical one, not the first
    none = SummaryBuilder(top=0).add_all(four_reports()).summary()
    assert none.worst == none.best == []


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 10])
@pytest.mark.parametrize("scores", [[40, 90, 90], [70] * 6, [100, 50, 75, 50, 100, 60, 80]])
def test_worst_and_best_never_list_one_conversation_twice(top: int, scores: list[int]) -> None:
    """A QA lead reads Worst N as the conversations to look at and Best N as the ones to
    learn from: with 2N conversations or fewer (or equal scores around the cut) one
    conversation was in both lists. The lists split the conversations: the worst the lower
    half, the best the rest, each at most N, ties in input order."""
    reports = [report(f"t{i}", float(score), {}, []) for i, score in enumerate(scores)]
    summary = SummaryBuilder(top=top).add_all(reports).summary()
    worst = [c.position for c in summary.worst]
    best = [c.position for c in summary.best]
    assert not set(worst) & set(best)
    ranked = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    half = min(top, (len(scores) + 1) // 2) if len(scores) < 2 * top else top
    assert worst == ranked[:half]
    assert sorted(best, key=lambda i: (scores[i], i)) == ranked[::-1][:min(top, len(scores) - half)][::-1]
    assert [c.overall for c in summary.best] == sorted((c.overall for c in summary.best), reverse=True)


def test_groups_by_agent_queue_and_date() -> None:
    summary = SummaryBuilder(by=["agent_name", "queue", "date"]).add_all(four_reports()).summary()
    agents = {g.value: g for g in summary.groups["agent_name"]}
    assert [g.value for g in summary.groups["agent_name"]] == ["Ann", "(none)", "Bo"]
    ann = agents["Ann"]
    assert (ann.conversations, ann.overall_mean, ann.issues, ann.strengths) == (2, 65.0, 4, 1)
    assert ann.category_means == {"defensiveness": 60.0, "empathy": 65.0, "name": 65.0}
    assert ann.top_issues == [("empathy.missing", 2), ("defensive.blame", 1), ("name.unused", 1)]
    assert agents["(none)"].overall_mean is None
    assert [(g.value, g.conversations) for g in summary.groups["queue"]] == [
        ("(none)", 2), ("billing", 1), ("tech", 1)]
    # b started late on the 2nd in its own zone; c is a Unix time (the 28th, UTC)
    assert sorted((g.value, g.conversations) for g in summary.groups["date"]) == [
        ("(none)", 1), ("2026-02-28", 1), ("2026-03-01", 1), ("2026-03-02", 1)]


def test_time_groups_by_day_week_and_month_in_calendar_order() -> None:
    """A month of chats summarized by date listed its days busiest first (a calendar read
    out of order), and a QA lead could not group by week or month."""
    days = ["2026-11-03", "2026-11-01", "2026-11-01", "2026-11-09", "2026-12-01", "2026-11-02"]
    reports = [report(str(n), 80.0, {}, [], started_at=f"{day}T10:00:00Z")
               for n, day in enumerate(days)] + [report("x", 80.0, {}, [])]
    summary = SummaryBuilder(by=["date", "week", "month"]).add_all(reports).summary()
    assert [(g.value, g.conversations) for g in summary.groups["date"]] == [
        ("(none)", 1), ("2026-11-01", 2), ("2026-11-02", 1), ("2026-11-03", 1),
        ("2026-11-09", 1), ("2026-12-01", 1)]
    assert [(g.value, g.conversations) for g in summary.groups["week"]] == [
        ("(none)", 1), ("2026-W44", 2), ("2026-W45", 2), ("2026-W46", 1), ("2026-W49", 1)]
    assert [(g.value, g.conversations) for g in summary.groups["month"]] == [
        ("(none)", 1), ("2026-11", 5), ("2026-12", 1)]


def test_an_unreadable_start_is_its_own_date_group() -> None:
    assert started_date(report("x", 50.0, {}, [], started_at="last Tuesday")) == UNREADABLE_DATE
    assert started_date(report("x", 50.0, {}, [], started_at="2026-03-05")) == "2026-03-05"


def test_text_has_rule_statistics_categories_and_a_closing_tally() -> None:
    text = render_summary_text(
        SummaryBuilder(by=["agent_name"], top=2).add_all(four_reports()).summary())
    assert "4 conversation(s), 3 with a score: overall mean 73.3 (min 40.0, max 90.0)" in text
    assert '       2      1  25.0%       0  warning    empathy.missing  a turn 2 "order number"' in text
    assert "  empathy         73.3       3  |   ▄     █|" in text
    assert "  Ann             2    65.0        2.00  defensiveness 60" in text
    assert text.endswith("1 critical, 2 warning(s) and 1 suggestion(s) in 2 of 4 "
                         "conversation(s); 2 strength(s).\n")


def test_sparkline_scales_to_the_fullest_band_and_shows_any_count() -> None:
    assert sparkline([0, 1, 100]) == " ▁█"
    assert sparkline([0, 0]) == "  "


def test_csv_table_has_a_row_per_conversation_and_a_column_per_score_and_rule() -> None:
    table = ConversationTable()
    for item in four_reports():
        table.add(item)
    out = io.StringIO()
    table.write(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["transcript_id"] for r in rows] == ["a", "b", "c", "d"]
    assert list(rows[0])[10:] == [
        "overall", "issues", "strengths", "score:defensiveness", "score:empathy", "score:name",
        "rule:defensive.blame", "rule:empathy.missing", "rule:empathy.shown", "rule:name.unused",
        "metadata"]
    a, _, c, d = rows
    assert (a["agent_name"], a["queue"], a["overall"], a["issues"]) == ("Ann", "billing", "40.0", "3")
    assert (a["score:defensiveness"], a["score:empathy"], a["rule:empathy.missing"]) == ("", "30.0", "2")
    assert (c["started_at"], c["rule:empathy.missing"]) == ("1772319600", "0")
    assert (d["overall"], d["strengths"], d["metadata"]) == ("", "1", "")


def _write_results(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_summarize_reports_a_bad_line_with_its_place_and_counts_the_others(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = [r.model_dump_json() for r in four_reports()]
    results = _write_results(tmp_path / "results.jsonl",
                             [reports[0], reports[1], '{"transcript_id": "x"}', "", *reports[2:]])
    assert main(["summarize", str(results), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 4
    assert f"{results}:line 3: not a servicecoach report (findings: Field required)" in err
    assert "summarized 4 report(s); 1 line(s) could not be read" in err


def test_a_file_of_no_reports_is_not_an_error_a_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`summarize` of score's text or CSV output printed an error for every line of it (a
    month's text report: tens of thousands of lines on stderr): the first five are shown
    and the rest counted in one line that says what the file may be and what to pass."""
    for fmt in ("text", "csv"):
        results = tmp_path / f"results.{fmt}"
        assert main(["score", str(EXAMPLES), "--format", fmt, "-o", str(results)]) in (0, 1)
        capsys.readouterr()
        numbers = [number for number, line in
                   enumerate(results.read_text(encoding="utf-8").splitlines(), start=1)
                   if line.strip()]
        lines = len(numbers)
        assert lines > 10
        assert main(["summarize", str(results)]) == 2
        errors = capsys.readouterr().err.splitlines()
        assert len(errors) == 7, errors
        assert all(f"{results}:line " in error for error in errors[:5])
        assert errors[5] == (
            f"error: {results}: {lines - 5} more line(s) are not reports either, up to line "
            f"{numbers[-1]}: the file does not hold "
            "reports (is it score's text or CSV output? summarize reads what 'score --format "
            "jsonl' or '--format json' writes)")
        assert errors[6] == f"summarized 0 report(s); {lines} line(s) could not be read"
    reports = [r.model_dump_json() for r in four_reports()]
    mixed = _write_results(tmp_path / "mixed.jsonl",
                           ["x"] * 7 + reports[:2] + ["y"] * 7 + reports[2:])
    assert main(["summarize", str(mixed), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 4
    assert f"{mixed}: 2 more line(s) are not reports either, up to line 7" in err
    assert all(f"{mixed}:line {n}:" in err for n in range(10, 17))  # after a report: each


def test_a_report_of_another_version_is_named_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A report with a field this servicecoach does not know (written by another version)
    was "schema_version: Extra inputs are not permitted" and no more: the error says the
    report may come from another version and what to do."""
    newer = json.loads(four_reports()[0].model_dump_json()) | {"schema_version": 2}
    results = _write_results(tmp_path / "results.jsonl", [json.dumps(newer)])
    assert main(["summarize", str(results)]) == 2
    err = capsys.readouterr().err
    assert "schema_version: Extra inputs are not permitted" in err
    assert "may come from another servicecoach version" in err
    assert "score its transcripts again" in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "latin-1"])
def test_summarize_decodes_results_as_score_decodes_its_inputs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    """Results were read as UTF-8 with bad bytes replaced: a byte-order mark cost the first
    report, a file saved as UTF-16 (PowerShell's '>' writes it) every report, and a
    Latin-1 team 'caf\xe9' was summarized as 'caf\ufffd', merged with any other team so
    damaged, without a word. They are decoded as score decodes a file: a byte-order mark
    and UTF-16 are read, and a line that is not UTF-8 is an error at its line."""
    reports = [r.model_copy(update={"metadata": {"team": "caf\u00e9"}}).model_dump_json()
               for r in four_reports()]
    results = tmp_path / "results.jsonl"
    text = "".join(line + "\n" for line in reports)
    if encoding == "latin-1":
        results.write_bytes(text.encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9", 1))
    else:
        results.write_bytes(text.encode(encoding))
    code = main(["summarize", str(results), "--format", "json", "--by", "team"])
    out, err = capsys.readouterr()
    groups = json.loads(out)["groups"]["team"]
    if encoding == "latin-1":
        assert code == 2
        assert f"{results}:line 1, byte " in err and "invalid UTF-8" in err
        assert [g["value"] for g in groups] == ["caf\u00e9"] and groups[0]["conversations"] == 3
    else:
        assert code == 0, err
        assert [g["value"] for g in groups] == ["caf\u00e9"] and groups[0]["conversations"] == 4


def test_summarize_refuses_a_device_unread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A results file that is a link to /dev/zero was read until memory ran out (a
    MemoryError traceback), as score refuses such an input unopened; a named pipe is
    still read (summarize <(zcat results.jsonl.gz))."""
    link = tmp_path / "results.jsonl"
    link.symlink_to("/dev/zero")
    assert main(["summarize", str(link)]) == 2
    err = capsys.readouterr().err
    assert f"{link}" in err and "not a file of reports (a device)" in err


def test_summarize_reads_several_files_as_one_set(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = [r.model_dump_json() for r in four_reports()]
    first = _write_results(tmp_path / "one.jsonl", reports[:2])
    second = _write_results(tmp_path / "two.jsonl", reports[2:])
    assert main(["summarize", str(first), str(second), "--format", "json", "--by", "queue",
                 "--top", "2"]) == 0
    whole = SummaryBuilder(by=["queue"], top=2).add_all(four_reports()).summary()
    assert json.loads(capsys.readouterr().out) == json.loads(whole.model_dump_json())


def test_a_results_file_named_twice_is_refused_and_a_repeated_id_is_warned_of(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`summarize r.jsonl r.jsonl` (a shell glob and a name, say) counted every report
    twice, and reports repeating an id were summed without a word."""
    reports = [r.model_dump_json() for r in four_reports()]
    results = _write_results(tmp_path / "results.jsonl", reports)
    assert main(["summarize", str(results), str(tmp_path / "." / "results.jsonl")]) == 2
    assert "is given twice" in capsys.readouterr().err
    again = _write_results(tmp_path / "again.jsonl", reports[:2])
    assert main(["summarize", str(results), str(again), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 6
    first_id = four_reports()[0].transcript_id
    second_id = four_reports()[1].transcript_id
    assert (f"warning: 2 report(s) repeat a transcript id read before, and each is counted "
            f"('{first_id}' at {again}: record 1, first at {results}: record 1; ids repeated: "
            f"'{first_id}', '{second_id}')") in err


@pytest.mark.parametrize(("change", "said"), [
    ({"turn_index": -5}, "findings.0.turn_index: Input should be greater than or equal to 0"),
    ({"span": {"start": 50, "end": 2, "text": "x"}},
     "findings.0.span: Value error, end 2 is before start 50"),
])
def test_a_report_no_servicecoach_run_could_write_is_refused_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object],
        said: str) -> None:
    """A finding on turn -5, or a span that ends before it starts, was summed and shown
    ("turn -5")."""
    first = json.loads(four_reports()[0].model_dump_json())
    first["findings"] = [{**first["findings"][0], **change}]
    results = _write_results(tmp_path / "results.jsonl",
                             [json.dumps(first), four_reports()[1].model_dump_json()])
    assert main(["summarize", str(results)]) == 2
    assert f"{results}:line 1: not a servicecoach report ({said})" in capsys.readouterr().err


def test_summarize_reads_what_score_format_json_writes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`score --format json -o results.json` then `summarize results.json` made an error of
    every line of the array's indented reports (hundreds a conversation) and summarized
    nothing: the array's reports are summarized as the same reports in JSON lines are."""
    as_json = tmp_path / "results.json"
    as_jsonl = tmp_path / "results.jsonl"
    assert main(["score", str(EXAMPLES), "--format", "json", "-o", str(as_json)]) in (0, 1)
    assert main(["score", str(EXAMPLES), "--format", "jsonl", "-o", str(as_jsonl)]) in (0, 1)
    capsys.readouterr()
    assert main(["summarize", str(as_jsonl), "--format", "json", "--by", "agent_name"]) == 0
    expected = capsys.readouterr().out
    assert main(["summarize", str(as_json), "--format", "json", "--by", "agent_name"]) == 0
    out, err = capsys.readouterr()
    assert out == expected
    assert json.loads(out)["conversations"] == 2
    assert "0 line(s) could not be read" in err
    piped = io.TextIOWrapper(io.BufferedReader(io.BytesIO(as_json.read_bytes())))
    monkeypatch.setattr("sys.stdin", piped)  # score --format json | summarize -
    assert main(["summarize", "-", "--format", "json", "--by", "agent_name"]) == 0
    assert capsys.readouterr().out == expected
    pipe = tmp_path / "pipe"  # summarize <(score --format json ...): a named pipe
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(as_json.read_bytes()))
    writer.start()
    assert main(["summarize", str(pipe), "--format", "json", "--by", "agent_name"]) == 0
    writer.join()
    assert capsys.readouterr().out == expected
    text = as_json.read_text(encoding="utf-8")
    second = text.index("\n},\n{") + len("\n},\n")
    cut = _write_results(tmp_path / "cut.json", [text[:second + 40]])
    assert main(["summarize", str(cut), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 1
    assert (f"{cut}:report 2 of the JSON array: not a JSON array of reports after its report "
            "1: the JSON array is not closed") in err


def test_a_report_in_a_json_array_is_held_only_up_to_the_longest_a_report_may_be(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """As a line of JSON lines is read for at most 256 MB, a JSON array's report is held
    for at most as much: past it, the reading stops with an error at that report."""
    monkeypatch.setattr("servicecoach.summary.results.MAX_REPORT_LINE", 100_000)
    small, large = four_reports()[:2]
    large = large.model_copy(update={"notes": ("x" * 300_000,)})
    results = tmp_path / "results.json"
    results.write_text(f"[{small.model_dump_json()},\n{large.model_dump_json()}]",
                       encoding="utf-8")
    assert main(["summarize", str(results), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 1
    assert ("report 2 of the JSON array: not a JSON array of reports after its report 1: "
            "element 2 is longer than 100,000 bytes: not read") in err


@pytest.mark.parametrize(("way", "form"), [
    *((way, form) for way in ("file", "utf-16 file", "stdin", "pipe") for form in ("jsonl", "json")),
    ("text stdin", "jsonl")])  # a text stream in place of stdin is read a report a line
def test_the_longest_a_report_may_be_is_counted_in_bytes_however_it_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        form: str, way: str) -> None:
    """The limit on a report was bytes for a line of a file or a pipe, characters for a
    report of a JSON array, and none for a text stream in place of stdin: a report of
    70,000 characters and 130,000 bytes (accented notes) passed a 100,000 limit one way and
    not another. It is bytes in UTF-8 everywhere."""
    monkeypatch.setattr("servicecoach.summary.results.MAX_REPORT_LINE", 100_000)
    small, large = four_reports()[:2]
    large = large.model_copy(update={"notes": ("é" * 65_000,)})
    line = large.model_dump_json()
    assert len(line) < 100_000 < len(line.encode("utf-8"))
    lines = [small.model_dump_json(), line]
    text = ("\n".join(lines) + "\n" if form == "jsonl" else "[" + ",\n".join(lines) + "]")
    data = text.encode("utf-16" if way == "utf-16 file" else "utf-8")
    path = tmp_path / "results"
    if way == "pipe":
        os.mkfifo(path)
        writer = threading.Thread(target=lambda: path.write_bytes(data))
        writer.start()
    elif way in ("file", "utf-16 file"):
        path.write_bytes(data)
    else:
        stream = io.BytesIO(data)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(stream))
                            if way == "stdin" else io.StringIO(text))
        path = Path("-")
    assert main(["summarize", str(path), "--format", "json"]) == 2
    if way == "pipe":
        writer.join()
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 1
    assert "longer than 100,000" in err and "bytes" in err


def test_a_text_stream_in_place_of_stdin_is_read_as_its_bytes_would_be(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A text stream in place of stdin (no bytes to read) had lines of its own, a copy of
    `capped_lines` for text, where a byte-order mark opening the results made the first
    report "not a servicecoach report"; until 2026-12-07. Its text is spooled as UTF-8 and
    read as stdin's bytes are: the same reports and the same errors, at the same lines."""
    monkeypatch.setattr("servicecoach.summary.results.MAX_REPORT_LINE", 100_000)
    small, large = four_reports()[:2]
    too_long = large.model_copy(update={"notes": ("é" * 65_000,)}).model_dump_json()
    lines = [small.model_dump_json(), too_long, "{oops", large.model_dump_json()]
    text = "\ufeff" + "".join(line + "\n" for line in lines)
    told = []
    for stdin in (io.TextIOWrapper(io.BufferedReader(io.BytesIO(text.encode("utf-8")))),
                  io.StringIO(text)):
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["summarize", "-", "--format", "json"]) == 2
        out, err = capsys.readouterr()
        told.append((json.loads(out)["conversations"], err))
    assert told[0] == told[1]
    assert told[0][0] == 2
    assert "-:line 2: a line of" in told[0][1] and "-:line 3: not a servicecoach" in told[0][1]


def test_where_a_value_no_report_has_says_the_values_there_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--where agent_name=ann`, where the reports say 'Ann', left every report out and
    printed an empty summary with no word but the count left out: a warning names the
    value the reports have in another case (or the nearest) and the values there are."""
    results = _write_results(tmp_path / "results.jsonl",
                             [r.model_dump_json() for r in four_reports()])
    assert main(["summarize", str(results), "--where", "agent_name=ann", "--top", "0"]) == 0
    err = capsys.readouterr().err
    assert ("warning: --where agent_name='ann': no report has this value (did you mean "
            "'Ann'? the reports have 'Ann', 'Bo')") in err
    assert main(["summarize", str(results), "--where", "agent_name=Zed", "--where",
                 "queue=billing", "--top", "0"]) == 0
    err = capsys.readouterr().err
    assert "warning: --where agent_name='Zed': no report has this value (the reports have" in err
    assert "queue" not in err.split("summarized")[0]  # billing is a value the reports have
    assert main(["summarize", str(results), "--where", "agent_name=Ann", "--top", "0"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_summarize_where_keeps_one_agent_queue_or_week(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A QA lead scoring a month wants one agent's scorecard, one queue or one week: the
    summary took every report of its files, and cutting them took jq."""
    results = _write_results(tmp_path / "results.jsonl",
                             [r.model_dump_json() for r in four_reports()])
    assert main(["summarize", str(results), "--format", "json", "--where",
                 "agent_name=Ann"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 2
    assert "summarized 2 report(s); 2 left out by --where; 0 line(s) could not be read" in err
    assert main(["summarize", str(results), "--format", "csv", "--where", "agent_name=Ann",
                 "--where", "queue=tech"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["transcript_id"] for r in rows] == ["b"]
    assert main(["summarize", str(results), "--format", "json", "--where", "week=2026-W09",
                 "--where", "agent_name=Bo"]) == 0
    assert json.loads(capsys.readouterr().out)["worst"][0]["transcript_id"] == "c"
    with pytest.raises(SystemExit):
        main(["summarize", str(results), "--where", "agent_name"])
    assert "--where takes FIELD=VALUE" in capsys.readouterr().err


def test_summarize_where_names_a_field_no_report_has(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt field ("agent=Ann" for agent_name) left every report out, and the only
    sign was a count; a field no report has a value for is named with a warning."""
    results = _write_results(tmp_path / "results.jsonl",
                             [r.model_dump_json() for r in four_reports()])
    assert main(["summarize", str(results), "--format", "json", "--where", "agent=Ann"]) == 0
    err = capsys.readouterr().err
    assert "warning: --where agent: no report has this field" in err
    assert "4 left out by --where" in err
    assert main(["summarize", str(results), "--format", "json", "--where", "queue=none"]) == 0
    assert "no report has this field" not in capsys.readouterr().err  # two reports have it


def test_by_names_a_field_no_report_has_and_the_fields_there_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--by agent` (the column the worst and best tables call 'agent') grouped every
    conversation under '(none)' without a word: the reports' field is agent_name. A --by
    or --where field no report has a value for is named, with the reports' metadata fields
    and the nearest of them."""
    results = _write_results(tmp_path / "results.jsonl",
                             [r.model_dump_json() for r in four_reports()])
    assert main(["summarize", str(results), "--by", "agent", "--where", "queu=tech"]) == 0
    err = capsys.readouterr().err
    fields = ("the reports' metadata fields are agent_name, queue, started_at; or date, "
              "week, month, channel, source")
    assert (f"warning: --by agent: no report has this field (did you mean 'agent_name'? "
            f"{fields})") in err
    assert f"warning: --where queu: no report has this field (did you mean 'queue'? {fields})" \
        in err
    assert main(["summarize", str(results), "--by", "queue", "--by", "week"]) == 0
    assert "warning" not in capsys.readouterr().err
    undated = _write_results(tmp_path / "undated.jsonl", [report("e", 50.0, {}, []).model_dump_json()])
    assert main(["summarize", str(undated), "--by", "month"]) == 0
    assert "warning: --by month: no report has a started_at (the time it is read from)" in \
        capsys.readouterr().err
    assert main(["score", str(EXAMPLES), "--summary", "--by", "agent"]) in (0, 1)
    assert "warning: --by agent: no report has this field (did you mean 'agent_name'?" in \
        capsys.readouterr().err


def test_a_metadata_field_named_like_a_calendar_field_is_read_as_metadata_dot_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An export whose metadata has its own `week` (a rota week, "W7") grouped `--by week`
    on the ISO week of started_at, without a word and with no way to reach the field:
    `metadata.week` reads it, and `--by week` / `--where week=` warn that it is there."""
    reports = [report("a", 40.0, {}, [], week="W7", started_at="2026-03-02T09:00:00Z"),
               report("b", 90.0, {}, [], week="W7", started_at="2026-03-10T09:00:00Z"),
               report("c", 80.0, {}, [], started_at="2026-03-11T09:00:00Z")]
    results = _write_results(tmp_path / "results.jsonl", [r.model_dump_json() for r in reports])
    assert main(["summarize", str(results), "--format", "json", "--by", "metadata.week"]) == 0
    out, err = capsys.readouterr()
    assert [(g["value"], g["conversations"]) for g in json.loads(out)["groups"]["metadata.week"]
            ] == [("W7", 2), ("(none)", 1)]
    assert "warning" not in err
    assert main(["summarize", str(results), "--format", "json", "--by", "week",
                 "--where", "week=2026-W11"]) == 0
    out, err = capsys.readouterr()
    assert [(g["value"], g["conversations"]) for g in json.loads(out)["groups"]["week"]] == [
        ("2026-W11", 2)]
    assert err.count("warning: week is the ISO week of started_at, but the reports also have "
                     "a metadata field 'week': write metadata.week to group or filter on that "
                     "field") == 1
    transcripts = tmp_path / "t.jsonl"
    transcripts.write_text(json.dumps({"id": "t", "metadata": {"channel": "phone"}, "turns": [
        {"speaker": "agent", "text": "Hello, thanks for calling."}]}) + "\n")
    assert main(["score", str(transcripts), "--summary", "--by", "channel"]) in (0, 1)
    assert "write metadata.channel to group or filter on that field" in capsys.readouterr().err
    assert main(["score", str(transcripts), "--summary", "--by", "channel", "--quiet"]) in (0, 1)
    assert "warning" not in capsys.readouterr().err  # --quiet: the counts only


def test_score_summary_equals_summarize_of_the_jsonl_it_writes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results.jsonl"
    assert main(["score", str(EXAMPLES), "--format", "jsonl", "-o", str(results)]) in (0, 1)
    for fmt in ("text", "json", "csv"):
        capsys.readouterr()
        assert main(["score", str(EXAMPLES), "--summary", "--format", fmt, "--by", "agent_name"]) in (0, 1)
        direct = capsys.readouterr().out
        assert main(["summarize", str(results), "--format", fmt, "--by", "agent_name"]) == 0
        assert capsys.readouterr().out == direct, fmt
    assert "empathy.missing" in direct  # the examples' refund call misses empathy


def test_a_summary_is_not_written_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES), "--summary", "--format", "jsonl"]) == 2
    assert "a summary is written as text, json, csv, not jsonl" in capsys.readouterr().err


def test_grouping_without_a_summary_or_report_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES), "--by", "queue"]) == 2
    assert "--by groups the summary and the HTML report (add --summary or --report FILE)" in \
        capsys.readouterr().err


@pytest.mark.parametrize("field", ["", "  ", "metadata.", " metadata. "])
def test_by_or_where_naming_no_field_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str) -> None:
    """`--by metadata.` (the prefix without a name) or `--by ""` grouped every report under
    a metadata field of that name, '(none)', with a warning guessing 'did you mean' the
    first metadata fields; `--where metadata.=x` left every report out. Each is a usage
    error saying what to write."""
    results = _write_results(tmp_path / "results.jsonl",
                             [r.model_dump_json() for r in four_reports()])
    for option in (["--by", field], ["--where", f"{field}=x"]):
        with pytest.raises(SystemExit):
            main(["summarize", str(results), *option])
        assert "names no field" in capsys.readouterr().err


def test_each_rule_says_how_many_points_of_the_overall_score_its_findings_cost() -> None:
    """A QA lead could not tell which findings cost the most: the severity column called
    outcome.unconfirmed a suggestion though it takes 20 points. Each rule's row sums the
    points its findings took off the overall score (its category's loss after clamping,
    weighed as the overall score weighs the category), not the category points, which
    did not add up to anything the lead could see."""
    from servicecoach import Coach
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    scored = Coach().score(call)  # type: ignore[arg-type]
    summary = SummaryBuilder().add_all([scored, scored]).summary()
    points = {r.rule_id: r.points for r in summary.rules}
    # outcome weighs 2 of the 10 the refund call's applicable categories weigh: -40 * 2 / 10
    assert points["outcome.negative-ending"] == -16.0
    assert points["empathy.missing"] == -8.0
    assert points["greeting.introduced"] == 0.0  # opening_closing lost nothing (-5 + 5)
    text = render_summary_text(summary)
    assert "   count  convs  share  points  severity   rule" in text
    assert "       2      2 100.0%     -16  warning    outcome.negative-ending" in text
    # a strength's severity ("suggestion" for every one until 2026-12-07) ranks nothing
    strengths = text[text.index("Strengths"):text.index("Categories")]
    assert "   count  convs  share  points  rule" in strengths
    assert "suggestion" not in strengths and "severity" not in strengths
    assert "       2      2 100.0%       0  greeting.introduced" in strengths


def test_the_rules_points_add_up_to_what_the_overall_scores_lost() -> None:
    from servicecoach import Coach, Transcript
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    chat = Transcript.model_validate_json((EXAMPLES / "billing-chat.json").read_text())
    reports = [Coach().score(call), Coach().score(chat)]  # type: ignore[arg-type]
    summary = SummaryBuilder().add_all(reports).summary()
    lost = sum(100 - r.overall for r in reports if r.overall is not None)
    assert lost > 20  # the refund call lost 20.5
    # each rule's points are rounded to 0.1, each overall score was rounded to 0.1
    assert sum(r.points for r in summary.rules) == pytest.approx(
        -lost, abs=0.05 * (len(summary.rules) + len(reports)))


def test_a_worst_conversation_s_top_issue_is_the_one_that_cost_it_most() -> None:
    """The worst table named the refund call's top issue empathy.missing (the first of its
    warnings), though its negative ending took 40 points and empathy.missing 20: the top
    issue is the rule whose findings took the most points; severity breaks ties."""
    from servicecoach import Coach
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    summary = SummaryBuilder(top=1).add_all([Coach().score(call)]).summary()  # type: ignore[list-item]
    assert summary.worst[0].top_issue == "outcome.negative-ending"


def test_the_top_issue_is_the_rule_that_cost_the_overall_score_most_not_its_category() -> None:
    """A critical in the name category (weight 1) takes 20 of its points, three
    suggestions in empathy (weight 2) 15 of theirs: the empathy suggestions cost the
    overall score 10 points, the critical 6.7, and the worst list names empathy's."""
    from servicecoach.models import Report
    from servicecoach.scoring import ScoringPolicy, score

    findings = [finding("name.wrong", "issue", "critical", "name", 1),
                *[finding("empathy.missing", "issue", "suggestion", "empathy", 2)] * 3]
    scores, overall = score(findings, {"name", "empathy"}, (),
                            ScoringPolicy(weights={"empathy": 2.0}))
    built = Report(transcript_id="t", findings=tuple(findings), scores=scores, overall=overall)
    summary = SummaryBuilder(top=1).add_all([built]).summary()
    assert summary.worst[0].top_issue == "empathy.missing"
    assert {r.rule_id: r.points for r in summary.rules} == {"empathy.missing": -10.0,
                                                            "name.wrong": -6.7}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_summarize_refuses_an_over_long_line_unread_and_reads_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    """A results file of one 2 GB line was read whole before it was parsed (2 GB of memory
    for one line), and one saved as UTF-16 or UTF-32 (PowerShell's `>`) a line at a time,
    whole, whatever its length; a line longer than a report may be is an error at its line,
    skipped in pieces or its text dropped as it is decoded, and the reports around it are
    summarized (here with the limit made small)."""
    import tracemalloc

    from servicecoach.summary import results as results_module

    monkeypatch.setattr(results_module, "MAX_REPORT_LINE", 100_000)
    reports = [r.model_dump_json() for r in four_reports()]
    long_line = '{"transcript_id": "' + "x" * 5_000_000 + '"}'
    path = tmp_path / "results.jsonl"
    path.write_text("".join(line + "\r\n" for line in [reports[0], long_line, *reports[1:]]),
                    encoding=encoding, newline="")
    tracemalloc.start()
    read = list(results_module.read_results(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000
    assert [getattr(item, "transcript_id", None) for item in read] == ["a", None, "b", "c", "d"]
    assert str(read[1]).startswith(f"{path}:line 2: a line of 5,000,023 bytes, longer than "
                                   "100,000 (the most a report may be): not read")
    assert main(["summarize", str(path), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["conversations"] == 4
    assert f"{path}:line 2: a line of 5,000,023 bytes" in err and len(err) < 1_000


@pytest.mark.parametrize("text", ["", "\n\n", "[]\n"])
def test_summarize_of_a_file_holding_no_report_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Until 2026-12-07 an empty results file (score's output of nothing) was summarized as
    "0 conversation(s)", exit 0, without a word; alone it is an error, beside a file of
    reports a warning."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text(text, encoding="utf-8")
    assert main(["summarize", str(empty)]) == 2
    err = capsys.readouterr().err
    assert f"error: {empty}: holds no report (empty, blank or an empty array)" in err
    full = _write_results(tmp_path / "full.jsonl", [four_reports()[0].model_dump_json()])
    assert main(["summarize", str(full), str(empty)]) == 0
    assert f"warning: {empty}: holds no report" in capsys.readouterr().err


def test_an_agent_name_with_stray_spaces_is_one_group_with_the_others(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A redacted export wrote "Agent " for some calls and "Agent" for others (and "Sam  Lee"
    for "Sam Lee"): `--by agent_name` listed each agent twice, their calls split between two
    rows (until 2026-12-07). White space around a value, and each run of it inside, is one
    space where the group is read, for --where too; a blank value is (none). Case is kept."""
    reports = [report(name, 80.0, {"empathy": 80.0}, [], agent_name=agent)
               for name, agent in [("a", "Agent"), ("b", "Agent "), ("c", " Agent\t"),
                                   ("d", "Sam Lee"), ("e", "Sam  Lee"), ("f", "  "),
                                   ("g", "agent")]]
    summary = SummaryBuilder(by=["agent_name"]).add_all(reports).summary()
    assert sorted((g.value, g.conversations) for g in summary.groups["agent_name"]) == [
        ("(none)", 1), ("Agent", 3), ("Sam Lee", 2), ("agent", 1)]
    results = _write_results(tmp_path / "results.jsonl", [r.model_dump_json() for r in reports])
    assert main(["summarize", str(results), "--format", "json", "--where",
                 "agent_name=Sam Lee "]) == 0
    assert json.loads(capsys.readouterr().out)["conversations"] == 2


def test_a_conversation_with_no_turns_is_noted_and_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A conversation with no turn at all ({"id": ..., "turns": []}, an export cut short)
    was scored without a word: overall n/a and no finding, as if scored with nothing to
    say, and a summary counted it among the others (until 2026-12-07). Its report notes that
    it had no turns, and the summary counts such conversations, in JSON and in text."""
    from servicecoach.session import NO_TURNS

    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "empty", "turns": []}) + "\n" + json.dumps(
        {"id": "hello", "turns": [{"speaker": "agent", "text": "Hello, this is Sam."}]}) + "\n",
        encoding="utf-8")
    results = tmp_path / "results.jsonl"
    assert main(["score", str(calls), "--format", "jsonl", "-o", str(results)]) in (0, 1)
    empty, hello = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert empty["notes"] == [NO_TURNS] and empty["overall"] is None
    assert NO_TURNS not in hello["notes"]
    capsys.readouterr()
    assert main(["summarize", str(results), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["no_turns"] == 1
    assert main(["summarize", str(results)]) == 0
    assert ("  1 conversation(s) with no turn at all: nothing to score (their reports say so)"
            in capsys.readouterr().out.splitlines())
    assert main(["score", str(calls)]) in (0, 1)
    assert f"  note: {NO_TURNS}" in capsys.readouterr().out


def test_a_conversation_with_no_turns_is_noted_however_it_is_scored() -> None:
    """The note is the session's: `Coach.score`, a live session closed unanswered and the
    batch paths all say the conversation had no turns (it was added only where `score`
    and Spark scored a transcript, so `check`, `eval` and library callers read none)."""
    from servicecoach import Coach, Transcript
    from servicecoach.session import NO_TURNS

    coach = Coach()
    empty = coach.score(Transcript.model_validate({"id": "cut-short", "turns": []}))
    assert empty.notes == (NO_TURNS,) and empty.overall is None
    assert NO_TURNS in coach.session().close().notes
    one = coach.session()
    one.add_turn({"speaker": "customer", "text": "Hello?"})
    assert NO_TURNS not in one.close().notes


def test_conversations_with_no_turns_are_counted_by_their_note_however_worded() -> None:
    """Summaries counted a conversation with no turns by the note's whole sentence, so
    results written before its wording changed would count none; they count the notes that
    begin with the mark."""
    from servicecoach import Coach, Transcript
    from servicecoach.session import NO_TURNS_MARK
    from servicecoach.summary.aggregate import SummaryBuilder

    empty = Coach().score(Transcript.model_validate({"id": "cut", "turns": []}))
    older = empty.model_copy(update={"transcript_id": "old",
                                     "notes": (NO_TURNS_MARK + "worded otherwise",)})
    assert SummaryBuilder().add_all([empty, older]).summary().no_turns == 2
