"""Fuzzing of shapes and bytes, bounded in time (round 16 of the hostile-input audit).

`tests/test_fuzz.py` feeds readers text; this file feeds them *bytes* (every byte-order
mark, UTF-16/32 with and without one, Latin-1 inside UTF-8, NUL, lone ``\\r`` line ends) and
valid records whose values are replaced by odd ones (None, numbers where strings go, nested
lists, huge integers, lone surrogates, NUL), read from a file and from stdin, with the
format forced and detected. It also drives the live API with random sequences of calls,
and loads random configuration files and rule packs built from the schemas' keys.

The invariants: a reader yields transcripts or `InputError`s, never raises; the live API
answers or raises a `ServiceCoachError`, and a refused call changes nothing; a configuration
or a pack loads or raises its located error (`ConfigError`, `RulePackError`).
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import reader_samples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from servicecoach.coach import Coach
from servicecoach.config import load_config
from servicecoach.errors import (
    ConfigError,
    InputError,
    RulePackError,
    ServiceCoachError,
)
from servicecoach.models import Report, Transcript
from servicecoach.readers.base import Source
from servicecoach.readers.registry import _spooled_source, read_sources, readers
from servicecoach.rules.loader import load_pack

SCALE = float(os.environ.get("SERVICECOACH_FUZZ_SCALE", "1"))
"""More examples for a long hunt: SERVICECOACH_FUZZ_SCALE=50."""
FUZZ = settings(max_examples=int(60 * SCALE), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])

CANONICAL = json.dumps({
    "id": "c1", "channel": "voice", "metadata": {"customer_name": "Dana", "team": "a"},
    "turns": [{"speaker": "agent", "text": "Hello, how can I help?", "start": 0, "end": 2},
              {"speaker": "customer", "text": "My card is blocked.", "start": 3, "end": 5}],
    "events": [{"type": "hold_start", "after_turn": 1, "at": 6},
               {"type": "hold_end", "after_turn": 1, "at": 20}],
})

ODD_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(),
    st.sampled_from([0, -1, 2**63, 2**70, 10**30, -(10**20), 1e308, 0.5, "", " ", "\x00",
                     "\ud800", "a\udfffb", "\ufeff", "\r", "\u2028", "x" * 300,
                     "2024-13-01T10:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:60Z",
                     "NaN", "-1", "1e400", "00:61:02.000", "agent", "customer", "AGENT"]),
    st.text(max_size=20),
)
ODD = st.recursive(ODD_LEAVES, lambda inner: st.lists(inner, max_size=3)
                   | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _samples() -> dict[str, str]:
    """A valid file of each reader that has one among the fixtures, canonical JSON too."""
    return {"json": CANONICAL, "jsonl": CANONICAL + "\n" + CANONICAL.replace('"c1"', '"c2"') + "\n",
            **reader_samples()}


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the value itself included)."""
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*at, index))
    return found


def _replaced(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[at[0]] = _replaced(copy[at[0]], at[1:], new)
    return copy


def _json_records(text: str) -> tuple[list[Any], bool] | None:
    """The records of a JSON or JSON Lines sample, and whether it is JSON Lines."""
    try:
        return [json.loads(text)], False
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()], True
        except json.JSONDecodeError:
            return None


@st.composite
def _odd_shaped(draw: st.DrawFn, sample: str) -> str:
    """The sample with one to three of its values (or keys' values) replaced by odd ones."""
    parsed = _json_records(sample)
    if parsed is None:  # a text format: replace a line's slice with odd text
        lines = sample.splitlines(keepends=True)
        for _ in range(draw(st.integers(1, 3))):
            index = draw(st.integers(0, len(lines) - 1))
            line = lines[index]
            start = draw(st.integers(0, len(line)))
            odd = draw(ODD_LEAVES)
            lines[index] = line[:start] + (odd if isinstance(odd, str) else json.dumps(odd)) \
                + line[draw(st.integers(start, len(line))):]
        return "".join(lines)
    records, lines = parsed
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(records) - 1))
        at = draw(st.sampled_from(_paths(records[index])))
        records[index] = _replaced(records[index], at, draw(ODD))
    ascii_only = draw(st.booleans())
    dumped = [json.dumps(record, ensure_ascii=ascii_only) for record in records]
    return "\n".join(dumped) + "\n" if lines else dumped[0]


def _encoded(draw: st.DrawFn, text: str) -> bytes:
    """`text` as bytes an export could hold: any byte-order mark or wide encoding, lone
    ``\\r`` or ``\\r\\n`` line ends, a Latin-1 stretch, a NUL, a stray byte."""
    ends = draw(st.sampled_from(["\n", "\r", "\r\n"]))
    text = text.replace("\r\n", "\n").replace("\n", ends)
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                  "utf-32", "utf-32-le", "utf-32-be", "latin-1"]))
    data = text.encode(codec, errors="surrogatepass" if codec.startswith("utf") else "replace")
    boms = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
            "utf-32-be": b"\x00\x00\xfe\xff"}
    if codec in boms and draw(st.booleans()):
        data = boms[codec] + data
    damage = draw(st.sampled_from(["none", "none", "latin1", "nul", "byte", "cut"]))
    if data and damage != "none":
        where = draw(st.integers(0, len(data)))
        insert = {"latin1": "café naïve".encode("latin-1"), "nul": b"\x00",
                  "byte": bytes([draw(st.integers(0x80, 0xff))]), "cut": b""}[damage]
        data = data[:where] + insert + (data[where:] if damage != "cut" else b"")
    return data


@st.composite
def _reader_bytes(draw: st.DrawFn, reader: str) -> bytes:
    sample = _samples().get(reader)
    choice = draw(st.sampled_from(["bytes", "shaped", "shaped", "shaped"] if sample else ["bytes"]))
    if choice == "bytes":
        return draw(st.binary(max_size=300))
    return _encoded(draw, draw(_odd_shaped(sample)))


def _all_read(results: Any) -> list[Transcript | InputError]:
    read = list(results)
    for result in read:
        assert isinstance(result, (Transcript, InputError)), result
        if isinstance(result, InputError):
            assert "\n" not in str(result) and result.source, result
    return read


def _check_bytes(reader: str, data: bytes, folder: Path) -> None:
    path = folder / f"fuzz.{'jsonl' if reader == 'jsonl' else 'txt'}"
    path.write_bytes(data)
    _all_read(read_sources([Source.from_path(path)], reader))
    _all_read(read_sources([Source.from_path(path)], "auto"))
    _all_read(read_sources([_spooled_source("<stdin>", io.BytesIO(data))], reader))


@pytest.mark.parametrize("reader_name", sorted(readers()))
def test_fuzz_reader_bytes_and_shapes(reader_name: str, tmp_path: Path) -> None:
    @FUZZ
    @given(_reader_bytes(reader_name))
    def fuzz(data: bytes) -> None:
        _check_bytes(reader_name, data, tmp_path)

    fuzz()


# ---------------------------------------------------------------- the live API

@cache
def _coach() -> Coach:
    return Coach()


_TURN = st.fixed_dictionaries(
    {}, optional={"speaker": st.sampled_from(["agent", "customer", "system", " Agent ", "bot", 1,
                                              None]) | ODD_LEAVES,
                  "text": st.sampled_from(["Hello, how can I help?", "calm down", "thank you",
                                           "I'll call you back tomorrow", ""]) | ODD,
                  "start": ODD_LEAVES, "end": ODD_LEAVES, "extra": ODD})
_EVENT = st.fixed_dictionaries(
    {}, optional={"type": st.sampled_from(["hold_start", "hold_end", "transfer", "x"]) | ODD_LEAVES,
                  "at": ODD_LEAVES, "after_turn": st.integers(-2, 5) | ODD_LEAVES,
                  "target": ODD_LEAVES, "extra": ODD})
_CALLS = st.lists(st.one_of(st.tuples(st.just("turn"), _TURN), st.tuples(st.just("event"), _EVENT),
                            st.tuples(st.just("turn"), ODD), st.tuples(st.just("close"), st.none())),
                  max_size=10)


@settings(FUZZ, max_examples=int(80 * SCALE))
@given(metadata=st.none() | st.dictionaries(st.sampled_from(["customer_name", "agent_name", "team",
                                                             "x"]), ODD, max_size=3),
       channel=st.none() | st.sampled_from(["voice", "chat", "email", "fax"]), calls=_CALLS)
def test_fuzz_live_session(metadata: Any, channel: Any, calls: list[tuple[str, Any]]) -> None:
    try:
        session = _coach().session(metadata, channel=channel)
    except ServiceCoachError as error:
        assert isinstance(error, InputError), error
        return
    for call, value in calls:
        before = len(session.findings)
        try:
            if call == "turn":
                assert isinstance(session.add_turn(value), list)
            elif call == "event":
                assert isinstance(session.add_event(value), list)
            else:
                assert isinstance(session.close(), Report)
        except ServiceCoachError as error:
            assert "\n" not in str(error)
            assert len(session.findings) == before
    assert isinstance(session.close(), Report)
    assert isinstance(session.close(), Report)


# ---------------------------------------------------------------- configuration files

def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value if item is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()
                               if v is not None) + "}"
    return '""'


_TOML_LEAVES = st.one_of(st.booleans(), st.integers(), st.floats(), st.text(
    st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(["core", "ALL", "defensive", "defensive.dismissive", "error", "voice",
                     "fax", 2**64, "", "./nope"]))
_TOML_VALUE = st.recursive(_TOML_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["weights", "penalties", "empathy",
                                                              "error", "warning", "enabled",
                                                              "severity", "add_phrases",
                                                              "settings", "warn_at", "x"]),
                                             inner, max_size=3), max_leaves=6)
_CONFIG_KEYS = ["packs", "spacy_model", "disable", "select", "extend-select", "extend_select",
                "ignore", "cues", "rules", "scoring", "max_turn_chars", "redact", "channel",
                "check_language", "unknown"]


@settings(FUZZ, max_examples=int(60 * SCALE))
@given(st.dictionaries(st.sampled_from(_CONFIG_KEYS), _TOML_VALUE, max_size=4),
       st.sampled_from(["servicecoach.toml", "pyproject.toml"]))
def test_fuzz_config(document: dict[str, Any], name: str) -> None:
    body = "\n".join(f"{json.dumps(key)} = {_toml(value)}" for key, value in document.items()
                     if value is not None)
    if name == "pyproject.toml":
        body = "[tool.servicecoach]\n" + body
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(body, encoding="utf-8")
        try:
            config = load_config(path)
        except ConfigError as error:
            event("refused")
            assert "\n" not in str(error) and str(path) in str(error), error
            return
        if config.spacy_model is not None:
            return  # loading another pipeline is not what is fuzzed here
        try:
            Coach(config)
            event("coach built")
        except ServiceCoachError as error:
            assert "\n" not in str(error), error


# ---------------------------------------------------------------- rule packs

_RULE_KEYS = ["id", "kind", "category", "severity", "finding", "points", "speaker", "channels",
              "message", "suggestion", "enabled", "match", "phrases", "regex", "lemmas",
              "patterns", "exceptions", "fuzzy", "swap", "trigger", "expect", "within", "when",
              "analyzer", "settings", "signal", "unless", "followed_by", "suppressed_by",
              "rewrites", "docs"]
_YAML_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=12),
                         st.sampled_from(["p.x", "phrase", "conditional", "substitution",
                                          "builtin", "signal", "c", "agent", "customer",
                                          "missing", "hello", "(a+)+$", "calm down", "error"]))
_YAML_VALUE = st.recursive(_YAML_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(_RULE_KEYS), inner, max_size=3),
                           max_leaves=8)
_BASE_RULE = {"id": "p.x", "kind": "phrase", "category": "c", "message": "Said {match}",
              "suggestion": "Say it better", "match": {"phrases": ["calm down"]}}


@settings(FUZZ, max_examples=int(80 * SCALE))
@given(changes=st.dictionaries(st.sampled_from(_RULE_KEYS), _YAML_VALUE, max_size=3),
       manifest=st.dictionaries(st.sampled_from(["name", "version", "language", "extends",
                                                 "weights", "penalties", "strength_bonus",
                                                 "channels", "description"]),
                                _YAML_VALUE, max_size=2),
       as_list=st.booleans())
def test_fuzz_pack_documents(changes: dict[str, Any], manifest: dict[str, Any],
                             as_list: bool) -> None:
    rule = {**_BASE_RULE, **changes}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pack.yaml").write_text(
            yaml.safe_dump({"name": "p", "version": "1", **manifest}), encoding="utf-8")
        (Path(folder) / "r.yaml").write_text(
            yaml.safe_dump([rule] if as_list else rule, allow_unicode=True), encoding="utf-8")
        _loads_or_refuses_in_one_line(folder)


def _loads_or_refuses_in_one_line(folder: str) -> None:
    """The pack in `folder` loads and a coach is built from it, or each step refuses it in
    a one-line error (the pack's, naming the folder)."""
    try:
        load_pack(folder)
    except RulePackError as error:
        event("refused")
        assert "\n" not in str(error) and folder in str(error), error
        return
    try:
        Coach(packs=[folder])
        event("coach built")
    except ServiceCoachError as error:
        event("coach refused")
        assert "\n" not in str(error), error


@cache
def _core_rules() -> list[dict[str, Any]]:
    """The `core` pack's rules (signals aside), as plain data, to replace a value in."""
    found: list[dict[str, Any]] = []
    for path in sorted((Path(__file__).resolve().parents[1] / "rules" / "core").rglob("*.yaml")):
        if path.name != "pack.yaml" and "signals" not in path.parts:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            found += data if isinstance(data, list) else [data]
    return found


@st.composite
def _odd_rule(draw: st.DrawFn) -> Any:
    """A rule of the `core` pack with one or two of its values replaced by odd ones."""
    rule: Any = draw(st.sampled_from(_core_rules()))
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.sampled_from(_paths(rule)[1:]))
        rule = _replaced(rule, at, draw(_YAML_VALUE))
    return rule


@settings(FUZZ, max_examples=int(80 * SCALE))
@given(rule=_odd_rule())
def test_fuzz_core_rules_with_odd_values(rule: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pack.yaml").write_text("name: p\nversion: '1'\n", encoding="utf-8")
        (Path(folder) / "r.yaml").write_text(yaml.safe_dump([rule], allow_unicode=True),
                                             encoding="utf-8")
        _loads_or_refuses_in_one_line(folder)
