"""The workload whose instructions per turn compare two versions of the code.

Wall-clock throughput on a shared machine moves by 10 to 25% between rounds; counting the
instructions a workload executes (valgrind's cachegrind) does not. This script scores
every third conversation of ../shared/corpora (308 conversations, 1,045 turns: Twitter
care threads and translated helpdesk chats in the proportions of the benchmark's input)
once to warm up, then `PASSES` more times. Run it under cachegrind with 0 and with 2
passes; the difference, halved and divided by the turns, is the cost of a turn::

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no \\
        python benchmarks/instructions.py SRC 0      # and then with 2

`SRC` is the `src` folder of the checkout to measure (another worktree, to compare).
Python's hash seed orders sets and dicts, which moves the count by up to 1.5% between
seeds for the same code: compare versions at the same seed (docs/performance.md).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    """Score the workload with the code of `sys.argv[1]`, `sys.argv[2]` passes after one."""
    source, passes = sys.argv[1], int(sys.argv[2])
    sys.path.insert(0, source)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run  # the benchmark's reader of the corpora

    from servicecoach import Coach, Transcript

    transcripts = [Transcript.model_validate(record) for record in run.load_corpora()[::3]]
    print(f"{sum(len(t.turns) for t in transcripts)} turns")
    coach = Coach()
    for _ in range(1 + passes):
        for transcript in transcripts:
            coach.score(transcript)


if __name__ == "__main__":
    main()
