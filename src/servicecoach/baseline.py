"""Baselines: record today's findings, then fail only on new ones.

A finding is identified by its transcript id, rule id and the text of its turn (not the
turn number, so inserting a turn does not make every later finding "new").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from servicecoach.errors import InputError
from servicecoach.models import Finding, FindingKind, Report, Transcript

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


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints of a baseline file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise InputError(f"cannot read baseline: {error}", source=str(path),
                         hint="write one with --write-baseline") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise InputError("not a servicecoach baseline (version 1)", source=str(path),
                         hint="write one with --write-baseline")
    return frozenset(data.get("findings", ()))
