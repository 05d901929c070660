"""Findings to per-category and overall scores (0-100), explainably.

Each category that had something to judge scores 100, minus the points of its issues
(by severity), plus a bonus per strength, clamped to 0-100. A category
with nothing to judge (no distressed customer, so no empathy to show) is "not
applicable": it has no score and no weight in the overall score, which is the weighted
mean of the applicable categories. `docs/scoring.md` has a worked example.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from servicecoach.models import (
    CategoryScore,
    Finding,
    FindingKind,
    ScoreContribution,
    Severity,
)

DEFAULT_PENALTIES: Mapping[Severity, float] = {
    Severity.SUGGESTION: 5.0,
    Severity.WARNING: 10.0,
    Severity.CRITICAL: 20.0,
}
DEFAULT_STRENGTH_BONUS = 5.0


@dataclass(frozen=True)
class ScoringPolicy:
    """Weights per category, points per severity, and the bonus for a strength."""

    weights: Mapping[str, float] = field(default_factory=dict)
    penalties: Mapping[Severity, float] = field(default_factory=lambda: dict(DEFAULT_PENALTIES))
    strength_bonus: float = DEFAULT_STRENGTH_BONUS
    rule_points: Mapping[str, float] = field(default_factory=dict)
    """Points of the rules that set their own (`points:` in the pack), by rule id."""

    def points(self, finding: Finding) -> float:
        """What a finding adds to its category's score (negative for an issue)."""
        own = self.rule_points.get(finding.rule_id)
        if finding.kind is FindingKind.STRENGTH:
            return float(self.strength_bonus if own is None else own)
        return -float(self.penalties[finding.severity] if own is None else own)

    def weight(self, category: str) -> float:
        """A category's weight in the overall score (1.0 unless set)."""
        return float(self.weights.get(category, 1.0))


def score(
    findings: Iterable[Finding],
    judged: Iterable[str],
    categories: Iterable[str],
    policy: ScoringPolicy,
) -> tuple[tuple[CategoryScore, ...], float | None]:
    """Category scores for every known category, and the overall score."""
    contributions: dict[str, list[ScoreContribution]] = {}
    for finding in findings:
        if finding.kind is FindingKind.CUE:
            continue  # a cue tells the agent what is needed; it is not a judgement
        points = policy.points(finding)
        contributions.setdefault(finding.category, []).append(
            _contribution(finding.rule_id, finding.turn_index, points)
        )
    applicable = set(judged).union(contributions)
    scores = []
    weighted_sum = total_weight = 0.0
    for category in sorted(applicable.union(categories)):
        weight = policy.weight(category)
        moved = contributions.get(category)
        if moved is None:
            applies = category in applicable
            scores.append(_without_findings(category, weight, applies))
            if applies:
                weighted_sum += 100.0 * weight
                total_weight += weight
            continue
        value = round(min(100.0, max(0.0, 100.0 + sum(c.points for c in moved))), 1)
        scores.append(
            CategoryScore(category=category, applicable=True, score=value, weight=weight,
                          contributions=tuple(moved))
        )
        weighted_sum += value * weight
        total_weight += weight
    overall = round(weighted_sum / total_weight, 1) if total_weight > 0 else None
    return tuple(scores), overall


def _weighed(scores: Iterable[CategoryScore]) -> Iterator[tuple[ScoreContribution, float]]:
    """Each contribution of the applicable categories with what it moved the overall score
    by (see `overall_points`)."""
    judged = [s for s in scores if s.applicable and s.score is not None]
    total = sum(s.weight for s in judged)
    for category in judged:
        net = sum(c.points for c in category.contributions)
        lost = 100.0 - (category.score or 0.0)
        share = lost / net * category.weight / total if net < 0 and total > 0 else 0.0
        for contribution in category.contributions:
            yield contribution, -(contribution.points * share)


def overall_points(scores: Iterable[CategoryScore]) -> dict[str, float]:
    """What each rule's findings moved the overall score by, by rule id: negative for the
    points they took off it, positive for those a strength gave back.

    A category's loss, 100 minus its score (clamped and rounded), is shared among its
    contributions in proportion to their points, then weighed as the overall score weighs
    the category (its weight over the applicable categories' total). The parts add up to
    the overall score minus 100, before the overall score is rounded to one decimal; a
    category that lost nothing (its strengths made up for its issues) gives 0 to each."""
    moved: dict[str, float] = {}
    for contribution, points in _weighed(scores):
        moved[contribution.rule_id] = moved.get(contribution.rule_id, 0.0) + points
    return moved


def finding_points(scores: Iterable[CategoryScore]) -> dict[tuple[str, int | None], float]:
    """What one finding moved the overall score by, by its rule id and turn (`None` for
    the whole conversation), shared out as `overall_points` shares a rule's: the points a
    text report lists and an HTML report shows on each finding. A cue, never scored, has
    none."""
    return {(c.rule_id, c.turn_index): points for c, points in _weighed(scores)}


def rule_costs(scores: Iterable[CategoryScore]) -> list[tuple[str, float, int]]:
    """The rules that moved the overall score, as (rule id, points, findings), the most
    points lost first (a rule whose points round to 0.0 is left out)."""
    moved: dict[str, float] = {}
    counts: dict[str, int] = {}
    for contribution, points in _weighed(scores):
        moved[contribution.rule_id] = moved.get(contribution.rule_id, 0.0) + points
        counts[contribution.rule_id] = counts.get(contribution.rule_id, 0) + 1
    return sorted(((rule, round(points, 1), counts[rule]) for rule, points in moved.items()
                   if round(points, 1) != 0), key=lambda item: (item[1], item[0]))


def category_costs(category: CategoryScore) -> list[tuple[str, float, int]]:
    """The rules that moved one category's score, as (rule id, points, findings), the most
    points lost first: the category's own points, before clamping."""
    moved: dict[str, float] = {}
    counts: dict[str, int] = {}
    for contribution in category.contributions:
        moved[contribution.rule_id] = moved.get(contribution.rule_id, 0.0) + contribution.points
        counts[contribution.rule_id] = counts.get(contribution.rule_id, 0) + 1
    return sorted(((rule, round(points, 1), counts[rule]) for rule, points in moved.items()
                   if round(points, 1) != 0), key=lambda item: (item[1], item[0]))


def signed_points(points: float) -> str:
    """Points as a whole number when they are one (-80, +10), else with their decimal."""
    shown = f"{points:+,.0f}" if points == round(points) else f"{points:+,.1f}"
    return "0" if points == 0 else shown


def costs_text(costs: Iterable[tuple[str, float, int]]) -> str:
    """`rule_costs` or `category_costs` as a line reads them: "outcome.negative-ending -8,
    defensive.deflection -4 (2 findings)". Rule ids are a pack's: the caller makes the line
    printable."""
    return ", ".join(f"{rule} {signed_points(points)}"
                     + (f" ({count} findings)" if count > 1 else "")
                     for rule, points, count in costs)


@lru_cache(maxsize=4096)
def _contribution(rule_id: str, turn_index: int | None, points: float) -> ScoreContribution:
    """One finding's contribution (immutable: the same one is shared by every report)."""
    return ScoreContribution(rule_id=rule_id, turn_index=turn_index, points=points)


@lru_cache(maxsize=4096)
def _without_findings(category: str, weight: float, applicable: bool) -> CategoryScore:
    """The score of a category without findings: 100 when it had something to judge, else
    not applicable (immutable, so one object per case is shared by every report)."""
    return CategoryScore(category=category, applicable=applicable,
                         score=100.0 if applicable else None, weight=weight)
