"""Per-turn signals: defined in a pack, read once per turn, explained by their evidence."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from servicecoach import Coach
from servicecoach.config import CoachConfig
from servicecoach.errors import RulePackError
from servicecoach.models import FindingKind, Report
from servicecoach.nlp.shouting import shouted_words


def write_pack(folder: Path, signals: str, rules: str = "", extends: str = "") -> Path:
    """A pack folder with a manifest, a signals file and (optionally) a rule file."""
    folder.mkdir(parents=True, exist_ok=True)
    parent = f"extends: [{extends}]\n" if extends else ""
    (folder / "pack.yaml").write_text(f"name: {folder.name}\nversion: '1'\n{parent}")
    (folder / "signals").mkdir(exist_ok=True)
    (folder / "signals" / "customer.yaml").write_text(textwrap.dedent(signals))
    if rules:
        (folder / "rules.yaml").write_text(textwrap.dedent(rules))
    return folder


WORRY = """\
    - id: customer.worry
      cues:
        - name: said
          score: 0.8
          match: {phrases: [i'm worried, keeps me up at night]}
        - name: mild
          score: 0.4
          yields: true
          match: {phrases: [not sure]}
      except_when: {phrases: [all sorted]}
    """
CUE_RULE = """\
    - id: house.worried
      kind: signal
      finding: cue
      category: care
      severity: suggestion
      speaker: customer
      when: [{signal: customer.worry, at_least: 0.5}]
      message: 'Worried: "{match}".'
      suggestion: Reassure with a concrete next step.
    """


def coach_with(folder: Path) -> Coach:
    return Coach(CoachConfig(packs=(str(folder),)))


def test_a_pack_defines_a_signal_and_a_rule_reads_it(tmp_path: Path) -> None:
    coach = coach_with(write_pack(tmp_path / "house", WORRY, CUE_RULE))
    session = coach.session()
    (cue,) = session.add_turn({"speaker": "customer", "text": "Honestly I'm worried about it."})
    assert (cue.rule_id, cue.kind, cue.span.text if cue.span else None) == (
        "house.worried", FindingKind.CUE, "I'm worried")
    (evidence,) = cue.evidence
    assert (evidence.source, evidence.score, evidence.note) == ("signal", 0.8, "customer.worry: said")
    report = session.close(cues=True)
    assert report.signals == ({"customer.worry": 0.8},)


STRONG_MODEL = """\
    - id: customer.fuming
      model: strong
      model_at_least: 0.9
    """
LIST_AND_SIGNAL = """\
    - id: house.fuming
      kind: phrase
      category: care
      severity: suggestion
      speaker: customer
      match: {phrases: [livid]}
      signal: {signal: customer.fuming, at_least: 0.5}
      message: 'Fuming: "{match}".'
      suggestion: Acknowledge it first.
    """


def test_a_phrase_rule_reads_its_list_and_besides_it_a_model_signal_on_its_telling_sentence(
        tmp_path: Path) -> None:
    """The list decides where it hits; where it does not, the signal's model reading does,
    and the finding points at the sentence that weighed most for the model."""
    coach = coach_with(write_pack(tmp_path / "house", STRONG_MODEL, LIST_AND_SIGNAL))
    session = coach.session()
    (listed,) = session.add_turn({"speaker": "customer", "text": "I am livid about it."})
    assert listed.span is not None and listed.span.text == "livid"
    angry = "You are useless, absolutely disgusting and pathetic!!"
    (modelled,) = session.add_turn({"speaker": "customer", "text": f"Order 4471. {angry} Bye."})
    assert modelled.span is not None and modelled.span.text == angry.rstrip("!")
    (evidence,) = modelled.evidence
    assert (evidence.source, evidence.pattern) == ("signal", "strong")  # the model, by name
    assert session.add_turn({"speaker": "customer", "text": "When will order 4471 ship?"}) == []


def test_a_weak_cue_stays_below_the_threshold_and_yields_to_except_when(tmp_path: Path) -> None:
    coach = coach_with(write_pack(tmp_path / "house", WORRY, CUE_RULE))
    session = coach.session()
    assert session.add_turn({"speaker": "customer", "text": "I'm not sure."}) == []
    session.add_turn({"speaker": "customer", "text": "Not sure, but it's all sorted."})
    session.add_turn({"speaker": "customer", "text": "I'm worried, though it's all sorted."})
    assert session.close().signals == ({"customer.worry": 0.4}, {}, {"customer.worry": 0.8})


def test_an_agent_turn_reads_no_customer_signal(tmp_path: Path) -> None:
    coach = coach_with(write_pack(tmp_path / "house", WORRY, CUE_RULE))
    session = coach.session()
    assert session.add_turn({"speaker": "agent", "text": "I'm worried too."}) == []
    assert session.close().signals == ({},)


def test_a_rule_that_reads_an_unknown_signal_is_a_located_error(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "house", WORRY, CUE_RULE.replace("customer.worry", "customer.wory"))
    with pytest.raises(RulePackError) as caught:
        coach_with(folder)
    message = str(caught.value)
    assert "rules.yaml:1" in message and "unknown signal 'customer.wory'" in message
    assert "customer.worry" in message  # the known signals are listed


def test_a_signal_defined_twice_in_a_pack_is_an_error(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "house", WORRY)
    (folder / "signals" / "more.yaml").write_text(textwrap.dedent(WORRY))
    with pytest.raises(RulePackError, match=r"more\.yaml:1: duplicate signal id 'customer.worry' "
                       r"\(first defined at .*customer\.yaml:1\)"):
        coach_with(folder)


def test_a_bad_signal_id_is_a_located_error(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "house", WORRY.replace("customer.worry", "worry"))
    with pytest.raises(RulePackError, match=r"customer\.yaml:1.*signal id 'worry'"):
        coach_with(folder)


def test_a_pack_that_extends_another_redefines_its_signal(tmp_path: Path) -> None:
    parent = write_pack(tmp_path / "parent", WORRY, CUE_RULE)
    child = write_pack(tmp_path / "child", WORRY.replace("keeps me up at night", "anxious"),
                       extends=str(parent))
    coach = coach_with(child)
    assert [f.rule_id for f in coach.session().add_turn(
        {"speaker": "customer", "text": "I'm anxious."})] == ["house.worried"]
    assert coach.session().add_turn({"speaker": "customer", "text": "It keeps me up at night."}) == []


def test_core_reads_distress_acknowledgement_and_threats(coach: Coach) -> None:
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "my export crashed and 56 hours of work vanished"})
    session.add_turn({"speaker": "agent", "text": "Arg. Sorry you were seeing so many crashes."})
    session.add_turn({"speaker": "customer", "text": "I will keep complaining about you to the consumer council"})
    signals = session.close().signals
    assert signals[0]["customer.distress"] >= 0.5
    assert signals[1]["agent.ack"] >= 0.5
    assert signals[2]["customer.threat"] >= 0.5


@pytest.mark.parametrize(
    ("text", "satisfied"),
    [
        # a complaint email closed by a sign-off thanks no one for a fix
        ("Hello,\n\nThe replacement kettle leaks as well and nobody has called.\n\nThanks,\nOmar", False),
        ("Hi,\n\nCould you tell me when my refund will land?\n\nCheers\nBea", False),
        # thanks written as thanks still reads, sign-off or not
        ("Hi,\n\nThank you for sorting the refund so quickly.\n\nThanks,\nOmar", True),
        ("Hi,\n\nThe new router works now.\n\nMany thanks,\nBea", True),
        ("Thanks, Omar, that fixed it", True),
        ("ok thanks!", True),
    ],
)
def test_an_email_sign_off_is_not_satisfaction(coach: Coach, text: str, satisfied: bool) -> None:
    session = coach.session()
    session.add_turn({"speaker": "agent", "text": "Hello, how can I help?"})
    session.add_turn({"speaker": "customer", "text": text})
    assert (session.close().signals[1].get("customer.satisfied", 0.0) >= 0.5) is satisfied


def test_reassurance_alone_is_not_acknowledgement(coach: Coach) -> None:
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "I lost access to my account, no idea what to do"})
    session.add_turn({"speaker": "agent", "text": "Don't worry, we're here to help! What's your username?"})
    report = session.close()
    assert report.signals[1].get("agent.ack", 0.0) < 0.5
    assert [f.rule_id for f in report.findings if f.rule_id.startswith("empathy")] == ["empathy.missing"]


def played(coach: Coach, turns: list[dict[str, str]]) -> Report:
    """The report of a live session given `turns`."""
    session = coach.session()
    for turn in turns:
        session.add_turn(turn)
    return session.close()


def test_report_facts_do_not_depend_on_the_rules_enabled() -> None:
    """Turning a family off changes findings, never what the report says of each turn."""
    every = Coach()
    without = Coach(CoachConfig(disable=("escalation.*", "empathy.*", "outcome.*")))
    turns = [{"speaker": "customer", "text": "This is ridiculous, third time I've called!"},
             {"speaker": "agent", "text": "I'm so sorry about that."}]
    reports = [played(coach, turns) for coach in (every, without)]
    assert reports[0].signals == reports[1].signals
    assert reports[0].customer_sentiment == reports[1].customer_sentiment
    assert reports[1].customer_sentiment[0] is not None


def test_promises_are_listed_whatever_rules_are_enabled() -> None:
    """The report lists the agent's promises with their time frames, with or without the
    `commitment.*` rules."""
    turns = [{"speaker": "customer", "text": "My refund still hasn't arrived."},
             {"speaker": "agent", "text": "I'll escalate this now. Someone will call you back."},
             {"speaker": "agent", "text": "Our billing team will email you by Friday."}]
    listed = [[(c.turn_index, c.time_frame) for c in played(coach, turns).commitments]
              for coach in (Coach(), Coach(CoachConfig(disable=("commitment.*",))))]
    assert listed[0] == listed[1]
    assert (2, "by Friday") in listed[1] and any(frame is None for _, frame in listed[1])


def test_the_name_the_customer_gives_reaches_every_rule_without_the_name_rules() -> None:
    """`empathy.missing` suggests the words with the customer's name in them, whether or
    not the `name.*` rules are on (the name tracker runs whatever rules are enabled)."""
    turns = [{"speaker": "agent", "text": "Hi, you're through to Sam, how can I help?"},
             {"speaker": "customer", "text": ("I'm Priya Nair. My parcel never came and I "
                                              "wasted a day off waiting for it, I'm furious.")},
             {"speaker": "agent", "text": "Can you send me the order number?"}]
    suggestions = [[f.suggestion for f in played(coach, turns).findings
                    if f.rule_id == "empathy.missing"]
                   for coach in (Coach(), Coach(CoachConfig(disable=("name.*",))))]
    assert suggestions[0] == suggestions[1]
    assert len(suggestions[1]) == 1 and "Priya" in suggestions[1][0]


@pytest.mark.parametrize(
    ("text", "shouted"),
    [("it crashed EIGHT TIMES today", "EIGHT TIMES"), ("@brand PLZ FIX IT", "PLZ FIX IT"),
     ("on PS4 GTA online", None), ("a USB C cable", None), ("I LOVE it", None)],
)
def test_words_in_capitals(text: str, shouted: str | None) -> None:
    span = shouted_words(text)
    assert (text[span[0]:span[1]] if span else None) == shouted


def test_a_cycle_of_includes_is_refused_not_followed_forever(tmp_path: Path) -> None:
    cycle = """\
    - id: customer.a
      includes: [customer.b]
    - id: customer.b
      includes: [customer.c]
    - id: customer.c
      includes: [customer.b]
    """
    with pytest.raises(RulePackError, match=r"signal customer\.b includes itself") as caught:
        coach_with(write_pack(tmp_path / "house", cycle))
    # at the 'includes' of the signal named, in its file (until 2026-12-07 the pack's
    # signals folder, no file and no line)
    assert caught.value.path == str(tmp_path / "house" / "signals" / "customer.yaml")
    assert caught.value.line == 4


def _chain(signals: int) -> str:
    """`signals` customer signals, each including the next."""
    return "".join(f"- id: customer.s{i}\n  includes: [customer.s{i + 1}]\n"
                   for i in range(signals - 1)) + (
        f"- id: customer.s{signals - 1}\n  sentiment_below: -0.5\n")


def test_a_chain_of_includes_too_deep_to_read_is_refused(tmp_path: Path) -> None:
    """Each signal is read through the one that includes it: until 2026-12-07 a pack whose
    signals included one another 1,500 deep loaded, then every transcript it scored was
    "could not be scored (RecursionError ...)". Past 16 deep it is refused at load."""
    coach = coach_with(write_pack(tmp_path / "ok", _chain(17)))  # 16 deep
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "This is awful, I hate it."})
    assert session.close().signals[0]["customer.s0"] > 0
    for signals in (18, 1_500):
        with pytest.raises(RulePackError, match=r"signal customer\.s0 includes signals more "
                           r"than 16 deep \(through customer\.s\d+\)") as caught:
            coach_with(write_pack(tmp_path / f"deep{signals}", _chain(signals)))
        assert caught.value.path == str(tmp_path / f"deep{signals}" / "signals" / "customer.yaml")
        assert caught.value.line == 2  # customer.s0's includes


def test_a_bad_value_in_a_signal_is_named_as_a_signal_not_a_rule(tmp_path: Path) -> None:
    """Until 2026-12-07 a signal's bad value read "rule customer.bad: ...", and a pack's
    author looked for a rule of that id."""
    bad = """\
    - id: customer.bad
      cues:
        - name: said
          score: 7
          match: {phrases: [hi]}
    """
    with pytest.raises(RulePackError) as caught:
        coach_with(write_pack(tmp_path / "house", bad))
    assert "signal customer.bad: cues.0.score:" in str(caught.value)
    assert "rule customer.bad" not in str(caught.value)
    assert caught.value.line == 4


REPLY_SIGNALS = """\
    - id: customer.upset
      cues:
        - {name: said, score: 0.9, match: {phrases: [i'm upset]}}
    - id: agent.validates
      cues:
        - {name: named, score: 0.95, match: {phrases: [no wonder you're]}}
    - id: agent.ack
      includes: [agent.validates]
      cues:
        - {name: apology, score: 0.9, match: {phrases: [sorry about that]}}
    """
SHOWN_RULE = """\
    - id: house.shown
      kind: conditional
      category: care
      severity: suggestion
      finding: strength
      speaker: agent
      trigger: {speaker: customer, signal: {signal: customer.upset, at_least: 0.5}}
      expect_signal: {signal: agent.ack, at_least: 0.5}
      when: WHEN
      reply_shows_trigger: {signal: agent.validates, at_least: 0.5}
      message: 'Good: you acknowledged "{trigger}" ("{match}").'
      suggestion: Keep it up.
    """


CALM = {"speaker": "customer", "text": "The boiler broke again, third time this month."}


@pytest.fixture
def shown_coach(tmp_path: Path) -> Coach:
    """A pack whose strength fires on a reply that validates, or that shows the trigger."""
    return coach_with(write_pack(tmp_path / "house", REPLY_SIGNALS,
                                 SHOWN_RULE.replace("WHEN", "present")))


def test_a_reply_that_validates_the_feeling_shows_the_unread_distress(shown_coach: Coach) -> None:
    session = shown_coach.session()
    session.add_turn(CALM)
    (shown,) = session.add_turn({"speaker": "agent", "text": "No wonder you're fed up."})
    assert (shown.rule_id, shown.turn_index, shown.span.text if shown.span else None) == (
        "house.shown", 1, "No wonder you're")
    inferred, answer = shown.evidence
    assert (inferred.turn_index, inferred.pattern) == (0, "agent.validates")
    assert "shown by the reply of turn 1" in inferred.note
    assert answer.note == "agent.validates: named"
    assert "The boiler broke again" in shown.message
    # a distressed turn opens the window as ever: one finding, its trigger the customer's words
    session = shown_coach.session()
    session.add_turn({"speaker": "customer", "text": "I'm upset, it broke again."})
    (shown,) = session.add_turn({"speaker": "agent", "text": "No wonder you're fed up."})
    assert shown.evidence[0].note == "customer.upset: said"


def test_an_apology_or_an_opening_reply_does_not_stand_for_distress(shown_coach: Coach) -> None:
    session = shown_coach.session()
    session.add_turn(CALM)
    assert session.add_turn({"speaker": "agent", "text": "Sorry about that, I'll book it."}) == []
    # the agent speaks first: there is no customer turn for the reply to show anything of
    session = shown_coach.session()
    assert session.add_turn({"speaker": "agent", "text": "No wonder you're calling!"}) == []
    # only the turns since the agent last spoke: an answered calm turn is not shown again
    session = shown_coach.session()
    session.add_turn(CALM)
    session.add_turn({"speaker": "agent", "text": "Let me check the dates."})
    assert session.add_turn({"speaker": "agent", "text": "No wonder you're fed up."}) == []


def test_reply_shows_trigger_needs_a_rule_that_fires_when_present(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="reply_shows_trigger"):
        coach_with(write_pack(tmp_path / "house", REPLY_SIGNALS,
                              SHOWN_RULE.replace("WHEN", "missing")))
