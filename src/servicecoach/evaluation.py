"""Accuracy of the rules against a labelled set: precision, recall and F1 per rule id.

Labels are JSON Lines, one transcript a line: ``{"id", "expected": [{"rule_id",
"turn_index"}]}``. A finding matches a label on the same transcript, rule id and turn;
a transcript-anchored label (``turn_index: null``) matches a finding of its rule id
anywhere in that transcript. ``servicecoach eval`` runs `run_eval`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from servicecoach.bounded_files import FileRefused, refuse_irregular
from servicecoach.coach import Coach
from servicecoach.errors import (
    InputError,
    ServiceCoachError,
    clipped,
    first_few,
    quoted,
)
from servicecoach.models import Report, Transcript
from servicecoach.readers import iter_sources, read_sources
from servicecoach.readers.base import (
    InvalidUtf8,
    LongLine,
    capped_text_lines,
    json_loads,
    location_of,
)
from servicecoach.writers import line_start, printable

Key = tuple[str, str, int | None]
"""(transcript id, rule id, turn index or None for the whole transcript)."""

_LABEL_HINT = 'write one {"id": ..., "expected": [{"rule_id": ..., "turn_index": ...}]} a line'


@dataclass(frozen=True)
class RuleScore:
    """Counts and ratios for one rule id (or for all of them: the micro average)."""

    rule_id: str
    tp: int
    fp: int
    fn: int

    @property
    def labels(self) -> int:
        """How many labels expect this rule."""
        return self.tp + self.fn

    @property
    def found(self) -> int:
        """How many findings of this rule were reported."""
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        """TP / found; None when nothing was found."""
        return self.tp / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        """TP / labels; None when nothing was expected."""
        return self.tp / self.labels if self.labels else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall, 2TP / (2TP + FP + FN); None when both are empty."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None


@dataclass(frozen=True)
class Mismatch:
    """A missed label or a false alarm: where it is and which rule."""

    transcript_id: str
    rule_id: str
    turn_index: int | None


@dataclass(frozen=True)
class Evaluation:
    """Per-rule scores (sorted by rule id), the micro-averaged total, misses and false alarms."""

    rules: tuple[RuleScore, ...]
    overall: RuleScore
    misses: tuple[Mismatch, ...]
    false_alarms: tuple[Mismatch, ...]


def load_labels(path: str | Path) -> dict[str, list[Key]]:
    """Labels by transcript id from a JSON Lines file; an `InputError` names the bad line.
    The file is decoded as the readers decode one (a byte-order mark, UTF-16/32), line by
    line, so that bytes that are not UTF-8 are reported at their own line; a line longer
    than `MAX_LABEL_LINE` is refused unread."""
    return _labels_and_lines(path)[0]


def _labels_and_lines(path: str | Path) -> tuple[dict[str, list[Key]], dict[str, int]]:
    """`load_labels`, and the line of each transcript's labels. Only a regular file is
    read (a device would be read until memory runs out)."""
    try:
        refuse_irregular(Path(path))
        with Path(path).open("rb") as handle:
            return _labels_from(capped_text_lines(handle, MAX_LABEL_LINE), str(path))
    except FileRefused as refused:
        raise InputError(f"cannot read the labels: {refused}", source=str(path),
                         hint="name the labels file") from None
    except OSError as error:
        raise InputError(f"cannot read the labels: {error.strerror or error}", source=str(path),
                         hint="check the path of the labels file") from None


MAX_LABEL_LINE = 16 << 20
"""The longest line of a labels file (bytes): 16 MB hold 200,000 labels of one transcript,
and a longer line is refused at its line unread rather than held in memory whole (a file of
one 2 GB line)."""


def _labels_from(
    lines: Iterable[str | InvalidUtf8 | LongLine], source: str
) -> tuple[dict[str, list[Key]], dict[str, int]]:
    labels: dict[str, list[Key]] = {}
    where: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if isinstance(line, InvalidUtf8):
            raise InputError("invalid UTF-8", source=source, location=f"line {number}",
                             hint="save the labels file as UTF-8")
        if isinstance(line, LongLine):
            raise InputError(f"{line} (the most a line of labels may be)", source=source,
                             location=f"line {number}", hint="give one transcript's labels "
                             'a line: {"id": ..., "expected": [...]}')
        if not line.strip():
            continue
        try:
            transcript_id, keys = _parse_label_line(json_loads(line))
        except (json.JSONDecodeError, ValueError) as error:
            array = number == 1 and line.lstrip("\ufeff \t").startswith("[")
            raise InputError(("a JSON array, not JSON Lines" if array else str(error)),
                             source=source, location=f"line {number}",
                             hint=_LABEL_HINT) from None
        if transcript_id in labels:
            raise InputError(f"transcript {quoted(transcript_id)} is labelled twice",
                             source=source, location=f"line {number}")
        labels[transcript_id] = keys
        where[transcript_id] = number
    return labels, where


def _check_turns(labels: Mapping[str, list[Key]], lines: Mapping[str, int],
                 transcripts: Mapping[str, Transcript], source: str) -> None:
    """Raise an `InputError` at the first label on a turn its transcript does not have (it
    would count as a miss of the rule)."""
    for transcript_id, keys in labels.items():
        if transcript_id not in transcripts:
            continue  # `evaluate` names transcripts labelled but not scored
        count = len(transcripts[transcript_id].turns)
        for _, rule_id, turn in keys:
            if turn is not None and turn >= count:
                raise InputError(
                    f"the label {rule_id} is on turn {turn}, but the transcript has {count} "
                    f"turn(s) (0 to {count - 1})", source=source,
                    location=f"line {lines[transcript_id]}", transcript_id=transcript_id,
                    hint="turn_index counts from 0; fix the label, or label the whole "
                    "transcript with turn_index null")


def _check_rule_ids(labels: Mapping[str, list[Key]], lines: Mapping[str, int], coach: Coach,
                    source: str) -> None:
    """Raise an `InputError` at the first transcript whose labels name a rule id the coach
    does not run: one no pack has (a typo, with the closest id) or one the configuration
    leaves out. Either counted as the rule's misses, a mistake in the labels read as a
    recall of 0."""
    from servicecoach.suggest import did_you_mean

    for transcript_id, keys in labels.items():
        off = sorted({rule_id for _, rule_id, _ in keys} - set(coach.rule_order))
        if not off:
            continue
        shown = [printable(clipped(rule_id, _SHOWN)) for rule_id in off]
        unknown = [rule_id for rule_id in off if rule_id not in coach.locations]
        if unknown:
            what = f"the labels name unknown rule id(s): {first_few(shown)}"
            hint = did_you_mean(unknown[0], coach.rule_order,
                                "run 'servicecoach rules list' for the ids of the packs")
        else:
            what = f"the labels name rule(s) the configuration leaves out: {first_few(shown)}"
            hint = ("select them (--extend-select) and take them out of ignore (the "
                    "configuration's ignore or disable, --ignore), or take their labels out of "
                    "the set")
        raise InputError(what, source=source, location=f"line {lines[transcript_id]}",
                         transcript_id=transcript_id, hint=hint)


_SHOWN = 80
"""Characters of a rule id a bad label's error shows: a label is named by its place in
'expected', never quoted whole (one with a 100 KB note made an error line of 100 KB)."""


def _parse_label_line(record: Any) -> tuple[str, list[Key]]:
    """The transcript id and its label keys; ValueError says what is malformed."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str | int):
        raise ValueError("expected an object with an 'id'")  # noqa: TRY004 - a bad line, not a bad call
    expected = record.get("expected")
    if not isinstance(expected, list):
        raise ValueError("'expected' must be a list")  # noqa: TRY004 - a bad line, not a bad call
    transcript_id = str(record["id"])
    keys: list[Key] = []
    places: dict[Key, int] = {}
    for place, item in enumerate(expected):
        if not isinstance(item, dict):
            raise ValueError(f"expected[{place}] has no 'rule_id' (a string)")  # noqa: TRY004 - a bad line
        rule_id = item.get("rule_id")
        if not isinstance(rule_id, str) or not rule_id:
            raise ValueError(f"expected[{place}] has no 'rule_id' (a string)")
        label = f"expected[{place}] ({clipped(rule_id, _SHOWN)!r})"
        # a misspelt key ("turn") made a turn's label a whole conversation's, matching a
        # finding on any turn; a key left out did the same
        unknown = sorted(set(item) - _LABEL_KEYS)
        if unknown:
            raise ValueError(f"{label} has an unknown key {clipped(unknown[0], _SHOWN)!r} (a label "
                             "holds 'rule_id' and 'turn_index')")
        if "turn_index" not in item:
            raise ValueError(f"{label} has no 'turn_index' (a turn number, or null for the "
                             "whole conversation)")
        turn = item["turn_index"]
        if turn is not None and (not isinstance(turn, int) or isinstance(turn, bool) or turn < 0):
            raise ValueError(f"{label}: 'turn_index' must be a turn number or null")
        key = (transcript_id, rule_id, turn)
        if key in places:  # it counted twice: the finding found once was listed as a miss
            raise ValueError(f"{label} repeats expected[{places[key]}]: a finding is labelled "
                             "once")
        places[key] = place
        keys.append(key)
    return transcript_id, keys


_LABEL_KEYS = frozenset({"rule_id", "turn_index"})


def evaluate(reports: Iterable[Report], labels: Mapping[str, Iterable[Key]]) -> Evaluation:
    """Match findings to labels; a transcript labelled but not scored (or vice versa) is an error."""
    reports = list(reports)
    scored = [report.transcript_id for report in reports]
    duplicates = sorted(tid for tid, count in Counter(scored).items() if count > 1)
    if duplicates:
        raise ServiceCoachError(f"transcript(s) scored twice: {first_few(duplicates)}")
    unscored = sorted(set(labels) - set(scored))
    unlabelled = sorted(set(scored) - set(labels))
    if unscored or unlabelled:
        parts = [f"labelled but not scored: {first_few(unscored)}"] if unscored else []
        parts += [f"scored but not labelled: {first_few(unlabelled)}"] if unlabelled else []
        raise ServiceCoachError("; ".join(parts), hint="label every transcript of the set, once")
    expected = Counter(key for keys in labels.values() for key in keys)
    found = Counter(
        (report.transcript_id, finding.rule_id, finding.turn_index)
        for report in reports for finding in report.findings
    )
    matched = expected & found
    missed, extra = expected - matched, found - matched
    extra_by_rule: dict[tuple[str, str], list[Key]] = {}  # each found once: linear, not n^2
    for other in sorted(extra, key=_order):
        extra_by_rule.setdefault(other[:2], []).append(other)
    for key in [k for k in missed if k[2] is None]:  # whole-transcript labels match any turn
        for other in extra_by_rule.get(key[:2], ()):
            take = min(missed[key], extra[other])
            matched[key] += take
            missed[key] -= take
            extra[other] -= take
    missed, extra = +missed, +extra
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for per_rule, keys in ((tp, matched), (fp, extra), (fn, missed)):
        for (_, rule_id, _), n in keys.items():
            per_rule[rule_id] += n
    rule_ids = {key[1] for key in expected} | {key[1] for key in found}
    rules = tuple(RuleScore(r, tp[r], fp[r], fn[r]) for r in sorted(rule_ids))
    overall = RuleScore("overall", sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return Evaluation(rules, overall, _mismatches(missed), _mismatches(extra))


def _order(key: Key) -> tuple[str, int, str]:
    """Sort keys by transcript, then turn (whole-transcript first), then rule id."""
    tid, rule_id, turn = key
    return tid, -1 if turn is None else turn, rule_id


def _mismatches(keys: Counter[Key]) -> tuple[Mismatch, ...]:
    return tuple(Mismatch(*key) for key in sorted(keys.elements(), key=_order))


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(score: RuleScore) -> str:
    return (f"{line_start(score.rule_id):<32} {score.labels:>6} {score.found:>6} "
            f"{score.tp:>4} {score.fp:>4} "
            f"{score.fn:>4} {_ratio(score.precision):>6} {_ratio(score.recall):>6} "
            f"{_ratio(score.f1):>6}")


def format_evaluation(evaluation: Evaluation, transcripts: Mapping[str, Transcript]) -> str:
    """The per-rule table, the overall line, then misses and false alarms with their turn text."""
    header = (f"{'rule_id':<32} {'labels':>6} {'found':>6} {'TP':>4} {'FP':>4} {'FN':>4} "
              f"{'prec':>6} {'recall':>6} {'F1':>6}")
    lines = [header, "-" * len(header)]
    lines += [_row(score) for score in evaluation.rules]
    lines += ["-" * len(header), _row(evaluation.overall)]
    for title, items in (("misses", evaluation.misses), ("false alarms", evaluation.false_alarms)):
        lines += ["", f"{title} ({len(items)}):"]
        lines += [_describe(item, transcripts) for item in items]
    return "\n".join(lines) + "\n"


def _describe(item: Mismatch, transcripts: Mapping[str, Transcript]) -> str:
    """One line: transcript, turn, rule id and the turn's speaker and text."""
    if item.turn_index is None:
        return f"  {line_start(item.transcript_id)} (transcript) {printable(item.rule_id)}"
    turns = transcripts[item.transcript_id].turns if item.transcript_id in transcripts else ()
    where = f"  {line_start(item.transcript_id)} turn {item.turn_index} {printable(item.rule_id)}"
    if item.turn_index >= len(turns):
        return f"{where}: <no such turn>"
    turn = turns[item.turn_index]
    return f"{where}: {turn.speaker.value}: {turn.text!r}"


@dataclass(frozen=True)
class Fold:
    """Part `index` of `count` parts of a labelled set, by a stable hash of transcript ids.

    A transcript is in the fold when the SHA-1 of its id, read as a number, leaves
    `index` modulo `count`: the same transcripts on every machine and in every run, so
    one fold can be held out of tuning and measured last. `exclude` selects the rest.
    """

    index: int
    count: int
    exclude: bool = False

    @classmethod
    def parse(cls, text: str, *, exclude: bool = False) -> Fold:
        """A fold from ``K/N`` (``0 <= K < N``); ValueError says what is wrong."""
        match = re.fullmatch(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*", text)
        if match is None or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f"expected K/N with 0 <= K < N <= 9999 (such as 0/3), got {text!r}")
        return cls(int(match[1]), int(match[2]), exclude)

    def keeps(self, transcript_id: str) -> bool:
        """True when the transcript is selected."""
        digest = int(hashlib.sha1(transcript_id.encode("utf-8")).hexdigest(), 16)
        return (digest % self.count == self.index) != self.exclude

    def __str__(self) -> str:
        return f"{'all but ' if self.exclude else ''}fold {self.index}/{self.count}"

    def empty(self, where: str) -> ServiceCoachError:
        """The error for a set (at `where`) that has no transcript in this fold: measuring
        nothing would meet every target, and a CI gate on the fold would pass."""
        return ServiceCoachError(
            f"{self} of the set holds no transcript: nothing to evaluate", where=where,
            hint="a small set leaves folds empty: split it into fewer folds (a smaller N), "
            "or evaluate it whole")


def check_targets(
    evaluation: Evaluation,
    min_precision: float = 0.9,
    min_recall: float = 0.85,
    min_labels: int = 0,
    min_f1: float = 0.0,
) -> list[str]:
    """One line per rule id below a target, with its numbers; empty when all meet them.

    Rule ids with fewer than `min_labels` labels are too rare to hold to a ratio (one
    miss of two is a recall of 0.5) and are not checked; `min_f1` is the target of the
    micro average over all labels.
    """
    failures = []
    overall_f1 = evaluation.overall.f1
    if overall_f1 is not None and overall_f1 < min_f1:
        failures.append(f"overall: micro F1 {overall_f1:.2f} < {min_f1:.2f}")
    for score in evaluation.rules:
        if score.labels < min_labels:
            continue
        low = []
        if score.precision is not None and score.precision < min_precision:
            low.append(f"precision {score.precision:.2f} < {min_precision:.2f} "
                       f"({score.tp} of {score.found} findings right)")
        if score.recall is not None and score.recall < min_recall:
            low.append(f"recall {score.recall:.2f} < {min_recall:.2f} "
                       f"({score.tp} of {score.labels} labels found)")
        if low:
            failures.append(f"{score.rule_id}: {'; '.join(low)}")
    return failures


def _only(report: Report, rule_ids: set[str]) -> Report:
    """The report with only the findings of rule ids the set labels."""
    return report.model_copy(
        update={"findings": tuple(f for f in report.findings if f.rule_id in rule_ids)}
    )


def read_transcript_set(
    path: str | Path, fold: Fold | None, *,
    refuse: Callable[[Transcript, str], InputError | None] | None = None,
    what: str = "transcript(s) could not be read",
) -> dict[str, Transcript]:
    """The set's transcripts (those of `fold`, when given) by id. Each unreadable one, and
    each that `refuse` (given a transcript and where it was read) refuses, is printed to
    stderr, and then all of them raise a `ServiceCoachError` (counting `what`), as does an
    id that appears twice."""
    transcripts: dict[str, Transcript] = {}
    unreadable = 0
    for item in read_sources(iter_sources([str(path)])):
        if not isinstance(item, InputError):
            if fold is not None and not fold.keeps(item.id):
                continue
            if item.id in transcripts:
                raise ServiceCoachError(f"transcript id {quoted(item.id)} appears twice",
                                        where=str(path))
            refused = refuse(item, location_of(item) or "") if refuse is not None else None
            if refused is None:
                transcripts[item.id] = item
                continue
            item = refused
        unreadable += 1
        print(f"error: {item}", file=sys.stderr)
    if unreadable:
        raise ServiceCoachError(f"{unreadable} {what}", where=str(path),
                                hint="fix them and run again")
    return transcripts


def _check_same_ids(labels: Mapping[str, list[Key]], lines: Mapping[str, int],
                    transcripts: Mapping[str, Transcript], labels_source: str,
                    transcripts_source: str) -> None:
    """Every labelled transcript is in the set and every transcript of the set is labelled
    (an `InputError` at the first one's line in the labels, or naming the set, before
    anything is scored)."""
    unscored = [tid for tid in labels if tid not in transcripts]
    if unscored:
        raise InputError(f"labelled, but not in {transcripts_source}: {first_few(unscored)}",
                         source=labels_source, location=f"line {lines[unscored[0]]}",
                         hint="label every transcript of the set, once")
    unlabelled = [tid for tid in transcripts if tid not in labels]
    if unlabelled:
        raise InputError(f"not labelled in {labels_source}: {first_few(unlabelled)}",
                         source=transcripts_source, hint="label every transcript of the set, once")


def run_eval(
    coach: Coach,
    transcripts_path: str | Path,
    labels_path: str | Path,
    min_precision: float = 0.9,
    min_recall: float = 0.85,
    out: TextIO = sys.stdout,
    *,
    fold: Fold | None = None,
    min_labels: int = 0,
    min_f1: float = 0.0,
) -> int:
    """Score the set, print the evaluation and the targets missed; 0 when all targets are met.

    Only rule ids that the labels use are evaluated (a pack's extra rules are listed as not
    evaluated); that every contract id is labelled is a property of the set, tested there.

    Unreadable transcripts are printed to stderr and raise `ServiceCoachError`, as do
    bad labels and transcripts labelled but not scored (or the reverse).
    """
    labels, label_lines = _labels_and_lines(labels_path)
    if not labels:  # until 2026-12-07 "scored but not labelled: <every id>"
        raise InputError("holds no labels (the file is empty or blank)", source=str(labels_path),
                         hint=_LABEL_HINT)
    if fold is not None:
        labels = {tid: keys for tid, keys in labels.items() if fold.keeps(tid)}
    transcripts = read_transcript_set(transcripts_path, fold)
    if fold is not None and not transcripts:
        raise fold.empty(str(transcripts_path))
    if not any(labels.values()):  # until 2026-12-07 nothing evaluated, every target met, exit 0
        raise InputError(f"no label names a rule{f' in {fold}' if fold else ''} (every "
                         "'expected' is empty): no rule would be evaluated, and every target "
                         "would be met", source=str(labels_path),
                         hint="label the findings each transcript should have")
    _check_same_ids(labels, label_lines, transcripts, str(labels_path), str(transcripts_path))
    _check_turns(labels, label_lines, transcripts, str(labels_path))
    _check_rule_ids(labels, label_lines, coach, str(labels_path))
    labelled = {rule_id for keys in labels.values() for _, rule_id, _ in keys}
    reports = list(coach.score_many(transcripts.values()))
    unlabelled = sorted({f.rule_id for r in reports for f in r.findings} - labelled)
    evaluation = evaluate((_only(report, labelled) for report in reports), labels)
    out.write(format_evaluation(evaluation, transcripts))
    if unlabelled:
        out.write(f"\nnot evaluated (no labels in the set): {printable(', '.join(unlabelled))}\n")
    failures = check_targets(evaluation, min_precision, min_recall, min_labels, min_f1)
    scope = f" for ids with {min_labels}+ labels" if min_labels else ""
    overall = f", micro F1 >= {min_f1:.2f}" if min_f1 else ""
    part = f" on {fold} ({len(transcripts)} transcripts)" if fold is not None else ""
    out.write(f"\n{len(failures)} rule id(s) below target (precision >= {min_precision:.2f}, "
              f"recall >= {min_recall:.2f}{scope}{overall}){part}\n")
    out.writelines(f"  {line_start(failure)}\n" for failure in failures)
    return 1 if failures else 0
