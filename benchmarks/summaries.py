"""Summaries and the HTML report on large result files: time and memory as ratios.

    python benchmarks/summaries.py            # 100,000 reports (about 3 minutes on 2 cores)
    python benchmarks/summaries.py --quick    # 10,000

Input: the real dialogues of ../shared/devset-real scored once, their reports repeated
(new ids, 40 agents, 30 days) to N lines of JSON Lines. The baseline is reading and
validating the same lines into `Report`s and nothing else, measured in this process; the
summary's own work is the ratio above it. Peak memory is measured in a fresh process for
N/10 and N reports: a summary that streams needs about the same at both sizes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIALOGUES = REPO.parent / "shared" / "devset-real" / "transcripts.jsonl"


def _results(path: Path, count: int) -> None:
    from servicecoach import Coach, Transcript

    coach = Coach()
    lines = [line for line in DIALOGUES.read_text(encoding="utf-8").splitlines() if line.strip()]
    reports = [json.loads(coach.score(Transcript.model_validate_json(line)).model_dump_json())
               for line in lines[:300]]
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            report = dict(reports[number % len(reports)])
            report["transcript_id"] = f"conv-{number:06d}"
            report["metadata"] = {**report["metadata"], "agent_name": f"agent {number % 40}",
                                  "started_at": f"2026-03-{number % 30 + 1:02d}T10:00:00Z"}
            out.write(json.dumps(report) + "\n")


def _timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


_PEAK = """
import re, resource, sys
from servicecoach.cli import main
status = open("/proc/self/status").read()
loaded = int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1))
main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - loaded, file=sys.stderr)
"""


def _peak_mib(args: list[str]) -> float:
    """How far `servicecoach ARGS` in a fresh process grows above its size once imported
    (peak resident memory less the resident memory after the imports), in MiB."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True,
                          check=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    count = 10_000 if parser.parse_args().quick else 100_000
    from servicecoach.models import Report
    from servicecoach.summary import SummaryBuilder
    from servicecoach.summary.results import read_results

    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "small.jsonl", Path(folder) / "large.jsonl"
        _results(small, count // 10)
        _results(large, count)
        parse = _timed(lambda: deque(map(Report.model_validate_json, large.open()), maxlen=0))
        summarize = _timed(lambda: SummaryBuilder(by=["agent_name", "date"]).add_all(
            r for r in read_results(large) if isinstance(r, Report)).summary())
        html = Path(folder) / "report.html"
        rows = [("parse only (baseline)", parse, 1.0),
                ("summary, --by agent_name --by date", summarize, summarize / parse)]
        empty = Path(folder) / "empty.jsonl"
        empty.touch()
        for name, path, args in (
                ("summarize, start-up only (an empty file)", empty, []),
                ("summarize --format csv", large, ["--format", "csv"]),
                ("summarize --html", large, ["--html", str(html)])):
            command = [sys.executable, "-m", "servicecoach.cli", "summarize", str(path), *args,
                       "-o", "/dev/null"]
            seconds = _timed(lambda c=command: subprocess.run(c, check=True, capture_output=True))
            rows.append((name, seconds, seconds / parse))
        print(f"{count:,} reports ({large.stat().st_size / 2**20:.0f} MiB of JSON Lines), "
              f"{sys.platform}, Python {sys.version.split()[0]}\n")
        print("| what | seconds | x parse only |\n|---|---:|---:|")
        for name, seconds, ratio in rows:
            print(f"| {name} | {seconds:.1f} | {ratio:.2f} |")
        print(f"\nHTML report: {html.stat().st_size / 2**20:.0f} MiB for {count:,} conversations")
        print("\n| memory above the imports at peak (MiB) | " + f"{count // 10:,} reports | {count:,} reports |\n"
              "|---|---:|---:|")
        for name, args in (("summarize --by agent_name", ["--by", "agent_name"]),
                           ("summarize --format csv", ["--format", "csv"]),
                           ("summarize --html", ["--html", str(html)])):
            peaks = [_peak_mib(["summarize", str(path), *args, "-o", "/dev/null"])
                     for path in (small, large)]
            print(f"| {name} | {peaks[0]:.0f} | {peaks[1]:.0f} |")


if __name__ == "__main__":
    main()
