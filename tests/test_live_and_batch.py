"""Scoring a whole transcript replays the live path: both give identical findings."""

from __future__ import annotations

import json

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach import Coach, InputError, Report, Transcript
from servicecoach.models import FindingKind
from servicecoach.readers.text import block_to_transcript, parse_blocks
from servicecoach.testing.annotations import find_test_files


def all_test_transcripts() -> list[Transcript]:
    """Every conversation of every annotated rule test, example and development-set record."""
    found: list[Transcript] = []
    for path in find_test_files([REPO / "rules"]):
        with path.open(encoding="utf-8") as handle:
            for block in parse_blocks(handle):
                parsed = block_to_transcript(block, source=str(path),
                                             default_id=f"{path.name}:{block.first_line}")
                if isinstance(parsed, Transcript):
                    found.append(parsed)
    devset = REPO / "tests" / "devset" / "transcripts.jsonl"
    for line in devset.read_text(encoding="utf-8").splitlines():
        found.append(_placed(Transcript.model_validate(json.loads(line))))
    return found


def _placed(transcript: Transcript) -> Transcript:
    """Timed events given the turn they follow, as a live host would deliver them."""
    starts = [turn.start or 0.0 for turn in transcript.turns]
    events = tuple(
        event if event.after_turn is not None else event.model_copy(
            update={"after_turn": sum(1 for s in starts if s <= (event.at or 0)) - 1})
        for event in transcript.events
    )
    return transcript.model_copy(update={"events": events})


def live(coach: Coach, transcript: Transcript) -> tuple[list, Report]:  # type: ignore[type-arg]
    """Feed a transcript like a live host: each event right after the turn it follows."""
    session = coach.session(transcript.metadata, channel=transcript.channel,
                            transcript_id=transcript.id)
    hints = []
    for event in transcript.events:
        assert event.after_turn is not None, "test transcripts place their events"
    for event in (e for e in transcript.events if e.after_turn == -1):
        hints.extend(session.add_event(event))
    for index, turn in enumerate(transcript.turns):
        hints.extend(session.add_turn(turn))
        for event in (e for e in transcript.events if e.after_turn == index):
            hints.extend(session.add_event(event))
    return hints, session.close()


TRANSCRIPTS = all_test_transcripts()


def test_there_are_transcripts_to_compare() -> None:
    assert len(TRANSCRIPTS) >= 20


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.id)
def test_live_session_equals_batch(coach: Coach, transcript: Transcript) -> None:
    hints, live_report = live(coach, transcript)
    batch = coach.score(transcript)
    assert live_report.findings == batch.findings
    assert live_report.scores == batch.scores
    # every hint given live is in the final report, at the same turn; a live cue is in it
    # when cues are asked for
    assert {hint for hint in hints if hint.kind is not FindingKind.CUE} <= set(batch.findings)
    assert set(hints) <= set(coach.score(transcript, cues=True).findings)


SENTENCES = [
    ("customer", "This is the third time I've called and I'm fed up."),
    ("customer", "Where is my parcel?"),
    ("customer", "Thanks, that helps."),
    ("customer", "Oh great, another hour on hold."),
    ("agent", "I'm so sorry about that, let's fix it."),
    ("agent", "I understand, but that's our policy."),
    ("agent", "Calm down, as I already said."),
    ("agent", "We don't do refunds."),
    ("agent", "I can't thank you enough for your patience."),
    ("agent", "You should have read the terms."),
    ("agent", "Can I have your order number?"),
    ("system", "Chat transferred."),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=25),
       st.sampled_from(["voice", "chat"]))
def test_any_conversation_gives_the_same_findings_live_and_in_batch(
    coach: Coach, turns: list[tuple[str, str]], channel: str
) -> None:
    transcript = Transcript.model_validate({
        "id": "generated", "channel": channel, "metadata": {"customer_name": "Dana"},
        "turns": [{"speaker": s, "text": t, "start": float(i * 10)} for i, (s, t) in enumerate(turns)],
    })
    _, live_report = live(coach, transcript)
    assert live_report == coach.score(transcript)


def test_a_closed_session_refuses_more_turns(coach: Coach) -> None:
    session = coach.session()
    session.close()
    with pytest.raises(Exception, match="is closed"):
        session.add_turn({"speaker": "agent", "text": "hello"})


def test_events_keep_their_place_in_untimed_text(coach: Coach) -> None:
    from conftest import transcript

    call = transcript(
        "%% channel: voice\n"
        "Customer: Hi, my meter reading is wrong.\n"
        "Agent: Can I put you on hold for one minute while I check?\n"
        "Customer: Sure.\n"
        "[00:20] @hold_start\n"
        "[04:50] @hold_end\n"
        "Agent: Okay, it is fixed now.\n"
    )
    assert [(e.type.value, e.after_turn) for e in call.events] == [("hold_start", 2),
                                                                   ("hold_end", 2)]
    found = {(f.rule_id, f.turn_index) for f in coach.score(call).findings}
    assert {("hold.no-thanks", 3), ("hold.too-long", 3)} <= found
    _, live_report = live(coach, call)
    assert live_report.findings == coach.score(call).findings


def test_a_session_is_on_the_configured_channel_unless_told(coach: Coach) -> None:
    """`coach.score` puts a transcript whose export does not say on the configuration's
    channel; a live session started without a channel took chat whatever it said."""
    from servicecoach import CoachConfig

    voice = Coach(CoachConfig(channel="voice"))
    assert voice.session().close().channel.value == "voice"
    assert voice.session(channel="email").close().channel.value == "email"
    assert coach.session().close().channel.value == "chat"


def test_a_turn_time_under_another_name_is_noted(coach: Coach) -> None:
    """A turn's time given as 'timestamp' (as a CSV export may name it, which the CSV
    reader reads) is not read by a live session or canonical JSON: the report says so
    and names 'start', rather than reply times going unjudged without a word."""
    said = [{"speaker": "customer", "text": "My order never arrived.", "timestamp": 0},
            {"speaker": "agent", "text": "Let me check.", "timestamp": 400}]
    session = coach.session(transcript_id="t")
    for turn in said:
        session.add_turn(turn)
    notes = session.close().notes
    assert notes == (("turn 0 gives its time as 'timestamp', which is not read: a turn's time "
                      "is 'start', in seconds (2 turn(s) so); reply times and holds were "
                      "judged without those turns' times"),)
    batch = coach.score(Transcript.model_validate({"id": "t", "turns": said}))
    assert batch.notes == notes
    timed = [{**turn, "start": turn["timestamp"]} for turn in said]
    report = coach.score(Transcript.model_validate({"id": "t", "turns": timed}))
    assert report.notes == ()
    assert "responsiveness.slow-reply" in {finding.rule_id for finding in report.findings}


def test_a_session_reads_its_transcript_id_as_a_transcript_does(coach: Coach) -> None:
    """`coach.session(transcript_id=481)` (a database's conversation id) took every turn
    and then failed at `close` with pydantic's 'transcript_id: Input should be a valid
    string', the report lost; an integer is its digits, as a transcript's id is, and an id
    that is no id is refused when the session is made, as an InputError."""
    session = coach.session(transcript_id=481)
    session.add_turn({"speaker": "customer", "text": "Hi, my order never came."})
    assert session.close().transcript_id == "481"
    assert coach.score(Transcript.model_validate(
        {"id": 481, "turns": [{"speaker": "customer", "text": "Hi"}]})).transcript_id == "481"
    for bad, shown in ((None, "NoneType"), ("", "an empty string"), (4.5, "float")):
        with pytest.raises(InputError) as refused:
            coach.session(transcript_id=bad)  # type: ignore[arg-type]
        assert str(refused.value) == (
            f"session: transcript_id refused: {shown}, not a conversation id (give "
            "transcript_id as a non-empty string or an integer, the conversation's id: the "
            "report and errors carry it)")


def test_score_takes_a_canonical_transcript_as_a_mapping(coach: Coach) -> None:
    """``coach.score(json.load(file))`` raised "AttributeError: 'dict' object has no
    attribute 'turns'" though a session's add_turn takes mappings, and an InputError that
    read_sources yields in place of a transcript failed the same way (until 2026-12-07)."""
    record = {"id": "c1", "channel": "chat", "turns": [
        {"speaker": "customer", "text": "My order never came and I'm really upset."},
        {"speaker": "agent", "text": "Calm down, that's our policy."}]}
    given = json.dumps(record)
    report = coach.score(record)
    assert report == coach.score(Transcript.model_validate(record))
    assert [r.overall for r in coach.score_many([record])] == [report.overall]
    assert json.dumps(record) == given  # the caller's mapping is left as it was
    with pytest.raises(InputError) as refused:
        coach.score({"id": "c2", "turns": [{"role": "user", "content": "Hi"}]})
    assert str(refused.value).startswith(
        "coach.score, transcript 'c2', turn 0: no 'speaker', but 'role': name it 'speaker'")
    unread = InputError("invalid JSON", source="calls.jsonl", location="line 3")
    with pytest.raises(InputError, match="calls.jsonl:line 3: invalid JSON"):
        coach.score(unread)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Transcript or a mapping"):
        coach.score("Agent: hello")  # type: ignore[arg-type]


def test_events_as_telephony_exports_write_them(coach: Coach) -> None:
    """An event's type in another case or with '-' or a space ("HOLD-START", "hold end") was
    refused as "Input should be 'hold_start', 'hold_end' or 'transfer'"; a type under another
    name (``kind``) or a time under another name (``timestamp``) was refused without naming
    the key to rename (until 2026-12-07)."""
    written = coach.session(transcript_id="call-1")
    snake = coach.session(transcript_id="call-1")
    for session, start, end in ((written, "HOLD-START", "hold end"),
                                (snake, "hold_start", "hold_end")):
        session.add_turn({"speaker": "agent", "text": "One moment please.", "start": 0})
        session.add_event({"type": start, "at": 5})
        session.add_turn({"speaker": "customer", "text": "Sure.", "start": 300})
        session.add_event({"type": end, "at": 301})
    assert written.close() == snake.close()
    for event, problem in (
            ({"kind": "transfer", "at": 12}, "no 'type', but 'kind': name it 'type'"),
            ({"type": "hold_start", "timestamp": 9},
             ("an event needs 'at' (seconds) or 'after_turn' (turn index), and gives its "
              "time as 'timestamp': name it 'at'")),
            ({"type": "hold_strat", "at": 3},
             "type: Input should be 'hold_start', 'hold_end' or 'transfer'")):
        session = coach.session(transcript_id="call-2")
        with pytest.raises(InputError) as refused:
            session.add_event(event)
        assert problem in str(refused.value)


def test_closing_a_closed_session_gives_its_report_again(coach: Coach) -> None:
    """A service whose timeout and last message both closed a conversation got a
    ServiceCoachError from the second close (until 2026-12-07): it now gets the report of the
    first, and `closed` tells whether a session takes more turns."""
    from servicecoach.errors import ServiceCoachError

    session = coach.session(transcript_id="chat-9")
    session.add_turn({"speaker": "customer", "text": "My card was charged twice!"})
    assert not session.closed
    report = session.close()
    assert session.closed
    assert session.close() is report
    assert session.close(cues=False) is report  # the first close left the cues out too
    with pytest.raises(ServiceCoachError, match="its report leaves out the live cues"):
        session.close(cues=True)
    with pytest.raises(ServiceCoachError, match="is closed"):
        session.add_turn({"speaker": "agent", "text": "Sorry about that."})
