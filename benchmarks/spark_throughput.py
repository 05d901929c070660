"""Spark throughput per core in local mode, against the plain API in the same process.

    python benchmarks/spark_throughput.py            # 30,000 turns: 5 to 10 minutes on 2 cores
    python benchmarks/spark_throughput.py --quick    # 5,000 turns, for a smoke run

Input: the real dialogues in ../shared/corpora/, repeated to the number of turns, written
as canonical JSON Lines in 4 files (4 partitions) and read with ``spark.read.json``. Each
run scores every conversation (`score_conversations`, written to Spark's ``noop`` sink, so
nothing is collected) and is compared with `Coach.score` over the same transcripts in this
process, on one core: the ratio is conversations per second per core, Spark over plain.
The first Spark job of a session is cold (its Python workers start and build their
`Coach`); the next ones are warm (the workers and their coaches are reused). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run import load_corpora, repeated

FILES = 4
"""Input files, so partitions: enough for every core of local[2] to have work."""


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def plain_seconds(records: list[dict], rounds: int) -> tuple[float, float]:
    """Best times, over every record, of `Coach.score` (the transcripts validated
    beforehand) and of what a Spark worker runs in Python (`score_batches`: JSON records
    in, conversation rows out) without Spark; one coach, built beforehand."""
    import json

    import pandas as pd

    from servicecoach import Transcript
    from servicecoach.config import CoachConfig
    from servicecoach.integrations.spark import score_batches, worker_coach

    coach = worker_coach(CoachConfig())
    transcripts = [Transcript.model_validate(record) for record in records]
    batch = pd.DataFrame({"record": [json.dumps(record) for record in records]})
    score = min(seconds(lambda: [coach.score(t) for t in transcripts]) for _ in range(rounds))
    worker = min(seconds(lambda: list(score_batches(CoachConfig(), None, iter([batch]))))
                 for _ in range(rounds))
    return score, worker


def spark_seconds(folder: Path, cores: int, rounds: int) -> tuple[float, float]:
    """Cold and best warm time of a local[`cores`] session scoring every conversation."""
    from pyspark.sql import SparkSession

    from servicecoach.integrations.spark import score_conversations

    spark = (SparkSession.builder.master(f"local[{cores}]").appName("servicecoach-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    scores = score_conversations(spark.read.json(str(folder)))

    def job() -> None:
        scores.write.format("noop").mode("overwrite").save()

    try:
        cold = seconds(job)
        return cold, min(seconds(job) for _ in range(rounds))
    finally:
        spark.stop()


def write_input(records: list[dict], folder: Path) -> None:
    import json

    for part in range(FILES):
        lines = (json.dumps(record) for record in records[part::FILES])
        (folder / f"part-{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 turns instead of 30,000")
    parser.add_argument("--rounds", type=int, default=2, help="warm rounds (best is kept)")
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    records = repeated(load_corpora(), 5_000 if args.quick else 30_000)
    conversations = len(records)
    turns = sum(len(record["turns"]) for record in records)
    plain, worker = plain_seconds(records, args.rounds)
    rows = []
    with tempfile.TemporaryDirectory() as name:
        write_input(records, Path(name))
        for cores in (1, 2):
            cold, warm = spark_seconds(Path(name), cores, args.rounds)
            rows.append((f"Spark local[{cores}], `score_conversations`", cores, cold, warm))
    again = plain_seconds(records, args.rounds)  # the machine's load drifts: best of both
    plain, worker = min(plain, again[0]), min(worker, again[1])
    rows[:0] = [("plain `Coach.score`, this process", 1, None, plain),
                ("a worker's Python work without Spark (`score_batches`)", 1, None, worker)]
    import pyspark

    print(f"{conversations:,} conversations, {turns:,} turns; {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"PySpark {pyspark.__version__}; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| run | cores | cold job | warm job | conversations/s per core (warm) | ratio to plain |")
    print("|---|---|---|---|---|---|")
    for label, cores, cold, warm in rows:
        per_core = conversations / warm / cores
        cold_text = f"{cold:.1f} s" if cold is not None else ""
        print(f"| {label} | {cores} | {cold_text} | {warm:.1f} s | {per_core:,.0f} | "
              f"{plain / warm / cores:.2f}x |")


if __name__ == "__main__":
    main()
