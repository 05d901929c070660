"""The report's charts as data for the SVG macros of the template: bars with a label, a
length (0-1 of the longest) and the number shown."""

from __future__ import annotations

from dataclasses import dataclass

from servicecoach.summary.model import BUCKETS, Summary

MAX_BARS = 20
"""Bars per chart: the rules and agents past that are counted in the tables only."""


@dataclass(frozen=True)
class Bar:
    """One bar: what it is, how long (0-1), the number written beside it, its colour class."""

    label: str
    length: float
    value: str
    tone: str = "neutral"


def _scaled(items: list[tuple[str, float, str, str]]) -> list[Bar]:
    top = max((value for _, value, _, _ in items), default=0.0)
    return [Bar(label, value / top if top else 0.0, shown, tone)
            for label, value, shown, tone in items]


def score_distribution(summary: Summary) -> list[Bar]:
    """Conversations per band of ten overall points, 0-9 first."""
    step = 100 // BUCKETS
    labels = [f"{i * step}-{i * step + step - 1}" for i in range(BUCKETS - 1)] + [
        f"{(BUCKETS - 1) * step}-100"]
    return _scaled([(label, count, f"{count:,}", "neutral")
                    for label, count in zip(labels, summary.overall_distribution, strict=True)])


def category_means(summary: Summary) -> list[Bar]:
    """Mean score per category that applied at least once (0-100 scale, not rescaled)."""
    return [Bar(c.category, c.mean / 100, f"{c.mean:.1f}",
                "good" if c.mean >= 80 else "fair" if c.mean >= 60 else "poor")
            for c in summary.categories if c.mean is not None]


def issues_by_points(summary: Summary) -> list[Bar]:
    """The issue rules by the points of the overall score their findings cost, summed over
    the conversations, the most first (then the most findings), each with its number of
    findings; red for critical, amber for warning. Strengths and cues are left out: a
    chart of findings by count put the strengths that fire in every conversation
    (greeting.introduced) at its top and could push issues off it."""
    tones = {"critical": "poor", "warning": "fair"}
    issues = sorted((r for r in summary.rules if r.kind == "issue"),
                    key=lambda r: (r.points, -r.findings, r.rule_id))[:MAX_BARS]
    return _scaled([(r.rule_id, max(-r.points, 0.0), f"{r.points:.1f} ({r.findings:,})",
                     tones.get(r.severity, "neutral")) for r in issues])


def by_agent(summary: Summary, field: str = "agent_name") -> list[Bar]:
    """Mean overall score per agent (the agents with the most conversations), 0-100 scale."""
    return [Bar(f"{g.value} ({g.conversations:,})", g.overall_mean / 100, f"{g.overall_mean:.1f}",
                "good" if g.overall_mean >= 80 else "fair" if g.overall_mean >= 60 else "poor")
            for g in summary.groups.get(field, [])[:MAX_BARS] if g.overall_mean is not None]
