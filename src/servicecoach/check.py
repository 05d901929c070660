"""`servicecoach check`: score canned transcripts and hold them to their expectations.

A transcript fails when an expectation does not hold, when an issue it does not expect
reaches ``--fail-on``, when the overall score is below ``--min-score``, or, with a
baseline, when an issue it does not expect is not in the baseline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servicecoach.baseline import fingerprint
from servicecoach.errors import InputError, first_few, quoted
from servicecoach.expectations import (
    CannedTranscript,
    compare,
    finding_ref,
    not_applicable,
    overall_lost,
)
from servicecoach.models import FindingKind, Report, Severity
from servicecoach.suggest import did_you_mean

if TYPE_CHECKING:
    from servicecoach.coach import Coach


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds that apply to every transcript, with or without expectations."""

    fail_on: Severity | None = None
    min_score: float | None = None
    baseline: frozenset[str] | None = None


@dataclass
class CheckOutcome:
    """One canned transcript: its report and what did not hold."""

    canned: CannedTranscript
    report: Report
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    expected_nothing: bool = False
    """True when neither the transcript nor the options asked for anything: it passes
    trivially, and says so."""
    seconds: float = 0.0
    """How long scoring and checking the transcript took (JUnit's ``time``)."""

    @property
    def passed(self) -> bool:
        """True when everything held."""
        return not self.problems


def check(canned: CannedTranscript, coach: Coach, options: CheckOptions) -> CheckOutcome:
    """Score one canned transcript and list what does not hold."""
    started = time.perf_counter()
    report = coach.score(canned.transcript, cues=True if _names_a_cue(canned, coach) else None)
    outcome = CheckOutcome(canned, report, compare(canned, report))
    expect = canned.expect
    outcome.expected_nothing = not (expect.present or expect.absent or expect.min_scores) and (
        options == CheckOptions())
    transcript = canned.transcript
    for finding in report.findings:
        if finding.kind is not FindingKind.ISSUE or any(
                expected.matches(finding) for expected in expect.present):
            continue  # an issue the transcript expects (a canned bad call) fails nothing
        if options.baseline is not None and fingerprint(transcript, finding) in options.baseline:
            continue
        reached = options.fail_on is not None and finding.severity.rank >= options.fail_on.rank
        is_new = options.baseline is not None and options.fail_on is None
        if reached or is_new:
            label = "new issue" if options.baseline is not None else "issue"
            outcome.problems.append((finding.turn_index,
                                     (f"{label} {finding_ref(finding)} "
                                      f"({finding.severity.value}): {finding.message}")))
    if options.min_score is not None and (report.overall is None
                                          or report.overall < options.min_score):
        outcome.problems.append((None, not_applicable(
            "overall", f"--min-score {options.min_score:g}") if report.overall is None else (
            f"overall score {report.overall} is below --min-score {options.min_score:g}"
            f"{overall_lost(report)}")))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _names_a_cue(canned: CannedTranscript, coach: Coach) -> bool:
    """True when the transcript's expectations name a cue rule (``empathy.needed``): a
    report keeps cues only when asked, so without them an expected cue would be missing and
    an unexpected one never found. The rules named are looked up by id (`Coach.rule_order`,
    made once per coach), not found by reading every rule of the packs for each transcript."""
    named = {e.rule_id for e in (*canned.expect.present, *canned.expect.absent)}
    return any(coach.rules[coach.rule_order[rule_id]].finding is FindingKind.CUE
               for rule_id in named if rule_id in coach.rule_order)


ENABLE_ON_COMMAND_LINE = "enable them with --select/--extend-select, or drop --ignore for them"
"""How to run a rule the configuration leaves out, from `servicecoach check`."""
ENABLE_IN_CONFIGURATION = ("enable them with select/extend-select in the configuration file "
                           "(servicecoach_config), or take them out of its ignore")
"""How to run a rule the configuration leaves out, from the pytest plugin (no flags)."""


def unknown_rules(canned: CannedTranscript, coach: Coach,
                  enable: str = ENABLE_ON_COMMAND_LINE) -> InputError | None:
    """An error when the expectations name a rule the coach does not run: one the packs do
    not have (with the closest id), or one the configuration leaves out (``--ignore``,
    ``select``), which could never be found; `enable` says how to run those."""
    named = {e.rule_id for e in (*canned.expect.present, *canned.expect.absent)}
    off = sorted(named - set(coach.rule_order))
    if not off:
        return unknown_categories(canned, coach)
    unknown = [rule_id for rule_id in off if rule_id not in coach.locations]
    if unknown:
        what = f"expectations name unknown rule id(s): {first_few(unknown)}"
        hint = did_you_mean(unknown[0], coach.rule_order,
                            "run 'servicecoach rules list' for the ids")
    else:
        what = f"expectations name rule(s) the configuration leaves out: {first_few(off)}"
        hint = enable
    return InputError(what, source=str(canned.path), location=f"line {canned.line}",
                      transcript_id=canned.transcript.id, hint=hint)


def unknown_categories(canned: CannedTranscript, coach: Coach) -> InputError | None:
    """An error when a min-score names a category the coach's rules have not (nor
    ``overall``), with the nearest one or the list: no transcript could meet it, so it is
    a mistake in the expectations, as an unknown rule id is, not a transcript that fails."""
    known = sorted(coach.categories)
    unknown = [c for c in canned.expect.min_scores if c != "overall" and c not in known]
    if not unknown:
        return None
    hint = did_you_mean(unknown[0], [*known, "overall"],
                        f"the categories are {', '.join(known)} and overall")
    return InputError("min-score names unknown category(ies): "
                      f"{first_few([quoted(c) for c in unknown])}",
                      source=str(canned.path), location=f"line {canned.line}",
                      transcript_id=canned.transcript.id, hint=hint)


def reused_id(canned: CannedTranscript, seen: dict[str, str]) -> InputError | None:
    """The error for a transcript whose id an earlier one of the run has (`seen`: each id's
    first place, ``path:line``, which this records), or None."""
    here = f"{canned.path}:{canned.line}"
    first = seen.setdefault(canned.transcript.id, here)
    if first == here:
        return None
    return InputError(f"transcript id already used at {first}", source=str(canned.path),
                      location=f"line {canned.line}", transcript_id=canned.transcript.id,
                      hint="ids must be unique: baselines and reports key on them")
