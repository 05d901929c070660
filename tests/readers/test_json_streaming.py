"""Canonical JSON arrays read one record at a time, with the same results as read whole,
however the input is cut into pieces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers import Source
from servicecoach.readers.canonical import JSON_READER
from servicecoach.readers.streaming import array_items, first_record_has_turns

RECORD = {"id": "a", "turns": [{"speaker": "customer", "text": "Hi", "start": 1.5},
                               {"speaker": "agent", "text": "Hello"}]}


def read(tmp_path: Path, text: str) -> list[object]:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return list(JSON_READER.read(Source.from_path(path)))


def test_records_read_before_a_broken_tail_are_kept_and_the_break_located(tmp_path: Path) -> None:
    good = ",\n".join(json.dumps(RECORD | {"id": f"c{n}"}) for n in range(3))
    results = read(tmp_path, f"[{good},\n{{broken")
    assert [r.id for r in results[:3]] == ["c0", "c1", "c2"]  # type: ignore[attr-defined]
    assert isinstance(results[3], InputError) and "invalid JSON" in str(results[3])
    assert len(results) == 4


def test_an_array_closed_by_a_brace_is_a_located_error_not_the_records_after_it(
    tmp_path: Path,
) -> None:
    """An array closed by '}' and another opened after it read as the second array alone:
    the records of the first were dropped without a word."""
    first, second = json.dumps(RECORD), json.dumps(RECORD | {"id": "b"})
    results = read(tmp_path, f"[{first}}}[{second}]")
    assert len(results) == 1 and isinstance(results[0], InputError)
    assert f"line 1 column {len(first) + 2}" in str(results[0])


def test_a_nan_time_in_an_array_is_refused_at_its_record(tmp_path: Path) -> None:
    """`json` reads NaN, which the stream parser (ijson) refused, falling back to the whole
    file; the records are decoded by `json` now, and the NaN is refused at its record."""
    nan = json.dumps([RECORD, RECORD | {"id": "b"}]).replace("1.5", "NaN", 1)
    results = read(tmp_path, nan)
    assert len(results) == 2 and isinstance(results[0], InputError)
    assert "record 0" in str(results[0]) and "start" in str(results[0])
    assert isinstance(results[1], Transcript)


def test_a_streamed_array_equals_the_records(tmp_path: Path) -> None:
    records = [RECORD | {"id": f"c{n}", "metadata": {"queue": "q", "score": 0.1 * n}}
               for n in range(5)]
    results = read(tmp_path, json.dumps(records, indent=2))
    assert results == [Transcript.model_validate(r) for r in records]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(alphabet=st.sampled_from('a"\\[]{},:😀\n é')),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["turns", "tur", "a", '"', "\\", "[", "{"]), inner,
                      max_size=3),
    max_leaves=12)


def _in_pieces(text: str, size: int) -> Source:
    return Source(name="export.json", open_text=lambda: iter([text]),
                  open_pieces=lambda: (text[at:at + size] for at in range(0, len(text), size)))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(JSON_VALUES, max_size=4), size=st.integers(1, 9),
       ascii_only=st.booleans(), indent=st.sampled_from([None, 1]))
def test_an_array_cut_into_pieces_anywhere_reads_as_json_reads_it(
    values: list[object], size: int, ascii_only: bool, indent: int | None,
) -> None:
    """Wherever the pieces of input end (inside a string, between a backslash and the
    character it escapes, inside a number), the elements are those `json` reads, and a
    first record with turns is found exactly when the first element has a "turns" key."""
    text = json.dumps(values, ensure_ascii=ascii_only, indent=indent)
    assert list(array_items(_in_pieces(text, size))) == values
    first = values[0] if values else None
    assert first_record_has_turns(_in_pieces(text, size)) == (
        isinstance(first, dict) and "turns" in first)


@pytest.mark.parametrize(("text", "problem"), [
    ("[1,]", "invalid JSON"), ("[1 2]", "invalid JSON"), ("[1] [2]", "text after"),
    ("[{}", "not closed"), ('{"turns": []}', "not a JSON array"),
    ("[}[1]", "closed by '}'"), ("[1}, 2]", "closed by '}'"),
])
def test_what_is_not_an_array_of_json_values_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        list(array_items(_in_pieces(text, 2)))


@pytest.mark.parametrize(("text", "found"), [
    ('{"note": "\\"turns\\"", "turns": []}', True),
    ('{"note": {"turns": []}, "id": "a"}', False),
    ('{"id": "turns"}', False),
    ('{"tu\\u0072ns": []}', True),
    ('[["turns"], {"turns": []}]', False),
    ('"turns"', False),
])
def test_only_a_top_level_key_of_the_first_record_counts_as_its_turns(
    text: str, found: bool,
) -> None:
    assert first_record_has_turns(_in_pieces(text, 3)) is found


@pytest.mark.parametrize(("record", "problem"), [
    ({"id": "a", "turns": "none"}, "turns: should be a list (a JSON array), not a string"),
    ({"id": "a", "turns": None}, "turns: should be a list (a JSON array), not null"),
    ({"id": "a", "turns": ["hello"]},
     "turn 0: should be an object (a JSON object) with 'speaker' and 'text', not a string"),
    ({"id": "a", "turns": [{"speaker": "agent", "text": ["hi"]}]},
     "turn 0: text: should be a string, not an array"),
    ({"id": "a", "turns": RECORD["turns"], "metadata": "vip"},
     "metadata: should be an object (a JSON object), not a string"),
    ({"id": "a", "turns": RECORD["turns"], "events": {"type": "transfer"}},
     "events: should be a list (a JSON array), not an object"),
])
def test_a_value_of_the_wrong_json_type_is_named_in_json_s_words(
        tmp_path: Path, record: dict[str, object], problem: str) -> None:
    """A QA lead's export with "turns": "none" read "turns: Input should be a valid
    tuple", pydantic's word for the model's type, which a JSON file cannot hold; a turn
    that was a string read "a valid dictionary or instance of Turn". The error says what
    JSON the key should hold and what it holds."""
    (error,) = read(tmp_path, json.dumps([record]))
    assert isinstance(error, InputError)
    assert problem in str(error) and "tuple" not in str(error)
