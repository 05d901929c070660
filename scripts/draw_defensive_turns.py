"""Draw a stratified sample of real agent turns to label for the defensive and negative rules.

Reads the Twitter care and STC-3 helpdesk dialogues of ``../shared/corpora/`` and the rated
STC-3 dialogues of ``../shared/satisfaction/stc3_train_dev600.jsonl`` (fold 0/2 only: fold
1/2 holds the overall score's held-out check), leaves out the dialogues of
``../shared/devset-real/``, of the labelled agent turns (``--labelled``: their agent turns
were tuned on) and of the held-out half of the labelled customer turns (``--customer-turns``,
half ``test``), and draws agent
turns with a fixed seed, up to ``--per-dialogue`` per dialogue, each source giving a third
of each stratum:

- ``fires``: one of `defensive.blame`, `defensive.deflection`, `defensive.dismissive`,
  `language.negative`, `confidence.hedge` or `empathy.undercut` fires on the turn;
- ``words``: none fires, but the turn has a refusal, inability, policy, referral or
  instruction word (``CANDIDATE_WORDS``);
- ``rand``: any agent turn.

It writes the labelling input (dialogue id, turn index, the turn before and the turn; no
scores, no stratum, shuffled) and the key (id, turn, stratum).

Only 50 Twitter dialogues and no STC-3 one are in no labelled set at all, so the dialogues
whose *customer* turns were labelled in a tuned half are drawn too: their agent turns were
never read by a rule written here (docs/accuracy.md says so)::

    python scripts/draw_defensive_turns.py --per-stratum 90 --seed 5113 \\
        --out /tmp/defensive-input.jsonl --key /tmp/defensive-key.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from draw_signal_turns import (
    RATED,
    RATED_TUNING_FOLD,
    SOURCES,
    _dialogues,
    _excluded_ids,
    draw,
    write_for_labelling,
)

from servicecoach.coach import Coach
from servicecoach.models import Speaker, Transcript

#: the rules whose readings on real agent turns this sample labels
RULES = ("defensive.blame", "defensive.deflection", "defensive.dismissive",
         "language.negative", "confidence.hedge", "empathy.undercut")
#: words of refusal, inability, policy, referral and instruction (the ``words`` stratum)
CANDIDATE_WORDS = re.compile(
    r"\b(?:can['’]?t|cannot|unable|not able|not possible|impossible|no way|polic(?:y|ies)|"
    r"regulations?|rules?|only|you need to|you have to|you must|please contact|please consult|"
    r"yourself|as (?:previously |already )?(?:mentioned|stated|said)|already|unfortunately|"
    r"won['’]?t|don['’]?t|doesn['’]?t|not (?:allowed|supported|available)|maybe|perhaps|"
    r"probably|might|not sure)\b", re.IGNORECASE)
STRATA = ("fires", "words", "rand")


def _strata(coach: Coach, transcript: Transcript) -> dict[str, list[int]]:
    """The agent turns of one dialogue by stratum (a turn may be in `rand` and another)."""
    report = coach.score(transcript)
    fired = {finding.turn_index for finding in report.findings if finding.rule_id in RULES}
    strata: dict[str, list[int]] = {name: [] for name in STRATA}
    for index, turn in enumerate(transcript.turns):
        if turn.speaker is not Speaker.AGENT or not turn.text.strip():
            continue
        strata["rand"].append(index)
        if index in fired:
            strata["fires"].append(index)
        elif CANDIDATE_WORDS.search(turn.text):
            strata["words"].append(index)
    return strata


def _held_out_ids(customer_turns: Path) -> set[str]:
    records = (json.loads(line) for line in
               customer_turns.read_text(encoding="utf-8").splitlines())
    return {record["id"] for record in records if record["half"] == "test"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--satisfaction", type=Path, default=Path("../shared/satisfaction"))
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset-real"))
    parser.add_argument("--labelled", type=Path, nargs="+",
                        default=[Path("training/signals/agent-turns.jsonl")],
                        help="labelled agent turns whose dialogues are not drawn again")
    parser.add_argument("--customer-turns", type=Path,
                        default=Path("training/signals/corpus-turns.jsonl"),
                        help="labelled customer turns: the dialogues of its test half are "
                             "not drawn")
    parser.add_argument("--per-stratum", type=int, default=90)
    parser.add_argument("--per-dialogue", type=int, default=2)
    parser.add_argument("--seed", type=int, default=5113)
    parser.add_argument("--out", type=Path, required=True, help="labelling input (JSONL)")
    parser.add_argument("--key", type=Path, required=True, help="id, turn, stratum (JSONL)")
    args = parser.parse_args()
    excluded = _excluded_ids(args.devset, args.labelled) | _held_out_ids(args.customer_turns)
    coach = Coach()
    rng = random.Random(args.seed)
    sources = [_dialogues(args.corpora / file, excluded, rng) for file in SOURCES.values()]
    sources.append(_dialogues(args.satisfaction / RATED, excluded, rng, RATED_TUNING_FOLD))
    drawn: list[tuple[Transcript, int, str]] = []
    for transcripts in sources:
        drawn += draw(coach, transcripts, dict.fromkeys(STRATA, args.per_stratum // 3), rng,
                      args.per_dialogue, _strata)
    rng.shuffle(drawn)
    write_for_labelling(drawn, args.out, args.key)
    print(f"{len(drawn)} turns drawn")


if __name__ == "__main__":
    main()
