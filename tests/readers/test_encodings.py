"""Encodings: a UTF-8 byte-order mark is accepted everywhere, UTF-16 and UTF-32 files with
one are read, bytes that are not UTF-8 are an error naming their line and offset (a reader
of one record a line reads on past them) or, in a document read whole, the record that holds
them (every other record is read), lone surrogates are replaced, and a U+2028 inside a JSON
Lines string never splits its line (from a file or from stdin)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach import Coach
from servicecoach.errors import InputError
from servicecoach.models import Transcript
from servicecoach.readers import base, convert, iter_sources, read_sources

BOM = b"\xef\xbb\xbf"
NOT_UTF8 = b"\xe9"
"""A Latin-1 "é": not UTF-8 on its own."""
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


def test_invalid_utf8_is_an_error_at_its_line_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = (json.dumps(RECORD) + "\n").encode("utf-8")
    after = (json.dumps({**RECORD, "id": "c"}) + "\n").encode("utf-8")
    path.write_bytes(good + b'{"id": "b", "turns": [{"speaker": "agent", "text": "caf\xe9"}]}\n'
                     + after)
    first, error, last = _results(path)
    assert isinstance(first, Transcript)  # the records before the bad byte are kept
    assert isinstance(error, InputError)
    offset = len(good) + len(b'{"id": "b", "turns": [{"speaker": "agent", "text": "caf')
    assert str(error) == (f"{path}:line 2, byte {offset}: invalid UTF-8 (save the file as "
                          "UTF-8 (it may be Latin-1 or Windows-1252))")
    assert isinstance(last, Transcript) and last.id == "c"  # and so are those after it


def test_a_bad_line_on_stdin_costs_only_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    good = json.dumps(RECORD).encode("utf-8") + b"\n"
    bad = b'{"id": "b", "turns": [{"speaker": "agent", "text": "caf\xe9"}]}\n'
    first, error, last = _stdin(monkeypatch, good + bad + json.dumps({**RECORD, "id": "c"}).encode())
    assert isinstance(first, Transcript) and isinstance(last, Transcript)
    assert isinstance(error, InputError)
    assert error.location == f"line 2, byte {len(good) + bad.index(NOT_UTF8)}"


def _with_bad_byte(records: list[dict[str, Any]], indent: int | None) -> bytes:
    """The records as a JSON array where each "caf@" is a Latin-1 "café"."""
    return json.dumps(records, indent=indent).encode("utf-8").replace(b"caf@", b"caf" + NOT_UTF8)


@pytest.mark.parametrize("indent", [None, 1], ids=["one line", "indented"])
def test_a_bad_byte_in_a_json_document_costs_only_its_record(tmp_path: Path,
                                                             indent: int | None) -> None:
    """An export read whole (here a JSON array, on one line or many) lost every record from
    the bad byte on: the record that holds it is refused, naming the record, the turn and
    the byte; every other record is read."""
    records = [{**RECORD, "id": f"r{i}"} for i in range(4)]
    records[2] = {"id": "r2", "turns": [RECORD["turns"][0],
                                        {"speaker": "customer", "text": "my caf@ order"}]}
    path = tmp_path / "export.json"
    path.write_bytes(_with_bad_byte(records, indent))
    results = _results(path)
    assert [r.id for r in results if isinstance(r, Transcript)] == ["r0", "r1", "r3"]
    (error,) = [r for r in results if isinstance(r, InputError)]
    assert (error.location, error.transcript_id, error.turn) == ("record 2", "r2", 1)
    assert "the text holds a byte that is not UTF-8 (0xE9)" in str(error)
    assert "save the file as UTF-8" in str(error)


@pytest.mark.parametrize(("record", "where"), [
    ({"id": "caf@", "turns": RECORD["turns"]}, "the id"),
    ({**RECORD, "metadata": {"customer_name": "Zo\u00e9 caf@"}}, "the metadata"),
    ({**RECORD, "metadata": {"crm": {"tags": ["vip", "caf@"]}}}, "the metadata"),
    ({"id": "a", "turns": [{**RECORD["turns"][0], "author": "caf@"}]}, "a field"),
])
def test_a_bad_byte_anywhere_in_a_record_refuses_it(tmp_path: Path, record: dict[str, Any],
                                                     where: str) -> None:
    """No character that is not in the file reaches a report: a bad byte in the id, the
    metadata (however nested) or a turn's other fields refuses the record too."""
    path = tmp_path / "export.json"
    path.write_bytes(_with_bad_byte([record, {**RECORD, "id": "ok"}], None))
    error, kept = _results(path)
    assert isinstance(error, InputError) and f"{where} holds a byte that is not UTF-8" in str(error)
    assert isinstance(kept, Transcript) and kept.id == "ok"


def test_a_bad_byte_in_one_chat_of_a_salesforce_log_costs_only_that_chat(tmp_path: Path) -> None:
    chat = ("Chat Started: Tuesday, March 04, 2025, 14:02:10 (+0000)\n"
            "( 4s ) Dana K: Hello, you're chatting with Dana.\n"
            "( 21s ) Priya N: {text}\n")
    path = tmp_path / "log.txt"
    log = chat.format(text="Where is my order?") + "****\n" + chat.format(text="my caf@ order")
    path.write_bytes(log.encode("utf-8").replace(b"caf@", b"caf" + NOT_UTF8))
    first, error = list(read_sources([base.Source.from_path(path)], "salesforce"))
    assert isinstance(first, Transcript) and "Where is my order?" in first.turns[1].text
    assert isinstance(error, InputError) and "(0xE9)" in str(error) and error.turn == 1


def test_a_file_whose_format_cannot_be_told_for_a_bad_byte_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"first line\nsecond caf" + NOT_UTF8 + b"\n")
    (error,) = _results(path)
    assert isinstance(error, InputError) and error.location == "line 2"
    assert "holds bytes that are not UTF-8 (0xE9)" in str(error)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
@pytest.mark.parametrize(
    ("name", "content", "ids"),
    [
        ("a.jsonl", json.dumps(RECORD) + "\r\n" + json.dumps({**RECORD, "id": "b"}) + "\r\n",
         ["a", "b"]),
        # a spreadsheet's "Unicode text": tab-separated UTF-16 with a byte-order mark
        ("a.csv", ("conversation_id\tspeaker\ttext\r\nc1\tagent\tHello\r\n"
                   "c1\tcustomer\tHi, caf\u00e9 \U0001f600\r\n"), ["c1"]),
    ],
)
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(
        tmp_path: Path, codec: str, name: str, content: str, ids: list[str]) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}
    _read_as_its_utf8_twin(tmp_path, name, bom[codec] + content.encode(codec), content, ids)


def _read_as_its_utf8_twin(tmp_path: Path, name: str, raw: bytes, content: str,
                           ids: list[str]) -> None:
    """`raw` (the text `content` in another encoding) reads as the same file in UTF-8."""
    path = tmp_path / name
    path.write_bytes(raw)
    twin = tmp_path / f"utf8-{name}"
    twin.write_text(content, encoding="utf-8", newline="")
    results, expected = _results(path), _results(twin)
    assert [r.id for r in results if isinstance(r, Transcript)] == ids, results
    assert results == expected


def test_utf16_on_stdin_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    (result,) = _stdin(monkeypatch, b"\xff\xfe" + json.dumps(RECORD).encode("utf-16-le"))
    assert isinstance(result, Transcript) and result.id == "a"


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
     "invalid JSON: nested more than 900 levels deep"),
    ("a.jsonl", json.dumps(RECORD) + '\n{"id": "b", "x": ' + "[" * 100_000 + "]" * 100_000
     + ', "turns": []}\n', "invalid JSON: nested more than 900 levels deep"),
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


def test_utf16_lines_split_across_blocks_come_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines, a "\\r\\n" and a character of two code units cut at any block boundary."""
    monkeypatch.setattr(base, "_WIDE_BLOCK", 3)
    data = "\ufeffab\r\ncd\re\U0001f600f\ng".encode("utf-16-le")
    assert list(base.wide_lines(io.BytesIO(data), "utf-16")) == ["ab\r\n", "cd\r", "e\U0001f600f\n", "g"]


def _plain_lines(text: str, limit: int | None) -> list[str | tuple[int, int]]:
    """The lines of `text` read whole (ends kept, split at "\n", "\r\n" and "\r"), each
    longer than `limit` bytes in UTF-8 as (its length, the limit)."""
    lines = io.StringIO(text, newline="").readlines()
    sizes = [len(line.encode("utf-8")) for line in lines]
    return [(size, limit) if limit is not None and size > limit else line
            for line, size in zip(lines, sizes, strict=True)]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bc", "\u00e9", "\U0001f600", "\r", "\n", "\r\n",
                                      "\u2028"]), max_size=40).map("".join),
       codec=st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]),
       block=st.integers(1, 9), limit=st.one_of(st.none(), st.integers(0, 24)))
def test_wide_lines_are_the_lines_of_the_text_read_whole(
        text: str, codec: str, block: int, limit: int | None) -> None:
    """Read block by block (a character, a "\r\n" or a line cut at any boundary), capped
    or not, the lines are those of the whole text split at once."""
    original = base._WIDE_BLOCK
    base._WIDE_BLOCK = block
    try:
        handle = io.BytesIO(text.encode(codec))
        read = [(line.length, line.limit) if isinstance(line, base.LongLine) else line
                for line in (base.wide_lines(handle, codec) if limit is None
                             else base.wide_lines(handle, codec, limit))]
    finally:
        base._WIDE_BLOCK = original
    assert read == _plain_lines(text, limit)


def test_a_csv_row_that_is_not_utf8_costs_only_that_row(tmp_path: Path) -> None:
    """The row is reported at its line; the conversations before and after it are read."""
    path = tmp_path / "chats.csv"
    path.write_bytes(b"conversation_id,speaker,text\nc1,agent,Hello\nc1,customer,Hi\n"
                     b"c2,agent,caf" + NOT_UTF8 + b"\nc3,agent,Hello\nc3,customer,Hi\n")
    results = _results(path)
    assert [r.id for r in results if isinstance(r, Transcript)] == ["c1", "c3"]
    (error,) = [r for r in results if isinstance(r, InputError)]
    assert error.location is not None and error.location.startswith("line 4, byte ")


UNMARKED = [
    ("a.jsonl", json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "id": "b"}) + "\n", ["a", "b"]),
    ("a.csv", ("conversation_id,speaker,text\r\nc1,agent,Hello\r\n"
               "c1,customer,Hi, caf\u00e9 \U0001f600\r\n"), ["c1"]),
]
UNMARKED_UTF16 = [  # a name that is not Latin-1 among the first characters: UTF-16 is told
    ("a.txt", "%% id: a\nAgent: \u0141ukasz \u0105\u0119 here, how can I help?\nCustomer: Hi\n",
     ["a"]),
]


@pytest.mark.parametrize(("codec", "name", "content", "ids"), [
    *[(codec, *case) for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
      for case in UNMARKED],
    *[(codec, *case) for codec in ("utf-16-le", "utf-16-be") for case in UNMARKED_UTF16],
])
def test_utf16_and_utf32_files_without_a_byte_order_mark_are_read(
        tmp_path: Path, codec: str, name: str, content: str, ids: list[str]) -> None:
    """Every other byte NUL (UTF-16) or three in four (UTF-32): no UTF-8 text looks so, and
    the file is read as the wide encoding its first characters show (it was "cannot tell
    the input format", with no word of the encoding)."""
    _read_as_its_utf8_twin(tmp_path, name, content.encode(codec), content, ids)


def test_utf16_without_a_byte_order_mark_on_stdin_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    (result,) = _stdin(monkeypatch, json.dumps(RECORD).encode("utf-16-le"))
    assert isinstance(result, Transcript) and result.id == "a"


@pytest.mark.parametrize("start", [
    b'{"id": "a"}', "Agent: caf\u00e9 \u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9".encode(), b"",
    b"\x00\x00\x00\x00", b"{\x00", b"\x00" * 64,
])
def test_utf8_and_too_little_are_never_taken_for_a_wide_encoding(start: bytes) -> None:
    assert base.wide_encoding(start) is None


def test_wide_text_that_cannot_be_told_is_an_error_that_says_so(tmp_path: Path) -> None:
    """UTF-16 whose first characters are mostly not ASCII is not guessed at: the error says
    the file holds NUL bytes and how to save it."""
    path = tmp_path / "a.txt"
    path.write_bytes("Agent: \u60a8\u597d\uff0c\u6b22\u8fce\u81f4\u7535\uff0c\u8bf7\u95ee"
                     "\u6709\u4ec0\u4e48\u53ef\u4ee5\u5e2e\u60a8\n"
                     "Customer: \u4f60\u597d\n".encode("utf-16-le"))
    (error,) = _results(path)
    assert isinstance(error, InputError)
    assert "NUL bytes" in error.what and "UTF-16" in error.what
    assert error.hint.startswith("save it as UTF-8")


def test_json_lines_joined_from_files_that_each_began_with_a_byte_order_mark_are_read(
        tmp_path: Path) -> None:
    """`cat a.jsonl b.jsonl` of two files saved with a byte-order mark leaves one at the
    start of b's first line: that record was "invalid JSON: Expecting value at column 1"."""
    record = '{"id": "%s", "turns": [{"speaker": "agent", "text": "Hello"}]}\n'
    path = tmp_path / "joined.jsonl"
    path.write_bytes(("\ufeff" + record % "a" + "\ufeff" + record % "b").encode("utf-8"))
    assert [t.id for t in read_sources(iter_sources([str(path)]))] == ["a", "b"]


def test_a_bad_sequence_in_a_utf16_document_costs_only_its_record(tmp_path: Path) -> None:
    """UTF-16 fails on bytes below 0x80 too (a lone surrogate's first byte may be 0x00):
    their marks are looked for as well, so none reaches a report."""
    records = [{**RECORD, "id": f"r{i}"} for i in range(3)]
    records[1] = {"id": "r1", "turns": [{"speaker": "agent", "text": "caf@"}]}
    encoded = json.dumps(records, indent=1).encode("utf-16-le")
    lone = b"\x00\xd8"  # U+D800 alone, then "!": no UTF-16 decoder reads it
    path = tmp_path / "export.json"
    path.write_bytes(b"\xff\xfe" + encoded.replace("caf@".encode("utf-16-le"),
                                                   "caf".encode("utf-16-le") + lone))
    results = _results(path)
    assert [r.id for r in results if isinstance(r, Transcript)] == ["r0", "r2"]
    (error,) = [r for r in results if isinstance(r, InputError)]
    assert error.transcript_id == "r1" and "the text holds a byte that is not UTF-8" in str(error)
