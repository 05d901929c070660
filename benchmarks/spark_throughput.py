"""Spark throughput per core in local mode, against the plain API in the same process.

    python benchmarks/spark_throughput.py            # 30,000 turns: about 10 minutes on 2 cores
    python benchmarks/spark_throughput.py --quick    # 5,000 turns, for a smoke run

Input: the real dialogues in ../shared/corpora/, repeated to the number of turns, written
as canonical JSON Lines, read with ``spark.read.json`` into `PARTITIONS` partitions. Each
Spark job scores every conversation (`score_conversations`, written to Spark's ``noop``
sink, so nothing is collected); `Coach.score` scores the same transcripts in this process,
in rounds interleaved with the Spark jobs. Throughput per core is given two ways: per
CPU-second (this process and every process it started: Spark's JVM and Python workers;
steady on a shared machine) and per wall-clock second divided by the cores (what a
machine of one's own would see). The first Spark job of a session is cold (its Python
workers start and build their `Coach`); the next ones are warm (the workers and their
coaches are reused). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run import load_corpora, repeated

PARTITIONS = 8
"""Partitions of the input: several per core, so no core waits for a long one."""


def seconds(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock seconds of `work`, and the CPU seconds it took in this process and the
    processes it started (Spark's JVM and its Python workers)."""
    cpu = process_tree_cpu()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start, process_tree_cpu() - cpu


def process_tree_cpu() -> float:
    """CPU seconds used so far by this process and its descendants, live or reaped (from
    /proc: a reaped child's time is in its parent's cutime and cstime)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(value) for value in fields[11:15]) / tick
    tree = {os.getpid()}
    grew = True
    while grew:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grew = len(tree) > before
    return sum(times[pid] for pid in tree if pid in times)


class Plain:
    """Scores the records with the plain API in this process, one coach built beforehand:
    `Coach.score` (the transcripts validated beforehand), and what a Spark worker runs in
    Python (`score_batches`: JSON records in, conversation rows out) without Spark."""

    def __init__(self, records: list[dict]) -> None:
        import json

        import pandas as pd

        from servicecoach import Transcript
        from servicecoach.config import CoachConfig
        from servicecoach.integrations.spark import worker_coach

        self.coach = worker_coach(CoachConfig())
        self.transcripts = [Transcript.model_validate(record) for record in records]
        self.batch = pd.DataFrame({"record": [json.dumps(record) for record in records]})

    def score(self) -> tuple[float, float]:
        return seconds(lambda: [self.coach.score(t) for t in self.transcripts])

    def worker(self) -> tuple[float, float]:
        from servicecoach.config import CoachConfig
        from servicecoach.integrations.spark import score_batches

        return seconds(lambda: list(score_batches(CoachConfig(), None, iter([self.batch]))))


Timing = tuple[float, float]


def best(timings: list[Timing]) -> Timing:
    """The fastest wall time and the least CPU time, each over the rounds."""
    return min(wall for wall, _ in timings), min(cpu for _, cpu in timings)


def spark_rounds(path: Path, cores: int, rounds: int, plain: Plain
                 ) -> tuple[Timing, Timing, Timing]:
    """A local[`cores`] session scoring every conversation: the cold job, then warm jobs
    interleaved with plain `Coach.score` rounds (the machine's load drifts); the cold
    timing and the best warm and plain ones."""
    from pyspark.sql import SparkSession

    from servicecoach.integrations.spark import score_conversations

    spark = (SparkSession.builder.master(f"local[{cores}]").appName("servicecoach-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    conversations = spark.read.json(str(path)).repartition(PARTITIONS).persist()
    conversations.count()  # read and partitioned once, outside the timings
    scores = score_conversations(conversations)

    def job() -> None:
        scores.write.format("noop").mode("overwrite").save()

    try:
        cold = seconds(job)
        warm, plain_runs = [], []
        for _ in range(rounds):
            warm.append(seconds(job))
            plain_runs.append(plain.score())
        return cold, best(warm), best(plain_runs)
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 turns instead of 30,000")
    parser.add_argument("--rounds", type=int, default=2, help="warm rounds (best is kept)")
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    records = repeated(load_corpora(), 5_000 if args.quick else 30_000)
    conversations = len(records)
    turns = sum(len(record["turns"]) for record in records)
    plain = Plain(records)
    rows: list[tuple[str, int, Timing | None, Timing, Timing]] = []
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "conversations.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records),
                        encoding="utf-8")
        for cores in (1, 2):
            cold, warm, baseline = spark_rounds(path, cores, args.rounds, plain)
            rows.append((f"Spark local[{cores}], `score_conversations`", cores, cold, warm,
                         baseline))
    baseline = best([plain.score() for _ in range(args.rounds)])
    worker = best([plain.worker() for _ in range(args.rounds)])
    rows[:0] = [("plain `Coach.score`, this process", 1, None, baseline, baseline),
                ("a worker's Python work without Spark (`score_batches`)", 1, None, worker,
                 baseline)]
    import pyspark

    print(f"{conversations:,} conversations, {turns:,} turns, {PARTITIONS} partitions; "
          f"{platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, PySpark {pyspark.__version__}; load average "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print("| run | cores | cold job | warm job (wall) | CPU | conversations per CPU-second "
          "| ratio to plain (CPU) | ratio to plain (wall, per core) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, cores, cold, (wall, cpu), (plain_wall, plain_cpu) in rows:
        cold_text = f"{cold[0]:.1f} s (CPU {cold[1]:.1f} s)" if cold is not None else ""
        print(f"| {label} | {cores} | {cold_text} | {wall:.1f} s | {cpu:.1f} s | "
              f"{conversations / cpu:,.0f} | {plain_cpu / cpu:.2f}x | "
              f"{plain_wall / wall / cores:.2f}x |")


if __name__ == "__main__":
    main()
