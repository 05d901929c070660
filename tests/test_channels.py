"""Channels: social and e-mail read from the export or set by the user, the core pack's
channel profiles (sign-offs that introduce on social, signature blocks on e-mail), chat
left as it was, and strict, located errors for a broken profile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SHARED

from servicecoach import Coach, Transcript
from servicecoach.channels import channel_named
from servicecoach.cli import main
from servicecoach.config import CoachConfig
from servicecoach.errors import RulePackError
from servicecoach.readers.base import Source
from servicecoach.readers.registry import get_reader

FIXTURES = REPO / "tests" / "readers" / "fixtures"
OPENING_CLOSING = ("greeting.missing", "greeting.no-introduction", "closing.missing")


def conversation(channel: str | None, *turns: tuple[str, str], **metadata: str) -> Transcript:
    record: dict[str, Any] = {"id": "t", "metadata": metadata,
                              "turns": [{"speaker": s, "text": t} for s, t in turns]}
    if channel is not None:
        record["channel"] = channel
    return Transcript.model_validate(record)


def fired(coach: Coach, transcript: Transcript) -> set[str]:
    return {f.rule_id for f in coach.score(transcript).findings}


COMPLAINT = ("customer", "@AcmeHelp my parcel never arrived and nobody answers my emails")


# --- social: sign-offs -----------------------------------------------------------------

@pytest.mark.parametrize("reply", [
    "@dana Hi! Sorry about that, please DM us the order number and we'll check. ^JD",
    "@dana Hi! Sorry about that, please DM us the order number and we'll check. -Dana",
    "@dana Hi! Sorry about that, please DM us the order number. ^CharlesOpacki",
    "@dana Hi! Sorry about that, please DM us the order number. Hope this helps. Jason",
    "@dana Hi! Sorry about that, please DM us the order number and we'll check. ^JD 1/2",
])
def test_social_reply_signed_with_initials_or_a_name_is_an_introduction(
        coach: Coach, reply: str) -> None:
    report = coach.score(conversation("social", COMPLAINT, ("agent", reply)))
    ids = {f.rule_id for f in report.findings}
    assert "greeting.no-introduction" not in ids
    assert "greeting.introduced" in ids


@pytest.mark.parametrize("reply", [
    "@dana Hi! Sorry about that, please DM us the order number and we'll check.",
    "@dana Hi! Please DM us the order number. Hope this helps. Thanks",
    "@dana Hi! Please DM us the order number, we're on it.",
])
def test_social_reply_where_the_agent_never_identifies_still_fires(
        coach: Coach, reply: str) -> None:
    """CHECKS.md: on social channels too, no name in the opening is greeting.no-introduction."""
    assert "greeting.no-introduction" in fired(coach, conversation("social", COMPLAINT,
                                                                   ("agent", reply)))


def test_a_social_reply_ending_with_the_customers_name_is_not_a_sign_off(coach: Coach) -> None:
    reply = "@dana Hi! Please DM us the order number so we can look. Talk soon. Dana"
    transcript = conversation("social", COMPLAINT, ("agent", reply), customer_name="Dana")
    assert "greeting.no-introduction" in fired(coach, transcript)


def test_thanks_for_the_shout_greets_on_social_only(coach: Coach) -> None:
    reply = ("agent", "@dana Thanks for the shout! You can manage the ads in your account. ^JD")
    assert "greeting.missing" not in fired(coach, conversation("social", COMPLAINT, reply))
    assert "greeting.missing" in fired(coach, conversation("chat", COMPLAINT, reply))


def test_appreciating_the_tag_greets_on_every_channel(coach: Coach) -> None:
    """Appreciation of the contact is thanks for it ("Appreciate the tag"), a greeting on
    chat too; appreciation of something else is none."""
    reply = ("agent", "@dana Appreciate the tag! You can manage the ads in your account. ^JD")
    assert "greeting.missing" not in fired(coach, conversation("chat", COMPLAINT, reply))
    other = ("agent", "We'd appreciate your patience. You can manage the ads in your account.")
    assert "greeting.missing" in fired(coach, conversation("chat", COMPLAINT, other))


def test_a_name_alone_at_the_end_is_not_a_sign_off_on_chat(coach: Coach) -> None:
    """Hard negative: chat keeps its own reading; the social conventions do not leak."""
    reply = ("agent", "Hi! Please send the order number. Hope this helps. Jason")
    assert "greeting.no-introduction" in fired(coach, conversation("chat", COMPLAINT, reply))


# --- e-mail: signature blocks -----------------------------------------------------------

EMAIL_QUESTION = ("customer", "Hello, my order 1234 never arrived and I need it by Friday.")
SIGNED_EMAIL = ("Dear customer,\n\nI am sorry your order is late. I have sent a replacement "
                "by express delivery; it will arrive on Thursday.\n\n{sign}")


@pytest.mark.parametrize("sign", [
    "Kind regards,\nDana Smith\nAcme Support",
    "Best,\nDana",
    "Sincerely,\n\nDana Smith",
    "Thanks,\nDana",
    "Have a good day.\nDana",
])
def test_email_with_a_signature_block_introduces_the_agent(coach: Coach, sign: str) -> None:
    transcript = conversation("email", EMAIL_QUESTION, ("agent", SIGNED_EMAIL.format(sign=sign)))
    ids = fired(coach, transcript)
    assert "greeting.no-introduction" not in ids
    assert "greeting.missing" not in ids


@pytest.mark.parametrize("sign", ["Kind regards,\nAcme Support", "Kind regards,\nThe team",
                                  "Kind regards."])
def test_email_signed_by_the_company_only_still_fires(coach: Coach, sign: str) -> None:
    transcript = conversation("email", EMAIL_QUESTION, ("agent", SIGNED_EMAIL.format(sign=sign)))
    assert "greeting.no-introduction" in fired(coach, transcript)


def test_a_signature_block_is_no_introduction_on_chat(coach: Coach) -> None:
    reply = ("agent", SIGNED_EMAIL.format(sign="Kind regards,\nDana Smith"))
    assert "greeting.no-introduction" in fired(coach, conversation("chat", EMAIL_QUESTION, reply))


# --- chat and voice unchanged by the profiles ----------------------------------------------

@pytest.fixture(scope="module")
def coach_without_profiles(tmp_path_factory: pytest.TempPathFactory) -> Coach:
    """The core pack with its `channels:` section cut off."""
    folder = tmp_path_factory.mktemp("packs") / "core"
    shutil.copytree(REPO / "rules" / "core", folder)
    manifest = folder / "pack.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text[: text.index("\nchannels:")] + "\n", encoding="utf-8")
    return Coach(packs=[str(folder)])


def test_chat_and_voice_reports_are_the_same_with_and_without_profiles(
        coach: Coach, coach_without_profiles: Coach) -> None:
    records = [json.loads(line) for line in
               (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()]
    assert len(records) > 20
    for record in records:
        for channel in ("chat", "voice"):
            transcript = Transcript.model_validate({**record, "channel": channel})
            with_profiles = [f.model_dump() for f in coach.score(transcript).findings]
            without = [f.model_dump() for f in coach_without_profiles.score(transcript).findings]
            assert with_profiles == without, (record["id"], channel)


# --- where the channel comes from ---------------------------------------------------------

def test_configured_channel_applies_only_when_the_transcript_does_not_say() -> None:
    coach = Coach(CoachConfig(channel="social"))
    reply = ("agent", "@dana Hi! Please DM us the order number. Hope this helps. Jason")
    assert coach.score(conversation(None, COMPLAINT, reply)).channel.value == "social"
    assert coach.score(conversation("chat", COMPLAINT, reply)).channel.value == "chat"


@pytest.mark.parametrize(("value", "channel"), [
    ("twitter", "social"), ("Facebook", "social"), ("instagram_dm", "social"),
    ("email", "email"), ("web", "chat"), ("native_messaging", "chat"), ("phone_call", "voice"),
    ("api", None), (None, None), (7, None),
])
def test_vendor_channel_values(value: object, channel: str | None) -> None:
    assert channel_named(value) == channel


def _read(reader: str, path: Path) -> Transcript:
    (result,) = list(get_reader(reader).read(Source.from_path(path)))
    assert isinstance(result, Transcript), result
    return result


def _rewritten(tmp_path: Path, name: str, change: Any) -> Path:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / Path(name).name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_zendesk_via_channel(tmp_path: Path) -> None:
    assert "channel" not in _read("zendesk", FIXTURES / "zendesk_audits.json").model_fields_set

    def by_email(data: dict[str, Any]) -> None:
        data["audits"][0]["via"] = {"channel": "email", "source": {}}
    assert _read("zendesk", _rewritten(tmp_path, "zendesk_audits.json", by_email)).channel.value \
        == "email"

    def by_twitter(data: dict[str, Any]) -> None:
        data["audits"][0]["via"] = {"channel": "twitter"}
    assert _read("zendesk", _rewritten(tmp_path, "zendesk_audits.json", by_twitter)
                 ).channel.value == "social"


def test_freshdesk_conversation_source(tmp_path: Path) -> None:
    def tweets(data: list[dict[str, Any]]) -> None:
        del data[2:]  # one ticket
        data[0]["source"] = 5
    assert _read("freshdesk", _rewritten(tmp_path, "freshdesk_html.json", tweets)
                 ).channel.value == "social"

    def emails(data: list[dict[str, Any]]) -> None:
        del data[2:]
        data[0]["source"] = 1
    assert _read("freshdesk", _rewritten(tmp_path, "freshdesk_html.json", emails)
                 ).channel.value == "email"


def test_intercom_source_type(tmp_path: Path) -> None:
    def emails(data: dict[str, Any]) -> None:
        data["source"]["type"] = "email"
    assert _read("intercom", _rewritten(tmp_path, "intercom_conversation.json", emails)
                 ).channel.value == "email"


def test_genesys_media_type(tmp_path: Path) -> None:
    assert _read("genesys", FIXTURES / "genesys" / "sta_transcript.json").channel.value == "voice"

    def emails(data: dict[str, Any]) -> None:
        data["mediaType"] = "email"
    assert _read("genesys", _rewritten(tmp_path, "genesys/sta_transcript.json", emails)
                 ).channel.value == "email"


def test_twitter_csv_is_social(tmp_path: Path) -> None:
    path = tmp_path / "twcs.csv"
    path.write_text("tweet_id,author_id,inbound,created_at,text,conversation_id\n"
                    "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare is the worst,c1\n"
                    "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,@115712 Sorry! ^AB,c1\n",
                    encoding="utf-8")
    assert _read("csv", path).channel.value == "social"


def test_cli_channel_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"id": "t1", "turns": [
        {"speaker": "customer", "text": COMPLAINT[1]},
        {"speaker": "agent", "text": "@dana Hi! Please DM us the order number. ^JD"}]}),
        encoding="utf-8")
    assert main(["score", str(path), "--format", "json", "--channel", "social"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["channel"] == "social"


# --- the profile in pack.yaml: strict, located errors ---------------------------------------

def _pack(tmp_path: Path, profile: str) -> Path:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        f'name: house\nversion: "1"\nextends: [core]\nchannels:\n{profile}', encoding="utf-8")
    return folder


@pytest.mark.parametrize(("profile", "line", "message"), [
    ("  social:\n    disable: [greeting.mising]\n", 6, "no rule 'greeting.mising'"),
    ("  social:\n    rules:\n      empathy.missing:\n        settings: {a: 1}\n", 7,
     "only builtin rules"),
    (("  social:\n    rules:\n      greeting.no-introduction:\n        settings:\n"
     "          sign_off: true\n"), 7, "unknown setting(s) sign_off"),
    (("  social:\n    rules:\n      greeting.no-introduction:\n        settings:\n"
     "          sign_off_name: 'yes'\n"), 7, "takes true or false"),
    (("  social:\n    rules:\n      closing.missing:\n        phrases:\n          farewell:\n"
     "            phrases: [bye]\n"), 7, "unknown phrase list(s) farewell"),
    ("  social:\n    disabled: [greeting.missing]\n", 6, "unknown key 'channels.social.disabled'"),
    ("  fax:\n    disable: [greeting.missing]\n", 5, "channels.fax"),
])
def test_profile_errors_are_located(tmp_path: Path, profile: str, line: int,
                                    message: str) -> None:
    folder = _pack(tmp_path, profile)
    with pytest.raises(RulePackError) as raised:
        Coach(packs=[str(folder)])
    assert raised.value.path.endswith("pack.yaml")
    assert raised.value.line == line, raised.value.render()
    assert message in raised.value.what, raised.value.render()


def test_a_house_profile_switches_a_rule_off_on_its_channel(tmp_path: Path) -> None:
    coach = Coach(packs=[str(_pack(tmp_path, "  social:\n    disable: [closing.missing]\n"))])
    reply = ("agent", "@dana Please DM us the order number. ^JD")
    assert "closing.missing" not in fired(coach, conversation("social", COMPLAINT, reply))
    assert "closing.missing" in fired(coach, conversation("chat", COMPLAINT, reply))


# --- counts on the real social threads ----------------------------------------------------

CORPORA = SHARED / "corpora"


@pytest.mark.skipif(not (CORPORA / "ibm_twitter_care_dev.jsonl").is_file(),
                    reason="../shared/corpora/ is not beside the checkout")
def test_social_profile_only_removes_findings_on_twitter_threads(coach: Coach) -> None:
    """On the 525 Twitter threads, reading them as social removes findings (long sign-off
    handles, a name alone at the end) and adds none."""
    social = Coach(CoachConfig(channel="social"))
    removed = 0
    for line in (CORPORA / "ibm_twitter_care_dev.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("channel", None)
        transcript = Transcript.model_validate(record)
        as_chat = fired(coach, transcript) & set(OPENING_CLOSING)
        as_social = fired(social, transcript) & set(OPENING_CLOSING)
        assert as_social <= as_chat, record["id"]
        removed += len(as_chat - as_social)
    assert removed >= 4


# --- the channel pages: their examples run and say what the command prints ---------------

CHANNEL_PAGES = [REPO / "docs" / "channels.md",
                 *sorted((REPO / "docs" / "channels").glob("*.md"))]


def _blocks(page: Path, language: str) -> list[str]:
    blocks, current = [], None
    for line in page.read_text(encoding="utf-8").splitlines():
        if current is None and line == f"```{language}":
            current = []
        elif current is not None and line == "```":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _gist(output: str) -> list[str]:
    """What a report says, without its wording: the header, each finding's rule id and
    kind (+ strength, - issue), and the notes."""
    gist = []
    for line in output.splitlines():
        words = line.split()
        if not words:
            continue
        if line[0] != " ":
            gist.append(line)
        elif words[0] in "+-" and len(words) > 3:
            gist.append(f"{words[0]} {words[1]} {words[3].rstrip(':')}")
        elif words[0] == "note:":
            gist.append(line.strip())
    return gist


def test_every_channel_page_exists() -> None:
    assert {page.stem for page in CHANNEL_PAGES} == {"channels", "voice", "chat", "social",
                                                     "email"}


@pytest.mark.parametrize("page", CHANNEL_PAGES, ids=lambda page: page.name)
def test_channel_page_commands_print_what_the_page_shows(
        page: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for block in _blocks(page, "console"):
        command, *shown = block.splitlines()
        assert command.startswith("$ servicecoach "), command
        capsys.readouterr()
        main(command.split()[2:])
        printed = capsys.readouterr().out
        assert _gist(printed) == _gist("\n".join(shown)), (page.name, command, printed)


def test_the_profile_example_of_the_docs_loads_and_applies(tmp_path: Path) -> None:
    (example,) = [block for block in _blocks(REPO / "docs" / "channels.md", "yaml")
                  if "channels:" in block]
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "pack.yaml").write_text(example, encoding="utf-8")
    coach = Coach(packs=[str(folder)])
    reply = ("agent", "@dana Hi! Please DM us the order number. (Dana)")
    assert {"greeting.no-introduction", "closing.missing"} & fired(
        coach, conversation("social", COMPLAINT, reply)) == set()
    assert {"greeting.no-introduction", "closing.missing"} <= fired(
        coach, conversation("chat", COMPLAINT, reply))


def test_configured_channel_reaches_worker_processes(
        capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(REPO / "examples" / "channels" / name) for name in ("thread.jsonl", "ticket.json")]
    assert main(["score", *paths, "--channel", "social", "--workers", "2",
                 "--format", "jsonl"]) == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [report["channel"] for report in reports] == ["social", "social"]


def test_a_house_profile_adds_to_the_core_profile_of_the_channel(tmp_path: Path) -> None:
    coach = Coach(packs=[str(_pack(tmp_path, (
        "  social:\n    rules:\n      greeting.no-introduction:\n        phrases:\n"
        "          signature:\n            regex: ['\\(dana\\)\\s*$']\n")))])
    for signed in ("Please DM us the order number. (Dana)",          # the house's sign-off
                   "Please DM us the order number. ^CharlesOpacki",  # core's social one
                   "Please DM us the order number. ^JD"):           # the rule's own
        transcript = conversation("social", COMPLAINT, ("agent", f"@dana Hi! {signed}"))
        assert "greeting.no-introduction" not in fired(coach, transcript), signed
    house_on_chat = conversation("chat", COMPLAINT, ("agent", "@dana Hi! DM us. (Dana)"))
    assert "greeting.no-introduction" in fired(coach, house_on_chat)
