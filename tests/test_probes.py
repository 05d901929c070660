"""Behaviours worded every way, and their look-alikes (tests/probes/).

Turns written from CHECKS.md alone by writers who saw no rule and no evaluation text (the
README says how). The dev half (`sha1(id) % 2 == 1`) was read for misses on 2026-12-06 and
rule classes were written from it; the test half is only scored. On the test half the
phrase classes written from the dev half moved little (blame recall 0.09 -> 0.12,
dismissal 0.29 -> 0.32, supervisor requests 0.33 -> 0.42, while the dev half's rose to
0.76-0.96): a behaviour worded freely is not a list of phrases. The behaviour models
trained on other writers' turns (`scripts/train_behaviour_models.py`, never on these)
carried the test half to 0.47, 0.50 and 0.61 at precision 1.00. The floors keep what the
rules read now; docs/accuracy-history.md ("Written probe sets") has the numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from servicecoach import Coach, Transcript

FOLDER = Path(__file__).parent / "probes"
HALVES = ("dev", "test")


def half(row_id: str) -> str:
    """The half of a probe row: test when sha1(id) is even."""
    return "test" if int(hashlib.sha1(row_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "dev"


def rows(name: str) -> list[dict[str, Any]]:
    """The rows of one probe file."""
    lines = (FOLDER / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def conversation(row_id: str, *turns: tuple[str, str]) -> Transcript:
    """A chat transcript of (speaker, text) turns."""
    return Transcript.model_validate({"id": row_id, "channel": "chat", "turns": [
        {"speaker": speaker, "text": text} for speaker, text in turns]})


def after_calm_opening(row_id: str, text: str) -> Transcript:
    """A customer's `text` (turn 2) after a calm opening of the customer and the agent."""
    return conversation(
        row_id, ("customer", "Hi, I have a question about my account."),
        ("agent", "Hello, thanks for getting in touch. Let me have a look."), ("customer", text))


def exchange(row: dict[str, Any]) -> Transcript:
    """A row's customer turn, the agent's reply and the customer's next turn (turn 3)."""
    return conversation(
        row["id"], ("agent", "Hello, how can I help today?"), ("customer", row["previous"]),
        ("agent", row["agent_between"]), ("customer", row["text"]))


def agent_turns(coach: Coach, file: str = "agent") -> Iterator[tuple[str, set[str], set[str]]]:
    """Each agent probe after a customer's complaint: half, expected ids, found ids."""
    for row in rows(file):
        report = coach.score(conversation(
            row["id"], ("customer", "I've been waiting two weeks for this to be sorted."),
            ("agent", row["text"])))
        yield half(row["id"]), set(row["labels"]), {f.rule_id for f in report.findings
                                                    if f.turn_index == 1}


def customer_turns(coach: Coach) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each customer probe after a calm opening: half, expected and found labels (the
    supervisor request as its finding, strong negativity as the signal at 0.5)."""
    for row in rows("customer"):
        report = coach.score(after_calm_opening(row["id"], row["text"]))
        found = {"supervisor-request"} if any(
            f.rule_id == "escalation.supervisor-request" and f.turn_index == 2
            for f in report.findings) else set()
        if report.signals[2].get("customer.strong", 0.0) >= 0.5:
            found.add("strong")
        yield half(row["id"]), set(row["labels"]), found


def customer_signals(coach: Coach, file: str) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each customer turn after a calm opening: half, and the signals `distress` and
    `strong` as labelled and as read (at 0.5)."""
    for row in rows(file):
        shown = coach.score(after_calm_opening(row["id"], row["text"])).signals[2]
        yield half(row["id"]), {name for name in ("distress", "strong") if row[name]}, {
            name for name in ("distress", "strong")
            if shown.get(f"customer.{name}", 0.0) >= 0.5}


def rising_pairs(coach: Coach) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each pair of customer turns: half, and `escalation.rising` expected and found."""
    for row in rows("pairs"):
        report = coach.score(exchange(row))
        found = {f.rule_id for f in report.findings if f.turn_index == 3}
        yield half(row["id"]), {"escalation.rising"} if row["rising"] else set(), found


def acknowledgements(coach: Coach) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each distressed customer turn and its reply: half, and `empathy.shown` expected
    (the reply acknowledges) and found."""
    for row in rows("ack"):
        report = coach.score(conversation(
            row["id"], ("customer", row["customer"]), ("agent", row["agent"])))
        found = {f.rule_id for f in report.findings if f.turn_index == 1}
        yield half(row["id"]), {"empathy.shown"} if row["ack"] else set(), found


def threats(coach: Coach, file: str = "threats") -> Iterator[tuple[str, set[str], set[str]]]:
    """Each customer turn after a calm opening: half, and `escalation.threat` expected and
    found on it."""
    for row in rows(file):
        report = coach.score(after_calm_opening(row["id"], row["text"]))
        found = {f.rule_id for f in report.findings if f.turn_index == 2}
        yield half(row["id"]), {"escalation.threat"} if row["threat"] else set(), found


def calmed(coach: Coach) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each threatening customer turn, the agent's reply and the customer's next turn:
    half, and `escalation.deescalated` expected and found on the last."""
    for row in rows("deescalation"):
        report = coach.score(exchange(row))
        found = {f.rule_id for f in report.findings if f.turn_index == 3}
        yield half(row["id"]), {"escalation.deescalated"} if row["deescalated"] else set(), found


def holds(coach: Coach) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each hold (or look-alike) the agent starts after the customer's turn, with hold
    events around it when the row has them, and the agent's return: half, and the
    `hold.*` ids expected (a row's null: the rule does not apply) and found."""
    for row in rows("holds"):
        turns = [("agent", "Hello, thanks for calling."), ("customer", row["customer"]),
                 ("agent", row["agent"])]
        events = []
        if row["agent_return"]:
            turns.append(("agent", row["agent_return"]))
        if row["events"]:
            events = [{"type": "hold_start", "after_turn": 2}]
            if row["agent_return"]:
                events.append({"type": "hold_end", "after_turn": 2})
        report = coach.score(Transcript.model_validate({
            "id": row["id"], "channel": row["channel"], "events": events,
            "turns": [{"speaker": speaker, "text": text} for speaker, text in turns]}))
        found = {f.rule_id for f in report.findings if f.rule_id.startswith("hold.")}
        expected = {"hold." + key.replace("_", "-") for key in
                    ("no_permission", "no_estimate", "no_thanks") if row[key]}
        # a rule that does not apply to the row is neither expected nor counted as found
        judged = {"hold." + key.replace("_", "-") for key in
                  ("no_permission", "no_estimate", "no_thanks") if row[key] is not None}
        yield half(row["id"]), expected, found & judged if row["hold"] else found


def transfers(coach: Coach, file: str = "transfers") -> Iterator[tuple[str, set[str], set[str]]]:
    """Each agent turn after the customer's, with a transfer event after it when the row
    has one: half, and `transfer.unannounced` / `transfer.cold` expected and found."""
    for row in rows(file):
        report = coach.score(Transcript.model_validate({
            "id": row["id"], "channel": row["channel"],
            "events": [{"type": "transfer", "after_turn": 2}] if row["event"] else [],
            "turns": [{"speaker": speaker, "text": text} for speaker, text in (
                ("agent", "Hello, thanks for contacting us."), ("customer", row["customer"]),
                ("agent", row["agent"]))]}))
        found = {f.rule_id for f in report.findings if f.turn_index == 2}
        expected = {rule for rule, key in (("transfer.unannounced", "unannounced"),
                                           ("transfer.cold", "cold")) if row[key]}
        yield half(row["id"]), expected, found


def names(coach: Coach, file: str = "names") -> Iterator[tuple[str, set[str], set[str]]]:
    """Each `name.*` finding expected or found in a whole conversation, at its turn (a
    finding at another turn than expected is a false alarm and a miss; a misspelling only
    in a written channel): half, and its rule id as expected and as found."""
    for row in rows(file):
        report = coach.score(Transcript.model_validate({
            "id": row["id"], "channel": row["channel"], "metadata": row["metadata"],
            "turns": row["turns"]}))
        # CHECKS.md: the agent *writes* a close variant; a call's transcript shows the
        # transcriber's spelling, so the rule reads written channels only
        expected = {(e["rule_id"], e["turn_index"]) for e in row["expected"]
                    if e["rule_id"] != "name.misspelled" or row["channel"] != "voice"}
        found = {(f.rule_id, f.turn_index) for f in report.findings
                 if f.rule_id.startswith("name.")}
        for rule_id, turn in expected | found:
            yield (half(row["id"]), {rule_id} if (rule_id, turn) in expected else set(),
                   {rule_id} if (rule_id, turn) in found else set())


def counts(found: Iterator[tuple[str, set[str], set[str]]], label: str) -> dict[str, Counter[str]]:
    """True and false positives and misses of one label, by half."""
    by_half = {name: Counter[str]() for name in HALVES}
    for name, expected, got in found:
        if label in expected:
            by_half[name]["tp" if label in got else "fn"] += 1
        elif label in got:
            by_half[name]["fp"] += 1
    return by_half


READERS: dict[str, Callable[[Coach], Iterator[tuple[str, set[str], set[str]]]]] = {
    "agent": agent_turns, "customer": customer_turns, "pairs": rising_pairs,
    "ack": acknowledgements, "threats": threats, "deescalation": calmed, "holds": holds,
    "transfers": transfers, "names": names,
    "agent-2": lambda coach: agent_turns(coach, "agent-2"),
    "transfers-2": lambda coach: transfers(coach, "transfers-2"),
    "names-2": lambda coach: names(coach, "names-2"),
    "agent-3": lambda coach: agent_turns(coach, "agent-3"),
    "threats-2": lambda coach: threats(coach, "threats-2"),
    "customer-2": lambda coach: customer_signals(coach, "customer-2")}


@pytest.fixture(scope="module")
def measured(coach: Coach) -> dict[tuple[str, str], dict[str, Counter[str]]]:
    """Counts by (file, label) and half, each file scored once."""
    labels = {"agent": ("defensive.blame", "defensive.deflection", "defensive.dismissive",
                        "language.negative"),
              "customer": ("supervisor-request", "strong"),
              "pairs": ("escalation.rising",), "ack": ("empathy.shown",),
              "threats": ("escalation.threat",), "deescalation": ("escalation.deescalated",),
              "holds": ("hold.no-permission", "hold.no-estimate", "hold.no-thanks"),
              "transfers": ("transfer.unannounced", "transfer.cold"),
              "names": ("name.used", "name.unused", "name.misspelled", "name.overused")}
    labels["agent-2"], labels["transfers-2"], labels["names-2"] = (
        labels["agent"], labels["transfers"], labels["names"])
    labels["agent-3"], labels["threats-2"] = labels["agent"], labels["threats"]
    labels["customer-2"] = ("distress", "strong")
    out = {}
    for name, read in READERS.items():
        found = list(read(coach))
        for label in labels[name]:
            out[name, label] = counts(iter(found), label)
    return out


# (file, label, half): (least precision, least recall). A little under what the rules
# read on 2026-12-06 at the end of the session; the test half's recall is the measure of
# how far the rules generalise, the dev half's of what was written from it.
FLOORS = {
    ("agent", "defensive.blame", "dev"): (0.9, 0.75),
    ("agent", "defensive.blame", "test"): (0.9, 0.55),
    ("agent", "defensive.deflection", "dev"): (0.9, 0.9),
    ("agent", "defensive.deflection", "test"): (0.9, 0.8),
    ("agent", "defensive.dismissive", "dev"): (0.9, 0.85),
    ("agent", "defensive.dismissive", "test"): (0.9, 0.5),
    # the refusals of the dev half were read again on 2026-12-07 (eighth session): 0.57 ->
    # 0.68 on the test half
    ("agent", "language.negative", "dev"): (0.9, 0.8),
    ("agent", "language.negative", "test"): (0.85, 0.62),
    ("customer", "supervisor-request", "dev"): (0.9, 0.9),
    ("customer", "supervisor-request", "test"): (0.9, 0.65),
    ("customer", "strong", "dev"): (0.9, 0.9),
    ("customer", "strong", "test"): (0.9, 0.65),
    # the dev halves of the rising pairs and the acknowledgements read again on
    # 2026-12-07 (eighth session): rising 0.77 -> 0.97, acknowledgement 0.88 -> 0.92
    ("pairs", "escalation.rising", "dev"): (0.9, 0.9),
    ("pairs", "escalation.rising", "test"): (0.9, 0.8),
    ("ack", "empathy.shown", "dev"): (0.95, 0.88),
    ("ack", "empathy.shown", "test"): (0.9, 0.72),
    # written on 2026-12-07 (a third writer); the dev half of the threats was read that day
    ("threats", "escalation.threat", "dev"): (0.95, 0.9),
    ("threats", "escalation.threat", "test"): (0.95, 0.55),
    # its dev half read again on 2026-12-07 (eighth session): precision 0.76 -> 0.92
    ("deescalation", "escalation.deescalated", "dev"): (0.85, 0.65),
    ("deescalation", "escalation.deescalated", "test"): (0.75, 0.5),
    # written on 2026-12-07 (a fourth and a fifth writer); both dev halves read that day
    ("holds", "hold.no-permission", "dev"): (0.95, 0.95),
    ("holds", "hold.no-permission", "test"): (0.85, 0.95),
    ("holds", "hold.no-estimate", "dev"): (0.9, 0.95),
    ("holds", "hold.no-estimate", "test"): (0.9, 0.9),
    ("holds", "hold.no-thanks", "dev"): (0.95, 0.95),
    ("holds", "hold.no-thanks", "test"): (0.85, 0.9),
    ("transfers", "transfer.unannounced", "dev"): (0.95, 0.95),
    ("transfers", "transfer.unannounced", "test"): (0.65, 0.9),
    ("transfers", "transfer.cold", "dev"): (0.9, 0.85),
    ("transfers", "transfer.cold", "test"): (0.85, 0.85),
    # written on 2026-12-07 (a sixth writer); the dev half read that day
    ("names", "name.used", "dev"): (0.9, 0.85),
    ("names", "name.used", "test"): (0.9, 0.9),
    ("names", "name.unused", "dev"): (0.9, 0.8),
    ("names", "name.unused", "test"): (0.95, 0.8),
    ("names", "name.misspelled", "dev"): (0.95, 0.85),
    ("names", "name.misspelled", "test"): (0.95, 0.4),
    ("names", "name.overused", "dev"): (0.95, 0.9),
    ("names", "name.overused", "test"): (0.9, 0.95),
    # written on 2026-12-07 (eighth session) by a seventh, eighth and ninth writer; each dev
    # half read that session, each test half only scored
    ("agent-2", "language.negative", "dev"): (0.95, 0.9),
    ("agent-2", "language.negative", "test"): (0.9, 0.65),
    ("agent-2", "defensive.dismissive", "dev"): (0.95, 0.85),
    ("agent-2", "defensive.dismissive", "test"): (0.75, 0.35),
    ("agent-2", "defensive.deflection", "dev"): (0.95, 0.95),
    ("agent-2", "defensive.deflection", "test"): (0.95, 0.75),
    ("transfers-2", "transfer.unannounced", "dev"): (0.95, 0.9),
    ("transfers-2", "transfer.unannounced", "test"): (0.8, 0.9),
    ("transfers-2", "transfer.cold", "dev"): (0.95, 0.95),
    ("transfers-2", "transfer.cold", "test"): (0.7, 0.95),
    ("names-2", "name.used", "dev"): (0.9, 0.9),
    ("names-2", "name.used", "test"): (0.9, 0.85),
    ("names-2", "name.unused", "dev"): (0.85, 0.85),
    ("names-2", "name.unused", "test"): (0.75, 0.85),
    ("names-2", "name.misspelled", "dev"): (0.95, 0.75),
    ("names-2", "name.misspelled", "test"): (0.95, 0.7),
    ("names-2", "name.overused", "dev"): (0.95, 0.95),
    ("names-2", "name.overused", "test"): (0.95, 0.95),
    ("agent-3", "defensive.blame", "dev"): (0.95, 0.65),
    ("agent-3", "defensive.blame", "test"): (0.95, 0.35),
    ("agent-3", "defensive.deflection", "dev"): (0.95, 0.9),
    ("agent-3", "defensive.deflection", "test"): (0.9, 0.45),
    ("threats-2", "escalation.threat", "dev"): (0.9, 0.85),
    ("threats-2", "escalation.threat", "test"): (0.8, 0.5),
    ("customer-2", "distress", "dev"): (0.95, 0.9),
    ("customer-2", "distress", "test"): (0.9, 0.75),
    ("customer-2", "strong", "dev"): (0.9, 0.9),
    ("customer-2", "strong", "test"): (0.85, 0.55),
}


@pytest.mark.parametrize(("name", "label", "which"), sorted(FLOORS))
def test_each_behaviour_keeps_its_floor_on_each_half(
        measured: dict[tuple[str, str], dict[str, Counter[str]]], name: str, label: str,
        which: str) -> None:
    found = measured[name, label][which]
    precision = found["tp"] / max(1, found["tp"] + found["fp"])
    recall = found["tp"] / max(1, found["tp"] + found["fn"])
    least_precision, least_recall = FLOORS[name, label, which]
    assert precision >= least_precision and recall >= least_recall, dict(found)


def test_the_probe_files_hold_what_the_readme_says() -> None:
    sizes = {"agent": 360, "customer": 260, "pairs": 120, "ack": 300, "threats": 246,
             "deescalation": 170, "holds": 154, "transfers": 240, "names": 162,
             "agent-2": 300, "transfers-2": 200, "names-2": 150, "agent-3": 240,
             "threats-2": 240, "customer-2": 300}
    for name, size in sizes.items():
        found = rows(name)
        assert len(found) == size
        assert len({row["id"] for row in found}) == size
        assert {half(row["id"]) for row in found} == set(HALVES)
