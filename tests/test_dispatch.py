"""Which analyzers a turn wakes: phrase rules run only where their phrases may occur,
and the scorecard is the same as if every rule had read every turn."""

from __future__ import annotations

from pathlib import Path

from conftest import transcript

from servicecoach import Coach
from servicecoach.models import Speaker

PACK = """\
name: many
version: "1"
language: en
"""

RULE = """\
- id: extra.say-{n}
  kind: phrase
  category: positive_language
  severity: suggestion
  speaker: agent
  message: 'said "{{match}}"'
  suggestion: 'say something else'
  match:
    phrases: ["word{n} here"]
"""

CALL = """\
Agent: Thanks for calling, this is Sam. How can I help?
Customer: My parcel never came.
Agent: I'm sorry about that. I'll call you back by Friday with a tracking number.
Agent: Is there anything else? Thanks for calling!
"""


def _many_rules(tmp_path: Path, count: int) -> Coach:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("".join(RULE.format(n=n) for n in range(count)),
                                         encoding="utf-8")
    return Coach(packs=["core", str(tmp_path)])


def test_phrase_rules_run_only_on_turns_that_may_hold_their_phrases(tmp_path: Path) -> None:
    coach = _many_rules(tmp_path, 20)
    extra = [i for i, a in enumerate(coach.analyzers) if a.rule_ids[0].startswith("extra.")]
    agent_turn = "I can resend it today."
    session = coach.session()
    quiet = coach.matchers.scan(coach.nlp.make_doc(agent_turn), agent_turn).candidates
    assert not set(extra) & set(coach.dispatch.positions(Speaker.AGENT, quiet))
    said = "You will hear word7 here soon."
    candidates = coach.matchers.scan(coach.nlp.make_doc(said), said).candidates
    assert set(coach.dispatch.positions(Speaker.AGENT, candidates)) & set(extra) == {extra[7]}
    hints = session.add_turn({"speaker": "agent", "text": said})
    assert [h.rule_id for h in hints if h.rule_id.startswith("extra.")] == ["extra.say-7"]


def test_a_rule_not_woken_still_makes_its_category_applicable(coach: Coach) -> None:
    report = coach.score(transcript(CALL))
    scores = {s.category: s for s in report.scores}
    # no negative language, no filler anywhere: judged and clean, not "not applicable"
    assert scores["positive_language"].applicable and scores["positive_language"].score == 100
    assert scores["confidence"].applicable
    # commitments only apply where a promise was made: this call has one
    assert scores["commitments"].applicable


def test_a_call_without_promises_leaves_commitments_not_applicable(coach: Coach) -> None:
    report = coach.score(transcript("Agent: Hello, this is Sam.\nCustomer: Hi.\n"))
    scores = {s.category: s for s in report.scores}
    assert not scores["commitments"].applicable
    assert scores["positive_language"].applicable


def test_extra_phrase_rules_leave_core_findings_unchanged(tmp_path: Path, coach: Coach) -> None:
    many = _many_rules(tmp_path, 20)
    call = transcript(CALL)
    assert many.score(call).findings == coach.score(call).findings
