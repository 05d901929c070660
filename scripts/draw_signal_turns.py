"""Draw a stratified sample of real customer turns to label for the customer signals.

Leaves out the dialogues of ``../shared/devset-real/`` and those already in
``training/signals/corpus-turns.jsonl`` or ``training/signals/agent-turns.jsonl``
(``--labelled``), and draws customer turns with a fixed seed, one turn per dialogue (or
up to ``--per-dialogue``, each from another stratum), each dialogue trying the source's
strata in a rotating order. Strata:

- ``cue``: `customer.distress` or `customer.strong` shows (score >= 0.5);
- ``neg``: neither shows, but VADER's lowest sentence compound is <= -0.3;
- ``last``: the dialogue's last customer turn;
- ``long``: a turn of 25 words or more;
- ``fall``: a customer turn after an earlier customer turn that showed neither signal
  (where a customer may go from calm to angry);
- ``rand``: any customer turn.

``--source corpora`` (the default) reads the Twitter care and STC-3 dialogues of
``../shared/corpora/``, each giving half of the strata ``cue``, ``neg`` and ``rand``.
``--source satisfaction`` reads the rated STC-3 dialogues of
``../shared/satisfaction/stc3_train_dev600.jsonl``, only those of fold 0/2 (fold 1/2 holds
the overall score's held-out check), in the strata ``last``, ``long``, ``neg`` and
``rand``. ``--strata`` chooses other strata (``last fall``: how conversations end and
where customers fall from calm to angry). It writes two files: the labelling input (dialogue id, turn index, the turn before
and the turn; no scores, no stratum, shuffled) and the key (id, turn, stratum) to join the
labels with::

    python scripts/draw_signal_turns.py --per-stratum 84 --seed 2026 \\
        --out /tmp/dev2-input.jsonl --key /tmp/dev2-key.jsonl
    python scripts/draw_signal_turns.py --source satisfaction --per-stratum 60 --seed 3 \\
        --out /tmp/dev3-input.jsonl --key /tmp/dev3-key.jsonl
    python scripts/draw_signal_turns.py --strata last fall --per-stratum 180 \\
        --per-dialogue 2 --seed 4 --out /tmp/dev4-corpora-input.jsonl \\
        --key /tmp/dev4-corpora-key.jsonl
    python scripts/draw_signal_turns.py --source satisfaction --strata last fall \\
        --per-stratum 60 --per-dialogue 2 --seed 4 --out /tmp/dev4-rated-input.jsonl \\
        --key /tmp/dev4-rated-key.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from servicecoach.coach import Coach
from servicecoach.evaluation import Fold
from servicecoach.models import Speaker, Transcript
from servicecoach.nlp.sentiment import sentence_compound
from servicecoach.readers import iter_sources, read_sources

SOURCES = {"twitter": "ibm_twitter_care_dev.jsonl", "stc3": "stc3_helpdesk_test_en.jsonl"}
RATED = "stc3_train_dev600.jsonl"
#: the rated dialogues' fold that tuning may read; the other fold checks the overall score
RATED_TUNING_FOLD = Fold(0, 2)
LONG_TURN_WORDS = 25
STRATA = ("cue", "neg", "last", "long", "fall", "rand")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _lowest_compound(text: str) -> float:
    return min((sentence_compound(part) for part in _SENTENCE_END.split(text) if part.strip()),
               default=0.0)


def _excluded_ids(devset: Path, labelled: list[Path]) -> set[str]:
    ids = {json.loads(line)["id"] for line in
           (devset / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()}
    for path in labelled:
        ids |= {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()}
    return ids


def _strata(coach: Coach, transcript: Transcript) -> dict[str, list[int]]:
    """The customer turns of one dialogue by stratum (a turn may be in `rand` and another)."""
    signals = coach.score(transcript).signals
    strata: dict[str, list[int]] = {name: [] for name in STRATA}
    calm_before = False
    for index, turn in enumerate(transcript.turns):
        if turn.speaker is not Speaker.CUSTOMER or not turn.text.strip():
            continue
        strata["rand"].append(index)
        strata["last"][:] = [index]
        if calm_before:
            strata["fall"].append(index)
        if len(turn.text.split()) >= LONG_TURN_WORDS:
            strata["long"].append(index)
        shown = signals[index]
        calm_before = max(shown.get("customer.distress", 0.0),
                          shown.get("customer.strong", 0.0)) < 0.5
        if not calm_before:
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


def draw(coach: Coach, transcripts: list[Transcript], wanted: dict[str, int],
         rng: random.Random, per_dialogue: int = 1,
         strata_of: Callable[[Coach, Transcript], dict[str, list[int]]] = _strata,
         ) -> list[tuple[Transcript, int, str]]:
    """Up to `per_dialogue` distinct turns of each dialogue (in the order given, each from
    another stratum) until every stratum has what it wants; each dialogue tries the strata in
    a rotating order, so ``rand`` is not left with the dialogues the other strata did not
    want. `strata_of` sorts a dialogue's turns into strata (the customer turns' by default)."""
    wanted = dict(wanted)
    order = tuple(wanted)
    drawn: list[tuple[Transcript, int, str]] = []
    for position, transcript in enumerate(transcripts):
        if not any(wanted.values()):
            break
        strata = strata_of(coach, transcript)
        start = position % len(order)
        taken: set[int] = set()
        for stratum in order[start:] + order[:start]:
            free = [index for index in strata[stratum] if index not in taken]
            if wanted[stratum] and free and len(taken) < per_dialogue:
                index = rng.choice(free)
                drawn.append((transcript, index, stratum))
                taken.add(index)
                wanted[stratum] -= 1
    return drawn


def _dialogues(path: Path, excluded: set[str], rng: random.Random,
               fold: Fold | None = None) -> list[Transcript]:
    transcripts = sorted((item for item in read_sources(iter_sources([str(path)]))
                          if isinstance(item, Transcript) and item.id not in excluded
                          and (fold is None or fold.keeps(item.id))),
                         key=lambda item: item.id)
    rng.shuffle(transcripts)
    return transcripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", choices=("corpora", "satisfaction"), default="corpora")
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--satisfaction", type=Path, default=Path("../shared/satisfaction"))
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset-real"))
    parser.add_argument("--labelled", type=Path, nargs="+",
                        default=[Path("training/signals/corpus-turns.jsonl"),
                                 Path("training/signals/agent-turns.jsonl")],
                        help="labelled turns whose dialogues are not drawn again")
    parser.add_argument("--strata", nargs="+", choices=STRATA,
                        help="strata to draw (default: rand neg last long for the rated "
                             "dialogues, rand neg cue for the corpora)")
    parser.add_argument("--per-stratum", type=int, default=84)
    parser.add_argument("--per-dialogue", type=int, default=1,
                        help="at most this many turns of one dialogue (each another stratum)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True, help="labelling input (JSONL)")
    parser.add_argument("--key", type=Path, required=True, help="id, turn, stratum (JSONL)")
    args = parser.parse_args()
    excluded = _excluded_ids(args.devset, args.labelled)
    coach = Coach()
    rng = random.Random(args.seed)
    drawn: list[tuple[Transcript, int, str]] = []
    if args.source == "satisfaction":
        transcripts = _dialogues(args.satisfaction / RATED, excluded, rng, RATED_TUNING_FOLD)
        strata = args.strata or ("rand", "neg", "last", "long")
        drawn += draw(coach, transcripts, dict.fromkeys(strata, args.per_stratum), rng,
                      args.per_dialogue)
    else:
        for file in SOURCES.values():
            transcripts = _dialogues(args.corpora / file, excluded, rng)
            strata = args.strata or ("rand", "neg", "cue")
            drawn += draw(coach, transcripts, dict.fromkeys(strata, args.per_stratum // 2),
                          rng, args.per_dialogue)
    rng.shuffle(drawn)
    write_for_labelling(drawn, args.out, args.key)
    print(f"{len(drawn)} turns drawn")


if __name__ == "__main__":
    main()
