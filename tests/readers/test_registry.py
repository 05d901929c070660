"""Reader options, get_reader, read_sources/convert and the built-in registry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reader_helpers import FIXTURES

from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import Transcript
from servicecoach.readers import iter_sources, read_sources
from servicecoach.readers.registry import convert, get_reader, parse_roles, readers

NAMES = {"json", "jsonl", "text", "csv", "vtt", "connect", "transcribe", "genesys", "zendesk",
         "intercom", "liveperson", "salesforce", "twilio", "freshdesk", "ccai", "openai"}


def test_all_formats_are_registered_with_docs() -> None:
    assert NAMES <= set(readers())
    for reader in readers().values():
        assert reader.description and reader.extensions


def test_configure_returns_a_new_reader() -> None:
    plain = get_reader("vtt")
    configured = get_reader("vtt", agent="Sam")
    assert configured is not plain and configured.agent == "Sam"
    assert get_reader("vtt").agent is None


def test_bad_options_are_errors() -> None:
    with pytest.raises(ServiceCoachError, match="no option 'colour'"):
        get_reader("vtt", colour="red")
    with pytest.raises(ServiceCoachError, match="must be one of"):
        get_reader("vtt", roles={"spk_0": "boss"})
    with pytest.raises(ServiceCoachError, match="takes no options"):
        get_reader("json", agent="Sam")


def test_parse_roles() -> None:
    assert parse_roles(["spk_0=agent", "A=Customer,B=system"]) == {
        "spk_0": "agent", "A": "customer", "B": "system"}
    with pytest.raises(ServiceCoachError):
        parse_roles(["spk_0"])


def test_convert_auto_passes_options_to_the_detected_reader() -> None:
    results = list(convert([str(FIXTURES / "zoom.vtt"), str(FIXTURES / "ccai_upload.json")],
                           agent="Sam Patel"))
    assert all(isinstance(r, Transcript) for r in results)
    assert [t.speaker.value for t in results[0].turns] == ["customer", "agent"]


def test_convert_reports_missing_files_and_goes_on() -> None:
    results = list(convert(["/nonexistent/file.json", str(FIXTURES / "zoom.vtt")]))
    assert isinstance(results[0], InputError) and isinstance(results[1], Transcript)


BOM = "\ufeff"
CANONICAL = ('{"id": "%s", "turns": [{"speaker": "customer", "text": "%s"}, '
             '{"speaker": "agent", "text": "Hello!"}]}\n')


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.jsonl", CANONICAL % ("b1", "hi") + CANONICAL % ("b2", "hello")),
     ("a.json", CANONICAL % ("b1", "hi")),
     ("a.txt", "Customer: hi\nAgent: Hello!\n"),
     ("a.csv", ("conversation_id,speaker,text\nb1,customer,hi\nb1,agent,Hello!\n"
                "b2,customer,hey\nb2,agent,Hi!\n"))],
)
def test_a_byte_order_mark_is_read_like_any_file(tmp_path: Path, name: str, content: str) -> None:
    """Excel and many Windows tools start UTF-8 files with a BOM: nothing may be lost."""
    plain, marked = tmp_path / f"plain-{name}", tmp_path / f"bom-{name}"
    plain.write_text(content, encoding="utf-8")
    marked.write_text(BOM + content, encoding="utf-8")
    read_plain = [t for t in read_sources(iter_sources([str(plain)]))]
    read_marked = [t for t in read_sources(iter_sources([str(marked)]))]
    assert all(isinstance(t, Transcript) for t in read_marked), read_marked
    assert [t.turns for t in read_marked] == [t.turns for t in read_plain]  # type: ignore[union-attr]


def test_stdin_with_a_bom_and_raw_line_separators_in_strings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On stdin, a BOM is dropped and U+2028 / U+2029 / U+0085 inside a JSON string stay
    in their line, as they do when the same file is read from disk."""
    text = BOM + CANONICAL % ("s1", "one\u2028two\u2029three\u0085four") + CANONICAL % ("s2", "x")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    read = list(read_sources(iter_sources(["-"])))
    assert [t.id for t in read] == ["s1", "s2"], read  # type: ignore[union-attr]
    assert read[0].turns[0].text == "one\u2028two\u2029three\u0085four"  # type: ignore[union-attr]


def test_the_exclude_globs_are_given_once_and_leave_out_what_they_warn_of(tmp_path: Path) -> None:
    """`iter_sources` took the --exclude globs twice, as a list that left files out and in
    the tally that told the globs that matched nothing, so that the two could disagree (a
    glob told as matching nothing while it left a file out); until 2026-12-07. One
    `ExcludeGlobs` carries them: what it leaves out and what it warns of are one list."""
    from servicecoach.readers import ExcludeGlobs

    for name in ("a.txt", "b.txt", "notes/c.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("Agent: Hello\nCustomer: hi\n", encoding="utf-8")
    exclude = ExcludeGlobs(["b.txt", "notes", "missing.txt"])
    read = [Path(source.name).name for source in iter_sources([str(tmp_path)], exclude)]
    assert read == ["a.txt"]
    assert exclude.unmatched() == ["missing.txt"]


_GLOB_PARTS = ["a", "b", ".", "-", "/", "*", "?", "[ab]", "[!a]", "[", "]", "x1"]


@settings(max_examples=300, deadline=None)
@given(globs=st.lists(st.lists(st.sampled_from(_GLOB_PARTS), min_size=1, max_size=5)
                      .map("".join), max_size=6),
       names=st.lists(st.lists(st.sampled_from(["a", "b", ".", "-", "x1", "]", "["]),
                               min_size=1, max_size=4).map("".join), min_size=1, max_size=3))
def test_the_exclude_globs_filed_by_their_literal_ends_match_as_fnmatch_does(
        globs: list[str], names: list[str]) -> None:
    """The wildcard globs are filed by their literal start or end (so that a name is tried
    only on the globs it could match, since 2026-12-07); which file they leave out and which
    glob matches nothing are what fnmatch says of each glob on each name and path."""
    from fnmatch import fnmatchcase

    from servicecoach.readers.folders import _Globs

    paths = ["/".join(names[:i]) for i in range(1, len(names) + 1)]
    file_names = [path.rsplit("/", 1)[-1] for path in paths]
    stripped = [glob.strip("/") for glob in globs]

    def matches(glob: str, name: str, path: str) -> bool:
        return ("/" not in glob and fnmatchcase(name, glob)) or (
            (bool(_WILD_PARTS.intersection(glob)) or "/" in glob) and fnmatchcase(path, glob))

    compiled = _Globs(tuple(globs))
    assert compiled.match(file_names, paths) == any(
        matches(glob, name, path) for glob in stripped
        for name, path in zip(file_names, paths))
    assert compiled.unused(set(file_names), set(paths)) == [
        glob for glob in stripped
        if not any(matches(glob, name, path) for name, path in zip(file_names, paths))]


_WILD_PARTS = set("*?[")
