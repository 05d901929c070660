"""`--workers`: a worker process killed from outside (SIGKILL, out of memory) neither stops
the run nor loses records silently: the records it held are scored again, each on its
own, and a record whose worker dies again is reported as an error naming it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from servicecoach import Coach
from servicecoach.errors import InputError
from servicecoach.models import Report, Transcript
from servicecoach.parallel import Rendered, render_stream

ONCE_FLAG = "SERVICECOACH_TEST_KILLED_ONCE"


def render_or_die(report: Report) -> str:
    """Render, but kill this process on a marker id: always for ``kill-always``, and for
    ``kill-once`` only the first time (a flag file records it)."""
    if report.transcript_id == "kill-always":
        os.kill(os.getpid(), signal.SIGKILL)
    flag = Path(os.environ[ONCE_FLAG])
    if report.transcript_id == "kill-once" and not flag.exists():
        flag.write_text("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    return report.transcript_id


def _transcripts(marker: str, count: int = 300) -> list[Transcript]:
    ids = [f"call-{index}" for index in range(count)]
    ids[count // 2] = marker
    return [Transcript.model_validate({"id": id_, "turns": [
        {"speaker": "customer", "text": "Where is my order?"},
        {"speaker": "agent", "text": "Calm down, it is on its way."}]}) for id_ in ids]


@pytest.fixture()
def once_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    flag = tmp_path / "killed"
    monkeypatch.setenv(ONCE_FLAG, str(flag))
    return flag


def test_a_record_whose_worker_is_killed_twice_is_an_error_and_the_rest_go_on(
    once_flag: Path, coach: Coach,
) -> None:
    transcripts = _transcripts("kill-always")
    results = list(render_stream(coach, transcripts, render_or_die, workers=2))
    assert len(results) == len(transcripts)
    (error,) = [r for r in results if isinstance(r, InputError)]
    assert error.transcript_id == "kill-always"
    assert "worker process died" in str(error)
    written = [r.text for r in results if isinstance(r, Rendered)]
    assert written == [t.id for t in transcripts if t.id != "kill-always"]  # in input order


def test_a_record_whose_worker_is_killed_once_is_scored_again(
    once_flag: Path, coach: Coach,
) -> None:
    transcripts = _transcripts("kill-once")
    results = list(render_stream(coach, transcripts, render_or_die, workers=2))
    assert once_flag.exists()  # a worker was killed
    assert [r.text for r in results if isinstance(r, Rendered)] == [t.id for t in transcripts]


def test_without_a_death_every_record_is_scored_once_in_order(
    once_flag: Path, coach: Coach,
) -> None:
    transcripts = _transcripts("call-x")
    results = list(render_stream(coach, transcripts, render_or_die, workers=2))
    assert [r.text for r in results if isinstance(r, Rendered)] == [t.id for t in transcripts]
    assert not once_flag.exists()
