"""One Coach shared by many threads, one session each, gives the same reports as one thread."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import REPO

import servicecoach.session as session_module
from servicecoach import Coach, Transcript


def test_threads_sharing_a_coach_score_like_one_thread(coach: Coach) -> None:
    lines = (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()
    transcripts = [Transcript.model_validate(json.loads(line)) for line in lines]
    sequential = [coach.score(t) for t in transcripts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            assert list(pool.map(coach.score, transcripts)) == sequential


def test_turns_given_to_one_session_from_two_threads_are_taken_one_at_a_time(
        coach: Coach, monkeypatch: pytest.MonkeyPatch) -> None:
    """A web service that hands each message to a worker thread can give one session two
    turns at once (a customer's and an agent's message arriving together). Both were read
    as the same turn: the second turn's findings and signals landed on the first's index."""
    real_make_doc = session_module.make_doc
    inside, calls = threading.Event(), []

    def slow_make_doc(nlp: Any, text: str) -> Any:
        calls.append(text)
        if len(calls) == 1:
            inside.set()
            time.sleep(0.3)  # the first turn is being read when the second arrives
        return real_make_doc(nlp, text)

    monkeypatch.setattr(session_module, "make_doc", slow_make_doc)
    session = coach.session({"customer_name": "Dana"})
    first = threading.Thread(target=session.add_turn, args=(
        {"speaker": "customer", "text": "This is the third time I'm calling, I'm fed up."},))
    first.start()
    inside.wait()
    reply = session.add_turn({"speaker": "agent", "text": "Calm down, that's our policy."})
    first.join()
    assert {f.turn_index for f in reply} - {None} == {1}
    report = session.close()
    assert report.customer_sentiment[1] is None and report.customer_sentiment[0] is not None
    assert [f.turn_index for f in report.findings if f.rule_id == "defensive.dismissive"] == [1]
