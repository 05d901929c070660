"""Score a stream of transcripts on several processes, in input order, in bounded memory.

Workers are forked with the parent's `Coach` where the platform allows it and the process
has no other threads (no start-up cost); otherwise each spawned worker builds its own
`Coach` from the same configuration. The input is read in windows, so a file of millions
of conversations never sits in memory, and reports come back in the order the transcripts
were read.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice
from multiprocessing.pool import Pool
from multiprocessing.sharedctypes import Synchronized
from typing import NamedTuple, TypeVar

from servicecoach.coach import Coach
from servicecoach.config import CoachConfig
from servicecoach.errors import ConfigWarning, InputError
from servicecoach.models import Report, Severity, Source, Transcript

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")
WINDOW = 2048
"""Transcripts per window read ahead; at most two windows are in flight, which bounds
memory whatever the input size."""
CHUNK = 64
"""Transcripts sent to a worker at a time (fewer, larger messages between processes)."""

_coach: Coach | None = None


def _start_worker(started: Synchronized, config: CoachConfig | None) -> None:  # type: ignore[type-arg]
    """Count the worker in `started` (so the parent sees a worker replaced after a death)
    and, when it was not forked with the parent's coach, build its `Coach`."""
    global _coach
    with started.get_lock():
        started.value += 1
    if config is not None:
        with warnings.catch_warnings():  # the parent's coach has said them once
            warnings.simplefilter("ignore", ConfigWarning)
            _coach = Coach(config)


class Located(NamedTuple):
    """A transcript with where it was read: its report carries that `source`."""

    transcript: Transcript
    source: Source


_ToScore = (Transcript, Located)


class Rendered(NamedTuple):
    """A report as a writer renders it, with the most severe issue it holds."""

    text: str
    worst: Severity | None
    """The most severe issue's severity (None when the report has no issue)."""


def _as_json(transcript: Transcript) -> str:
    """The transcript as JSON for a worker; a channel the input did not give stays ungiven,
    so the worker's configured channel applies to it as in the parent."""
    unsaid = None if "channel" in transcript.model_fields_set else {"channel"}
    return transcript.model_dump_json(exclude=unsaid)


def _render(
    render: Callable[[Report], str], job: tuple[str, str | None],
) -> Rendered | InputError:
    """Score and render in a worker: the parent then only writes text. The transcript (and
    its source) come as JSON, which is several times cheaper for the parent to write than
    a pickle."""
    assert _coach is not None, "worker started without a coach"
    transcript_json, source_json = job
    transcript = Transcript.model_validate_json(transcript_json)
    if source_json is None:
        return scored(_coach, transcript, render)
    return scored(_coach, Located(transcript, Source.model_validate_json(source_json)), render)


def _job(item: Transcript | Located) -> tuple[str, str | None]:
    if isinstance(item, Located):
        return _as_json(item.transcript), item.source.model_dump_json()
    return _as_json(item), None


def scored(
    coach: Coach, item: Transcript | Located, render: Callable[[Report], str],
) -> Rendered | InputError:
    """The transcript scored and rendered (its report carrying the source when `item` has
    one); a failure (a bug in a rule or in servicecoach) is an `InputError` for that
    transcript, so the batch goes on and nothing is lost silently."""
    transcript = item.transcript if isinstance(item, Located) else item
    try:
        report = coach.score(transcript)
        if isinstance(item, Located):
            report = report.model_copy(update={"source": item.source})
        return rendered(report, render)
    except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001
        what = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        return InputError(f"could not be scored ({what})",
                          source=item.source.file if isinstance(item, Located) else "scoring",
                          location=f"record {item.source.record}"
                          if isinstance(item, Located) else "",
                          transcript_id=transcript.id,
                          hint="a bug in servicecoach or a rule pack: please report it")


def rendered(report: Report, render: Callable[[Report], str]) -> Rendered:
    """`report` rendered, with its worst issue."""
    issues = report.issues()
    worst = max((f.severity for f in issues), key=lambda s: s.rank) if issues else None
    return Rendered(render(report), worst)


def render_stream(
    coach: Coach, items: Iterable[Transcript | Located | T], render: Callable[[Report], str],
    workers: int = 1,
) -> Iterator[Rendered | InputError | T]:
    """The transcripts of `items` scored and rendered, in order; other items (errors) pass
    through. A `Located` transcript's report carries its source. With several workers each report is rendered where it was scored, so the
    parent process only reads and writes. `render` must be a module-level function
    (workers that are not forked receive it by reference)."""
    if workers <= 1:
        for item in items:
            yield scored(coach, item, render) if isinstance(item, _ToScore) else item
        return
    yield from _in_workers(coach, items, workers, partial(_render, render))


def _in_workers(
    coach: Coach, items: Iterable[Transcript | Located | T], workers: int,
    job: Callable[[tuple[str, str | None]], R],
) -> Iterator[R | T | InputError]:
    """`job` on every transcript of `items` (as JSON) in a pool of workers, results in
    input order."""
    global _coach
    forked = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if forked:
        _coach = coach  # inherited by the forked workers
        gc.freeze()  # the collector leaves the inherited objects alone: fewer copied pages
    context = multiprocessing.get_context("fork" if forked else "spawn")

    def make_pool(size: int) -> _Pool:
        started = context.Value("i", 0)
        return _Pool(context.Pool(size, initializer=_start_worker,
                                  initargs=(started, None if forked else coach.config)),
                     started, size, make_pool)

    pool = make_pool(workers)
    try:
        yield from _ordered(pool, items, job)
    finally:
        pool.pool.terminate()
        if forked:
            gc.unfreeze()


def _ordered(
    pool: _Pool, items: Iterable[Transcript | Located | T],
    job: Callable[[tuple[str, str | None]], R],
) -> Iterator[R | T | InputError]:
    """The results of `job` in `pool` and the other items, in input order."""
    iterator = iter(items)
    in_flight: deque[tuple[list[Transcript | Located | T], Iterator[R | Lost]]] = deque()

    def submit() -> None:
        """Read the next window and hand its transcripts to the workers."""
        if window := list(islice(iterator, WINDOW)):
            transcripts = [_job(item) for item in window if isinstance(item, _ToScore)]
            in_flight.append((window, pool.imap(job, transcripts)))

    submit()
    while in_flight:
        submit()  # the next window is queued before this one drains: no idle workers
        window, results = in_flight.popleft()
        for item in window:
            yield lost_as_error(next(results), item) if isinstance(item, _ToScore) else item


# --- workers killed from outside ----------------------------------------------------------

POLL = 0.2
"""Seconds between checks for a dead worker while a result is awaited."""


class Lost(NamedTuple):
    """A record whose worker process died (killed from outside, out of memory) while
    scoring it, in the pool and again when scored on its own."""

    reason: str


def lost_as_error(result: R | Lost, item: object) -> R | InputError:
    """`result`, or for a `Lost` record an `InputError` naming its transcript."""
    if not isinstance(result, Lost):
        return result
    transcript = getattr(item, "transcript", item)
    return InputError(f"could not be scored: {result.reason}", source="scoring",
                      transcript_id=getattr(transcript, "id", None),
                      hint="the worker process was killed (out of memory?): score this "
                      "transcript alone, or with fewer --workers")


def _each(job: Callable[[P], R], payloads: list[P]) -> list[R]:
    """`job` on each of `payloads`, in a worker."""
    return [job(payload) for payload in payloads]


class _Pool(NamedTuple):
    """A worker pool that notices its workers' deaths: every worker that starts counts
    itself in `started`, so a count above `size` means a worker died and was replaced
    (multiprocessing replaces it silently, and the records it held never come back)."""

    pool: Pool
    started: Synchronized  # type: ignore[type-arg]
    size: int
    make: Callable[[int], _Pool]

    def deaths(self) -> int:
        """Workers that died so far."""
        return max(0, self.started.value - self.size)

    def imap(self, job: Callable[[P], R], payloads: list[P]) -> Iterator[R | Lost]:
        """`job` on `payloads`, results in order. When a worker dies while a result is
        awaited, the payloads not yet answered are scored again one at a time, each in a
        fresh one-worker pool; a payload whose worker dies again is `Lost`."""
        deaths = self.deaths()
        chunks = [payloads[start:start + CHUNK] for start in range(0, len(payloads), CHUNK)]
        results = self.pool.imap(partial(_each, job), chunks)
        for done, _ in enumerate(chunks):
            while True:
                try:
                    yield from results.next(timeout=POLL)
                    break
                except multiprocessing.TimeoutError:
                    if self.deaths() > deaths:
                        yield from self._alone(job, payloads[done * CHUNK:])
                        return

    def _alone(self, job: Callable[[P], R], payloads: list[P]) -> Iterator[R | Lost]:
        """Each payload on its own in a one-worker pool: a death there is the payload's."""
        alone = self.make(1)
        try:
            for payload in payloads:
                deaths = alone.deaths()
                pending = alone.pool.apply_async(job, (payload,))
                while True:
                    try:
                        yield pending.get(timeout=POLL)
                        break
                    except multiprocessing.TimeoutError:
                        if alone.deaths() > deaths:  # the pool has started a new worker
                            yield Lost("its worker process died while scoring it, twice")
                            break
        finally:
            alone.pool.terminate()
