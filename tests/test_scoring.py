"""The scorecard formula: penalties by severity, strength bonus, clamping, "not applicable",
the weighted overall score, and the contributions that explain each score.

`test_worked_example_of_docs_scoring` pins the arithmetic of the example in
docs/scoring.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, transcript

from servicecoach import Coach, Transcript
from servicecoach.config import CoachConfig, ScoringOverride
from servicecoach.models import CategoryScore, Finding, FindingKind, Severity
from servicecoach.scoring import ScoringPolicy, overall_points, score

POLICY = ScoringPolicy()


def _finding(category: str, severity: Severity = Severity.WARNING, *,
             strength: bool = False, rule_id: str = "x.rule", turn: int | None = 1) -> Finding:
    return Finding(
        rule_id=rule_id, kind=FindingKind.STRENGTH if strength else FindingKind.ISSUE,
        severity=severity, category=category, turn_index=turn, speaker=None,
        message="m", suggestion="s",
    )


def _by_category(scores: tuple[CategoryScore, ...]) -> dict[str, CategoryScore]:
    return {s.category: s for s in scores}


def test_a_judged_category_without_findings_scores_100() -> None:
    scores, overall = score([], {"empathy"}, {"empathy"}, POLICY)
    assert _by_category(scores)["empathy"].score == 100.0
    assert overall == 100.0


def test_each_issue_takes_off_the_points_of_its_severity() -> None:
    findings = [_finding("confidence", Severity.SUGGESTION),
                _finding("confidence", Severity.WARNING),
                _finding("confidence", Severity.CRITICAL)]
    scores, _ = score(findings, {"confidence"}, {"confidence"}, POLICY)
    assert _by_category(scores)["confidence"].score == 100 - 5 - 10 - 20


def test_a_strength_gives_back_the_bonus_but_never_above_100() -> None:
    findings = [_finding("opening_closing", Severity.WARNING),
                _finding("opening_closing", strength=True)]
    scores, _ = score(findings, {"opening_closing"}, {"opening_closing"}, POLICY)
    assert _by_category(scores)["opening_closing"].score == 95.0
    only_praise = [_finding("opening_closing", strength=True)]
    scores, _ = score(only_praise, {"opening_closing"}, {"opening_closing"}, POLICY)
    assert _by_category(scores)["opening_closing"].score == 100.0


def test_a_score_never_goes_below_zero() -> None:
    findings = [_finding("defensiveness", Severity.CRITICAL, turn=t) for t in range(7)]
    scores, overall = score(findings, {"defensiveness"}, {"defensiveness"}, POLICY)
    assert _by_category(scores)["defensiveness"].score == 0.0
    assert overall == 0.0


def test_a_category_with_nothing_to_judge_is_not_applicable() -> None:
    # no hold happened: hold_transfer has no score and no weight in the overall
    scores, overall = score([], {"empathy"}, {"empathy", "hold_transfer"}, POLICY)
    hold = _by_category(scores)["hold_transfer"]
    assert (hold.applicable, hold.score, hold.contributions) == (False, None, ())
    assert overall == 100.0


def test_a_finding_makes_its_category_applicable() -> None:
    scores, _ = score([_finding("escalation")], set(), {"escalation"}, POLICY)
    assert _by_category(scores)["escalation"].applicable is True
    assert _by_category(scores)["escalation"].score == 90.0


def test_nothing_applicable_gives_no_overall_score() -> None:
    scores, overall = score([], set(), {"empathy", "hold_transfer"}, POLICY)
    assert overall is None
    assert all(not s.applicable for s in scores)


def test_overall_is_the_weighted_mean_of_applicable_categories() -> None:
    policy = ScoringPolicy(weights={"empathy": 2.0, "hold_transfer": 5.0})
    findings = [_finding("empathy"), _finding("empathy"),
                _finding("confidence", Severity.SUGGESTION)]
    _, overall = score(findings, {"empathy", "confidence"},
                       {"empathy", "confidence", "hold_transfer"}, policy)
    assert overall == round((80 * 2 + 95 * 1) / 3, 1)  # hold_transfer's weight does not count


def test_a_zero_weight_category_is_scored_but_does_not_count() -> None:
    policy = ScoringPolicy(weights={"confidence": 0.0})
    scores, overall = score([_finding("confidence")], {"confidence", "empathy"},
                            {"confidence", "empathy"}, policy)
    assert _by_category(scores)["confidence"].score == 90.0
    assert overall == 100.0


def test_contributions_explain_every_point() -> None:
    findings = [_finding("name", Severity.SUGGESTION, rule_id="name.unused", turn=None),
                _finding("name", strength=True, rule_id="name.used", turn=3)]
    scores, _ = score(findings, {"name"}, {"name"}, POLICY)
    name = _by_category(scores)["name"]
    assert [(c.rule_id, c.turn_index, c.points) for c in name.contributions] == [
        ("name.unused", None, -5.0), ("name.used", 3, 5.0)]
    assert name.score == 100 + sum(c.points for c in name.contributions)


def test_custom_penalties_and_bonus() -> None:
    policy = ScoringPolicy(penalties={Severity.SUGGESTION: 1, Severity.WARNING: 2,
                                      Severity.CRITICAL: 50}, strength_bonus=0.5)
    findings = [_finding("c", Severity.CRITICAL), _finding("c", Severity.WARNING),
                _finding("c", strength=True)]
    scores, _ = score(findings, {"c"}, {"c"}, policy)
    assert _by_category(scores)["c"].score == 48.5


def test_worked_example_of_docs_scoring() -> None:
    """The refund call of docs/scoring.md, scored for real, contribution by contribution."""
    from servicecoach.readers.text import parse_transcripts

    path = Path(__file__).resolve().parents[1] / "examples" / "transcripts" / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    report = Coach().score(call)  # type: ignore[arg-type]
    by_category = {s.category: s for s in report.scores}
    assert {c: s.score for c, s in by_category.items()} == {
        "commitments": None, "confidence": 100.0, "defensiveness": 70.0, "empathy": 70.0,
        "escalation": None, "hold_transfer": None, "name": 95.0, "opening_closing": 100.0,
        "outcome": 60.0, "positive_language": 100.0, "responsiveness": None,
    }
    assert [(c.rule_id, c.turn_index, c.points) for c in by_category["opening_closing"].contributions] \
        == [("greeting.introduced", 0, 5.0), ("closing.missing", None, -5.0)]
    assert report.overall == 79.5  # 795 / 10, as the docs show
    docs = (path.parents[2] / "docs" / "scoring.md").read_text()
    assert "795 / 10 = 79.5" in docs


def test_core_pack_weights_and_user_overrides() -> None:
    coach = Coach()
    assert coach.scoring.weight("empathy") == 2.0
    assert coach.scoring.weight("commitments") == 1.5
    assert coach.scoring.weight("no_such_category") == 1.0  # not set: the default
    assert coach.scoring.penalties[Severity.WARNING] == 10
    config = CoachConfig(scoring=ScoringOverride(
        weights={"commitments": 3.0}, penalties={Severity.WARNING: 15}, strength_bonus=2))
    custom = Coach(config)
    assert custom.scoring.weight("commitments") == 3.0
    assert custom.scoring.penalties[Severity.WARNING] == 15
    assert custom.scoring.penalties[Severity.SUGGESTION] == 5  # others keep the pack's
    assert custom.scoring.strength_bonus == 2


@pytest.mark.parametrize("path", ["examples/transcripts/refund-call.txt"])
def test_a_real_report_is_consistent_with_its_findings(coach: Coach, path: str) -> None:
    report = coach.score(transcript((REPO / path).read_text(encoding="utf-8")))
    by_category: dict[str, float] = {}
    for finding in report.findings:
        rule = coach.rule(finding.rule_id)
        strength = finding.kind is FindingKind.STRENGTH
        own = rule.points if rule.points is not None else (
            coach.scoring.strength_bonus if strength else coach.scoring.penalties[finding.severity])
        points = own if strength else -own
        by_category[finding.category] = by_category.get(finding.category, 0.0) + points
    applicable = [s for s in report.scores if s.applicable]
    for category in applicable:
        points = by_category.get(category.category, 0.0)
        assert sum(c.points for c in category.contributions) == points
        expected = min(100.0, max(0.0, 100 + points))
        assert category.score == expected
    total = sum(s.weight for s in applicable)
    weighted = sum((s.score or 0.0) * s.weight for s in applicable)
    assert report.overall == round(weighted / total, 1)
    assert {s.category for s in report.scores if not s.applicable} >= {"responsiveness",
                                                                        "commitments"}


def test_empathy_is_not_applicable_without_distress() -> None:
    report = Coach().score(Transcript.model_validate({"id": "t", "turns": [
        {"speaker": "customer", "text": "What are your opening hours?"},
        {"speaker": "agent", "text": "Hi! We're open nine to five. Anything else I can help with?"},
    ]}))
    scores = {s.category: s for s in report.scores}
    assert not scores["empathy"].applicable and scores["empathy"].score is None
    assert scores["defensiveness"].applicable


def test_what_each_rule_took_off_the_overall_score_after_clamping_and_weights() -> None:
    """A category's loss (100 minus its clamped score) is shared among its findings by their
    points, then weighed as the overall score weighs the category: a strength gives back its
    share, and six criticals in a category cannot cost more than its 100 points."""
    policy = ScoringPolicy(weights={"a": 2.0, "b": 1.0})
    findings = [_finding("a", rule_id="a.one"), _finding("a", rule_id="a.one"),
                _finding("a", strength=True, rule_id="a.good"),
                *[_finding("b", Severity.CRITICAL, rule_id="b.bad")] * 6]
    scores, overall = score(findings, {"a", "b"}, {"a", "b"}, policy)
    assert [s.score for s in scores] == [85.0, 0.0] and overall == 56.7
    moved = overall_points(scores)
    assert moved == pytest.approx({"a.one": -20 * 2 / 3, "a.good": 5 * 2 / 3, "b.bad": -100 / 3})
    assert sum(moved.values()) == pytest.approx((85 * 2 + 0) / 3 - 100)


def test_a_category_that_strengths_kept_at_100_cost_the_overall_score_nothing() -> None:
    findings = [_finding("a"), *[_finding("a", strength=True, rule_id="a.good")] * 3]
    scores, overall = score(findings, {"a"}, {"a"}, POLICY)
    assert overall == 100.0 and overall_points(scores) == {"x.rule": 0.0, "a.good": 0.0}


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in
                                        (REPO / "examples" / "transcripts").glob("*.txt")))
def test_the_rules_points_of_a_real_report_add_up_to_what_its_overall_score_lost(
        coach: Coach, path: str) -> None:
    report = coach.score(transcript((REPO / path).read_text(encoding="utf-8")))
    judged = [s for s in report.scores if s.applicable and s.score is not None]
    exact = sum((s.score or 0.0) * s.weight for s in judged) / sum(s.weight for s in judged)
    assert sum(overall_points(report.scores).values()) == pytest.approx(exact - 100)
    assert report.overall is not None and abs(exact - report.overall) <= 0.05
