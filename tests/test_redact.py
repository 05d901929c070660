"""``--redact`` / ``Coach(redact=True)``: personal data masked in every text of a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicecoach import Coach
from servicecoach.redact import redact_text

CASES = {
    "Write to dana.k+1@mail.example.co.uk please": "Write to [email] please",
    "Call me on +44 20 7946 0958 tonight": "Call me on [phone] tonight",
    "my number is (555) 123-4567": "my number is [phone]",
    "card 4111 1111 1111 1111 expires": "card [card] expires",
    "card 4111-1111-1111-1112 is not Luhn-valid": "card 4111-1111-1111-1112 is not Luhn-valid",
    "account number 12345678 is frozen": "account number [account] is frozen",
    "acct #: 99-1234-5 closed": "acct #: [account] closed",
    "IBAN GB82 WEST 1234 5698 7654 32": "IBAN [account]",
    "order 1234 ships on 12/05": "order 1234 ships on 12/05",
}


@pytest.mark.parametrize(("text", "masked"), list(CASES.items()))
def test_redact_text(text: str, masked: str) -> None:
    assert redact_text(text) == masked


def test_a_redacting_coach_masks_findings_live_and_in_the_report() -> None:
    coach = Coach(redact=True)
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "I'm furious, email me at dana@example.com"})
    hints = session.add_turn({"speaker": "agent", "text":
                              "Calm down, dana@example.com, it's our policy. Card 4111 1111 "
                              "1111 1111 on file, call 555-123-4567."})
    report = session.close()
    dumped = json.dumps([f.model_dump(mode="json") for f in hints]) + report.model_dump_json()
    assert report.findings
    for secret in ("dana@example.com", "4111 1111 1111 1111", "555-123-4567"):
        assert secret not in dumped


def test_redact_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from servicecoach.cli import main

    path = tmp_path / "a.txt"
    path.write_text("Customer: My card 4111 1111 1111 1111 was charged twice!\n"
                    "Agent: Calm down, that's our policy for 4111 1111 1111 1111.\n")
    main(["score", str(path), "--format", "jsonl", "--redact"])
    out = capsys.readouterr().out
    assert "4111 1111" not in out and "defensive" in out
