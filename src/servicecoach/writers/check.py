"""Outputs of `servicecoach check`: a readable diff, JUnit XML, GitHub workflow annotations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from servicecoach.check import CheckOutcome
from servicecoach.writers import printable


def _shown_path(path: Path) -> str:
    """A file's path as the text output starts a line with it: on one line, and never
    starting with ``::``, which GitHub Actions would run as a workflow command (a file found
    by ``check .`` is named without a folder): ``./`` is put before such a path."""
    text = printable(str(path))
    return f"./{text}" if text.lstrip().startswith(":") else text


def write_text(outcomes: list[CheckOutcome], out: TextIO) -> None:
    """Per transcript: PASS, or FAIL with each mismatch at its file line. What comes from a
    canned file (its name, an id, a message) is written on its line, line breaks as spaces."""
    for outcome in outcomes:
        canned = outcome.canned
        status = "PASS" if outcome.passed else "FAIL"
        nothing = (" - nothing was expected (add '%% expect:' lines, a sidecar, --fail-on or "
                   "--min-score)") if outcome.expected_nothing else ""
        path = _shown_path(canned.path)
        out.write(f"{status} {printable(canned.transcript.id)} ({path}:{canned.line}) "
                  f"overall {outcome.report.overall}{nothing}\n")
        out.writelines(f"  {path}:{canned.line_of(turn)}: {printable(problem)}\n"
                       for turn, problem in outcome.problems)
    out.write(f"\n{_summary(outcomes)}\n")


def _summary(outcomes: list[CheckOutcome]) -> str:
    failed = sum(not o.passed for o in outcomes)
    text = f"{len(outcomes)} transcript(s) checked, {failed} failed"
    unexpected = sum(o.expected_nothing for o in outcomes)
    if unexpected:
        text += f"; {unexpected} had nothing expected of them"
    return text


_NOT_XML = re.compile("[\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped, that `printable` (which the output goes
through) keeps: the noncharacters U+FFFE and U+FFFF."""


def write_junit(outcomes: list[CheckOutcome], out: TextIO) -> None:
    """One test case per transcript; a failure carries the mismatches."""
    failures = sum(not o.passed for o in outcomes)
    suites = ET.Element("testsuites", name="servicecoach", tests=str(len(outcomes)),
                        failures=str(failures), errors="0", time="0")
    suite = ET.SubElement(suites, "testsuite", name="servicecoach.check",
                          tests=str(len(outcomes)), failures=str(failures), errors="0",
                          skipped="0", time="0")
    for outcome in outcomes:
        canned = outcome.canned
        case = ET.SubElement(suite, "testcase", classname=str(canned.path),
                             name=canned.transcript.id, file=str(canned.path),
                             line=str(canned.line), time="0")
        if not outcome.passed:
            failure = ET.SubElement(case, "failure", type="expectation",
                                    message=f"{len(outcome.problems)} expectation(s) failed")
            failure.text = "\n".join(
                f"{canned.path}:{canned.line_of(turn)}: {problem}"
                for turn, problem in outcome.problems
            )
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(_NOT_XML.sub("\ufffd", ET.tostring(suites, encoding="unicode")) + "\n")


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def write_github(outcomes: list[CheckOutcome], out: TextIO) -> None:
    """``::error file=...,line=...,title=...::message`` for each mismatch."""
    for outcome in outcomes:
        canned = outcome.canned
        for turn, problem in outcome.problems:
            title = _escape(f"servicecoach {canned.transcript.id}", property_value=True)
            path = _escape(str(canned.path), property_value=True)
            out.write(f"::error file={path},line={canned.line_of(turn)},title={title}::"
                      f"{_escape(problem)}\n")
    out.write(f"{_summary(outcomes)}\n")


CHECK_WRITERS = {"text": write_text, "junit": write_junit, "github": write_github}
