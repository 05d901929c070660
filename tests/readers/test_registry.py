"""Reader options, get_reader, read_sources/convert and the built-in registry."""

from __future__ import annotations

import pytest
from reader_helpers import FIXTURES

from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.models import Transcript
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
