"""Score a stream of transcripts on several processes, in input order, in bounded memory.

Workers are forked with the parent's `Coach` where the platform allows it and the process
has no other threads (no start-up cost); otherwise each spawned worker builds its own
`Coach` from the same configuration. The input is read in windows, so a file of millions
of conversations never sits in memory, and reports come back in the order the transcripts
were read.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from servicecoach.coach import Coach
from servicecoach.config import CoachConfig
from servicecoach.models import Report, Transcript

T = TypeVar("T")
WINDOW = 2048
"""Transcripts read ahead at most; bounds memory whatever the input size."""

_coach: Coach | None = None


def _start_worker(config: CoachConfig) -> None:
    global _coach
    _coach = Coach(config)


def _score(transcript: Transcript) -> str:
    """Score in a worker; the report travels back as JSON, which is several times cheaper
    to send and rebuild than a pickled pydantic model."""
    assert _coach is not None, "worker started without a coach"
    return _coach.score(transcript).model_dump_json()


def score_stream(
    coach: Coach, items: Iterable[Transcript | T], workers: int = 1
) -> Iterator[Report | T]:
    """Reports for the transcripts of `items`, in order; other items (errors) pass through."""
    if workers <= 1:
        for item in items:
            yield coach.score(item) if isinstance(item, Transcript) else item
        return
    global _coach
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        _coach = coach  # inherited by the forked workers
        pool = multiprocessing.get_context("fork").Pool(workers)
    else:
        pool = multiprocessing.get_context("spawn").Pool(
            workers, initializer=_start_worker, initargs=(coach.config,))
    with pool:
        iterator = iter(items)
        while window := list(islice(iterator, WINDOW)):
            transcripts = [item for item in window if isinstance(item, Transcript)]
            reports = pool.imap(_score, transcripts, chunksize=16)
            for item in window:
                yield Report.model_validate_json(next(reports)) if isinstance(
                    item, Transcript) else item
