"""Escalation analyzers: levels, runs, requests, threats, and no alert storm live."""

from __future__ import annotations

import time
from statistics import median

from servicecoach import Coach
from servicecoach.nlp.shouting import is_shouting
from tests.conftest import transcript


def _ids(coach: Coach, text: str) -> list[tuple[str, int | None]]:
    report = coach.score(transcript(text))
    return [(f.rule_id, f.turn_index) for f in report.findings if f.rule_id.startswith("escalation.")]


def test_shouting() -> None:
    assert is_shouting("WHERE IS MY REFUND", 12, 0.7)
    assert not is_shouting("My PIN and ATM card", 12, 0.7)


def test_first_customer_turn_is_never_a_fall(coach: Coach) -> None:
    found = _ids(coach, "Customer: This is ridiculous!\nAgent: Sorry.\nCustomer: OK thanks.")
    assert ("escalation.rising", 0) not in found


def test_rising_then_deescalated(coach: Coach) -> None:
    text = ("Agent: Hi.\nCustomer: Where's my refund?\nAgent: Ten more days.\n"
            "Customer: Unbelievable, this is the worst.\nAgent: I'm sorry, I'll pay it today.\n"
            "Customer: OK, thank you.")
    assert _ids(coach, text) == [("escalation.rising", 3), ("escalation.deescalated", 5)]


def test_sarcastic_compliance_is_not_strong(coach: Coach) -> None:
    text = "Agent: Hi.\nCustomer: Change my plan.\nAgent: It takes 30 days.\nCustomer: Yeah, fine, go ahead."
    assert _ids(coach, text) == []


def test_sentiment_is_published_for_customer_turns(coach: Coach) -> None:
    report = coach.score(transcript("Agent: Hi.\nCustomer: I hate this.\nAgent: Sorry."))
    assert report.customer_sentiment[0] is None and report.customer_sentiment[1] < 0


def test_live_session_has_no_alert_storm_and_stays_fast(coach: Coach) -> None:
    session = coach.session(channel="chat")
    session.add_turn({"speaker": "customer", "text": "Hi, a question about my bill."})
    hints: list[str] = []
    timings: list[float] = []
    for turn in range(200):
        started = time.perf_counter()
        found = session.add_turn({"speaker": "agent" if turn % 2 else "customer",
                                  "text": "I want to speak to a manager, this is ridiculous!"
                                  if turn % 2 == 0 else "I understand."})
        timings.append(time.perf_counter() - started)
        hints += [f.rule_id for f in found if f.rule_id.startswith("escalation.")]
    assert hints.count("escalation.rising") == 1
    assert hints.count("escalation.supervisor-request") == 1
    assert median(timings[-20:]) < max(5 * median(timings[:20]), 0.02)  # no history rescans


def test_deescalated_only_after_the_last_escalation() -> None:
    from servicecoach import Coach, Transcript

    texts = [
        ("customer", "I want to speak to your manager, now!"),
        ("agent", "I'm sorry, let me help you first."),
        ("customer", "Okay, thanks."),
        ("agent", "Here is what I found."),
        ("customer", "This is ridiculous, I'm cancelling my account."),
        ("agent", "I understand, I'll fix it right now."),
        ("customer", "Alright, that works, thank you."),
    ]
    call = Transcript.model_validate({"id": "t", "turns": [
        {"speaker": s, "text": t} for s, t in texts]})
    found = [f.turn_index for f in Coach().score(call).findings
             if f.rule_id == "escalation.deescalated"]
    assert found == [6]  # not 2: a later escalation came
