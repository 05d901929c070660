"""Per-turn precision and recall of the agent readings: acknowledgement, promises, and the
defensive, negative-language, hedge and undercut rules.

Three kinds of labelled agent turns are read:

- labelled corpus turns (``training/signals/agent-turns.jsonl``): dialogue ids and turn
  indexes into ``../shared/corpora/*.jsonl`` with an ``ack`` and a ``promise`` label, the
  text staying in ``../shared`` (``--turns``, with ``--half dev`` or ``test``);
- labelled agent turns for the rules (``training/signals/defensive-turns.jsonl``): ids and
  turn indexes into the corpora and the rated dialogues (``--rated``) with a label per rule
  of ``RULES`` (a rule counts as read when one of its findings is anchored on the turn);
- the real dev set (``../shared/devset-real/``): every agent turn, with the ``ack`` list of
  `labels.jsonl` as the truth for acknowledgement (``--devset``, with ``--fold`` or
  ``--exclude-fold``); its promises are measured by ``servicecoach eval`` as
  `commitment.vague`.

Acknowledgement counts as read at an `agent.ack` score of 0.5 or more; a promise counts
as read when the report lists a commitment on the turn::

    python scripts/measure_agent_readings.py --turns training/signals/agent-turns.jsonl --half test
    python scripts/measure_agent_readings.py --turns training/signals/defensive-turns.jsonl --half dev
    python scripts/measure_agent_readings.py --devset ../shared/devset-real --exclude-fold 0/3

``--misses`` prints the turns a reading gets wrong (do not use it on a held-out part).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from measure_signals import Counts, _transcripts, fold_of, ratios, turn_arguments

from servicecoach.coach import Coach
from servicecoach.evaluation import Fold
from servicecoach.models import Report, Speaker, Transcript

READINGS = ("ack", "promise")
#: label name in training/signals/defensive-turns.jsonl -> the rule it measures
RULES = {"blame": "defensive.blame", "deflection": "defensive.deflection",
         "dismissive": "defensive.dismissive", "negative": "language.negative",
         "hedge": "confidence.hedge", "undercut": "empathy.undercut"}

LabelledTurn = tuple[Transcript, int, dict[str, bool]]


def corpus_turns(path: Path, corpora: Path, half: str | None,
                 rated: Path | None = None) -> Iterator[LabelledTurn]:
    """The labelled agent turns (of one half), read from the corpora (and the rated
    dialogues, when given) they point into, with the labels each record has."""
    transcripts = _transcripts(sorted(corpora.glob("*.jsonl")) + ([rated] if rated else []))
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if half is None or record["half"] == half:
            yield transcripts[record["id"]], record["turn"], {
                name: bool(record[name]) for name in (*READINGS, *RULES) if name in record}


def devset_turns(folder: Path, fold: Fold | None) -> Iterator[LabelledTurn]:
    """Every agent turn of the dev set's transcripts (of the fold), labelled for `ack` only."""
    transcripts = _transcripts([folder / "transcripts.jsonl"])
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if fold is not None and not fold.keeps(record["id"]):
            continue
        transcript = transcripts[record["id"]]
        for index, turn in enumerate(transcript.turns):
            if turn.speaker is Speaker.AGENT:
                yield transcript, index, {"ack": index in record["signals"]["ack"]}


def readings(report: Report, index: int, at_least: float = 0.5) -> dict[str, bool]:
    """What servicecoach reads on one agent turn of a scored transcript."""
    fired = {finding.rule_id for finding in report.findings if finding.turn_index == index}
    return {"ack": report.signals[index].get("agent.ack", 0.0) >= at_least,
            "promise": any(item.turn_index == index for item in report.commitments),
            **{name: rule_id in fired for name, rule_id in RULES.items()}}


def measure(coach: Coach, turns: list[LabelledTurn], at_least: float = 0.5
            ) -> tuple[Counts, list[str]]:
    """Per-reading counts over the labelled turns, and a line for each turn it gets wrong."""
    reports: dict[str, Report] = {}
    counts: Counts = {name: [0, 0, 0] for name in (*READINGS, *RULES)}
    wrong: list[str] = []
    for transcript, index, truth in turns:
        if transcript.id not in reports:
            reports[transcript.id] = coach.score(transcript)
        said = readings(reports[transcript.id], index, at_least)
        for name, labelled in truth.items():
            if said[name] and labelled:
                counts[name][0] += 1
            elif said[name] or labelled:
                counts[name][1 if said[name] else 2] += 1
                wrong.append(f"{'FP' if said[name] else 'FN'} {name:10} {transcript.id} "
                             f"t{index}: {transcript.turns[index].text[:300]!r}")
    return counts, sorted(wrong)


def main() -> None:
    args = turn_arguments(__doc__.split("\n")[0], ("dev", "test"))
    if args.devset is not None:
        turns = list(devset_turns(args.devset, fold_of(args)))
    else:
        rated = args.rated if args.rated.is_file() else None
        turns = list(corpus_turns(args.turns, args.corpora, args.half, rated))
    counts, wrong = measure(Coach(), turns, args.at_least)
    print(f"{len(turns)} agent turns")
    for name, (tp, fp, fn) in counts.items():
        if tp + fp + fn:
            precision, recall = ratios(tp, fp, fn)
            print(f"{name:10} labels {tp + fn:4}  TP {tp:4}  FP {fp:4}  FN {fn:4}  "
                  f"P {precision:.2f}  R {recall:.2f}")
    if args.misses:
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
