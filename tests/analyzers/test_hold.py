"""Hold analyzers: starts from words and events, permission, estimate, thanks, timing."""

from __future__ import annotations

from servicecoach import Coach
from servicecoach.analyzers.hold import stated_seconds
from tests.conftest import transcript


def _ids(coach: Coach, text: str) -> set[tuple[str, int | None]]:
    report = coach.score(transcript(text))
    return {(f.rule_id, f.turn_index) for f in report.findings if f.rule_id.startswith("hold.")}


def test_stated_seconds() -> None:
    assert stated_seconds("one or two minutes") == 120
    assert stated_seconds("30 seconds") == 30
    assert stated_seconds("a couple of minutes") == 120
    assert stated_seconds("a moment") is None
    assert stated_seconds("a few minutes") == 180
    assert stated_seconds("ninety seconds") == 90
    # "a few seconds" says briefly: an estimate, but no 3-second limit (a hold of 29 s
    # after it was too long, until 2026-12-07)
    assert stated_seconds("a few seconds") is None
    assert stated_seconds("a couple of seconds") is None


def test_good_hold_has_no_findings(coach: Coach) -> None:
    text = ("%% channel: voice\n[00:00] Agent: Hi.\n[00:02] Customer: My bill is wrong.\n"
            "[00:05] Agent: Can I put you on hold for two minutes?\n[00:08] Customer: Sure.\n"
            "[01:40] Agent: Thanks for holding, it's fixed.")
    assert _ids(coach, text) == set()


def test_unannounced_hold_event(coach: Coach) -> None:
    text = ("%% channel: voice\n[00:00] Agent: Hi.\n[00:02] Customer: My card is blocked.\n"
            "[00:05] Agent: Let me see.\n[00:06] @hold_start\n[04:00] @hold_end\n"
            "[04:01] Agent: OK, it's unblocked.")
    assert _ids(coach, text) == {("hold.no-permission", 2), ("hold.no-estimate", 2),
                                 ("hold.no-thanks", 3), ("hold.too-long", 3)}


def test_stated_time_exceeded(coach: Coach) -> None:
    text = ("%% channel: voice\n[00:00] Agent: Hi.\n[00:02] Customer: I need a PIN.\n"
            "[00:05] Agent: Could you hold for 30 seconds?\n[00:08] Customer: Yes.\n"
            "[01:30] Agent: Thank you for waiting.")
    assert _ids(coach, text) == {("hold.too-long", 4)}


def test_chat_working_note_is_not_a_hold(coach: Coach) -> None:
    text = "Agent: Hi.\nCustomer: Has it shipped?\nAgent: One moment while I check.\nAgent: Yes."
    assert _ids(coach, text) == set()


def test_callback_instead_of_hold(coach: Coach) -> None:
    text = ("%% channel: voice\nAgent: Hi.\nCustomer: My line is down.\n"
            "Agent: Can I put you on hold for five minutes?\nCustomer: No, I can't hold.\n"
            "Agent: No problem, I'll call you back at two.")
    assert _ids(coach, text) == set()


def test_an_event_hold_without_hold_end_ends_when_the_agent_is_back() -> None:
    from servicecoach import Coach, Transcript

    call = Transcript.model_validate({
        "id": "t", "channel": "voice",
        "turns": [
            {"speaker": "agent", "text": "Thanks for calling, this is Sam.", "start": 0},
            {"speaker": "customer", "text": "My meter reading is wrong.", "start": 5},
            {"speaker": "agent", "text": "Can I put you on hold for two minutes while I check?",
             "start": 10},
            {"speaker": "customer", "text": "Sure.", "start": 15},
            {"speaker": "agent", "text": "Okay, it's fixed.", "start": 540},
        ],
        "events": [{"type": "hold_start", "at": 20}],
    })
    found = {(f.rule_id, f.turn_index) for f in Coach().score(call).findings}
    assert {("hold.no-thanks", 4), ("hold.too-long", 4)} <= found
