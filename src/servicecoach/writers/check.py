"""Outputs of `servicecoach check`: a readable diff, JUnit XML, GitHub workflow annotations,
and drafts of expectations (`--draft-expectations`)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from servicecoach.check import CheckOutcome
from servicecoach.errors import InputError
from servicecoach.expectations import read_as_json, sidecar_form
from servicecoach.writers import printable


def _overall(overall: float | None) -> str:
    """An overall score as `check` shows it: its decimal, or n/a (it read "None")."""
    return "n/a" if overall is None else f"{overall}"

def _shown_path(path: Path) -> str:
    """A file's path as the text output starts a line with it: on one line, and never
    starting with ``::``, which GitHub Actions would run as a workflow command (a file found
    by ``check .`` is named without a folder): ``./`` is put before such a path."""
    text = printable(str(path))
    return f"./{text}" if text.lstrip().startswith(":") else text


def write_text(outcomes: list[CheckOutcome], errors: list[InputError], out: TextIO) -> None:
    """Per transcript: PASS, or FAIL with each mismatch at its file line. What comes from a
    canned file (its name, an id, a message) is written on its line, line breaks as spaces.
    What could not be checked is on stderr already; the last line counts it."""
    for outcome in outcomes:
        canned = outcome.canned
        status = "PASS" if outcome.passed else "FAIL"
        nothing = (" - nothing was expected (add '%% expect:' lines, which --draft-expectations "
                   "drafts, a sidecar, --fail-on or "
                   "--min-score)") if outcome.expected_nothing else ""
        path = _shown_path(canned.path)
        out.write(f"{status} {printable(canned.transcript.id)} ({path}:{canned.line}) "
                  f"overall {_overall(outcome.report.overall)}{nothing}\n")
        out.writelines(f"  {path}:{canned.line_of(turn)}: {printable(problem)}\n"
                       for turn, problem in outcome.problems)
    out.write(f"\n{_summary(outcomes, errors)}\n")


def _summary(outcomes: list[CheckOutcome], errors: list[InputError]) -> str:
    failed = sum(not o.passed for o in outcomes)
    text = f"{len(outcomes)} transcript(s) checked, {failed} failed"
    unexpected = sum(o.expected_nothing for o in outcomes)
    if unexpected:
        text += f"; {unexpected} had nothing expected of them"
    if errors:
        text += f"; {len(errors)} could not be checked"
    return text


_LINE = re.compile(r"line (\d+)")


def _line(error: InputError) -> int | None:
    """The line of the canned file an error is at, when its location names one."""
    found = _LINE.match(error.location)
    return int(found[1]) if found else None


_NOT_XML = re.compile("[\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped, that `printable` (which the output goes
through) keeps: the noncharacters U+FFFE and U+FFFF."""


def junit_classname(path: str) -> str:
    """A canned file as JUnit's ``classname``, dotted as Jenkins reads it (the part after
    the last dot is the class, the rest the package): its folders and its name without
    the suffix, joined by dots, a dot inside one of them written ``_``:
    ``examples/training/failing-call.txt`` is ``examples.training.failing-call`` (the
    path as it was showed in Jenkins as the class ``txt`` of the package
    ``examples/training/failing-call``)."""
    parts = [part for part in re.split(r"[/\\]", path) if part not in ("", ".", "..")]
    if not parts:
        return path
    parts[-1] = parts[-1].rsplit(".", 1)[0] or parts[-1]
    return ".".join(part.replace(".", "_") for part in parts)


def failure_message(problems: list[tuple[int | None, str]]) -> str:
    """JUnit's failure ``message`` (Jenkins's 'Error Message', the line CI test summaries
    show): the first mismatch, and how many more the failure's text lists."""
    first = problems[0][1]
    return first if len(problems) == 1 else f"{first} (and {len(problems) - 1} more)"


def write_junit(outcomes: list[CheckOutcome], errors: list[InputError], out: TextIO) -> None:
    """One test case per transcript, its ``time`` the seconds it took to score and check; a
    failure's message is the first mismatch, its text every one at its file line. What
    could not be checked (a file not read, expectations naming an unknown rule) is a test
    case with an error, named by its transcript id when known."""
    failures = sum(not o.passed for o in outcomes)
    tests, errored = str(len(outcomes) + len(errors)), str(len(errors))
    took = f"{sum(o.seconds for o in outcomes):.3f}"
    suites = ET.Element("testsuites", name="servicecoach", tests=tests,
                        failures=str(failures), errors=errored, time=took)
    suite = ET.SubElement(suites, "testsuite", name="servicecoach.check",
                          tests=tests, failures=str(failures), errors=errored,
                          skipped="0", time=took)
    for outcome in outcomes:
        canned = outcome.canned
        case = ET.SubElement(suite, "testcase", classname=_shown(junit_classname(str(canned.path))),
                             name=_shown(canned.transcript.id), file=_shown(str(canned.path)),
                             line=str(canned.line), time=f"{outcome.seconds:.3f}")
        if not outcome.passed:
            failure = ET.SubElement(case, "failure", type="expectation",
                                    message=_shown(failure_message(outcome.problems)))
            failure.text = _shown("\n".join(
                f"{canned.path}:{canned.line_of(turn)}: {problem}"
                for turn, problem in outcome.problems
            ))
    for error in errors:
        where = f"{error.source}:{error.location}" if error.location else error.source
        case = ET.SubElement(suite, "testcase", classname=_shown(junit_classname(error.source)),
                             name=_shown(error.transcript_id or where), file=_shown(error.source),
                             time="0")
        if (line := _line(error)) is not None:
            case.set("line", str(line))
        ET.SubElement(case, "error", type="input",
                      message=_shown(error.render())).text = _shown(error.render())
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(_NOT_XML.sub("\ufffd", ET.tostring(suites, encoding="unicode")) + "\n")


def _shown(text: str) -> str:
    """A value of the JUnit document as the output stream writes it (each line
    `printable`): made so before the document is serialised, since an escape sequence
    removed from the serialised XML took the markup after it with it (an id ending in ESC
    left its attribute unclosed: a report CI servers could not read)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def write_github(outcomes: list[CheckOutcome], errors: list[InputError], out: TextIO) -> None:
    """``::error file=...,line=...,title=...::message`` for each mismatch and for each
    thing that could not be checked."""
    for outcome in outcomes:
        canned = outcome.canned
        for turn, problem in outcome.problems:
            title = _escape(f"servicecoach {canned.transcript.id}", property_value=True)
            path = _escape(str(canned.path), property_value=True)
            out.write(f"::error file={path},line={canned.line_of(turn)},title={title}::"
                      f"{_escape(problem)}\n")
    for error in errors:
        line = _line(error)
        title = "servicecoach" + (f" {error.transcript_id}" if error.transcript_id else "")
        out.write(f"::error file={_escape(error.source, property_value=True)}"
                  f"{f',line={line}' if line else ''},"
                  f"title={_escape(title, property_value=True)}::{_escape(error.render())}\n")
    out.write(f"{_summary(outcomes, errors)}\n")


CHECK_WRITERS = {"text": write_text, "junit": write_junit, "github": write_github}


def write_drafts(outcomes: list[CheckOutcome], errors: list[InputError], out: TextIO) -> None:
    """Per transcript, the expectation that today's findings meet, in the form its
    expectations take: a ``%% expect:`` header for a text file, an ``"expect"`` key for
    JSON, and for a file with a sidecar an entry of the sidecar (the transcript's id and
    its keys, or the keys alone when the sidecar's are every transcript's), one line of
    YAML flow style; to paste and trim to what should be pinned. Findings on the whole
    conversation are named without a turn; a transcript without findings gets none."""
    sidecars = {path: sidecar_form(path) for path in {o.canned.path for o in outcomes}}
    for outcome in outcomes:
        canned = outcome.canned
        refs = sorted({(f.turn_index if f.turn_index is not None else -1, f.rule_id)
                       for f in outcome.report.findings})
        names = [rule_id if turn < 0 else f"{rule_id}@{turn}" for turn, rule_id in refs]
        expect = canned.expect
        already = ("already has expectations" if expect.present or expect.absent
                   or expect.min_scores else "nothing expected yet")
        sidecar = sidecars[canned.path]
        if sidecar is not None:
            already += f"; in {printable(sidecar.path.name)}"
        out.write(f"{_shown_path(canned.path)}:{canned.line}: "
                  f"{printable(canned.transcript.id)} (overall {_overall(outcome.report.overall)}; "
                  f"{already})\n")
        if not names:
            out.write("  no findings today: nothing to expect\n")
        elif sidecar is not None:  # JSON, which YAML reads: one line, an id of digits quoted
            keys = json.dumps({"present": names})[1:-1]
            entry = (f"{json.dumps(canned.transcript.id)}: {{{keys}}}" if sidecar.by_id
                     else keys)
            out.write(f"  {printable(entry)}\n")
        elif read_as_json(canned.path):
            out.write(f"  \"expect\": {json.dumps({'present': names})}\n")
        else:
            out.write(f"  %% expect: {', '.join(names)}\n")
    drafted = sum(1 for o in outcomes if o.report.findings)
    could_not = f"; {len(errors)} could not be read" if errors else ""
    out.write(f"\ndrafted expectations for {drafted} of {len(outcomes)} transcript(s)"
              f"{could_not}: paste each into its transcript or its sidecar (a text file's "
              "headers, a JSON transcript's keys, a sidecar's entries) and keep what should "
              "stay true\n")
