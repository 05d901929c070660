"""Batch runs of ``servicecoach score``: reports that say where they came from, duplicate
ids, the errors file and counts that add up, quiet/verbose, progress, output renamed on
completion, ``--resume`` after an interruption, and ``--workers`` with identical output."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from servicecoach.batch.output import open_partial, partial_path
from servicecoach.batch.progress import RunProgress
from servicecoach.cli import main
from servicecoach.errors import ServiceCoachError

TEMPLATES = (
    [("customer", "My card was charged twice for order {n}."),
     ("agent", "Calm down, it's not our fault."),
     ("customer", "I want a refund today.")],
    [("customer", "Where is my parcel {n}? It is late."),
     ("agent", "I'm sorry about the wait. I will check it now and call you back by 3 pm."),
     ("customer", "Thank you.")],
    [("customer", "Can I change my plan?"),
     ("agent", "Sure, I can help with that. Which plan would you like, order {n}?")],
)


def conversation(n: int, **metadata: str) -> dict[str, object]:
    turns = [{"speaker": s, "text": t.format(n=n)} for s, t in TEMPLATES[n % len(TEMPLATES)]]
    return {"id": f"c{n}", "metadata": metadata, "turns": turns}


def write_jsonl(path: Path, records: list[object], bad_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(r) for r in records]
    for index, text in sorted((bad_lines or {}).items()):
        lines.insert(index, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def score(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["score", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def reports(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_reports_carry_source_metadata_and_run_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [
        conversation(1, agent_name="Sam", queue="billing", team="north"),
        conversation(2, customer_email="dana@example.com"),
    ])
    out = tmp_path / "out.jsonl"
    code, _, _ = score([str(data), "--format", "jsonl", "-o", str(out),
                        "--meta", "run=2026-11", "--meta", "queue=returns", "--redact"], capsys)
    first, second = reports(out)
    assert code in (0, 1)
    assert first["source"] == {"file": str(data), "record": 1, "line": 1}
    assert second["source"] == {"file": str(data), "record": 2, "line": 2}
    assert first["metadata"] == {"agent_name": "Sam", "queue": "returns", "team": "north",
                                 "run": "2026-11"}
    assert first["channel"] == "chat"
    assert second["metadata"]["customer_email"] == "[email]"  # --redact masks metadata too


def test_metadata_is_kept_as_read_without_redact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(2, customer_email="d@example.com")])
    out = tmp_path / "out.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(out)], capsys)
    assert reports(out)[0]["metadata"] == {"customer_email": "d@example.com"}


def test_stdin_is_named_dash_and_a_bad_meta_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(conversation(1)) + "\n"))
    code, out, _ = score(["-", "--format", "jsonl", "--input-format", "jsonl"], capsys)
    assert json.loads(out)["source"] == {"file": "-", "record": 1, "line": 1}
    code, _, err = score(["-", "--meta", "no-equals-sign"], capsys)
    assert code == 2 and "cannot read --meta 'no-equals-sign' (write KEY=VALUE)" in err


def test_duplicate_ids_warn_with_both_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    one = write_jsonl(tmp_path / "a.jsonl", [conversation(1), conversation(2)])
    two = write_jsonl(tmp_path / "b.jsonl", [conversation(3), conversation(2)])
    _, _, err = score([str(one), str(two), "--format", "jsonl"], capsys)
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [(f"warning: duplicate transcript id 'c2': {two}: record 2 (line 2) "
                        f"repeats {one}: record 2 (line 2) (ids should be unique: reports and "
                        "baselines key on them)")]


def test_long_ids_are_not_kept_whole_to_find_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Every id of a run was kept to warn of the next one like it: until 2026-12-07 a run of
    800 transcripts with ids of 500 KB held 290 MB of ids to its end. A long id is kept as
    its digest now, and the same long id twice is still warned of."""
    from servicecoach.batch.duplicates import DuplicateIds
    from servicecoach.models import Source

    seen = DuplicateIds()
    tracemalloc.start()
    try:
        for n in range(100):
            assert seen.seen(f"{n}-" + "x" * 100_000, Source(file="a.jsonl", record=n + 1)) is None
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 100_000  # 10 MB of ids went by
    long_id = "y" * 100_000
    data = write_jsonl(tmp_path / "a.jsonl", [dict(conversation(1), id=long_id),
                                             conversation(2), dict(conversation(3), id=long_id)])
    _, _, err = score([str(data), "--format", "jsonl"], capsys)
    (warning,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warning.startswith("warning: duplicate transcript id 'yyyy")
    assert f"{data}: record 3 (line 3) repeats {data}: record 1 (line 1)" in warning


def test_a_run_of_many_short_ids_keeps_about_a_hundred_bytes_each() -> None:
    """Short ids were kept as strings with their first place as a tuple, 215 bytes a
    transcript: 65 MB over the 330,000 conversations of the benchmark's 1,000,000-turn
    stream, which read 295 MB at its peak against a target of 300 (until 2026-12-07). An id
    is kept as a 64-bit digest and its place as one number; the warning still names both
    places, a record or line that is not known included."""
    from servicecoach.batch.duplicates import DuplicateIds
    from servicecoach.models import Source

    seen = DuplicateIds()
    tracemalloc.start()
    try:
        for n in range(100_000):
            assert seen.seen(f"chat-{n:07d}", Source(file="a.jsonl", record=n + 1,
                                                     line=n + 1)) is None
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held / 100_000 < 130
    assert seen.seen("chat-0000041", Source(file="b.csv", record=7)) == (
        "duplicate transcript id 'chat-0000041': b.csv: record 7 repeats a.jsonl: record 42 "
        "(line 42) (ids should be unique: reports and baselines key on them)")
    assert seen.seen("new", Source(file="b.csv", record=8)) is None
    assert seen.seen("new", Source(file="a.jsonl", record=100_001, line=100_003)) == (
        "duplicate transcript id 'new': a.jsonl: record 100001 (line 100003) repeats b.csv: "
        "record 8 (ids should be unique: reports and baselines key on them)")


def test_unique_ids_give_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "a.jsonl", [conversation(n) for n in range(5)])
    _, _, err = score([str(data), "--format", "jsonl"], capsys)
    assert "warning" not in err


def test_errors_file_lists_every_failed_record_and_the_counts_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(4)],
                       bad_lines={1: "{not json", 3: json.dumps({"id": "x", "turns": "none"})})
    errors = tmp_path / "errors.jsonl"
    code, out, err = score([str(data), "--format", "jsonl", "--errors", str(errors)], capsys)
    assert code == 2
    listed = reports(errors)
    assert [(e["file"], e["record"], e["line"], e["kind"]) for e in listed] == [
        (str(data), 2, 2, "reading"), (str(data), 4, 4, "reading")]
    assert "invalid JSON" in str(listed[0]["reason"])
    assert listed[1]["transcript_id"] == "x"
    assert len(out.splitlines()) == 4
    last = err.splitlines()[-1]
    assert last == ("scored 4 transcript(s); 2 could not be read; 0 metadata-only record(s) "
                    "skipped; 6 record(s) in all")
    assert not partial_path(errors).exists()


def test_quiet_prints_only_the_counts_and_verbose_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(1), conversation(1)],
                       bad_lines={1: "{not json"})
    _, _, quiet = score([str(data), "--quiet"], capsys)
    assert quiet.splitlines() == [
        ("scored 2 transcript(s); 1 could not be read; 0 metadata-only record(s) skipped; "
        "3 record(s) in all")]
    _, _, default = score([str(data)], capsys)
    assert "read as" not in default and "error:" in default and "warning:" in default
    _, _, verbose = score([str(data), "--verbose"], capsys)
    assert f"{data}: read as jsonl" in verbose.splitlines()[0]


def test_plain_progress_lines_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with RunProgress(stream, 100, every=0) as progress:
        progress.advance()
        progress.advance(failed=True)
    assert stream.getvalue().splitlines()[-1].startswith("progress: 1 scored, 1 failed, ")
    silent = io.StringIO()
    with RunProgress(silent, 100, every=0, quiet=True) as progress:
        progress.advance()
    assert silent.getvalue() == ""


def test_output_appears_only_when_the_run_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    out = tmp_path / "out.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(out)], capsys)
    assert len(reports(out)) == 3 and not partial_path(out).exists()


@pytest.mark.parametrize("cut", ["at a record boundary", "inside a record"])
def test_resume_after_a_cut_gives_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cut: str,
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(12)],
                       bad_lines={5: "{not json"})
    full = tmp_path / "full.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(full)], capsys)
    whole = full.read_bytes()
    lines = whole.splitlines(keepends=True)
    kept = b"".join(lines[:7]) + (lines[7][:40] if cut == "inside a record" else b"")
    out = tmp_path / "out.jsonl"
    partial_path(out).write_bytes(kept)
    errors = tmp_path / "errors.jsonl"
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume",
                          "--errors", str(errors)], capsys)
    assert code == 2  # the bad line
    assert out.read_bytes() == whole
    assert not partial_path(out).exists()
    assert len(reports(errors)) == 1  # the bad line before the cut is still reported
    assert err.splitlines()[-1].startswith("scored 12 transcript(s); 1 could not be read;")


@pytest.mark.parametrize("command", ["summarize", "convert", "check", "summarize --html"])
def test_another_command_writing_the_same_file_leaves_the_partial_run_to_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str,
) -> None:
    """`score -o out.jsonl` interrupted leaves out.jsonl.partial to resume; summarize,
    convert and check wrote their --output (and --junit) to FILE.partial as well, so
    `summarize ... -o out.jsonl` emptied the interrupted run's reports and renamed them
    away, and `score --resume` then scored everything again. Those commands write a file
    of their own beside the output (`.out.jsonl.PID.tmp`); the partial file is left as it
    was, and the run resumes from it."""
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(4)])
    full = tmp_path / "full.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(full)], capsys)
    out = tmp_path / "out.jsonl"
    kept = b"".join(full.read_bytes().splitlines(keepends=True)[:2])
    partial_path(out).write_bytes(kept)
    canned = tmp_path / "canned.txt"
    canned.write_text("%% id: c\nCustomer: Hi.\nAgent: Hello, how can I help?\n",
                      encoding="utf-8")
    argv = {"summarize": ["summarize", str(full), "-o", str(out)],
            "summarize --html": ["summarize", str(full), "--html", str(out)],
            "convert": ["convert", str(data), "-o", str(out)],
            "check": ["check", str(canned), "-o", str(out), "--junit", str(out)]}[command]
    if command == "check":
        argv[-1] = str(tmp_path / "junit.xml")
        partial_path(tmp_path / "junit.xml").write_bytes(b"a run's\n")
    assert main(argv) in (0, 1), capsys.readouterr().err
    assert out.exists() and partial_path(out).read_bytes() == kept
    if command == "check":
        assert partial_path(tmp_path / "junit.xml").read_bytes() == b"a run's\n"
    assert not list(tmp_path.glob(".*.tmp"))
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume"],
                         capsys)
    assert code == 0 and out.read_bytes() == full.read_bytes()
    assert "no " not in err  # nothing said of starting from the beginning


def test_resume_keeps_the_exit_code_of_reports_already_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(0), conversation(2)])
    full, out = tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    argv = [str(data), "--format", "jsonl", "--fail-on", "warning"]
    code, _, _ = score([*argv, "-o", str(full)], capsys)
    issues = [f for f in reports(full)[0]["findings"] if f["kind"] == "issue"]  # type: ignore[union-attr]
    assert code == 1 and issues, "the first conversation should hold a warning or worse"
    partial_path(out).write_bytes(full.read_bytes().splitlines(keepends=True)[0])
    resumed, _, _ = score([*argv, "-o", str(out), "--resume"], capsys)
    assert resumed == 1 and out.read_bytes() == full.read_bytes()


def test_resume_refuses_a_partial_file_from_other_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    other = write_jsonl(tmp_path / "other.jsonl", [conversation(n) for n in range(3)])
    out = tmp_path / "out.jsonl"
    score([str(other), "--format", "jsonl", "-o", str(out)], capsys)
    os.replace(out, partial_path(out))
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume"], capsys)
    assert code == 2 and "cannot resume" in err and not out.exists()


@pytest.mark.parametrize("kept", ["one report of another file", "a report twice"])
def test_resume_refuses_a_partial_file_with_one_report_these_inputs_do_not_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kept: str,
) -> None:
    """The check for reports of the partial file that the inputs never gave read the one
    after the report the run was waiting for: a partial file holding one report of another
    file (or a report twice, as two runs resuming it at once write it) was finished with
    that report in it, 4 reports for 3 transcripts and 'scored 3', without a word."""
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    other = write_jsonl(tmp_path / "other.jsonl", [conversation(n) for n in range(3)])
    full = tmp_path / "full.jsonl"
    score([str(other if kept.startswith("one") else data), "--format", "jsonl", "-o", str(full)],
          capsys)
    first = full.read_bytes().splitlines(keepends=True)[0]
    out = tmp_path / "out.jsonl"
    partial_path(out).write_bytes(first if kept.startswith("one") else first * 2)
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume"], capsys)
    assert code == 2 and "cannot resume" in err and not out.exists(), err


@pytest.mark.parametrize("changed", [["--redact"], ["--meta", "run=2026-12"],
                                     ["--ignore", "empathy"]])
def test_resume_refuses_a_partial_file_written_with_other_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changed: list[str],
) -> None:
    """A run written with --redact (or another --meta, other rules) and resumed without
    them was finished with reports of the other kind: one file, half of it masked and half
    not, with nothing to tell them apart. The first report kept is scored again and must be
    the one this run would write."""
    data = write_jsonl(tmp_path / "calls.jsonl",
                       [conversation(n, customer_email="dana@example.com") for n in range(3)])
    out = tmp_path / "out.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(out), "--meta", "run=2026-11", *changed],
          capsys)
    kept = out.read_bytes().splitlines(keepends=True)[:2]
    partial_path(out).write_bytes(b"".join(kept))
    out.unlink()
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume",
                          "--meta", "run=2026-11"], capsys)
    assert code == 2 and not out.exists()
    assert f"cannot resume: the report {partial_path(out)} holds for {data}: record 1" in err
    assert "is not the one this run writes" in err
    assert partial_path(out).read_bytes() == b"".join(kept)


def test_a_run_that_starts_over_a_partial_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The same command run again without --resume after an interrupted night replaced the
    partial file, and the hours of reports in it, without a word."""
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    out = tmp_path / "out.jsonl"
    partial_path(out).write_text('{"transcript_id": "c0"}\n')
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out)], capsys)
    assert code in (0, 1) and len(reports(out)) == 3
    assert (f"warning: {partial_path(out)} (1 report(s) of an interrupted run) is started "
            "over: --resume would have kept them") in err
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out)], capsys)
    assert "started over" not in err


def test_resume_without_a_partial_file_says_it_starts_from_the_beginning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """--resume with no OUTPUT.partial (a run that had completed, a mistyped --output)
    scored every transcript again, and replaced a complete run, without a word."""
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    out = tmp_path / "out.jsonl"
    argv = [str(data), "--format", "jsonl", "-o", str(out), "--resume"]
    code, _, err = score(argv, capsys)
    assert code in (0, 1) and len(reports(out)) == 3
    assert (f"warning: --resume: no {partial_path(out)} to resume from, so every transcript "
            "is scored (an interrupted run leaves its reports in OUTPUT.partial: check "
            "--output)") in err
    code, _, err = score(argv, capsys)
    assert (f"warning: --resume: no {partial_path(out)} to resume from, so every transcript "
            f"is scored; {out} is a complete run, which this one replaces") in err
    partial_path(out).write_bytes(b"".join(out.read_bytes().splitlines(keepends=True)[:1]))
    code, _, err = score(argv, capsys)
    assert "--resume: no" not in err and len(reports(out)) == 3


def _peak_reading(partial: Path) -> tuple[int, list[object]]:
    """The bytes allocated at the peak while the reports of `partial` are read back, and
    what was read (the reports, or the error that ended the reading)."""
    out = partial.with_name(partial.name.removesuffix(".partial"))
    tracemalloc.start()
    read: list[object] = []
    try:
        handle, written = open_partial(out, resume=True)
        with handle:
            read.extend(written)
    except ServiceCoachError as error:
        read.append(error)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, read


def test_resume_reads_a_long_report_line_in_pieces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A report line was read whole to learn its source and severities: a 2 GB line in
    the partial file (a report of a huge conversation, or a file of no lines) took 2 GB of
    memory. A report is read in pieces, only its source and severities kept; a long one
    is still resumed, in memory a small part of its length."""
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3)])
    full = tmp_path / "full.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(full)], capsys)
    lines = full.read_bytes().splitlines(keepends=True)
    second = json.loads(lines[1])
    second["metadata"]["padding"] = [0] * 10_000_000  # 20 MB of JSON
    long_line = json.dumps(second).encode() + b"\n"
    out = tmp_path / "out.jsonl"
    partial_path(out).write_bytes(lines[0] + long_line)
    peak, read = _peak_reading(partial_path(out))
    assert [w.source.record for w in read] == [1, 2]  # type: ignore[union-attr]
    assert peak < len(long_line) / 10, peak
    code, _, err = score([str(data), "--format", "jsonl", "-o", str(out), "--resume"], capsys)
    assert code == 0, err
    assert out.read_bytes() == lines[0] + long_line + lines[2]


def test_resume_refuses_a_long_line_that_is_no_report_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    partial = tmp_path / "out.jsonl.partial"
    partial.write_bytes(b"x" * 30_000_000 + b"\n")  # a file of one line, no JSON
    peak, read = _peak_reading(partial)
    assert len(read) == 1 and isinstance(read[0], ServiceCoachError)
    assert f"cannot resume from {partial}: line 1 is not a report" in str(read[0])
    assert peak < 3_000_000, peak


def test_resume_needs_jsonl_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(1)])
    code, _, err = score([str(data), "--resume"], capsys)
    assert code == 2 and "--resume needs --output FILE and --format jsonl" in err


def test_resume_after_the_process_is_killed(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(3000)])
    out, full = tmp_path / "out.jsonl", tmp_path / "full.jsonl"
    command = [sys.executable, "-m", "servicecoach.cli", "score", str(data), "--format", "jsonl"]
    subprocess.run([*command, "-o", str(full)], check=True, capture_output=True, timeout=600)
    running = subprocess.Popen([*command, "-o", str(out)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (
            not partial_path(out).exists() or partial_path(out).stat().st_size < 200_000):
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=60)
    assert not out.exists(), "the run finished before it could be interrupted"
    assert 0 < partial_path(out).stat().st_size < full.stat().st_size
    subprocess.run([*command, "-o", str(out), "--resume"], check=True, capture_output=True,
                   timeout=600)
    assert out.read_bytes() == full.read_bytes()


def test_workers_give_the_same_bytes_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "calls.jsonl", [conversation(n) for n in range(150)],
                       bad_lines={40: "{not json"})
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    errors_one, errors_two = tmp_path / "e1.jsonl", tmp_path / "e2.jsonl"
    score([str(data), "--format", "jsonl", "-o", str(one), "--errors", str(errors_one)], capsys)
    score([str(data), "--format", "jsonl", "-o", str(two), "--errors", str(errors_two),
           "--workers", "2"], capsys)
    assert one.read_bytes() == two.read_bytes()
    assert errors_one.read_bytes() == errors_two.read_bytes()
    assert len(reports(one)) == 150
