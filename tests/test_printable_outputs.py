"""`check` and `rules` outputs remove terminal escapes and control characters that come
from a transcript or a rule pack, as the text report does: a file cannot drive the
terminal of whoever reads the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicecoach.cli import main

HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b1A\x08\u202e"


def _controls(text: str) -> set[str]:
    return {c for c in text if c != "\n" and (ord(c) < 32 or 127 <= ord(c) < 160 or c == "\u202e")}


@pytest.mark.parametrize("output", ["text", "junit", "github"])
def test_check_output_is_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str,
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(f"%% id: call{HOSTILE}7\n%% expect-not: defensive.dismissive\n"
                    f"Customer: Where is my order{HOSTILE}?\nAgent: Calm down, it is on its way. {HOSTILE}\n",
                    encoding="utf-8")
    code = main(["check", str(path), "--format", output])
    out = capsys.readouterr().out
    assert code == 1 and "call" in out and "7" in out  # the failure is reported
    assert not _controls(out), out


def test_rules_output_is_printable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text(
        "id: p.x\nkind: phrase\ncategory: c\n"
        f"message: {json.dumps('said it' + HOSTILE)}\n"
        f"suggestion: {json.dumps('say' + HOSTILE + ' else')}\nmatch: {{phrases: [x]}}\n",
        encoding="utf-8")
    (pack / "r.test.transcript").write_text(f"# ruleid: p.x\nAgent: y{HOSTILE}\n",
                                            encoding="utf-8")
    for command in (["rules", "explain", "p.x"], ["rules", "list"], ["rules", "test"],
                    ["rules", "lint"]):
        main([*command, "--pack", str(pack)])
        out = capsys.readouterr().out
        assert out.strip(), command
        assert not _controls(out), (command, out)
    main(["rules", "explain", "p.x", "--pack", str(pack)])
    assert "Message: said it" in capsys.readouterr().out
