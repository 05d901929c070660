"""Draw a stratified sample of real customer turns to label for the customer signals.

Reads the Twitter care and STC-3 dialogues of ``../shared/corpora/``, leaves out those of
``../shared/devset-real/`` and those already in ``training/signals/corpus-turns.jsonl``, and
draws customer turns with a fixed seed from three strata of equal size:

- ``cue``: `customer.distress` or `customer.strong` shows (score >= 0.5);
- ``neg``: neither shows, but VADER's lowest sentence compound is <= -0.3;
- ``rand``: any customer turn.

One turn per dialogue, each dialogue trying the strata in turn, each source giving half of each stratum. It writes two
files: the labelling input (dialogue id, turn index, the turn before and the turn; no
scores, no stratum, shuffled) and the key (id, turn, stratum) to join the labels with::

    python scripts/draw_signal_turns.py --per-stratum 84 --seed 2026 \\
        --out /tmp/dev2-input.jsonl --key /tmp/dev2-key.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from servicecoach.coach import Coach
from servicecoach.models import Speaker, Transcript
from servicecoach.nlp.sentiment import sentence_compound
from servicecoach.readers import iter_sources, read_sources

SOURCES = {"twitter": "ibm_twitter_care_dev.jsonl", "stc3": "stc3_helpdesk_test_en.jsonl"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _lowest_compound(text: str) -> float:
    return min((sentence_compound(part) for part in _SENTENCE_END.split(text) if part.strip()),
               default=0.0)


def _excluded_ids(devset: Path, labelled: Path) -> set[str]:
    ids = {json.loads(line)["id"] for line in
           (devset / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()}
    ids |= {json.loads(line)["id"] for line in labelled.read_text(encoding="utf-8").splitlines()}
    return ids


def _strata(coach: Coach, transcript: Transcript) -> dict[str, list[int]]:
    """The customer turns of one dialogue by stratum (a turn may be in `rand` and another)."""
    signals = coach.score(transcript).signals
    strata: dict[str, list[int]] = {"cue": [], "neg": [], "rand": []}
    for index, turn in enumerate(transcript.turns):
        if turn.speaker is not Speaker.CUSTOMER or not turn.text.strip():
            continue
        strata["rand"].append(index)
        shown = signals[index]
        if max(shown.get("customer.distress", 0.0), shown.get("customer.strong", 0.0)) >= 0.5:
            strata["cue"].append(index)
        elif _lowest_compound(turn.text) <= -0.3:
            strata["neg"].append(index)
    return strata


def write_for_labelling(drawn: list[tuple[Transcript, int, str]], out: Path, key: Path) -> None:
    """Write the drawn turns for the annotator (`out`: each turn's text and the turn before
    it, no scores) and, apart, which stratum each came from (`key`)."""
    with out.open("w", encoding="utf-8") as texts, key.open("w", encoding="utf-8") as strata:
        for transcript, index, stratum in drawn:
            before = transcript.turns[index - 1].text if index else ""
            texts.write(json.dumps({"id": transcript.id, "turn": index, "before": before,
                                    "text": transcript.turns[index].text}) + "\n")
            strata.write(json.dumps({"id": transcript.id, "turn": index, "stratum": stratum})
                         + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset-real"))
    parser.add_argument("--labelled", type=Path,
                        default=Path("training/signals/corpus-turns.jsonl"))
    parser.add_argument("--per-stratum", type=int, default=84)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True, help="labelling input (JSONL)")
    parser.add_argument("--key", type=Path, required=True, help="id, turn, stratum (JSONL)")
    args = parser.parse_args()
    excluded = _excluded_ids(args.devset, args.labelled)
    coach = Coach()
    rng = random.Random(args.seed)
    drawn: list[tuple[Transcript, int, str]] = []
    for file in SOURCES.values():
        transcripts = sorted((item for item in read_sources(iter_sources([str(args.corpora / file)]))
                              if isinstance(item, Transcript) and item.id not in excluded),
                             key=lambda item: item.id)
        rng.shuffle(transcripts)
        wanted = {"cue": args.per_stratum // 2, "neg": args.per_stratum // 2,
                  "rand": args.per_stratum // 2}
        order = ("rand", "neg", "cue")
        for position, transcript in enumerate(transcripts):
            if not any(wanted.values()):
                break
            strata = _strata(coach, transcript)
            # each dialogue tries the strata in a rotating order, so `rand` is not left
            # with the dialogues the other strata did not want
            for stratum in order[position % 3:] + order[:position % 3]:
                if wanted[stratum] and strata[stratum]:
                    drawn.append((transcript, rng.choice(strata[stratum]), stratum))
                    wanted[stratum] -= 1
                    break
    rng.shuffle(drawn)
    write_for_labelling(drawn, args.out, args.key)
    print(f"{len(drawn)} turns drawn")


if __name__ == "__main__":
    main()
