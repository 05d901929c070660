"""Reports built by hand (not by scoring), so that every summary number can be worked out
on paper; used by the summary, CSV and HTML report tests."""

from __future__ import annotations

from typing import Any

from servicecoach.models import CategoryScore, Finding, Report, Span

CATEGORIES = ("defensiveness", "empathy", "name")


def finding(rule_id: str, kind: str, severity: str, category: str, turn: int | None,
            span: tuple[int, int, str] | None = None) -> Finding:
    """A finding with the fields the summaries read."""
    return Finding(
        rule_id=rule_id, kind=kind, severity=severity, category=category, turn_index=turn,
        speaker=None if turn is None else "agent",
        span=None if span is None else Span(start=span[0], end=span[1], text=span[2]),
        message=f"{rule_id} fired", suggestion=f"do better than {rule_id}")


def report(transcript_id: str, overall: float | None, scores: dict[str, float],
           findings: list[Finding], **metadata: Any) -> Report:
    """A report whose categories not in `scores` did not apply."""
    return Report(
        transcript_id=transcript_id, metadata=metadata, findings=tuple(findings),
        overall=overall,
        scores=tuple(CategoryScore(category=c, applicable=c in scores, score=scores.get(c),
                                   weight=1.0) for c in CATEGORIES))


def four_reports() -> list[Report]:
    """a (Ann, billing) 40; b (Ann, tech) 90; c (Bo) 90; d (no agent) without a score."""
    return [
        report("a", 40.0, {"empathy": 30.0, "name": 50.0}, [
            finding("empathy.missing", "issue", "warning", "empathy", 2, (4, 16, "order number")),
            finding("empathy.missing", "issue", "warning", "empathy", 4),
            finding("name.unused", "issue", "suggestion", "name", None),
        ], agent_name="Ann", queue="billing", started_at="2026-03-01T09:00:00Z"),
        report("b", 90.0, {"empathy": 100.0, "defensiveness": 60.0, "name": 80.0}, [
            finding("empathy.shown", "strength", "suggestion", "empathy", 1, (0, 5, "sorry")),
            finding("defensive.blame", "issue", "critical", "defensiveness", 3),
        ], agent_name="Ann", queue="tech", started_at="2026-03-02T23:30:00-05:00"),
        report("c", 90.0, {"empathy": 90.0}, [], agent_name="Bo", started_at=1772319600),
        report("d", None, {}, [finding("empathy.shown", "strength", "suggestion", "empathy", 0)]),
    ]
