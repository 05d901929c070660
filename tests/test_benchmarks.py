"""The benchmark's "shared readings" coach measures what it says: turns read (the customer's
sentences scored), no rule deciding anything, the coach it copies untouched."""

from __future__ import annotations

import importlib.util
import sys

from conftest import REPO, transcript

from servicecoach import Coach
from servicecoach.nlp.sentiment import piece_compound


def _benchmarks():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("benchmarks_run", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_shared_readings_read_every_turn_and_decide_nothing(coach: Coach) -> None:
    analyzers, dispatch = coach.analyzers, coach.dispatch
    floor = _benchmarks().readings_only(coach)
    conversation = transcript(
        "Customer: This is the third time I have called and NOBODY has fixed it. Awful!\n"
        "Agent: Calm down, that's our policy. I'll get back to you.\n"
    )
    piece_compound.cache_clear()
    report = floor.score(conversation)
    assert report.findings == ()
    assert piece_compound.cache_info().misses == 2  # the customer's two sentences
    assert (coach.analyzers, coach.dispatch) == (analyzers, dispatch)  # untouched
    assert coach.score(conversation).findings
