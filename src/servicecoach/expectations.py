"""Canned transcripts with expectations: what must be found, what must not, minimum scores.

Expectations travel with a transcript, in one of three places:

- the text form, as headers::

      %% expect: empathy.missing@2:warning, name.used
      %% expect-not: defensive.dismissive
      %% min-score: overall=80, empathy=90

- JSON / JSON Lines, as an ``expect`` key beside ``turns``::

      "expect": {"present": ["empathy.missing@2", {"rule_id": "name.used"}],
                 "absent": ["defensive.dismissive"], "min_scores": {"overall": 80}}

- a sidecar ``<file>.expect.yaml`` beside the transcript file, with the same keys as the
  JSON ``expect`` (or, for a file of several transcripts, a mapping of id to those keys).

``rule_id@turn:severity`` pins the turn (0-based) and the severity; both are optional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from servicecoach.errors import (
    InputError,
    RulePackError,
    clipped,
    first_problems,
    key_shown,
)
from servicecoach.json_positions import record_lines
from servicecoach.models import (
    CategoryScore,
    Finding,
    Report,
    Severity,
    Transcript,
    not_a_boolean,
)
from servicecoach.readers.base import (
    InvalidUtf8,
    Source,
    json_hint,
    json_loads,
    not_utf8,
)
from servicecoach.readers.canonical import transcript_from_record
from servicecoach.readers.text import (
    EXPECTATION_HEADERS,
    block_to_transcript,
    parse_blocks,
)
from servicecoach.readers.unreadable import refused_if_unreadable
from servicecoach.rules.loader import load_yaml_lines
from servicecoach.rules.schema import MAX_ID_LENGTH
from servicecoach.scoring import category_costs, costs_text, rule_costs, signed_points
from servicecoach.suggest import did_you_mean
from servicecoach.writers import printable

_SHORT = re.compile(r"^\s*(?P<rule>[a-z][\w.-]*)(?:@(?P<turn>\d+))?(?::(?P<severity>\w+))?\s*$")


MAX_EXPECTED_TURN = 999_999_999
"""The highest turn an expectation may name: a longer number (4,300 digits) was quoted whole
in every line that names the expectation."""


class ExpectedFinding(BaseModel):
    """A finding that must (or must not) appear: a rule id, optionally a turn and a severity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str = Field(max_length=MAX_ID_LENGTH)
    turn: int | None = Field(default=None, ge=0, le=MAX_EXPECTED_TURN)
    severity: Severity | None = None

    _turn_not_boolean = field_validator("turn", mode="before")(not_a_boolean)

    def matches(self, finding: Finding) -> bool:
        """True when the finding is this one (turn and severity only when given)."""
        return (
            finding.rule_id == self.rule_id
            and (self.turn is None or finding.turn_index == self.turn)
            and (self.severity is None or finding.severity is self.severity)
        )

    def __str__(self) -> str:
        text = self.rule_id
        if self.turn is not None:
            text += f"@{self.turn}"
        if self.severity is not None:
            text += f":{self.severity.value}"
        return text


_QUOTED = 40
"""Characters of an expectation that reads as none an error quotes."""


def _quoted(text: str) -> str:
    """`text`, an expectation that reads as none, quoted for an error: cut to its start when
    long (one of 100 KB made an error line of 100 KB)."""
    return repr(clipped(text, _QUOTED))


def _short_form(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    match = _SHORT.match(value)
    if match is None:
        raise ValueError(f"{_quoted(value)} is not 'rule_id[@turn][:severity]'")
    if match["turn"] is not None and len(match["turn"]) > len(str(MAX_EXPECTED_TURN)):
        raise ValueError(f"{_quoted(value)}: a turn of {len(match['turn']):,} digits is past "
                         f"any transcript's turns (at most {MAX_EXPECTED_TURN:,}; turns count "
                         "from 0)")
    return {k: v for k, v in {"rule_id": match["rule"], "turn": match["turn"],
                               "severity": match["severity"]}.items() if v is not None}


class Expectations(BaseModel):
    """What a canned transcript must produce."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    present: tuple[ExpectedFinding, ...] = ()
    absent: tuple[ExpectedFinding, ...] = ()
    min_scores: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, description="Category (or 'overall') -> minimum score"
    )

    @field_validator("present", "absent", mode="before")
    @classmethod
    def _parse_short_forms(cls, values: Any) -> Any:
        if isinstance(values, str):
            values = [part for part in values.split(",") if part.strip()]
        return [_short_form(value) for value in values] if isinstance(values, list) else values

    @field_validator("min_scores", mode="before")
    @classmethod
    def _parse_score_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _score_pairs(part for part in value.split(",") if part.strip())
        return value


def _score_pairs(parts: Iterable[str]) -> dict[str, float]:
    """The minimums of a ``min-score`` header (its lines add up); a category given two
    minimums is a ValueError, where the last one was kept without a word (``overall=90``
    then ``overall=10`` passed a transcript of 50)."""
    minimums: dict[str, float] = {}
    for part in parts:
        name, minimum = _score_pair(part)
        if name in minimums and repr(minimums[name]) != repr(minimum):  # NaN is NaN here
            raise ValueError(f"{_quoted(name)} is given two minimums, {minimums[name]:g} and "
                             f"{minimum:g} (keep one)")
        minimums[name] = minimum
    return minimums


def _score_pair(text: str) -> tuple[str, float]:
    """``category=number`` of a ``min-score`` header; ValueError says what it is not."""
    name, _, number = text.partition("=")
    try:
        if not _CATEGORY.fullmatch(name.strip()):  # 'empathy>=90' read as 'empathy>'
            raise ValueError
        return name.strip(), float(number)
    except ValueError:
        raise ValueError(f"{_quoted(text.strip())} is not 'category=number'") from None


_CATEGORY = re.compile(r"[A-Za-z][\w.-]*")
"""A category's name (or 'overall') as a min-score names it."""



@dataclass(frozen=True)
class CannedTranscript:
    """A transcript, its expectations, and where it is (for annotations that point at it)."""

    transcript: Transcript
    expect: Expectations
    path: Path
    line: int
    turn_lines: tuple[int, ...] = ()
    """File line of each turn, when the file form has them (text)."""

    def line_of(self, turn: int | None) -> int:
        """The file line of a turn, or of the transcript."""
        if turn is not None and turn < len(self.turn_lines):
            return self.turn_lines[turn]
        return self.line


def finding_ref(finding: Finding) -> str:
    """A finding as expectations name it: ``rule_id@turn``, or ``rule_id (whole
    conversation)`` for a finding on the whole conversation."""
    if finding.turn_index is None:
        return f"{finding.rule_id} (whole conversation)"
    return f"{finding.rule_id}@{finding.turn_index}"


def compare(canned: CannedTranscript, report: Report) -> list[tuple[int | None, str]]:
    """Mismatches between a report and its expectations: (turn or None, readable line)."""
    problems: list[tuple[int | None, str]] = []
    turns = canned.transcript.turns
    for expected in canned.expect.present:
        if not any(expected.matches(f) for f in report.findings):
            found = [finding_ref(f) + (f":{f.severity.value}" if expected.severity else "")
                     for f in report.findings if f.rule_id == expected.rule_id]
            where = _turn_text(turns, expected.turn)
            problems.append((expected.turn, f"expected {expected}{where}, found "
                             + (", ".join(found) if found else "nothing")))
    for expected in canned.expect.absent:
        if expected.turn is not None and expected.turn >= len(turns):
            where = _turn_text(turns, expected.turn)
            problems.append((None, f"did not expect {expected}{where}: nothing can be found there"))
            continue
        for finding in report.findings:
            if expected.matches(finding):
                problems.append((finding.turn_index,
                                 (f"did not expect {finding_ref(finding)}"
                                  f"{_turn_text(turns, finding.turn_index)}: {finding.message}")))
    scores = {s.category: s.score for s in report.scores} | {"overall": report.overall}
    by_category = {s.category: s for s in report.scores}
    for category, minimum in canned.expect.min_scores.items():
        if category not in scores:
            near = did_you_mean(category, scores, "the categories are "
                                + ", ".join(sorted(c for c in scores if c != "overall"))
                                + " and overall")
            unknown = f"min-score names unknown category {_quoted(category)} ({near})"
            problems.append((None, unknown))
            continue
        value = scores[category]
        if value is None:
            problems.append((None, not_applicable(category, f"the minimum {minimum:g}")))
        elif value < minimum:
            lost = overall_lost(report) if category == "overall" else (
                _category_lost(by_category[category]) if category in by_category else "")
            problems.append((None, f"{category} score {value:g} is below {minimum:g}{lost}"))
    return problems


def not_applicable(category: str, minimum: str) -> str:
    """A minimum score that a category without a score cannot meet, saying why it has none
    (it read "empathy score not applicable is below 90")."""
    if category == "overall":
        return (f"overall score is not applicable (no category had anything to judge), so it "
                f"does not meet {minimum}")
    return (f"{category} score is not applicable (the conversation gave its rules nothing to "
            f"judge: docs/scoring.md), so it does not meet {minimum}")


def overall_lost(report: Report) -> str:
    """What took the overall score down, for a score found too low: ": lost to
    outcome.unconfirmed -4.4, ..." (the points of the overall score, as the text report
    and the summaries count them), or nothing when no rule took points."""
    return _lost(rule_costs(report.scores))


def _lost(costs: list[tuple[str, float, int]], shown: int = 5) -> str:
    """": lost to" the first `shown` rules of `costs`, and how much the others took."""
    if not costs:
        return ""
    rest = costs[shown:]
    more = (f", {len(rest)} more rule(s) {signed_points(round(sum(c[1] for c in rest), 1))}"
            if rest else "")
    return f": lost to {printable(costs_text(costs[:shown]))}{more}"


def _category_lost(category: CategoryScore) -> str:
    """What took a category's score down (its own points), as `overall_lost` says it."""
    return _lost(category_costs(category))


def _turn_text(turns: tuple[Any, ...], turn: int | None) -> str:
    if turn is None:
        return ""
    if turn >= len(turns):
        return (f", but the transcript has {len(turns)} turn(s), 0 to {len(turns) - 1} "
                "(turns count from 0)")
    return f" (turn {turn}, {turns[turn].speaker.value}: {turns[turn].text[:80]!r})"


def load_canned(path: Path) -> Iterator[CannedTranscript | InputError]:
    """Every canned transcript of a file (text, JSON or JSON Lines) with its expectations,
    then an error for each entry of its sidecar that names a transcript the file does not
    hold."""
    sidecar = _sidecar(path)
    if isinstance(sidecar, InputError):
        yield sidecar
        return
    side, lines = sidecar.data, sidecar.lines
    ids: list[str] = []
    read = _load_json(path, sidecar) if read_as_json(path) else _load_text(path, sidecar)
    anything = False
    try:
        for canned in read:
            anything = True
            found = canned.transcript.id if isinstance(canned, CannedTranscript) else (
                canned.transcript_id)
            if found is not None:
                ids.append(found)
            yield canned
    except OSError as error:
        yield InputError(f"cannot read the file: {error.strerror or error}", source=str(path),
                         hint="check its permissions")
        return
    if not anything:  # a file emptied (a bad merge, a failed export) passed unchecked
        yield InputError("holds no transcript (the file is empty or blank)", source=str(path),
                         hint="restore its conversation, or remove the file")
        return
    if set(side) <= set(Expectations.model_fields):
        return
    held = ", ".join(repr(i) for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
    known = set(ids)
    for name in side:
        if name not in known:
            line = lines.get((name,))
            yield InputError(
                f"expectations for transcript {name!r}, which {path.name} does not hold "
                f"(it holds {held or 'none'})", source=str(_sidecar_path(path)),
                location=f"line {line}" if line is not None else "",
                hint="name a transcript of the file (an id of digits in quotes), or remove "
                "the entry")


def read_as_json(path: Path) -> bool:
    """Whether a canned file is read as JSON or JSON Lines (by its name), else as text."""
    return path.suffix.lower() in (".json", ".jsonl", ".ndjson")


CANNED_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")
"""The files `check` and the pytest plugin read as canned transcripts."""
SIDECAR_SUFFIXES = (".expect.yaml", ".expect.yml")
"""How the name of a sidecar, or of a file meant as one, ends."""


def _sidecar_path(path: Path) -> Path:
    """The sidecar a canned file reads: its name up to the first dot, ``.expect.yaml``."""
    return path.with_name(path.name.split(".")[0] + ".expect.yaml")


class SidecarReaders:
    """Which canned files read each sidecar, each folder listed once (a run over a folder of
    n canned files and their sidecars lists it once, not once per sidecar: n^2 file checks,
    14 s for 1,000 files, before 2026-12-07). Make one per run: files change between runs."""

    def __init__(self) -> None:
        self._folders: dict[Path, tuple[list[Path], dict[Path, list[Path]]]] = {}

    def _folder(self, folder: Path) -> tuple[list[Path], dict[Path, list[Path]]]:
        """The canned files of `folder`, sorted, and those that read each sidecar."""
        listed = self._folders.get(folder)
        if listed is None:
            canned = sorted(p for p in folder.iterdir()
                            if p.suffix.lower() in CANNED_SUFFIXES and p.is_file())
            readers: dict[Path, list[Path]] = {}
            for path in canned:
                readers.setdefault(_sidecar_path(path), []).append(path)
            listed = self._folders[folder] = (canned, readers)
        return listed

    def reading(self, sidecar: Path) -> list[Path]:
        """The canned files beside `sidecar` that read it (none when it is no sidecar of
        theirs)."""
        return self._folder(sidecar.parent)[1].get(sidecar, [])

    def unread(self, sidecar: Path) -> InputError | None:
        """An error when `sidecar`, named as a sidecar, is the sidecar of no canned file
        beside it (named after the whole file name, ``.yml``, a file renamed): its
        expectations would be left out without a word."""
        if self.reading(sidecar):
            return None
        canned = self._folder(sidecar.parent)[0]
        reads = "; ".join(f"{p.name} reads {_sidecar_path(p).name}" for p in canned[:3])
        return InputError("a sidecar no canned file reads: its expectations would be left out",
                          source=str(sidecar), hint=f"a canned file reads its name up to the "
                          f"first dot + .expect.yaml "
                          f"({reads or 'there is no canned file beside it'})")


@dataclass(frozen=True)
class SidecarForm:
    """How the sidecar a canned file reads holds its expectations."""

    path: Path
    by_id: bool
    """A mapping of transcript id to expectation keys (else the keys, for every transcript)."""


def sidecar_form(path: Path) -> SidecarForm | None:
    """The sidecar of a canned file and its form; None when it has none (or one that cannot
    be read, which `load_canned` reports)."""
    sidecar = _sidecar(path)
    if isinstance(sidecar, InputError) or not sidecar.path.is_file():
        return None
    return SidecarForm(sidecar.path, by_id=not sidecar.data
                       or not set(sidecar.data) <= set(Expectations.model_fields))


class _Sidecar(NamedTuple):
    """A canned file's sidecar: its data (empty when there is none), the line of each key
    (by its path of keys) and its path."""

    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]
    path: Path

    def entry(self, transcript_id: str) -> tuple[Any, tuple[str, ...]]:
        """The expectations it gives a transcript (its entry for this id, or the whole file
        when that holds expectation keys only) and the path of keys to them."""
        if transcript_id in self.data:
            return self.data[transcript_id], (transcript_id,)
        return (self.data if set(self.data) <= set(Expectations.model_fields) else {}), ()

    def line_of(self, keys: tuple[Any, ...]) -> int | None:
        """The line of `keys`, or of the nearest key holding them."""
        for end in range(len(keys), -1, -1):
            if (line := self.lines.get(keys[:end])) is not None:
                return line
        return None


def _sidecar(path: Path) -> _Sidecar | InputError:
    """The sidecar of the canned file `path` (empty when there is none)."""
    side = _sidecar_path(path)
    if not side.is_file():
        return _Sidecar({}, {}, side)
    try:
        data, lines = load_yaml_lines(side)
    except RulePackError as error:
        where = f"line {error.line}" if error.line is not None else ""
        return InputError(error.what, source=str(side), location=where, hint=error.hint)
    data = data or {}
    if not isinstance(data, dict):
        return InputError("expected a mapping", source=str(side), hint="see docs/ci.md")
    keys = set(Expectations.model_fields)
    if set(data) & keys and set(data) - keys:
        named = ", ".join(sorted(str(k) for k in set(data) - keys))
        return InputError(
            f"the sidecar has both expectation keys ({', '.join(sorted(set(data) & keys))}) "
            f"and transcript ids ({named}) at its top level", source=str(side),
            hint="give the keys for every transcript, or put them under each transcript's id")
    return _Sidecar(data, lines, side)


def _expectations(raw: Expectations, sidecar: Expectations) -> Expectations:
    """Inline expectations, plus the sidecar's for the same transcript (both valid)."""
    merged: dict[str, Any] = {}
    for source in (raw, sidecar):
        for key, value in source.model_dump().items():
            if isinstance(value, (list, tuple)):
                merged[key] = list(merged.get(key, [])) + list(value)
            elif isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
    return Expectations.model_validate(merged)


def _load_json(path: Path, sidecar: _Sidecar) -> Iterator[CannedTranscript | InputError]:
    """The canned transcripts of a JSON or JSON Lines file, read as `score` reads it: UTF-8
    (or UTF-16/32 with a byte-order mark), lines split at line ends only, nesting and long
    numbers bounded."""
    source = Source.from_path(path)
    records: list[tuple[int, Any, tuple[int, ...]]]
    if path.suffix.lower() == ".json":
        text = source.document()  # a byte that is not UTF-8 costs only its record
        try:
            data = json_loads(text)
        except json.JSONDecodeError as error:
            yield InputError(f"invalid JSON: {error.msg}", source=str(path),
                             location=f"line {error.lineno}",
                             hint=json_hint(error, "fix the JSON syntax"))
            return
        found = data if isinstance(data, list) else [data]
        lines = record_lines(text)
        if len(lines) == len(found):
            records = [(where.line, record, tuple(where.turns))
                       for where, record in zip(lines, found, strict=True)]
        else:  # not an object or an array of objects: the transcript reader says what is wrong
            records = [(1, record, ()) for record in found]
    else:
        records = []
        for number, row in enumerate(source.checked_lines(), start=1):
            if isinstance(row, InvalidUtf8):
                yield not_utf8(str(path), row, f"line {number}")
                continue
            if not row.strip():
                continue
            try:
                records.append((number, json_loads(row), ()))
            except json.JSONDecodeError as error:
                yield InputError(f"invalid JSON: {error.msg}", source=str(path),
                                 location=f"line {number}")
    for line, record, turn_lines in records:
        raw = record.pop("expect", None) if isinstance(record, dict) else None
        if isinstance(record, dict) and (near := _near_expectations(record, {"expect"})):
            yield InputError(f"key {near[0]!r} is not 'expect': its expectations would not "
                             "be read", source=str(path), location=f"line {line}",
                             hint="name it 'expect'; see docs/ci.md#expectations")
            continue
        parsed = transcript_from_record(record, source=str(path), location=f"line {line}")
        if isinstance(parsed, Transcript):
            parsed = refused_if_unreadable(parsed, str(path), f"line {line}")
        yield _canned(parsed, raw, sidecar, path, line, turn_lines)


def _near_expectations(keys: Any, known: frozenset[str] | set[str]) -> tuple[str, str] | None:
    """A key that is an expectations key written another way ('%% expects', 'expect_not',
    'Min_Score': the same letters, in any case, with other separators or a plural 's') and
    the key it stands for: as metadata, it was expectations left out without a word, the
    transcript passing on what it no longer asked; None when there is none. A key that only
    looks like one ('expert', 'export') is metadata."""
    spelled = {_letters(name): name for name in known}
    for key in keys:
        if not isinstance(key, str) or key in known or len(key) > 20:
            continue
        letters = _letters(key)
        near = spelled.get(letters) or spelled.get(letters.removesuffix("s"))
        if near is not None:
            return key, near
    return None


def _letters(key: str) -> str:
    """A key's letters, lower-cased: 'Min_Score' and 'min-score' are both 'minscore'."""
    return "".join(char for char in key.lower() if char.isalpha())


def _load_text(path: Path, sidecar: _Sidecar) -> Iterator[CannedTranscript | InputError]:
    """The canned transcripts of a text file, read as it streams; bytes that are not UTF-8
    end it with an error (the conversations before them are read, as `score` reads them)."""
    stem = path.name.split(".")[0]
    try:
        for index, block in enumerate(parse_blocks(Source.from_path(path).open_text()), start=1):
            raw = {
                "present": block.headers.pop("expect", ""),
                "absent": block.headers.pop("expect-not", ""),
                "min_scores": block.headers.pop("min-score", ""),
            }
            parsed = block_to_transcript(block, source=str(path),
                                         default_id=stem if index == 1 else f"{stem}#{index}")
            if (near := _near_expectations(block.headers, EXPECTATION_HEADERS)) is not None:
                yield InputError(f"header '%% {near[0]}' is no expectations header: it "
                                 "would be read as metadata, its expectations left out; did "
                                 f"you mean '%% {near[1]}'?",
                                 source=str(path),
                                 location=f"line {block.first_line}",
                                 transcript_id=getattr(parsed, "id", None),
                                 hint="expectations are '%% expect:', '%% expect-not:' and "
                                 "'%% min-score:'; see docs/ci.md#expectations")
                continue
            yield _canned(parsed, raw, sidecar, path, block.first_line, tuple(block.turn_lines))
    except InvalidUtf8 as error:
        yield not_utf8(str(path), error)


def _canned(
    parsed: Transcript | InputError,
    raw: Any,
    sidecar: _Sidecar,
    path: Path,
    line: int,
    turn_lines: tuple[int, ...],
) -> CannedTranscript | InputError:
    if isinstance(parsed, InputError):
        return parsed
    try:
        inline = Expectations.model_validate(raw or {})
    except ValueError as error:
        return _bad_expectations(error, str(path), line, parsed.id)
    entry, keys = sidecar.entry(parsed.id)
    try:
        beside = Expectations.model_validate(entry or {})
    except ValueError as error:
        where = sidecar.line_of(keys + _first_place(error))
        return _bad_expectations(error, str(sidecar.path), where, parsed.id)
    for name, minimum in beside.min_scores.items():
        given = inline.min_scores.get(name)
        if given is not None and repr(given) != repr(minimum):  # the sidecar's silently won
            where = sidecar.line_of((*keys, "min_scores", name))
            return InputError(
                f"{_quoted(name)} is given two minimums, {given:g} in {path.name} (line "
                f"{line}) and {minimum:g} here (keep one)", source=str(sidecar.path),
                location=f"line {where}" if where is not None else "", transcript_id=parsed.id,
                hint="give each score's minimum once, inline or in the sidecar")
    return CannedTranscript(parsed, _expectations(inline, beside), path, line, turn_lines)


def _first_place(error: ValueError) -> tuple[Any, ...]:
    """The path of keys to the first problem of a validation error (none for another)."""
    return tuple(error.errors()[0]["loc"]) if isinstance(error, ValidationError) else ()


def _bad_expectations(error: ValueError, source: str, line: int | None,
                      transcript_id: str) -> InputError:
    """The error for expectations that do not validate, at `line` of `source` (the
    canned file, or its sidecar): the first few problems and a count of the rest, each key
    as `key_shown` shows it. Until 2026-12-07 every problem was listed with its keys whole
    (5,000 expected findings of no string made an error line of 269 KB)."""
    location = f"line {line}" if line is not None else ""
    if not isinstance(error, ValidationError):
        return InputError(f"bad expectations: {error}", source=source, location=location,
                          transcript_id=transcript_id, hint="see docs/ci.md#expectations")
    problems = first_problems([
        f"{'.'.join(key_shown(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()])
    return InputError(f"bad expectations: {problems}", source=source, location=location,
                      transcript_id=transcript_id,
                      hint="write findings as rule_id[@turn][:severity] and scores as "
                      "category=number; see docs/ci.md#expectations")
