"""--agent and --roles that name no speaker are an error listing the speakers, not a silent
fall-back to the heuristic; the case of a name does not matter."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from servicecoach.cli import main
from servicecoach.readers._roles import spelt_as_speakers

VTT = REPO / "examples" / "exports" / "support-call.vtt"
CSV = REPO / "examples" / "exports" / "chat-export.csv"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def speakers(out: str) -> list[str]:
    return [turn["speaker"] for turn in json.loads(out)["turns"]]


def test_an_agent_name_in_another_case_is_the_agent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["convert", str(VTT), "--agent", "jordan LEE"], capsys)
    assert code == 0
    assert speakers(out) == ["agent", "customer"] * 2 + ["agent"]
    assert json.loads(out)["metadata"]["role_source"] == "user"


def test_an_agent_name_that_matches_nobody_is_an_error_listing_the_speakers(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["convert", str(VTT), "--agent", "Sam Lee"], capsys)
    assert code == 2 and out.strip() in ("", "[]")
    assert ("support-call.vtt, transcript 'support-call': no speaker is called 'Sam Lee' "
            "(--agent); the speakers are 'Jordan Lee', 'Maria Lopez'") in err


def test_roles_that_match_nobody_are_an_error_and_a_partial_match_is_not(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["convert", str(VTT), "--roles", "spk_0=agent"], capsys)
    assert code == 2 and "no speaker is called 'spk_0' (--roles)" in err
    code, out, _ = run(["convert", str(VTT), "--roles", "maria lopez=customer",
                        "--roles", "spk_1=agent"], capsys)
    assert code == 0 and speakers(out)[:2] == ["agent", "customer"]


def test_an_export_that_states_every_role_needs_no_speaker_option(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["convert", str(CSV), "--agent", "Sam Lee"], capsys)
    assert code == 0, err


def test_spelt_as_speakers() -> None:
    assert spelt_as_speakers(["Jordan Lee", "spk_1"], {"SPK_1": "customer"}, "jordan lee") == (
        {"spk_1": "customer"}, "Jordan Lee")
    assert spelt_as_speakers([], {}, "Sam") == ({}, "Sam")  # nothing to match against
    with pytest.raises(ValueError, match=r"'x' \(--roles\) or 'Sam' \(--agent\); the speakers"):
        spelt_as_speakers(["a", "b"], {"x": "agent"}, "Sam")


def test_many_speakers_are_counted_and_long_names_cut() -> None:
    """The speakers were all listed, each whole: a WebVTT file of 1,000 voices of 220
    characters made an error line of 220 KB. The first five are named, each at most 40
    characters, and the rest counted."""
    labels = [f"Speaker {n} " + "x" * 200 for n in range(1_000)]
    with pytest.raises(ValueError, match="no speaker") as error:
        spelt_as_speakers(labels, {}, "nobody")
    message = str(error.value)
    assert message.endswith("'Speaker 4 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' and 995 more")
    assert len(message) < 400
