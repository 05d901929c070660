"""Fuzzing, bounded in time: every reader and the pack loader, fed text hypothesis makes up
(arbitrary text, arbitrary JSON, and valid files with a slice replaced), either read it or
refuse it with the project's own error types, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from conftest import reader_samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach.errors import InputError, RulePackError
from servicecoach.models import Transcript
from servicecoach.readers.base import Source, file_lines
from servicecoach.readers.registry import detect, readers
from servicecoach.rules.loader import load_pack

FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["id", "turns", "speaker", "text", "start", "end", "role", "messages",
                         "participants", "entries", "body", "created_at", "type", "author",
                         "conversation_parts", "Transcript", "BeginOffsetMillis", "at"])
        | st.text(max_size=10), inner, max_size=6),
    max_leaves=30,
)


@st.composite
def _mutated(draw: st.DrawFn, sample: str) -> str:
    start = draw(st.integers(0, len(sample)))
    end = draw(st.integers(start, min(len(sample), start + 200)))
    return sample[:start] + draw(st.text(max_size=60)) + sample[end:]


def _inputs(reader: str) -> st.SearchStrategy[str]:
    choices = [st.text(max_size=400), _json.map(json.dumps),
               _json.map(lambda value: json.dumps(value) + "\n" + json.dumps(value))]
    if sample := reader_samples().get(reader):
        choices.append(_mutated(sample))
    return st.one_of(choices)


def _check(reader_name: str, text: str) -> None:
    source = Source(name=f"fuzz.{reader_name}", open_text=lambda: iter(file_lines(text)))
    for result in readers()[reader_name].read(source):
        assert isinstance(result, (Transcript, InputError)), result
        if isinstance(result, InputError):
            assert "\n" not in str(result)


@pytest.mark.parametrize("reader_name", sorted(readers()))
def test_fuzz_reader(reader_name: str) -> None:
    @FUZZ
    @given(_inputs(reader_name))
    def fuzz(text: str) -> None:
        _check(reader_name, text)

    fuzz()


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_format_detection(text: str) -> None:
    source = Source(name="fuzz", open_text=lambda: iter(file_lines(text)))
    try:
        reader = detect(source)
    except InputError:
        return
    for result in reader.read(source):
        assert isinstance(result, (Transcript, InputError))


RULE = ("id: p.x\nkind: phrase\ncategory: c\nmessage: Said {match}\nsuggestion: Say it better\n"
        "match:\n  phrases: [calm down, our policy]\n  regex: ['\\bno\\b']\n")
MANIFEST = "name: p\nversion: '1'\nweights: {c: 2}\n"


@FUZZ
@given(manifest=st.one_of(st.just(MANIFEST), _mutated(MANIFEST), st.text(max_size=120)),
       rule=st.one_of(_mutated(RULE), st.text(max_size=300),
                      _json.map(lambda value: json.dumps(value))))
def test_fuzz_pack_loader(manifest: str, rule: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pack.yaml").write_text(manifest, encoding="utf-8", errors="replace")
        (Path(folder) / "r.yaml").write_text(rule, encoding="utf-8", errors="replace")
        try:
            load_pack(folder)
        except RulePackError as error:
            assert "\n" not in str(error)
