"""A live session under hostile turns: oversized turns are cut (with a note), refused turns
leave the session exactly as it was, and threads sharing one coach agree with a
sequential run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from servicecoach import Coach
from servicecoach.config import CoachConfig
from servicecoach.errors import InputError
from servicecoach.models import Report, Transcript
from servicecoach.nlp.matching import MAX_HITS

OPENING = [
    {"speaker": "agent", "text": "Thanks for calling Acme, this is Sam. How can I help?"},
    {"speaker": "customer", "text": "My order never arrived and I am furious."},
]


def test_a_turn_over_the_limit_is_scored_on_its_first_characters() -> None:
    coach = Coach(CoachConfig(max_turn_chars=60))
    session = coach.session()
    text = "Calm down, that's our policy. " + "blah " * 50
    hints = session.add_turn({"speaker": "agent", "text": text})
    assert "defensive.dismissive" in {f.rule_id for f in hints}
    report = session.close()
    assert report.notes == ((f"turn 0 has {len(text)} characters: only its first 60 were "
                            "scored (max_turn_chars)"),)


def test_a_turn_over_a_million_characters_is_scored_not_a_traceback(coach: Coach) -> None:
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "This is awful. " * 80_000})
    hints = session.add_turn({"speaker": "agent", "text": "Calm down, that's our policy."})
    assert {f.turn_index for f in hints} - {None} == {1}
    report = session.close()
    assert "only its first 100000 were scored" in report.notes[0]
    assert report.notes[1] == ("turn 0: the expressions that run on Python's re (look-around) "
                               "read its first 10000 characters")


def test_a_long_turn_is_noted_only_when_an_expression_reads_part_of_it(tmp_path) -> None:
    """Expressions on Python's re read a turn's first 10,000 characters; a pack with none
    reads every turn whole, and its reports say nothing of it."""
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text("id: p.x\nkind: phrase\ncategory: c\nmessage: m\n"
                                 "suggestion: s\nmatch: {regex: ['refund later']}\n")
    session = Coach(packs=[str(pack)]).session()
    session.add_turn({"speaker": "agent", "text": "word " * 3_000 + "refund later"})
    report = session.close()
    assert report.notes == () and [f.rule_id for f in report.findings] == ["p.x"]


_MATCHES = {"phrase": "{phrases: ['refund later']}", "regex": "{regex: ['refund later']}",
            "pattern": "{patterns: [[{LOWER: refund}, {LOWER: later}]]}"}
"""A rule's match of "refund later", as each kind of matcher bounded by MAX_HITS writes it."""


def _phrase_pack(folder, match: str = _MATCHES["phrase"]) -> Coach:
    pack = folder / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n")
    (pack / "r.yaml").write_text("id: p.x\nkind: phrase\ncategory: c\nmessage: m\n"
                                 f"suggestion: s\nmatch: {match}\n")
    return Coach(packs=[str(pack)])


def test_a_turn_matching_a_phrase_thousands_of_times_is_read_on_its_first_matches(
        tmp_path) -> None:
    """A pasted turn in which a phrase matches past MAX_HITS times: the rule reads the first
    matches (its finding is on the first), and the report says the rest were not read."""
    session = _phrase_pack(tmp_path).session()
    session.add_turn({"speaker": "agent", "text": "refund later " * (MAX_HITS + 500)})
    report = session.close()
    assert [(f.rule_id, f.span.start) for f in report.findings] == [("p.x", 0)]
    assert report.notes == ((f"turn 0: a phrase list or expression matched more than {MAX_HITS} "
                             f"times; the rules read its first {MAX_HITS} matches"),)


@pytest.mark.parametrize("kind", sorted(_MATCHES))
@pytest.mark.parametrize(("matches", "noted"), [(MAX_HITS - 1, False), (MAX_HITS, False),
                                                (MAX_HITS + 1, True)])
def test_only_a_turn_with_more_matches_than_the_bound_is_noted(
        tmp_path, kind: str, matches: int, noted: bool) -> None:
    """The note says matches past the bound were not read: a turn of exactly MAX_HITS
    matches of a phrase, a token pattern or an expression is read whole, without a note."""
    session = _phrase_pack(tmp_path, _MATCHES[kind]).session()
    session.add_turn({"speaker": "agent", "text": "refund later " * matches})
    report = session.close()
    assert bool(report.notes) is noted, report.notes
    assert [f.rule_id for f in report.findings] == ["p.x"]


def test_a_pasted_turn_of_emoji_still_shows_the_distress_it_carries(coach: Coach) -> None:
    session = coach.session()
    session.add_turn({"speaker": "agent", "text": "Hi, thanks for contacting us."})
    session.add_turn({"speaker": "customer", "text": "my refund is lost " + "😡" * 50_000})
    hints = session.add_turn({"speaker": "agent", "text": "Please send your order number."})
    assert "empathy.missing" in {f.rule_id for f in hints}


def test_the_turn_limit_is_bounded_by_what_spacy_takes() -> None:
    with pytest.raises(ValidationError, match="max_turn_chars"):
        CoachConfig(max_turn_chars=2_000_000)


@pytest.mark.parametrize("bad", [{"speaker": "robot", "text": "hi"},
                                 {"speaker": "agent", "text": "hi", "start": -1},
                                 {"speaker": "agent"}])
def test_a_refused_turn_leaves_the_session_as_it_was(coach: Coach, bad: dict[str, object]) -> None:
    session = coach.session()
    for turn in OPENING:
        session.add_turn(turn)
    with pytest.raises(InputError, match=r"session 'live'.*turn 2: turn refused: ") as refused:
        session.add_turn(bad)
    assert refused.value.turn == 2 and "'speaker'" in refused.value.hint
    hints = session.add_turn({"speaker": "agent", "text": "Calm down, that's our policy."})
    assert {f.turn_index for f in hints} == {2}  # not shifted by the refused turn
    report = session.close()
    assert len(report.customer_sentiment) == 3


def _run(coach: Coach, number: int) -> Report:
    session = coach.session({"customer_name": f"Dana {number}"}, transcript_id=str(number))
    for turn in OPENING:
        session.add_turn(turn)
    session.add_turn({"speaker": "agent", "text": f"Calm down, that's our policy. {number}"})
    return session.close()


def test_threads_sharing_one_coach_find_what_a_sequential_run_finds(coach: Coach) -> None:
    sequential = [_run(coach, number) for number in range(64)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        threaded = list(pool.map(lambda number: _run(coach, number), range(64)))
    assert threaded == sequential


def test_turn_times_out_of_order_are_noted_and_no_reply_time_is_judged_on_them(
    coach: Coach,
) -> None:
    """A live integration whose clocks disagree, or canonical JSON written out of order, can
    give a turn that starts before an earlier one. The session takes the turns as given
    (a live session never refuses a turn for its time) but the report says so, once, with
    the first such turn, and a reply that seems to come before the message it answers is
    not judged for reply time (it was judged a fast reply before)."""
    session = coach.session(channel="chat")
    for speaker, text, start in [
        ("agent", "Hi, this is Sam from Acme. How can I help?", 0.0),
        ("customer", "Where is my parcel?", 100.0),
        ("agent", "It ships today, sorry for the wait.", 40.0),
        ("customer", "ok", 45.0),
        ("agent", "Anything else I can do for you today?", 300.0),
    ]:
        session.add_turn({"speaker": speaker, "text": text, "start": start})
    report = session.close()
    assert report.notes == ((
        "turn 2 starts at 40 s, before turn 1 (100 s): the turn times are out of order "
        "(2 turn(s) start before an earlier one); reply times are not judged where a reply "
        "seems to come before the message it answers"),)
    responsiveness = next(s for s in report.scores if s.category == "responsiveness")
    assert responsiveness.applicable  # the last reply (45 s -> 300 s) is judged ...
    assert [f.turn_index for f in report.findings
            if f.rule_id == "responsiveness.slow-reply"] == [4]  # ... and too slow


def test_out_of_order_epoch_times_are_noted_in_full_and_no_reply_is_judged(coach: Coach) -> None:
    """Epoch times are written out in full (not "1.7335e+09 s"), and a session whose only
    reply comes before its message has no reply time judged at all."""
    session = coach.session(channel="chat")
    session.add_turn({"speaker": "customer", "text": "Hello, my order is late.",
                      "start": 1_733_500_200.0})
    session.add_turn({"speaker": "agent", "text": "Sorry, I'll check it for you.",
                      "start": 1_733_500_100.5})
    report = session.close()
    assert report.notes[0].startswith(
        "turn 1 starts at 1733500100.5 s, before turn 0 (1733500200 s)")
    responsiveness = next(s for s in report.scores if s.category == "responsiveness")
    assert not responsiveness.applicable


def test_turn_times_in_order_or_absent_leave_no_note(coach: Coach) -> None:
    for starts in ([0.0, 5.0, 5.0, 9.0], [None, 3.0, None, 1.0 + 3.0]):
        session = coach.session(channel="chat")
        for index, start in enumerate(starts):
            session.add_turn({"speaker": ("agent", "customer")[index % 2], "text": "Hello there.",
                              "start": start})
        assert session.close().notes == ()


def _held_call(starts: list[float | None], events: list[dict[str, object]]) -> Transcript:
    texts = [("customer", "Hi, my card was charged twice."),
             ("agent", "Can I put you on hold for two minutes while I check?"),
             ("customer", "Sure."),
             ("agent", "Thanks for holding, I found the charge and refunded it."),
             ("customer", "Great, thanks!")]
    return Transcript.model_validate({
        "id": "held", "channel": "voice", "events": events,
        "turns": [{"speaker": speaker, "text": text, "start": start}
                  for (speaker, text), start in zip(texts, starts, strict=True)]})


def test_events_placed_by_time_among_turns_out_of_order_are_placed_by_rank_and_noted(
    coach: Coach,
) -> None:
    """An event placed by its time comes after as many turns as start at or before it. When
    the turn times are out of order that may not be where it happened (the last turn's
    5 s puts both holds after turn 3, the agent's return): the report says so, naming the
    events and how to place them exactly, where it said nothing before."""
    timed = [{"type": "hold_start", "at": 25}, {"type": "hold_end", "at": 200}]
    report = coach.score(_held_call([0, 10, 20, 210, 5], timed))
    placed = coach.score(_held_call([0, 10, 20, 210, 5], [
        {"type": "hold_start", "after_turn": 3}, {"type": "hold_end", "after_turn": 3}]))
    assert report.findings == placed.findings
    assert report.notes == (*placed.notes, (
        "2 event(s) were placed by their times among turns whose times are out of order: "
        "each comes after as many turns as start at or before it, which may not be where it "
        "happened (place events with 'after_turn' to be exact)"))
    assert coach.score(_held_call([0, 10, 20, 210, 220], timed)).notes == ()


def test_events_placed_by_time_among_turns_without_times_are_placed_by_the_timed_ones(
    coach: Coach,
) -> None:
    """An event with a time was placed after the last turn when any turn had no time: both
    holds came after the agent's return, two false hold findings, without a word. It comes
    before the first timed turn that starts after it (after the untimed turns before that
    one), and the report says so; with no turn timed it comes after the last turn, noted."""
    timed = [{"type": "hold_start", "at": 25}, {"type": "hold_end", "at": 200}]
    report = coach.score(_held_call([0, 10, None, 210, 220], timed))
    placed = coach.score(_held_call([0, 10, None, 210, 220], [
        {"type": "hold_start", "after_turn": 2}, {"type": "hold_end", "after_turn": 2}]))
    def found(report: Report) -> set[tuple[str, int | None]]:
        return {(f.rule_id, f.turn_index) for f in report.findings}

    assert found(report) == found(placed)  # the times differ: 175 s held, not 200
    assert not {"hold.no-permission", "hold.no-estimate"} & {rule for rule, _ in found(report)}
    assert report.notes == ((
        "2 event(s) were placed by their times among turns of which 1 have no time: each "
        "comes before the first timed turn that starts after it (place events with "
        "'after_turn' to be exact)"),)
    untimed = coach.score(_held_call([None] * 5, timed))
    assert untimed.notes == ((
        "2 event(s) have times but no turn has one: they were placed after the last turn "
        "(place events with 'after_turn' to be exact)"),)


def test_a_repeated_hold_start_without_a_hold_end_is_the_same_hold(coach: Coach) -> None:
    """A phone system that sends `hold_start` again while the customer is held (a retry, a
    second leg) made each one a new hold: the hold's start judged again (three no-permission
    and three no-estimate findings on one turn) and its clock started again, so a hold of
    190 s read as one of 10 s. It is one hold, timed from the first `hold_start`."""
    def held(starts: list[float], end: float) -> list[tuple[str, int | None]]:
        session = coach.session(channel="voice")
        session.add_turn({"speaker": "customer", "text": "I was charged twice.", "start": 0})
        session.add_turn({"speaker": "agent", "text": "Let me look into that.", "start": 5})
        for at in starts:
            session.add_event({"type": "hold_start", "at": at})
        session.add_event({"type": "hold_end", "at": end})
        session.add_turn({"speaker": "agent", "text": "I found the charge.", "start": end + 1})
        return sorted((f.rule_id, f.turn_index) for f in session.close().findings
                      if f.rule_id.startswith("hold."))

    once = held([10], 200)
    assert once.count(("hold.no-permission", 1)) == 1
    assert ("hold.too-long", 2) in once
    assert held([10, 11, 12], 200) == once
    assert held([10, 190], 200) == once


def test_a_repeated_hold_end_without_a_hold_start_keeps_the_first_end(coach: Coach) -> None:
    """A `hold_end` sent again later (a retry, a second leg) moved the hold's end to it:
    a hold of 30 s ended again at 290 s read as 280 s held, too long. The first
    `hold_end` ends the hold."""
    def held(events: list[tuple[str, float]]) -> list[str]:
        session = coach.session(channel="voice")
        session.add_turn({"speaker": "customer", "text": "I was charged twice.", "start": 0})
        session.add_turn({"speaker": "agent", "text": "May I put you on hold for two minutes?",
                          "start": 5})
        session.add_turn({"speaker": "customer", "text": "Sure.", "start": 8})
        for kind, at in events:
            session.add_event({"type": kind, "at": at})
        session.add_turn({"speaker": "agent", "text": "Thanks for holding, I found it.",
                          "start": 300})
        return sorted(f.rule_id for f in session.close().findings if f.rule_id.startswith("hold."))

    once = held([("hold_start", 10), ("hold_end", 40)])
    assert "hold.too-long" not in once
    assert held([("hold_start", 10), ("hold_end", 40), ("hold_end", 290)]) == once
    assert "hold.too-long" in held([("hold_start", 10), ("hold_end", 290)])


def test_a_refused_live_turn_says_what_its_json_should_hold() -> None:
    """A live turn of the wrong JSON type reads in JSON's words, as a file's turn does:
    pydantic said "Input should be a valid dictionary or instance of Turn" and "Value
    error, ..." (types and prefixes a service's JSON has not)."""
    from servicecoach import Coach
    from servicecoach.errors import InputError

    session = Coach().session()
    for sent, said in (("hello", "turn: should be an object (a JSON object), not a string"),
                       ({"speaker": "agent", "text": 5}, "text: should be a string, not a number")):
        with pytest.raises(InputError) as refused:
            session.add_turn(sent)
        assert said in str(refused.value)
        assert "instance of" not in str(refused.value) and "Value error" not in str(refused.value)
    assert session.add_turn({"speaker": "agent", "text": "Hello, Ana here."}) is not None


def test_a_refused_number_says_what_it_should_be_and_shows_the_value() -> None:
    """A time or a turn index that could not be read as a number read in pydantic's words
    ("Input should be a valid number, unable to parse string as a number"); it says what
    the key should hold and shows what it held."""
    from servicecoach import Coach
    from servicecoach.errors import InputError

    session = Coach().session()
    with pytest.raises(InputError, match=r"start: should be a number, not 'soon'"):
        session.add_turn({"speaker": "agent", "text": "Hi", "start": "soon"})
    with pytest.raises(InputError, match=r"after_turn: should be a whole number, not 1\.5"):
        session.add_event({"type": "hold_start", "after_turn": 1.5})
