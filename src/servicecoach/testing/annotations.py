"""Annotated rule tests: transcripts whose comments say where each rule must and must not fire.

A test file (``<rule file stem>.test.transcript``, beside the rule's YAML) is in the text
transcript form; ``---`` separates independent conversations. A comment line names rule
ids for the next turn::

    # ruleid: defensive.dismissive        must fire on the next turn
    # ok: defensive.dismissive            must not fire on the next turn
    # todoruleid: defensive.dismissive    a known miss (not checked)
    # todook: defensive.dismissive        a known false positive (not checked)

For a rule anchored on the whole transcript (``turn_index: null``), an annotation
anywhere in the conversation applies to the conversation. In a conversation that annotates
a rule, every finding of that rule must be annotated: a finding on an unannotated turn is
"unexpected". A conversation that names no rule checks none.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from servicecoach.coach import Coach
from servicecoach.errors import InputError, RulePackError
from servicecoach.models import Finding
from servicecoach.readers.text import TextBlock, block_to_transcript, parse_blocks
from servicecoach.rules.loader import read_utf8
from servicecoach.rules.schema import shown_id

_ANNOTATION = re.compile(r"^(ruleid|ok|todoruleid|todook)\s*:\s*(.+)$")
_NEAR_ANNOTATION = re.compile(
    r"^(?P<kind>(?:todo[-_ ]?)?(?:rule[-_ ]?ids?|ok))\b\s*[:=]?\s*"
    r"(?P<ids>[a-z][\w-]*\.[\w.-]+(?:\s*,\s*[a-z][\w-]*\.[\w.-]+)*)\s*$", re.IGNORECASE)
"""A comment that reads as an annotation misspelt (`# rule-id: a.b`, `# RuleID a.b`, `# ok
a.b`): until 2026-12-07 it was a comment, and the rule it named was never checked."""
_KINDS = ("ruleid", "ok", "todoruleid", "todook")
SUFFIX = ".test.transcript"


@dataclass(frozen=True)
class Annotation:
    """One rule id named by a comment, for the turn after it."""

    kind: str
    rule_id: str
    turn_index: int
    line: int


@dataclass(frozen=True)
class Problem:
    """A failed expectation, at a line of the test file."""

    line: int
    rule_id: str
    kind: str
    """missed, unexpected, unknown-rule, bad-transcript, unreadable, misplaced or misspelt"""
    detail: str


@dataclass
class FileResult:
    """The outcome of one test file."""

    path: Path
    checked: int = 0
    todo: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.problems


def misspelt(text: str) -> str | None:
    """The annotation a comment's text reads as, misspelt (`rule-id: a.b`): its kind as it
    should be written; None for an annotation as written or any other comment."""
    if _ANNOTATION.match(text):
        return None
    near = _NEAR_ANNOTATION.match(text)
    if near is None:
        return None
    kind = re.sub(r"[-_ ]", "", near["kind"].lower()).replace("ruleids", "ruleid")
    return kind if kind in _KINDS else None


def annotations_of(block: TextBlock) -> list[Annotation]:
    """The annotations in a block's comments."""
    found = []
    for line, text, next_turn in block.comments:
        match = _ANNOTATION.match(text)
        if match is None:
            continue
        for rule_id in match[2].split(","):
            if rule_id.strip():
                found.append(Annotation(match[1], rule_id.strip(), next_turn, line))
    return found


def run_file(path: Path, coach: Coach) -> FileResult:
    """Score every conversation of one test file and compare with its annotations."""
    result = FileResult(path)
    known = set(coach.rule_order)
    try:  # a pack's file: only a regular UTF-8 file is read, as its YAML is
        text = read_utf8(path)
    except RulePackError as error:
        detail = f"{error.what} ({error.hint})" if error.hint else error.what
        result.problems.append(Problem(error.line or 1, "", "unreadable", detail))
        return result
    blocks = list(parse_blocks(io.StringIO(text, newline=None)))
    for block in blocks:
        for line, comment, _ in block.comments:
            kind = misspelt(comment)
            if kind is not None:
                result.problems.append(Problem(line, "", "misspelt", (
                    f"this comment reads as an annotation but is not one: write "
                    f"'# {kind}: <rule id>' (it names no rule to check as it is)")))
        notes = annotations_of(block)
        unknown = [note for note in notes if note.rule_id not in known]
        for note in unknown:
            result.problems.append(Problem(note.line, note.rule_id, "unknown-rule",
                                           "no loaded rule has this id"))
        transcript = block_to_transcript(block, source=str(path),
                                         default_id=f"{path.name}:{block.first_line}")
        if isinstance(transcript, InputError):
            result.problems.append(Problem(block.first_line, "", "bad-transcript", str(transcript)))
            continue
        report = coach.score(transcript, cues=True)  # cues are annotated like rules
        _compare(result, block, [n for n in notes if n.rule_id in known], report.findings)
    _misplaced(result, text, {line for block in blocks for line, _, _ in block.comments})
    return result


def _misplaced(result: FileResult, text: str, seen: set[int]) -> None:
    """A problem for each annotation in no conversation (a part of comments only, which
    the text reader passes over): it would never be checked."""
    for number, line in enumerate(io.StringIO(text, newline=None), start=1):
        stripped = line.strip()
        match = _ANNOTATION.match(stripped[1:].strip()) if stripped.startswith("#") else None
        if match is not None and number not in seen:
            result.problems.extend(
                Problem(number, rule_id.strip(), "misplaced", "(in no conversation: "
                        "put the annotation on the line above the turn it is about)")
                for rule_id in match[2].split(",") if rule_id.strip())


def _compare(result: FileResult, block: TextBlock, notes: list[Annotation],
             findings: Iterable[Finding]) -> None:
    """Count the conversation's annotations and add a problem to `result` for each one its
    findings break (a ``ruleid`` that did not fire, an ``ok`` that did) and for each
    finding of an annotated rule on a turn without an annotation."""
    under_test = {note.rule_id for note in notes}
    fired = {(f.rule_id, f.turn_index) for f in findings if f.rule_id in under_test}
    whole = {rule_id for rule_id, turn in fired if turn is None}
    covered: set[tuple[str, int | None]] = set()
    for note in notes:
        key = (note.rule_id, note.turn_index)
        if note.kind.startswith("todo"):
            result.todo += 1
            covered.update({key, (note.rule_id, None)})
            continue
        result.checked += 1
        hit = key in fired or note.rule_id in whole
        if note.kind == "ruleid":
            covered.update({key, (note.rule_id, None)})
            if not hit:
                result.problems.append(Problem(note.line, note.rule_id, "missed",
                                               _turn_text(block, note.turn_index)))
        elif hit:
            result.problems.append(Problem(note.line, note.rule_id, "unexpected",
                                           _turn_text(block, note.turn_index)))
    ok_turns: dict[str, set[int | None]] = {}  # filed once: a check per finding, not per note
    for note in notes:
        if note.kind == "ok":
            ok_turns.setdefault(note.rule_id, set()).add(note.turn_index)
    for rule_id, turn in sorted(fired, key=lambda item: (item[0], item[1] if item[1] is not None else -1)):
        if (rule_id, turn) in covered:
            continue
        oks = ok_turns.get(rule_id)
        if oks and (turn is None or turn in oks):
            continue  # already reported as unexpected above
        line = block.turn_lines[turn] if turn is not None else block.first_line
        result.problems.append(Problem(line, rule_id, "unexpected",
                                       "fired on a turn with no annotation: "
                                       + _turn_text(block, turn)))


def _turn_text(block: TextBlock, turn: int | None) -> str:
    if turn is None:
        return "(whole conversation)"
    if turn >= len(block.turns):
        return ("(after the last turn: for a rule on a turn, put the annotation on the line "
                "above the turn it is about)")
    return f"turn {turn}: {block.turns[turn]['speaker']}: {block.turns[turn]['text'][:100]!r}"


def find_test_files(paths: Iterable[Path]) -> list[Path]:
    """Test files under the given files and folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob(f"*{SUFFIX}")))
        elif path.name.endswith(SUFFIX):
            found.append(path)
    return found


def format_result(result: FileResult) -> str:
    """Semgrep-style lines: ``path:line: missed rule_id (turn text)``; an annotated id too
    long for a rule is cut (`shown_id`)."""
    return "\n".join(
        f"{result.path}:{p.line}: {p.kind} {_quoted_if_unprintable(shown_id(p.rule_id))} "
        f"{p.detail}".rstrip()
        for p in result.problems
    )


def _quoted_if_unprintable(rule_id: str) -> str:
    """`rule_id` as written, or quoted with its escapes shown when it holds characters a
    terminal would act on: the output's filter took them out, and an annotated id
    "ESC]0;x BEL acme.jargon" read as the known id "acme.jargon" that no rule had."""
    return rule_id if rule_id.isprintable() else repr(rule_id)
