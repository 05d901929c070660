"""Which analyzers a turn wakes: a rule that can only speak about its phrases runs only on
turns where they may occur, and every report is the same as if every rule had read every
turn (the categories it judges included)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from conftest import REPO, transcript

from servicecoach import Coach, Transcript
from servicecoach.analyzers.dispatch import Dispatch
from servicecoach.models import Channel, Speaker

PACK = 'name: edge\nversion: "1"\nlanguage: en\n'

# One rule of each shape the dispatch treats differently: phrase rules for every speaker,
# for the customer only, voice only, not opening their category, with followed_by and
# unless; a substitution; token patterns and fuzzy phrases (always run); the filler and
# commitment analyzers with phrase-only lists (woken), and a phrase rule in core's category.
RULES = """\
- id: edge.any
  kind: phrase
  category: edge_any
  speaker: any
  message: 'said "{match}"'
  suggestion: x
  match: {phrases: [sorry, refund]}
- id: edge.customer
  kind: phrase
  category: edge_customer
  speaker: customer
  message: 'said "{match}"'
  suggestion: x
  match: {lemmas: [need help]}
  unless: {phrases: [thanks]}
- id: edge.voice
  kind: phrase
  category: edge_voice
  speaker: agent
  channels: [voice]
  message: 'said "{match}"'
  suggestion: x
  match: {regex: ['\\border(s)?\\b']}
- id: edge.unopened
  kind: phrase
  category: edge_unopened
  speaker: agent
  opens_category: false
  message: 'said "{match}"'
  suggestion: x
  match: {phrases: [let me check]}
  followed_by: {phrases: [account]}
- id: edge.swap
  kind: substitution
  category: edge_swap
  speaker: customer
  message: 'said "{match}"'
  suggestion: 'say {replacement}'
  swap: {not happy: unhappy}
- id: edge.pattern
  kind: phrase
  category: edge_pattern
  speaker: agent
  message: 'said "{match}"'
  suggestion: x
  match: {patterns: [[{LEMMA: apologize}]]}
- id: edge.fuzzy
  kind: phrase
  category: edge_fuzzy
  speaker: agent
  message: 'said "{match}"'
  suggestion: x
  match: {fuzzy: {phrases: [thank you for your patience], cutoff: 85}}
- id: edge.filler
  kind: builtin
  analyzer: fillers
  category: edge_filler
  speaker: agent
  message: '{detail} ("{match}")'
  suggestion: x
  phrases: {filler: {phrases: [um, uh, hmm, like]}}
- id: edge.promise
  kind: builtin
  analyzer: commitments
  category: edge_promise
  speaker: agent
  channels: [chat]
  message: '"{match}"'
  suggestion: x
  phrases:
    promise: {lemmas: [I will, we will]}
    time_frame: {phrases: [tomorrow, today]}
- id: edge.positive
  kind: phrase
  category: positive_language
  speaker: agent
  message: 'said "{match}"'
  suggestion: x
  match: {phrases: [no problem]}
"""


class EveryTurn(Dispatch):
    """Every analyzer of a channel on every turn of its speakers: the dispatch without its
    gating by what a turn may hit, as before that gating existed (the channel still
    decides: an analyzer is never called for a conversation its rule does not judge)."""

    def __init__(self, coach: Coach) -> None:
        super().__init__(coach.analyzers, coach.matchers)
        self.always = {
            (channel, speaker): tuple(
                position for position in self.active[channel]
                if speaker in (getattr(coach.analyzers[position], "speakers", None) or Speaker))
            for channel in Channel for speaker in Speaker}
        self.woken = {where: {} for where in self.always}
        self.opened = {}

    def positions(self, channel: Channel, speaker: Speaker,
                  candidates: Callable[[], Iterable[str]]) -> tuple[int, ...]:
        return self.always[channel, speaker]


def _edge_pack(folder: Path) -> str:
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
    return str(folder)


def _devset_variants() -> list[Transcript]:
    """The dev set in every channel, with a system message put into some conversations."""
    picked = random.Random(3)
    found = []
    for line in (REPO / "tests" / "devset" / "transcripts.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        for channel in ("chat", "voice", "social", "email"):
            turns = [dict(turn, start=None, end=None) for turn in record["turns"]]
            if picked.random() < 0.4:
                turns.insert(picked.randrange(len(turns) + 1),
                             {"speaker": "system", "text": "Sorry, checking your refund order."})
            found.append(Transcript.model_validate(
                {**record, "channel": channel, "turns": turns, "events": []}))
    return found


@pytest.mark.parametrize("with_core", [True, False], ids=["core+edge", "edge"])
def test_reports_are_those_of_every_rule_reading_every_turn(tmp_path: Path,
                                                            with_core: bool) -> None:
    packs = ["core", _edge_pack(tmp_path)] if with_core else [_edge_pack(tmp_path)]
    woken, everything = Coach(packs=packs), Coach(packs=packs)
    everything.dispatch = EveryTurn(everything)  # type: ignore[misc]
    fired = set()
    for call in _devset_variants():
        report = woken.score(call)
        assert report.model_dump_json() == everything.score(call).model_dump_json(), call.id
        fired.update(f.rule_id for f in report.findings if f.rule_id.startswith("edge."))
    # the comparison means something only if the edge rules fire
    assert {"edge.any", "edge.filler", "edge.promise", "edge.voice"} <= fired


def test_phrase_rules_run_only_on_turns_that_may_hold_their_phrases(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("".join(
        f"- id: extra.say-{n}\n  kind: phrase\n  category: positive_language\n"
        f"  speaker: agent\n  message: 'said \"{{match}}\"'\n  suggestion: x\n"
        f"  match: {{phrases: [word{n} here]}}\n" for n in range(20)), encoding="utf-8")
    coach = Coach(packs=["core", str(tmp_path)])
    extra = [i for i, a in enumerate(coach.analyzers) if a.rule_ids[0].startswith("extra.")]

    def woken(text: str) -> set[int]:
        scan = coach.matchers.scan(coach.nlp.make_doc(text), text)
        return set(coach.dispatch.positions(Channel.CHAT, Speaker.AGENT,
                                            lambda: scan.candidates))

    assert not woken("I can resend it today.") & set(extra)
    assert woken("You will hear word7 here soon.") & set(extra) == {extra[7]}
    hints = coach.session().add_turn({"speaker": "agent", "text": "You'll hear word7 here."})
    assert [h.rule_id for h in hints if h.rule_id.startswith("extra.")] == ["extra.say-7"]


CALL = """\
Agent: Thanks for calling, this is Sam. How can I help?
Customer: My parcel never came.
Agent: I'm sorry about that. I'll call you back by Friday with a tracking number.
Agent: Is there anything else? Thanks for calling!
"""


def test_a_rule_not_woken_still_makes_its_category_applicable(coach: Coach) -> None:
    scores = {s.category: s for s in coach.score(transcript(CALL)).scores}
    # no negative language, no filler anywhere: judged and clean, not "not applicable"
    assert scores["positive_language"].applicable and scores["positive_language"].score == 100
    assert scores["confidence"].applicable
    assert scores["commitments"].applicable  # a promise was made


def test_a_call_without_promises_leaves_commitments_not_applicable(coach: Coach) -> None:
    scores = {s.category: s for s in coach.score(transcript("Agent: Hello, this is Sam.\n"
                                                            "Customer: Hi.\n")).scores}
    assert not scores["commitments"].applicable
    assert scores["positive_language"].applicable
