"""Batch runs at scale: memory while streaming a large CSV export, and what --workers buys.

    python benchmarks/batch_stream.py --sizes-mb 8 32 128     # read-only memory by size
    python benchmarks/batch_stream.py --sizes-mb 2048         # the 2 GB target
    python benchmarks/batch_stream.py --workers-sizes 40 2000 # scoring, 1 vs 2 workers

Memory: a CSV export of the given size (one row per turn, ids kept together, or
interleaved with --interleave) is generated in a temporary folder and read by the CSV
reader in a fresh process; its peak resident memory is printed next to the peak of the
same process holding the file's lines (what the reader did before streaming). Workers:
`servicecoach score` on N conversations with --workers 1 and 2, wall-clock ratio (the same
machine, the same input, one after the other). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TURNS = (
    ("customer", "My card was charged twice for order {n} and nobody answers my e-mails."),
    ("agent", "I'm sorry about that. Let me look at order {n} now."),
    ("customer", "Thank you, I have been waiting since Monday."),
    ("agent", "I have refunded the second charge; you will see it within 3 days."),
)

_PEAK = """
import resource, sys
from servicecoach.readers import Source
from servicecoach.readers.csv import READER
path = sys.argv[1]
if sys.argv[2] == "stream":
    count = sum(1 for _ in READER.read(Source.from_path(__import__("pathlib").Path(path))))
else:
    count = len(open(path, encoding="utf-8").readlines())
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write_export(path: Path, megabytes: float, *, interleave: bool = False) -> int:
    """A CSV export of about `megabytes` MB; returns its number of conversations."""
    limit = int(megabytes * 1024 * 1024)
    conversations = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["conversation_id", "speaker", "text", "queue"])
        while handle.tell() < limit:
            ids = [conversations, conversations + 1]
            conversations += 2
            if interleave:
                rows = [(i, t) for t in TURNS for i in ids]
            else:
                rows = [(i, t) for i in ids for t in TURNS]
            for number, (speaker, text) in rows:
                out.writerow([f"c{number}", speaker, text.format(n=number), "billing"])
    return conversations


def peak_mb(path: Path, mode: str) -> tuple[int, int]:
    """(records, peak resident MB) of a fresh process reading `path` in `mode`."""
    done = subprocess.run([sys.executable, "-c", _PEAK, str(path), mode], check=True,
                          capture_output=True, text=True)
    count, peak = done.stdout.split()
    return int(count), int(peak)


def memory_table(sizes: list[float], interleave: bool) -> None:
    print(f"| export size | conversations | streamed: peak MB | whole file in lines: "
          f"peak MB |  ({'interleaved' if interleave else 'grouped'} ids)")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / "export.csv"
            conversations = write_export(path, size, interleave=interleave)
            _, streamed = peak_mb(path, "stream")
            _, whole = peak_mb(path, "whole")
            print(f"| {size:g} MB | {conversations:,} | {streamed} | {whole} |")
            path.unlink()


def workers_table(counts: list[int]) -> None:
    print("| conversations | --workers 1 (s) | --workers 2 (s) | speed-up |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            path = Path(folder) / "export.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                out = csv.writer(handle)
                out.writerow(["conversation_id", "speaker", "text"])
                for number in range(count):
                    for speaker, text in TURNS:
                        out.writerow([f"c{number}", speaker, text.format(n=number)])
            seconds = []
            for workers in (1, 2):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "servicecoach.cli", "score", str(path),
                                "--format", "jsonl", "-o", str(Path(folder) / "out.jsonl"),
                                "--workers", str(workers), "--quiet"], check=True,
                               capture_output=True)
                seconds.append(time.perf_counter() - start)
            print(f"| {count:,} | {seconds[0]:.1f} | {seconds[1]:.1f} | "
                  f"{seconds[0] / seconds[1]:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=float, nargs="*", default=[8, 32, 128])
    parser.add_argument("--interleave", action="store_true")
    parser.add_argument("--workers-sizes", type=int, nargs="*", default=[40, 2000])
    args = parser.parse_args()
    if args.sizes_mb:
        memory_table(args.sizes_mb, args.interleave)
    if args.workers_sizes:
        print()
        workers_table(args.workers_sizes)


if __name__ == "__main__":
    main()
