"""Transfer analyzers: announced, warm, repeated; referrals and offers are not transfers."""

from __future__ import annotations

from servicecoach import Coach
from tests.conftest import transcript


def _ids(coach: Coach, text: str) -> set[tuple[str, int | None]]:
    report = coach.score(transcript(text))
    return {(f.rule_id, f.turn_index) for f in report.findings if f.rule_id.startswith("transfer.")}


def test_event_without_words_is_unannounced_and_cold(coach: Coach) -> None:
    text = "%% channel: voice\nAgent: Hi.\nCustomer: Help.\nAgent: OK.\n@transfer billing\nAgent: Billing."
    assert _ids(coach, text) == {("transfer.unannounced", 2), ("transfer.cold", 2)}


def test_announced_warm_transfer(coach: Coach) -> None:
    text = ("%% channel: voice\nAgent: Hi.\nCustomer: Refund please.\n"
            "Agent: I'm transferring you to billing because they handle refunds; I'll stay on the line.\n"
            "@transfer billing\nAgent: Billing here.")
    assert _ids(coach, text) == set()


def test_words_and_event_are_one_transfer_two_are_repeated(coach: Coach) -> None:
    text = ("Agent: Hi.\nCustomer: Help.\nAgent: I'm connecting you with sales so they can quote.\n"
            "@transfer sales\nAgent: Sales. Let me pass you over to support, they handle faults.\n"
            "@transfer support\nAgent: Support here.")
    assert _ids(coach, text) == {("transfer.repeated", None)}


def test_referral_is_not_a_transfer(coach: Coach) -> None:
    text = "Agent: Hi.\nCustomer: Card stolen.\nAgent: Please call our fraud line on 0800 123 456."
    assert _ids(coach, text) == set()
