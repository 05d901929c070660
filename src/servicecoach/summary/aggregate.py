"""Build a `Summary` from reports one at a time, in memory bounded by the number of rules,
categories and group values (never by the number of conversations)."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from servicecoach.models import Report, Severity
from servicecoach.scoring import overall_points
from servicecoach.session import NO_TURNS_MARK
from servicecoach.summary.grouping import CALENDAR, group_key
from servicecoach.summary.model import (
    BUCKETS,
    CategoryStats,
    Conversation,
    Example,
    Group,
    RuleStats,
    Summary,
)

EXAMPLES = 3
"""Examples kept per rule."""
TOP_ISSUES = 3
"""Most frequent issues listed per group."""


def band(score: float) -> int:
    """The distribution band of a 0-100 score: 0 for 0-9.99..., 9 for 90-100."""
    return min(int(score // (100 / BUCKETS)), BUCKETS - 1)


@dataclass
class _Mean:
    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class _Rule:
    kind: str
    severity: str
    category: str
    findings: int = 0
    conversations: int = 0
    points: float = 0.0
    examples: list[Example] = field(default_factory=list)


@dataclass
class _Category:
    mean: _Mean = field(default_factory=_Mean)
    distribution: list[int] = field(default_factory=lambda: [0] * BUCKETS)


@dataclass
class _Group:
    conversations: int = 0
    overall: _Mean = field(default_factory=_Mean)
    issues: int = 0
    strengths: int = 0
    categories: dict[str, _Mean] = field(default_factory=dict)
    issue_counts: Counter[str] = field(default_factory=Counter)


def top_issue(report: Report) -> str | None:
    """The rule whose issues took the most points off the report's overall score
    (`overall_points`); the most severe of those, then the first, breaks a tie (issues
    that cost nothing, a report without contributions)."""
    issues = report.issues()
    if not issues:
        return None
    moved = overall_points(report.scores)
    return max(issues, key=lambda f: (-moved.get(f.rule_id, 0.0), f.severity.rank)).rule_id


class SummaryBuilder:
    """Add reports one at a time (`add`), then take the `summary()`.

    `by` names the fields to group on (see `group_key`); `top` is how many worst and best
    conversations to keep.
    """

    def __init__(self, by: Sequence[str] = (), top: int = 10) -> None:
        self._by = {name: group_key(name) for name in by}
        self._top = top
        self._count = 0
        self._overall = _Mean()
        self._overall_min: float | None = None
        self._overall_max: float | None = None
        self._overall_bands = [0] * BUCKETS
        self._severities: Counter[str] = Counter()
        self._with_issues = 0
        self._no_turns = 0
        self._strengths = 0
        self._rules: dict[str, _Rule] = {}
        self._categories: dict[str, _Category] = {}
        # heaps of (key, order, conversation): the worst keeps the highest scores on top
        self._worst: list[tuple[float, int, Conversation]] = []
        self._best: list[tuple[float, int, Conversation]] = []
        self._groups: dict[str, dict[str, _Group]] = {name: {} for name in self._by}

    def add_all(self, reports: Iterable[Report]) -> SummaryBuilder:
        """Add every report of `reports`; returns the builder."""
        for report in reports:
            self.add(report)
        return self

    def add(self, report: Report) -> None:
        """Count one report."""
        order = self._count
        self._count += 1
        issues = report.issues()
        strengths = len(report.strengths())
        self._severities.update(f.severity.value for f in issues)
        self._with_issues += bool(issues)
        self._no_turns += any(note.startswith(NO_TURNS_MARK) for note in report.notes)
        self._strengths += strengths
        self._add_rules(report, order)
        for score in report.scores:
            if score.applicable and score.score is not None:
                category = self._categories.setdefault(score.category, _Category())
                category.mean.add(score.score)
                category.distribution[band(score.score)] += 1
            else:
                self._categories.setdefault(score.category, _Category())
        if report.overall is not None:
            self._add_overall(report, order, len(issues))
        for name, key in self._by.items():
            group = self._groups[name].setdefault(key(report), _Group())
            group.conversations += 1
            group.issues += len(issues)
            group.strengths += strengths
            group.issue_counts.update(f.rule_id for f in issues)
            if report.overall is not None:
                group.overall.add(report.overall)
            for score in report.scores:
                if score.applicable and score.score is not None:
                    group.categories.setdefault(score.category, _Mean()).add(score.score)

    def _add_rules(self, report: Report, order: int) -> None:
        seen: set[str] = set()
        for finding in report.findings:
            rule = self._rules.get(finding.rule_id)
            if rule is None:
                rule = self._rules[finding.rule_id] = _Rule(
                    finding.kind.value, finding.severity.value, finding.category)
            rule.findings += 1
            if finding.rule_id not in seen:
                seen.add(finding.rule_id)
                rule.conversations += 1
            if len(rule.examples) < EXAMPLES:
                rule.examples.append(Example(
                    transcript_id=report.transcript_id, position=order,
                    turn_index=finding.turn_index,
                    text=finding.span.text if finding.span is not None else None))
        for rule_id, points in overall_points(report.scores).items():
            counted = self._rules.get(rule_id)
            if counted is not None:
                counted.points += points

    def _add_overall(self, report: Report, order: int, issues: int) -> None:
        overall = report.overall
        assert overall is not None
        self._overall.add(overall)
        self._overall_bands[band(overall)] += 1
        self._overall_min = overall if self._overall_min is None else min(self._overall_min, overall)
        self._overall_max = overall if self._overall_max is None else max(self._overall_max, overall)
        # heapq is a min-heap: the entry to drop first sits on top. Both lists rank the
        # conversations one way, by (overall, order): the worst keeps the lowest, dropping the
        # highest score, the latest first; the best keeps the highest, dropping the lowest,
        # the earliest first, so that no conversation can be in both (summary splits them).
        brief: Conversation | None = None
        for heap, key in ((self._worst, (-overall, -order)), (self._best, (overall, order))):
            if self._top <= 0 or len(heap) >= self._top and key <= heap[0][:2]:
                continue
            if brief is None:
                agent = report.metadata.get("agent_name")
                brief = Conversation(transcript_id=report.transcript_id, position=order,
                                     overall=overall,
                                     agent_name=None if agent is None else str(agent),
                                     issues=issues, top_issue=top_issue(report))
            if len(heap) < self._top:
                heapq.heappush(heap, (*key, brief))
            else:
                heapq.heapreplace(heap, (*key, brief))

    def summary(self) -> Summary:
        """The summary of every report added so far."""
        count = self._count
        worst, best = self._worst_and_best()
        rules = [
            RuleStats(rule_id=rule_id, kind=rule.kind, severity=rule.severity,
                      category=rule.category, findings=rule.findings,
                      conversations=rule.conversations,
                      share=rule.conversations / count if count else 0.0,
                      points=round(rule.points, 1),
                      examples=rule.examples)
            for rule_id, rule in sorted(self._rules.items(), key=lambda kv: (-kv[1].findings, kv[0]))
        ]
        categories = [
            CategoryStats(category=name, applicable=category.mean.count,
                          mean=category.mean.value, distribution=category.distribution)
            for name, category in sorted(self._categories.items())
        ]
        return Summary(
            conversations=count,
            scored=self._overall.count,
            overall_mean=self._overall.value,
            overall_min=self._overall_min,
            overall_max=self._overall_max,
            overall_distribution=list(self._overall_bands),
            issues_by_severity={s.value: self._severities[s.value] for s in Severity},
            conversations_with_issues=self._with_issues,
            no_turns=self._no_turns,
            strengths=self._strengths,
            rules=rules,
            categories=categories,
            worst=worst,
            best=best,
            groups={name: self._group_list(groups, calendar=name in CALENDAR)
                    for name, groups in self._groups.items()},
        )

    def _worst_and_best(self) -> tuple[list[Conversation], list[Conversation]]:
        """The worst list, lowest first, and the best, highest first, ties in input order.
        They never share a conversation: with fewer than twice `top` scored, the worst
        takes the lower half (the middle one when their number is odd), the best the rest."""
        scored = self._overall.count
        worst_length = min(self._top, (scored + 1) // 2) if scored < 2 * self._top else self._top
        best_length = min(self._top, scored - worst_length)
        worst = sorted(self._worst, key=lambda e: (-e[0], -e[1]))[:worst_length]
        best = sorted(sorted(self._best, reverse=True)[:best_length], key=lambda e: (-e[0], e[1]))
        return [entry[2] for entry in worst], [entry[2] for entry in best]

    @staticmethod
    def _group_list(groups: dict[str, _Group], *, calendar: bool) -> list[Group]:
        """The groups, most conversations first, or in calendar order (days, weeks and
        months: `calendar`)."""
        return [
            Group(value=value, conversations=group.conversations,
                  overall_mean=group.overall.value, issues=group.issues,
                  strengths=group.strengths,
                  category_means={name: mean.value for name, mean in sorted(group.categories.items())
                                  if mean.value is not None},
                  top_issues=sorted(group.issue_counts.items(),
                                    key=lambda kv: (-kv[1], kv[0]))[:TOP_ISSUES])
            for value, group in sorted(groups.items(), key=lambda kv: (
                0 if calendar else -kv[1].conversations, kv[0]))
        ]


__all__ = ["SummaryBuilder", "band"]
