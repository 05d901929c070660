"""Per-turn precision and recall of the customer signals against turn labels.

Two kinds of labelled turns are read:

- the real dev set (``../shared/devset-real/``): every customer turn of its transcripts, with
  the ``signals`` lists of `labels.jsonl` as the truth (``--devset``, with ``--fold`` or
  ``--exclude-fold`` to choose its part);
- labelled corpus turns (``training/signals/corpus-turns.jsonl``): dialogue ids and turn
  indexes into ``../shared/corpora/*.jsonl`` (and, for the ``dev3`` half, the rated
  dialogues of ``../shared/satisfaction/stc3_train_dev600.jsonl``, ``--rated``) with a label
  per signal, the text staying in ``../shared`` (``--turns``, with ``--half dev``, ``dev2``,
  ``dev3`` or ``test``).

A signal counts as shown at a score of 0.5 or more (``--at-least``)::

    python scripts/measure_signals.py --turns training/signals/corpus-turns.jsonl --half test
    python scripts/measure_signals.py --devset ../shared/devset-real --exclude-fold 0/3

``--misses`` prints the turns the signal gets wrong (do not use it on a held-out part);
``--hide-ids FILE`` (one dialogue id a line) counts the misses of those dialogues without
printing them: the dev3 and dev4 halves hold one turn each of 44 dialogues of the blind
batches (tests/real-heldout/labels-3 to -6), whose text a session measuring on those
batches must not read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from servicecoach.coach import Coach
from servicecoach.evaluation import Fold
from servicecoach.models import Speaker, Transcript
from servicecoach.readers import iter_sources, read_sources

#: label name in the files -> signal id
SIGNALS = {"distress": "customer.distress", "strong": "customer.strong"}

LabelledTurn = tuple[Transcript, int, dict[str, bool]]


def _transcripts(paths: list[Path]) -> dict[str, Transcript]:
    return {item.id: item for item in read_sources(iter_sources([str(p) for p in paths]))
            if isinstance(item, Transcript)}


def devset_turns(folder: Path, fold: Fold | None) -> Iterator[LabelledTurn]:
    """Every customer turn of the dev set's transcripts (of the fold), with its labels."""
    transcripts = _transcripts([folder / "transcripts.jsonl"])
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if fold is not None and not fold.keeps(record["id"]):
            continue
        transcript = transcripts[record["id"]]
        for index, turn in enumerate(transcript.turns):
            if turn.speaker is Speaker.CUSTOMER:
                yield transcript, index, {name: index in record["signals"][name]
                                          for name in SIGNALS}


def corpus_turns(path: Path, corpora: Path, half: str | None,
                 rated: Path | None = None) -> Iterator[LabelledTurn]:
    """The labelled corpus turns (of one half), read from the corpora (and the rated
    dialogues, when given) they point into."""
    transcripts = _transcripts(sorted(corpora.glob("*.jsonl")) + ([rated] if rated else []))
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if half is None or record["half"] == half:
            yield transcripts[record["id"]], record["turn"], {
                name: bool(record[name]) for name in SIGNALS}


Counts = dict[str, list[int]]
"""Per label name: true positives, false positives, false negatives."""


def measure(coach: Coach, turns: list[LabelledTurn], at_least: float = 0.5
            ) -> tuple[Counts, list[str]]:
    """Per-signal counts over the turns, and a line for each turn a signal gets wrong."""
    signals: dict[str, tuple[dict[str, float], ...]] = {}
    counts: Counts = {name: [0, 0, 0] for name in SIGNALS}
    wrong: list[str] = []
    for transcript, index, truth in turns:
        if transcript.id not in signals:
            signals[transcript.id] = coach.score(transcript).signals
        shown = signals[transcript.id][index]
        for name, signal in SIGNALS.items():
            said = shown.get(signal, 0.0) >= at_least
            if said and truth[name]:
                counts[name][0] += 1
            elif said or truth[name]:
                counts[name][1 if said else 2] += 1
                wrong.append(f"{'FP' if said else 'FN'} {name:8} {transcript.id} t{index}: "
                             f"{transcript.turns[index].text[:300]!r}")
    return counts, sorted(wrong)


def ratios(tp: int, fp: int, fn: int) -> tuple[float, float]:
    """Precision and recall (NaN where undefined)."""
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return precision, recall


def turn_arguments(description: str, halves: tuple[str, ...]) -> argparse.Namespace:
    """The command line of the per-turn measures: exactly one of ``--devset`` (with
    ``--fold`` or ``--exclude-fold``) and ``--turns`` (with ``--half``, one of `halves`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--devset", type=Path, help="folder of the real dev set")
    parser.add_argument("--fold", help="K/N: only this fold of the dev set")
    parser.add_argument("--exclude-fold", help="K/N: all but this fold of the dev set")
    parser.add_argument("--turns", type=Path, help="labelled corpus turns (JSONL)")
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--rated", type=Path,
                        default=Path("../shared/satisfaction/stc3_train_dev600.jsonl"),
                        help="the rated dialogues the dev3 half points into")
    parser.add_argument("--half", choices=halves, help="only this half of --turns")
    parser.add_argument("--at-least", type=float, default=0.5)
    parser.add_argument("--misses", action="store_true", help="print the turns it gets wrong")
    parser.add_argument("--hide-ids", type=Path, metavar="FILE",
                        help="with --misses: count, do not print, the misses of the "
                        "dialogues listed in FILE (one id a line)")
    args = parser.parse_args()
    if (args.devset is None) == (args.turns is None):
        parser.error("give exactly one of --devset and --turns")
    return args


def fold_of(args: argparse.Namespace) -> Fold | None:
    """The part of the dev set `args` ask for (None: all of it)."""
    if args.fold:
        return Fold.parse(args.fold)
    return Fold.parse(args.exclude_fold, exclude=True) if args.exclude_fold else None


def main() -> None:
    args = turn_arguments(__doc__.split("\n")[0], ("dev", "dev2", "dev3", "dev4", "test"))
    if args.devset is not None:
        turns = list(devset_turns(args.devset, fold_of(args)))
    else:
        rated = args.rated if args.rated.is_file() else None
        turns = list(corpus_turns(args.turns, args.corpora, args.half, rated))
    counts, wrong = measure(Coach(), turns, args.at_least)
    print(f"{len(turns)} customer turns")
    for name, (tp, fp, fn) in counts.items():
        precision, recall = ratios(tp, fp, fn)
        print(f"{name:8} labels {tp + fn:4}  TP {tp:4}  FP {fp:4}  FN {fn:4}  "
              f"P {precision:.2f}  R {recall:.2f}")
    if args.misses:
        hidden = (set(args.hide_ids.read_text(encoding="utf-8").split())
                  if args.hide_ids else set())
        shown = [line for line in wrong if line.split()[2] not in hidden]
        print("\n".join(shown))
        if len(shown) < len(wrong):
            print(f"({len(wrong) - len(shown)} miss(es) in dialogues of {args.hide_ids} "
                  "not shown)")


if __name__ == "__main__":
    main()
