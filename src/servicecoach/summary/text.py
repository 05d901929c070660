"""The summary for a terminal: rule counts like Ruff's ``--statistics``, a closing tally
like Vale's, then categories, the worst and best conversations and the groups."""

from __future__ import annotations

from servicecoach.summary.model import Conversation, Group, RuleStats, Summary
from servicecoach.writers import line_start, printable, signed_points

BARS = " ▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """A distribution as one character per band, the fullest band a full block."""
    top = max(counts, default=0)
    if top == 0:
        return " " * len(counts)
    return "".join(BARS[0 if c == 0 else max(1, round(c / top * (len(BARS) - 1)))] for c in counts)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _rules(title: str, rules: list[RuleStats]) -> list[str]:
    """A table of `rules`, with a severity column for issues only: a strength's or a cue's
    severity is its rule's nominal one, which ranks nothing (it read "suggestion" for every
    strength until 2026-12-07)."""
    if not rules:
        return []
    width = max(len(r.rule_id) for r in rules)
    ranked = any(r.kind == "issue" for r in rules)
    severity = f"{'severity':<10} " if ranked else ""
    lines = [title, (f"  {'count':>6} {'convs':>6} {'share':>6} {'points':>7}  {severity}"
                     f"{'rule':<{width}}  example")]
    for rule in rules:
        example = ""
        if rule.examples:
            first = rule.examples[0]
            turn = "" if first.turn_index is None else f" turn {first.turn_index}"
            quoted = f' "{first.text}"' if first.text else ""
            example = printable(f"{first.transcript_id}{turn}{quoted}")[:60]
        severity = f"{rule.severity:<10} " if ranked else ""
        lines.append(f"  {rule.findings:>6,} {rule.conversations:>6,} {rule.share:>6.1%} "
                     f"{signed_points(rule.points):>7}  "
                     f"{severity}{printable(rule.rule_id):<{width}}  {example}")
    return [*lines, ""]


def _conversations(title: str, conversations: list[Conversation]) -> list[str]:
    if not conversations:
        return []
    lines = [title, f"  {'overall':>7}  {'issues':>6}  {'agent':<16} {'top issue':<28} id"]
    for c in conversations:
        lines.append(f"  {c.overall:>7.1f}  {c.issues:>6}  {printable(c.agent_name or '-'):<16.16} "
                     f"{printable(c.top_issue or '-'):<28} {printable(c.transcript_id)}")
    return [*lines, ""]


def _groups(field: str, groups: list[Group]) -> list[str]:
    width = max([len(line_start(field)), *(len(line_start(g.value)) for g in groups)])
    width = min(width, 32)
    lines = [f"By {printable(field)}",
             (f"  {line_start(field):<{width}} {'convs':>6} {'overall':>7} {'issues/conv':>11}  "
              f"{'lowest category':<24} most frequent issues")]
    for group in groups:
        lowest = min(group.category_means.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        lowest_text = "-" if lowest is None else f"{lowest[0]} {lowest[1]:.0f}"
        per = group.issues / group.conversations if group.conversations else 0.0
        top = ", ".join(f"{printable(rule)} ({count})" for rule, count in group.top_issues) or "-"
        lines.append(f"  {line_start(group.value):<{width}.{width}} {group.conversations:>6,} "
                     f"{_score(group.overall_mean):>7} {per:>11.2f}  {printable(lowest_text):<24} "
                     f"{top}")
    return [*lines, ""]


def render_summary_text(summary: Summary) -> str:
    """The whole summary as text lines for a terminal (everything from the reports is
    `printable`)."""
    lines = [(f"{summary.conversations:,} conversation(s), {summary.scored:,} with a score: "
              f"overall mean {_score(summary.overall_mean)} (min {_score(summary.overall_min)}, "
              f"max {_score(summary.overall_max)})"),
             f"  distribution 0-100 |{sparkline(summary.overall_distribution)}|", ""]
    if summary.no_turns:
        empty = (f"  {summary.no_turns:,} conversation(s) with no turn at all: nothing to "
                 "score (their reports say so)")
        lines.insert(1, empty)
    issues = [r for r in summary.rules if r.kind == "issue"]
    lines += _rules("Issues", issues)
    lines += _rules("Strengths", [r for r in summary.rules if r.kind == "strength"])
    lines += _rules("Cues", [r for r in summary.rules if r.kind == "cue"])
    if summary.categories:
        width = max(len(line_start(c.category)) for c in summary.categories)
        lines.append("Categories")
        lines.append(f"  {'category':<{width}} {'mean':>6} {'judged':>7}  0-100")
        lines += [f"  {line_start(c.category):<{width}} {_score(c.mean):>6} {c.applicable:>7,}  "
                  f"|{sparkline(c.distribution)}|" for c in summary.categories]
        lines.append("")
    lines += _conversations(f"Worst {len(summary.worst)}", summary.worst)
    lines += _conversations(f"Best {len(summary.best)}", summary.best)
    for field, groups in summary.groups.items():
        lines += _groups(field, groups)
    severities = summary.issues_by_severity
    lines.append(f"{severities.get('critical', 0):,} critical, {severities.get('warning', 0):,} "
                 f"warning(s) and {severities.get('suggestion', 0):,} suggestion(s) in "
                 f"{summary.conversations_with_issues:,} of {summary.conversations:,} "
                 f"conversation(s); {summary.strengths:,} strength(s).")
    return "\n".join(lines) + "\n"
