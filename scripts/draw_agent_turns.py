"""Draw a stratified sample of real agent turns to label for acknowledgement and promises.

Reads the Twitter care and STC-3 dialogues of ``../shared/corpora/``, leaves out those of
``../shared/devset-real/`` and those in ``training/signals/corpus-turns.jsonl``, and draws
agent turns with a fixed seed from three strata of equal size:

- ``fires``: `agent.ack` shows (score >= 0.5) or the report lists a commitment on the turn;
- ``distress``: the customer turn before shows `customer.distress` and `agent.ack` does not;
- ``rand``: any agent turn.

One turn per dialogue per pass (``--passes``), each dialogue trying the strata in a rotating order, each source
giving half of each stratum. It writes the labelling input (dialogue id, turn index, the
turn before and the turn; no scores, no stratum, shuffled) and the key (id, turn,
stratum)::

    python scripts/draw_agent_turns.py --per-stratum 84 --seed 4122 \\
        --out /tmp/agent-input.jsonl --key /tmp/agent-key.jsonl
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from draw_signal_turns import SOURCES, _excluded_ids, write_for_labelling

from servicecoach.coach import Coach
from servicecoach.models import Speaker, Transcript
from servicecoach.readers import iter_sources, read_sources


def _strata(coach: Coach, transcript: Transcript) -> dict[str, list[int]]:
    """The agent turns of one dialogue by stratum (a turn may be in `rand` and another)."""
    report = coach.score(transcript)
    promised = {commitment.turn_index for commitment in report.commitments}
    strata: dict[str, list[int]] = {"fires": [], "distress": [], "rand": []}
    for index, turn in enumerate(transcript.turns):
        if turn.speaker is not Speaker.AGENT or not turn.text.strip():
            continue
        strata["rand"].append(index)
        acked = report.signals[index].get("agent.ack", 0.0) >= 0.5
        if acked or index in promised:
            strata["fires"].append(index)
        elif (index and transcript.turns[index - 1].speaker is Speaker.CUSTOMER
              and report.signals[index - 1].get("customer.distress", 0.0) >= 0.5):
            strata["distress"].append(index)
    return strata


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset-real"))
    parser.add_argument("--labelled", type=Path,
                        default=Path("training/signals/corpus-turns.jsonl"))
    parser.add_argument("--per-stratum", type=int, default=84)
    parser.add_argument("--seed", type=int, default=4122)
    parser.add_argument("--passes", type=int, default=3, help="turns per dialogue at most")
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
        wanted = dict.fromkeys(("fires", "distress", "rand"), args.per_stratum // 2)
        order = ("rand", "distress", "fires")
        taken: set[tuple[str, int]] = set()
        # a source that runs out of dialogues gives a further turn per dialogue (STC-3 has
        # few left outside the labelled sets)
        for _ in range(args.passes):
            for position, transcript in enumerate(transcripts):
                if not any(wanted.values()):
                    break
                strata = _strata(coach, transcript)
                for stratum in order[position % 3:] + order[:position % 3]:
                    free = [i for i in strata[stratum] if (transcript.id, i) not in taken]
                    if wanted[stratum] and free:
                        index = rng.choice(free)
                        taken.add((transcript.id, index))
                        drawn.append((transcript, index, stratum))
                        wanted[stratum] -= 1
                        break
    rng.shuffle(drawn)
    write_for_labelling(drawn, args.out, args.key)
    print(f"{len(drawn)} turns drawn")


if __name__ == "__main__":
    main()
