"""``--redact`` / ``Coach(redact=True)``: personal data masked in every text of a report."""

from __future__ import annotations

import json
import re
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
    # a number written next to the card (expiry, security code, a count) was read with it,
    # the longer run failed the Luhn check, and nothing was masked
    "card 4111 1111 1111 1111 12/25 123": "card [card] 12/25 123",
    "4111 1111 1111 1111 123 is the code": "[card] 123 is the code",
    "paid 2 4111-1111-1111-1111 twice": "paid 2 [card] twice",
    "cards 4111111111111111 5500000000000004": "cards [card] [card]",
    # digits of other scripts (full-width, as Japanese and Chinese input methods type them;
    # Arabic-Indic), no-break and other spaces, dashes, dots, and e-mail addresses with
    # letters that are not ASCII were written as they were
    "card ４１１１ １１１１ １１１１ １１１１ ok": "card [card] ok",
    "phone ０２０ ７９４６ ０９５８ ok": "phone [phone] ok",
    "رقمي ٠٢٠٧٩٤٦٠٩٥٨ شكرا": "رقمي [phone] شكرا",
    "call +44\u00a020\u00a07946\u00a00958 ok": "call [phone] ok",
    "card 4111\u20131111\u20131111\u20131111 ok": "card [card] ok",
    "card 4111.1111.1111.1111 ok": "card [card] ok",
    "mail josé@example.com or user@bücher.de": "mail [email] or [email]",
    "mail user＠example．com": "mail [email]",
    # groups split by '/', '_', a few spaces or a line break (a card typed over two lines)
    # were written as they were; the groups must then be laid out as a card's (4-4-4-4,
    # 4-6-5) and split the same way, so that dates and numbers on two lines stay
    "card 4111/1111/1111/1111 ok": "card [card] ok",
    "card 4111 1111\n1111 1111 ok": "card [card] ok",
    "card 4111-1111-\r\n1111-1111 ok": "card [card] ok",
    "card 4111_1111_1111_1111 ok": "card [card] ok",
    "card 4111  1111  1111  1111 ok": "card [card] ok",
    "amex 3782\n822463\n10005 ok": "amex [card] ok",
    "on 12/05/2026 at 10": "on 12/05/2026 at 10",
    "stay 01/05/2026-18/06/2026 booked": "stay 01/05/2026-18/06/2026 booked",
    "stay 01/05/2026\n18/06/2026 booked": "stay 01/05/2026\n18/06/2026 booked",
    "refs 1000003\n2000000 sent": "refs 1000003\n2000000 sent",
    # a number on the line before a card stays out of it (read on its own line first)
    "ref 12345\n4111 1111 1111 1111 ok": "ref 12345\n[card] ok",
    "ref 12345\n4111-1111-1111-1111": "ref 12345\n[card]",
    # a number before a card took the expression's 19 digits and left the card's last
    # group out of the match: the card was written as it was
    "order 1234\n4111/1111/1111/1111 ok": "order 1234\n[card] ok",
    "order 12345\n4111/1111/1111/1111 ok": "order 12345\n[card] ok",
    "order 12345 4111 1111 1111 1111 ok": "order 12345 [card] ok",
    "commande n° 12345 4111 1111 1111 1111 é": "commande n° 12345 [card] é",
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


def test_convert_redact_shares_canonical_transcripts_without_personal_data(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A QA lead could share masked reports but not the transcripts behind them: convert
    had no --redact. It masks the turns and the metadata values as score's reports are
    masked, and scoring the masked transcript finds what the original gives."""
    from servicecoach.cli import main

    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps({"id": "c1", "metadata": {
        "customer_name": "Dana Reyes", "contact": {"email": "dana@example.com"}}, "turns": [
        {"speaker": "customer", "text": "Card 4111 1111 1111 1111 was charged twice, I'm so "
                                        "angry. Call me on +1 415 555 0100."},
        {"speaker": "agent", "text": "Calm down, that's our policy."}]}) + "\n")
    assert main(["convert", str(path), "--redact"]) == 0
    out = capsys.readouterr().out
    record = json.loads(out)
    assert record["metadata"] == {"customer_name": "Dana Reyes",
                                  "contact": {"email": "[email]"}}
    assert [t["text"] for t in record["turns"]] == [
        "Card [card] was charged twice, I'm so angry. Call me on [phone].",
        "Calm down, that's our policy."]
    masked = tmp_path / "masked.jsonl"
    masked.write_text(out)
    findings = []
    for source in (path, masked):
        main(["score", str(source), "--format", "jsonl"])
        findings.append([(f["rule_id"], f["turn_index"])
                         for f in json.loads(capsys.readouterr().out)["findings"]])
    assert findings[0] == findings[1] and ("defensive.dismissive", 1) in findings[0]


def test_convert_redact_masks_the_fields_it_keeps_and_numbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`convert --redact` masked the turns' text and the metadata's strings only: a phone or
    card number that an export gives as a JSON number, and every field servicecoach keeps
    without reading it (a turn's, an event's, the record's own) and a transfer's target,
    were written as they were. Each string and number among them is masked; times, turn
    places and numbers that mask nothing stay as they are."""
    from servicecoach.cli import main

    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps({
        "id": "c1", "caller": "dana@example.com",
        "metadata": {"phone": 4155550123, "card": 4111111111111111, "fee": 12.5,
                     "float_phone": 4155550123.0, "queue": 7, "vip": True},
        "turns": [{"speaker": "customer", "text": "hi", "start": 4155550123,
                   "email": "dana@example.com", "extension": [4155550123]},
                  {"speaker": "agent", "text": "hello"}],
        "events": [{"type": "transfer", "after_turn": 0, "target": "dana@example.com",
                    "note": "card 4111 1111 1111 1111"}]}) + "\n")
    assert main(["convert", str(path), "--redact"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert "dana@" not in json.dumps(record) and "4111" not in json.dumps(record)
    assert record["caller"] == "[email]"
    assert record["metadata"] == {"phone": "[phone]", "card": "[card]", "fee": 12.5,
                                  "float_phone": "[phone]", "queue": 7, "vip": True}
    assert record["turns"][0] == {"speaker": "customer", "text": "hi", "start": 4155550123,
                                  "email": "[email]", "extension": ["[phone]"]}
    assert record["events"][0] == {"type": "transfer", "after_turn": 0, "target": "[email]",
                                   "note": "card [card]"}


def test_redact_keeps_the_times_and_ids_an_export_gives_as_numbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A whole number whose digits read as a phone number is masked, but an epoch
    started_at (ten digits) became '[phone]', so a redacted month could no longer be
    summarized by date: numbers of fields named as times or ids are kept."""
    from servicecoach.cli import main

    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps({"id": "c1", "metadata": {
        "started_at": 1764000000, "contactId": 4155550123, "phone": 4155550123},
        "turns": [{"speaker": "customer", "text": "hi"}]}) + "\n")
    assert main(["score", str(path), "--redact", "--format", "jsonl"]) in (0, 1)
    metadata = json.loads(capsys.readouterr().out)["metadata"]
    assert metadata == {"started_at": 1764000000, "contactId": 4155550123, "phone": "[phone]"}


def test_redact_masks_the_turns_of_the_html_report_and_keeps_its_highlights(
        tmp_path: Path) -> None:
    """`score --redact --report` wrote every turn's text into the page as it was: the card
    number and the e-mail address the reports masked were there to read. The page's turns
    are masked too, and a finding's span still points at its words."""
    from servicecoach.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps({"id": "r1", "turns": [
        {"speaker": "customer", "text": "My card 4111 1111 1111 1111 was charged twice, "
         "write to me at jo@example.com."},
        {"speaker": "agent", "text": "Your number is 020 7946 0958 on file. I will call you "
         "back."}]}) + "\n", encoding="utf-8")
    html_path = tmp_path / "report.html"
    assert main(["score", str(path), "--redact", "--report", str(html_path),
                 "-o", str(tmp_path / "out.txt")]) == 0
    page = html_path.read_text(encoding="utf-8")
    for secret in ("4111", "jo@example.com", "7946"):
        assert secret not in page
    data = page.split('id="servicecoach-data">')[1].split("</script>")[0]
    [record] = json.loads(data)
    turns = [text for _, text in record["turns"]]
    assert turns[1] == "Your number is [phone] on file. I will call you back."
    [promise] = [f for f in record["findings"] if f[0] == "commitment.vague"]
    assert turns[1][promise[5]:promise[6]] == promise[7] == "I will call you"


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1111 and 020 7946 0958, jo@example.com; IBAN GB82 WEST 1234 5698 7654 32",
    "account number 12345678 or acct #: 99-1234-5 at (555) 123-4567", "nothing to mask here"])
def test_offsets_move_with_the_masks(text: str) -> None:
    """`masked_offset` maps an offset of a text to the masked text: the words around each
    masked value are where it says, and an offset inside a value moves to its token."""
    from servicecoach.redact import masked, masked_offset, masks

    found = masks(text)
    shown = masked(text, found)
    assert shown == redact_text(text)
    words = [(m.start(), m.end()) for m in re.finditer(r"[a-z]{3,}", text)]
    for start, end in words:
        if not any(s < start < e for s, e, _ in found):
            assert shown[masked_offset(start, found):masked_offset(end, found, end=True)] \
                == text[start:end]
    for start, end, token in found:
        assert shown[masked_offset(start + 1, found):masked_offset(end - 1, found, end=True)] \
            == token


def test_each_run_of_digit_groups_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A card match holds at most 19 digits, and one that holds no card is read again from
    its second digit group: every run of groups in it was checked again at each re-reading
    (28 Luhn checks a digit), and 100,000 characters of "1 1 1 ..." took 9 s to mask.
    Only the runs that end past the match before are checked (at most 7 a digit group of
    one digit: the 13- to 19-digit runs ending at it), for each of the two card
    expressions."""
    from servicecoach import redact

    checked = 0
    luhn = redact._luhn

    def counted(*args: object) -> bool:
        nonlocal checked
        checked += 1
        return luhn(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(redact, "_luhn", counted)
    assert "[card]" not in redact_text("1 " * 5_000)
    assert checked <= 2 * 7 * 5_000
    assert redact_text("order 12345 4111 1111 1111 1111") == "order 12345 [card]"


def _agents_by_address(tmp_path: Path) -> Path:
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"c{n}", "metadata": {"agent_name": agent, "customer_email": "dana@example.org"},
        "turns": [{"speaker": "customer", "text": "Where is my parcel?"},
                  {"speaker": "agent", "text": "It ships on Friday."}]}) + "\n"
        for n, agent in enumerate(["ann.lee@acme.com", "bo.chan@acme.com", "Ann.Lee@ACME.com"])))
    return path


def test_redact_keeps_agents_known_by_address_apart(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every agent known only by an e-mail address was written as "[email]", so
    summarize --by agent_name merged them all into one agent; each address is a pseudonym
    of its own, the same for the same address (case aside), and the address is not written."""
    from servicecoach.cli import main

    main(["score", str(_agents_by_address(tmp_path)), "--format", "jsonl", "--redact"])
    out = capsys.readouterr().out
    reports = [json.loads(line) for line in out.splitlines()]
    agents = [report["metadata"]["agent_name"] for report in reports]
    assert "acme" not in out and "lee" not in out.lower() and "dana" not in out
    assert all(re.fullmatch(r"\[email [0-9a-f]{10}\]", agent) for agent in agents)
    assert agents[0] != agents[1] and agents[0] == agents[2]
    assert {report["metadata"]["customer_email"] for report in reports} == {"[email]"}
    (tmp_path / "reports.jsonl").write_text(out)
    main(["summarize", str(tmp_path / "reports.jsonl"), "--by", "agent_name", "--format", "json"])
    groups = json.loads(capsys.readouterr().out)["groups"]["agent_name"]
    assert sorted(group["conversations"] for group in groups) == [1, 2]


def test_convert_redact_gives_an_agent_the_pseudonym_its_reports_have(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from servicecoach.cli import main

    path = _agents_by_address(tmp_path)
    main(["score", str(path), "--format", "jsonl", "--redact"])
    scored = json.loads(capsys.readouterr().out.splitlines()[0])["metadata"]["agent_name"]
    main(["convert", str(path), "--redact"])
    converted = json.loads(capsys.readouterr().out.splitlines()[0])["metadata"]["agent_name"]
    assert converted == scored != "[email]"
