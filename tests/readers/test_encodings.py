"""Encodings: a UTF-8 byte-order mark is accepted everywhere, bytes that are not UTF-8 are
an error naming their offset, lone surrogates are replaced, and a U+2028 inside a JSON
Lines string never splits its line (from a file or from stdin)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from servicecoach import Coach
from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers import convert, iter_sources, read_sources

BOM = b"\xef\xbb\xbf"
RECORD = {"id": "a", "turns": [{"speaker": "agent", "text": "Hello, how can I help?"}]}


def _results(path: Path) -> list[Transcript | InputError]:
    return list(convert([str(path)]))


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> list[Transcript | InputError]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return list(read_sources(iter_sources(["-"])))


@pytest.mark.parametrize(
    ("name", "content", "ids"),
    [
        ("a.json", json.dumps(RECORD), ["a"]),
        ("a.jsonl", json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "id": "b"}) + "\n",
         ["a", "b"]),
        ("a.txt", "%% id: a\nAgent: Hello, how can I help?\nCustomer: My order is late.\n", ["a"]),
        ("a.csv", ("conversation_id,speaker,text\nc1,agent,Hello\nc1,customer,Hi\n"
                  "c2,agent,Good morning\nc2,customer,Hello\n"), ["c1", "c2"]),
    ],
)
def test_a_byte_order_mark_is_accepted(tmp_path: Path, name: str, content: str,
                                       ids: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(BOM + content.encode("utf-8"))
    results = _results(path)
    assert all(isinstance(r, Transcript) for r in results), results
    assert [r.id for r in results if isinstance(r, Transcript)] == ids
    if name == "a.csv":  # the first conversation is neither lost nor merged into the second
        assert [len(r.turns) for r in results if isinstance(r, Transcript)] == [2, 2]


def test_a_byte_order_mark_on_stdin_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    (result,) = _stdin(monkeypatch, BOM + json.dumps(RECORD).encode("utf-8"))
    assert isinstance(result, Transcript) and result.id == "a"


def test_invalid_utf8_is_an_error_at_its_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = (json.dumps(RECORD) + "\n").encode("utf-8")
    path.write_bytes(good + b'{"id": "b", "turns": [{"speaker": "agent", "text": "caf\xe9"}]}\n')
    first, error = _results(path)
    assert isinstance(first, Transcript)  # the records before the bad byte are kept
    assert isinstance(error, InputError)
    offset = len(good) + len(b'{"id": "b", "turns": [{"speaker": "agent", "text": "caf')
    assert str(error) == (f"{path}:byte {offset}: invalid UTF-8 (save the file as UTF-8 "
                          "(it may be Latin-1 or Windows-1252))")


def test_invalid_utf8_on_stdin_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    (error,) = _stdin(monkeypatch, b"Agent: caf\xe9\n")
    assert isinstance(error, InputError) and error.location == "byte 10"
    assert error.source == "<stdin>"


def test_lone_surrogates_are_replaced_and_the_turn_scored(tmp_path: Path, coach: Coach) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"id": "a\\udc00", "turns": [{"speaker": "customer", "text": '
                    '"This is awful \\ud800 and \\ud83d\\ude00"}]}', encoding="utf-8")
    (transcript,) = _results(path)
    assert isinstance(transcript, Transcript)
    assert transcript.turns[0].text == "This is awful \ufffd and \U0001f600"
    assert transcript.id == "a\ufffd"
    report = coach.score(transcript)
    assert report.model_dump_json()  # writable as UTF-8


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_separators_in_jsonl_on_stdin_keep_lines_whole(
    monkeypatch: pytest.MonkeyPatch, separator: str
) -> None:
    lines = [json.dumps({**RECORD, "id": name, "turns": [
        {"speaker": "agent", "text": f"one{separator}two"}]}, ensure_ascii=False)
        for name in ("a", "b")]
    results = _stdin(monkeypatch, ("\n".join(lines) + "\n").encode("utf-8"))
    assert [r.id for r in results if isinstance(r, Transcript)] == ["a", "b"], results
    assert all(isinstance(r, Transcript) and separator in r.turns[0].text for r in results)


@pytest.mark.parametrize(("name", "content", "what"), [
    ("a.json", '{"id": "a", "turns": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "invalid JSON: nested too deeply"),
    ("a.jsonl", json.dumps(RECORD) + '\n{"id": "b", "x": ' + "[" * 100_000 + "]" * 100_000
     + ', "turns": []}\n', "invalid JSON: nested too deeply"),
    ("a.json", '{"id": "a", "turns": [], "start": ' + "9" * 5_000 + "}",
     "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
])
def test_deep_nesting_and_huge_numbers_are_located_errors(tmp_path: Path, name: str,
                                                          content: str, what: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    results = _results(path)
    error = results[-1]
    assert isinstance(error, InputError) and error.what.startswith(what), results
    assert error.location.startswith("line")
