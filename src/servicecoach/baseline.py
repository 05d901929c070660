"""Baselines: record today's findings, then fail only on new ones.

A finding is identified by its transcript id, rule id and the text of its turn (not the
turn number, so inserting a turn does not make every later finding "new").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from servicecoach.bounded_files import FileRefused, read_bounded
from servicecoach.errors import InputError
from servicecoach.models import Finding, FindingKind, Report, Transcript
from servicecoach.readers.base import WIDE_SAMPLE, json_loads, wide_encoding

VERSION = 1


def fingerprint(transcript: Transcript, finding: Finding) -> str:
    """A stable id for a finding: transcript, rule and a hash of the anchored turn's text."""
    text = "" if finding.turn_index is None else transcript.turns[finding.turn_index].text
    digest = hashlib.sha1(text.strip().lower().encode("utf-8")).hexdigest()[:12]
    return f"{transcript.id}|{finding.rule_id}|{digest}"


def issues_fingerprints(transcript: Transcript, report: Report) -> list[str]:
    """Fingerprints of the report's issues (strengths are never baselined)."""
    return [fingerprint(transcript, f) for f in report.findings if f.kind is FindingKind.ISSUE]


def write_baseline(path: Path, fingerprints: Iterable[str]) -> int:
    """Write a baseline file; return how many findings it holds."""
    unique = sorted(set(fingerprints))
    path.write_text(json.dumps({"version": VERSION, "findings": unique}, indent=1) + "\n",
                    encoding="utf-8")
    return len(unique)


MAX_BASELINE_BYTES = 200_000_000
"""The largest baseline read: about four million fingerprints."""


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints of a baseline file: a regular file of at most `MAX_BASELINE_BYTES`,
    UTF-8 (a byte-order mark accepted) or UTF-16/32, holding ``{"version": 1, "findings":
    [fingerprint, ...]}``."""
    hint = "write one with --write-baseline"
    try:
        raw = read_bounded(path, MAX_BASELINE_BYTES)
        data = json_loads(raw.decode(wide_encoding(raw[:WIDE_SAMPLE]) or "utf-8-sig"))
    except (OSError, UnicodeDecodeError, FileRefused, json.JSONDecodeError, RecursionError,
            ValueError) as error:
        raise InputError(f"cannot read baseline: {error}", source=str(path), hint=hint) from None
    if not isinstance(data, dict) or type(data.get("version")) is not int or (
            data["version"] != VERSION):
        raise InputError("not a servicecoach baseline (version 1)", source=str(path), hint=hint)
    findings = data.get("findings")
    if not isinstance(findings, list):
        kind = "missing" if findings is None else type(findings).__name__
        raise InputError(f"'findings' is a list of fingerprints, not {kind}", source=str(path),
                         hint=hint)
    for index, value in enumerate(findings):
        if not isinstance(value, str):
            raise InputError(f"findings[{index}] is a fingerprint (a string), not "
                             f"{type(value).__name__}", source=str(path), hint=hint)
    return frozenset(findings)


def stale(baseline: frozenset[str], checked: Iterable[tuple[Transcript, Report]]) -> int:
    """How many fingerprints of `baseline` for the transcripts `checked` their reports no
    longer have (issues fixed, or their turn's text changed): a baseline that keeps them
    would let them come back unnoticed. Fingerprints of transcripts not checked (a run
    over some of the files) are not counted."""
    ids: set[str] = set()
    found: set[str] = set()
    for transcript, report in checked:
        ids.add(transcript.id)
        found.update(issues_fingerprints(transcript, report))
    return sum(1 for fp in baseline - found if fp.rsplit("|", 2)[0] in ids)


def stale_note(fixed: int, baseline: str) -> str:
    """What `check` and the pytest plugin say of `fixed` issues (`stale`) of the baseline
    file `baseline` that the transcripts checked no longer have."""
    return (f"{fixed} issue(s) of the baseline {baseline} are no longer found in the "
            "transcripts checked (fixed, or their turn's text changed): write it again with "
            f"'servicecoach check TRANSCRIPTS --write-baseline {baseline}' so that they fail "
            "if they come back")
