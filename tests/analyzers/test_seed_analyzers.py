"""The built-in analyzers of issue 3: what the annotated tests cannot show.

Severity grading of fillers, the report's commitments with their time frames, rule
settings, live hints, and which categories each analyzer makes applicable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import transcript

from servicecoach import Coach
from servicecoach.config import CoachConfig, RuleOverride
from servicecoach.errors import RulePackError
from servicecoach.models import Report, Severity


def _fired(report: Report, rule_id: str) -> list[int | None]:
    return [f.turn_index for f in report.findings if f.rule_id == rule_id]


def _applicable(report: Report) -> dict[str, bool]:
    return {s.category: s.applicable for s in report.scores}


def test_one_filler_is_a_suggestion_and_a_run_is_a_warning(coach: Coach) -> None:
    report = coach.score(transcript("Agent: Um, sure.\nAgent: Um, uh, erm, it's fine.\n"))
    fillers = [f for f in report.findings if f.rule_id == "confidence.filler"]
    assert [(f.turn_index, f.severity) for f in fillers] == [
        (0, Severity.SUGGESTION), (1, Severity.WARNING)]
    assert fillers[1].message == 'Hesitation: 3 fillers in one turn ("um, uh, erm").'
    assert len(fillers[1].evidence) == 3


def test_filler_run_length_is_a_setting() -> None:
    config = CoachConfig(rules={"confidence.filler": RuleOverride(settings={"warn_at": 2})})
    report = Coach(config).score(transcript("Agent: Um, uh, sure.\n"))
    (finding,) = [f for f in report.findings if f.rule_id == "confidence.filler"]
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("sentence", "time_frame"),
    [
        ("I'll call you back by 3 pm tomorrow.", "by 3 pm tomorrow"),
        ("We'll email you within 24 hours.", "within 24 hours"),
        ("Someone will call you today.", "today"),
        ("I'll update you on Monday.", "on Monday"),
        ("We'll look into it and get back to you.", None),
    ],
)
def test_commitments_carry_their_time_frame(
    coach: Coach, sentence: str, time_frame: str | None
) -> None:
    report = coach.score(transcript(f"Customer: Any news?\nAgent: Sure. {sentence}\n"))
    (commitment,) = report.commitments
    assert commitment.turn_index == 1
    assert commitment.time_frame == time_frame
    assert commitment.span.text == sentence
    assert _fired(report, "commitment.vague") == ([1] if time_frame is None else [])


def test_every_commitment_is_listed_in_turn_order(coach: Coach) -> None:
    report = coach.score(transcript(
        "Agent: I'll look into it. I'll call you back within the hour.\n"
        "Customer: ok\n"
        "Agent: Someone will email you the form.\n"
    ))
    assert [(c.turn_index, c.time_frame) for c in report.commitments] == [
        (0, None), (0, "within the hour"), (2, None)]
    # a turn that says when its follow-up happens is not vague as a whole
    assert _fired(report, "commitment.vague") == [2]


def test_vague_commitment_suggestion_quotes_the_promise(coach: Coach) -> None:
    report = coach.score(transcript("Agent: Send us your number and we'll call you.\n"))
    (finding,) = [f for f in report.findings if f.rule_id == "commitment.vague"]
    assert finding.message == "The promise \"we'll call you\" has no time frame."
    assert "\"we'll call you by 3 pm tomorrow\"" in finding.suggestion


def test_slow_reply_limit_is_a_setting() -> None:
    text = "[00:00] Customer: Hello?\n[01:30] Agent: Hi, how can I help?\n"
    assert _fired(Coach().score(transcript(text)), "responsiveness.slow-reply") == [1]
    config = CoachConfig(
        rules={"responsiveness.slow-reply": RuleOverride(settings={"limit_seconds": 120})})
    assert _fired(Coach(config).score(transcript(text)), "responsiveness.slow-reply") == []


def test_slow_reply_says_how_long_the_customer_waited(coach: Coach) -> None:
    report = coach.score(transcript("[00:00] Customer: Hello?\n[02:05] Agent: Hi!\n"))
    (finding,) = [f for f in report.findings if f.rule_id == "responsiveness.slow-reply"]
    assert "2 min 5 s (limit 60 s)" in finding.message
    assert finding.evidence[0].source == "timing"


def test_greeting_is_decided_live_on_the_agents_first_turn(coach: Coach) -> None:
    session = coach.session({"customer_name": "Dana Reyes"}, channel="chat")
    assert session.add_turn({"speaker": "customer", "text": "Hi"}) == []
    hints = session.add_turn({"speaker": "agent", "text": "Order number?"})
    (greeting,) = [f for f in hints if f.rule_id == "greeting.missing"]
    assert greeting.turn_index is None
    assert greeting.suggestion.startswith('Open with a greeting before the answer: "Hi Dana,')


def test_introduction_uses_the_agent_name_from_metadata(coach: Coach) -> None:
    report = coach.score(transcript(
        "%% agent_name: Linda\n%% channel: voice\n"
        "Agent: thank you for calling you're speaking with linda\n"
    ))
    assert _fired(report, "greeting.introduced") == [0]
    assert _fired(report, "greeting.no-introduction") == []


def test_no_introduction_suggests_the_known_agent_name(coach: Coach) -> None:
    report = coach.score(transcript(
        "%% agent_name: Sam Ortiz\n%% customer_name: Dana\n"
        "Agent: Hi, how can I help?\nCustomer: My card.\nAgent: Sure.\nCustomer: ok\nAgent: Done.\n"
    ))
    (finding,) = [f for f in report.findings if f.rule_id == "greeting.no-introduction"]
    assert "my name is Sam" in finding.suggestion
    assert "Hi Dana," in finding.suggestion


def test_categories_apply_only_when_there_is_something_to_judge(coach: Coach) -> None:
    voice = coach.score(
        transcript("%% channel: voice\n[00:00] Customer: Hi\n[03:00] Agent: Hello!\n"))
    assert _applicable(voice)["responsiveness"] is False
    assert _applicable(voice)["commitments"] is False
    assert _applicable(voice)["opening_closing"] is True
    assert _applicable(voice)["confidence"] is True
    promised = coach.score(
        transcript("[00:00] Customer: Hi\n[00:10] Agent: I'll call you today.\n"))
    assert _applicable(promised)["commitments"] is True
    assert _applicable(promised)["responsiveness"] is True
    customer_only = coach.score(transcript("Customer: hello?\n"))
    assert _applicable(customer_only)["opening_closing"] is False


def test_a_builtin_rule_without_its_phrase_list_is_a_pack_error(tmp_path: Path) -> None:
    pack = tmp_path / "mini"
    pack.mkdir()
    (pack / "pack.yaml").write_text('name: mini\nversion: "1"\n')
    (pack / "rules.yaml").write_text(
        "- id: closing.custom\n  kind: builtin\n  analyzer: closing\n  category: c\n"
        "  message: m\n  suggestion: s\n"
    )
    with pytest.raises(RulePackError, match="phrase list"):
        Coach(packs=[str(pack)])
