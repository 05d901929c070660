"""`assert_findings`: an assertion helper for users' own tests, with readable failures."""

from __future__ import annotations

from collections.abc import Iterable

from servicecoach.expectations import Expectations, ExpectedFinding
from servicecoach.models import Finding, Report


def assert_findings(
    report: Report,
    present: Iterable[str | ExpectedFinding] = (),
    absent: Iterable[str | ExpectedFinding] = (),
) -> None:
    """Assert that findings are (and are not) in a report.

    Each item is ``"rule_id"``, ``"rule_id@turn"`` or ``"rule_id@turn:severity"`` (or an
    `ExpectedFinding`). On failure the message lists what is missing, what should not be
    there, and every finding of the report.
    """
    expect = Expectations.model_validate({
        "present": [p.model_dump() if isinstance(p, ExpectedFinding) else p for p in present],
        "absent": [a.model_dump() if isinstance(a, ExpectedFinding) else a for a in absent],
    })
    missing = [str(e) for e in expect.present if not any(e.matches(f) for f in report.findings)]
    unwanted = [_short_form(f)
                for e in expect.absent for f in report.findings if e.matches(f)]
    if missing or unwanted:
        lines = [f"findings of transcript {report.transcript_id!r} do not match:"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        if unwanted:
            lines.append(f"  unexpected: {', '.join(unwanted)}")
        lines.append("  found:")
        lines.extend(f"    {_short_form(f)} {f.message}"
                     for f in report.findings)
        if not report.findings:
            lines.append("    (nothing)")
        raise AssertionError("\n".join(lines))


def _short_form(finding: Finding) -> str:
    """A finding as an expectation names it: ``rule_id@turn:severity`` (no turn for a
    finding on the whole conversation)."""
    turn = "" if finding.turn_index is None else f"@{finding.turn_index}"
    return f"{finding.rule_id}{turn}:{finding.severity.value}"
