#!/usr/bin/env python
"""Train the per-turn behaviour models shipped in ``servicecoach/signals/weights/``.

Four L2-regularised logistic regressions over the same features as the signal models of
``scripts/train_signals.py`` (whose fitting code this script reuses), each read by a signal
of the ``core`` pack as a second way, besides its phrases, to see a behaviour of
``../shared/CHECKS.md`` worded as nobody listed it:

- ``blame``, ``deflection``, ``dismissive``: an agent turn blames the customer, pushes the
  problem away, or dismisses or talks down (``defensive.*``);
- ``supervisor``: a customer turn asks for a manager, someone senior or someone else
  (``escalation.supervisor-request``).

Training data:

- ``training/signals/behaviours.jsonl``: turns written for this project from CHECKS.md
  alone by writers who saw no evaluation text (Apache-2.0), each labelled with the
  behaviours it shows, with hard look-alikes as negatives;
- the turns of the project's own labelled transcripts that were read to write rules: the
  development set (``tests/devset/``) and the dev halves of ``tests/authored-heldout*/``
  (ids ``*-dev-*``), labelled by the findings expected at each turn; their test halves are
  never trained on;
- as further negatives, the real agent or customer turns of the IBM Twitter care threads
  in ``../shared/corpora/`` (Apache-2.0), less every dialogue labelled in
  ``../shared/devset-real/`` or ``tests/real-heldout/`` (their text is never trained on).
  Real turns show these behaviours rarely, so they teach the models what ordinary
  service talk looks like; the few that do are taught as negatives, which can only make
  the models more cautious.

The threshold of each model is chosen by 5-fold cross-validation on the written turns: the
lowest threshold at which cross-validated precision reaches `MIN_PRECISION` (the pack's
precision target for its rules), so the model adds what the phrases miss without adding
false alarms of its own. The written probe sets of ``tests/probes/`` are never trained on:
``--evaluate`` scores the models on them.

    python scripts/train_behaviour_models.py             # train, write the weights
    python scripts/train_behaviour_models.py --evaluate  # and score tests/probes/
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from train_signals import FEATURE_SPEC, Config, Example, fold_of, roc_auc, train

from servicecoach.signals.linear import LinearTextModel

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WRITTEN = REPO / "training" / "signals" / "behaviours.jsonl"
CORPUS = SHARED / "corpora" / "ibm_twitter_care_dev.jsonl"
LABELLED = [SHARED / "devset-real" / "labels.jsonl", *sorted((REPO / "tests" / "real-heldout").glob("labels*.jsonl"))]
PROBES = REPO / "tests" / "probes"
DIALOGUES = [REPO / "tests" / "devset", *sorted((REPO / "tests").glob("authored-heldout*"))]
#: Rule ids of the labelled transcripts, as the labels the models learn.
RULE_LABELS = {"defensive.blame": "blame", "defensive.deflection": "deflection",
               "defensive.dismissive": "dismissive",
               "escalation.supervisor-request": "supervisor"}
WEIGHTS = REPO / "src" / "servicecoach" / "signals" / "weights"
MIN_PRECISION = 0.9
FOLDS = 5
CORPUS_WEIGHT = 1.0
"""The sample weight of a real corpus turn (a written one weighs `Config.authored_weight`)."""


@dataclass(frozen=True)
class Behaviour:
    """One model: the label it learns, whose turns it reads, and its label in the probes."""

    name: str
    speaker: str
    label: str
    probe_label: str
    writers: frozenset[str]
    """The writers of `behaviours.jsonl` whose turns were labelled for it: a turn written
    for another behaviour is not known not to show this one, so it is left out."""


_DEFENSIVE_WRITERS = frozenset("abdekl")
BEHAVIOURS = (
    Behaviour("blame", "agent", "blame", "defensive.blame", _DEFENSIVE_WRITERS),
    Behaviour("deflection", "agent", "deflection", "defensive.deflection", _DEFENSIVE_WRITERS),
    Behaviour("dismissive", "agent", "dismissive", "defensive.dismissive", _DEFENSIVE_WRITERS),
    Behaviour("supervisor", "customer", "supervisor", "supervisor-request", frozenset("csfj")),
)


def config(behaviour: Behaviour) -> Config:
    """The hyper-parameters (no GoEmotions: it labels none of these behaviours)."""
    return Config(behaviour.name, behaviour.speaker, frozenset(), 0.0, 10.0, 1e-3, 2, 3000, 0.02)


def written_rows() -> list[dict[str, Any]]:
    """The written turns: {text, speaker, labels, register, writer}."""
    with WRITTEN.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def dialogue_rows() -> list[dict[str, Any]]:
    """The turns of the read labelled transcripts (the devset, the authored dev halves),
    each labelled by the behaviours expected at it."""
    found: list[dict[str, Any]] = []
    for folder in DIALOGUES:
        with (folder / "labels.jsonl").open(encoding="utf-8") as lines:
            labels = {row["id"]: row["expected"] for row in map(json.loads, lines)}
        with (folder / "transcripts.jsonl").open(encoding="utf-8") as lines:
            for transcript in map(json.loads, lines):
                if folder.name != "devset" and "-dev-" not in transcript["id"]:
                    continue  # a test half: only ever scored
                expected = labels.get(transcript["id"], [])
                for index, turn in enumerate(transcript["turns"]):
                    shown = sorted(RULE_LABELS[e["rule_id"]] for e in expected
                                   if e.get("turn_index") == index and e["rule_id"] in RULE_LABELS)
                    found.append({"text": turn["text"], "speaker": turn["speaker"], "labels": shown})
    return found


def labelled_ids() -> set[str]:
    """Every real dialogue labelled for evaluation (never trained on)."""
    ids: set[str] = set()
    for path in LABELLED:
        if path.is_file():
            with path.open(encoding="utf-8") as lines:
                ids.update(json.loads(line)["id"] for line in lines if line.strip())
    return ids


def corpus_turns(speaker: str) -> list[str]:
    """The real turns of `speaker` in the IBM threads, less the labelled dialogues."""
    held_out = labelled_ids()
    turns = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            dialogue = json.loads(line)
            if dialogue["id"] not in held_out:
                turns += [t["text"] for t in dialogue["turns"] if t["speaker"] == speaker]
    return turns


def examples(behaviour: Behaviour, rows: Sequence[dict[str, Any]],
             real: Sequence[str]) -> list[Example]:
    """The written turns of the model's speaker (weight 10) and the real ones (weight 1)."""
    weight = config(behaviour).authored_weight
    found = [Example(row["text"], int(behaviour.label in row["labels"]), weight, "authored")
             for row in rows if row["speaker"] == behaviour.speaker
             and row.get("writer") in (None, *behaviour.writers)]
    return found + [Example(text, 0, CORPUS_WEIGHT, "corpus") for text in real]


def threshold_for(behaviour: Behaviour, data: Sequence[Example]) -> tuple[float, dict[str, float]]:
    """The lowest threshold whose cross-validated precision on the written turns reaches
    `MIN_PRECISION`, and the cross-validated metrics there."""
    scored: list[tuple[float, int]] = []
    for fold in range(FOLDS):
        model = train(config(behaviour), [e for e in data if fold_of(e.text, FOLDS) != fold]).model()
        scored += [(model.score(e.text), e.label) for e in data
                   if fold_of(e.text, FOLDS) == fold and e.source == "authored"]
    positives = sum(label for _, label in scored)
    for threshold in [t / 100 for t in range(30, 96)]:
        tp = sum(1 for s, label in scored if s >= threshold and label)
        fp = sum(1 for s, label in scored if s >= threshold and not label)
        if tp and tp / (tp + fp) >= MIN_PRECISION:
            return threshold, {"precision": round(tp / (tp + fp), 3),
                               "recall": round(tp / positives, 3),
                               "auc": round(roc_auc([s for s, _ in scored],
                                                    [label for _, label in scored]), 3)}
    raise SystemExit(f"{behaviour.name}: no threshold reaches precision {MIN_PRECISION}")


def weights_file(behaviour: Behaviour, rows: int, trained: Any, threshold: float,
                 cross_validated: dict[str, float], real: int) -> dict[str, Any]:
    """The JSON the runtime loads, with what it was trained on and how well it did."""
    return {
        "name": behaviour.name,
        "bias": trained.bias,
        "metadata": {
            "signal": behaviour.name,
            "threshold": threshold,
            "applies_to": f"{behaviour.speaker} turns",
            "attribution": "Weights derived from servicecoach's own written turns (Apache-2.0) "
                           "and the IBM customer-care Twitter threads (Apache-2.0).",
            "trained": dt.date.today().isoformat(),
            "trainer": "scripts/train_behaviour_models.py (L2 logistic regression, "
                       "full-batch L-BFGS, numpy)",
            "feature_spec": FEATURE_SPEC,
            "hyperparameters": {"l2": trained.config.l2, "min_count": trained.config.min_count,
                                "max_features": trained.config.max_features,
                                "prune_below": trained.config.prune,
                                "written_weight": trained.config.authored_weight,
                                "corpus_weight": CORPUS_WEIGHT,
                                "features_kept": len(trained.weights)},
            "training_data": [
                {"name": "servicecoach written turns (training/signals/behaviours.jsonl)",
                 "licence": "Apache-2.0", "rows_in_file": rows,
                 "examples": trained.n_examples["authored"],
                 "positives": trained.n_positive["authored"]},
                {"name": "IBM customer-care Twitter threads, dev split (negatives)",
                 "licence": "Apache-2.0", "examples": real,
                 "excluded": "every dialogue labelled in devset-real or tests/real-heldout"},
            ],
            "metrics": {"written_turns_cv": cross_validated,
                        "note": f"{FOLDS}-fold cross-validation on the written turns; the "
                                f"threshold is the lowest with precision >= {MIN_PRECISION}"},
        },
        "weights": trained.weights,
    }


def evaluate(behaviour: Behaviour, model: LinearTextModel) -> None:
    """Precision and recall of the model alone on the written probe sets (never trained on)."""
    path = PROBES / ("agent.jsonl" if behaviour.speaker == "agent" else "customer.jsonl")
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as lines:
        probes = [json.loads(line) for line in lines if line.strip()]
    label = behaviour.probe_label
    found = [(model.score(p["text"]) >= model.threshold, label in p["labels"]) for p in probes]
    tp = sum(1 for hit, gold in found if hit and gold)
    fp = sum(1 for hit, gold in found if hit and not gold)
    positives = sum(1 for _, gold in found if gold)
    print(f"  probes ({path.name}, {len(probes)} turns, {positives} {label}): "
          f"tp {tp} fp {fp} precision {tp / max(1, tp + fp):.2f} recall {tp / max(1, positives):.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluate", action="store_true", help="score tests/probes/ too")
    parser.add_argument("--no-write", action="store_true", help="train and report only")
    args = parser.parse_args(argv)
    if not CORPUS.is_file():
        raise SystemExit(f"{CORPUS} is missing: ../shared/ must be beside the checkout")
    rows = written_rows() + dialogue_rows()
    for behaviour in BEHAVIOURS:
        real = corpus_turns(behaviour.speaker)
        data = examples(behaviour, rows, real)
        threshold, cross_validated = threshold_for(behaviour, data)
        trained = train(config(behaviour), data)
        print(f"{behaviour.name}: {trained.n_positive['authored']} of "
              f"{trained.n_examples['authored']} written turns, {len(real)} real; threshold "
              f"{threshold}, cross-validated {cross_validated}")
        document = weights_file(behaviour, len(rows), trained, threshold, cross_validated,
                                len(real))
        if args.evaluate:
            evaluate(behaviour, LinearTextModel.from_dict(document))
        if not args.no_write:
            target = WEIGHTS / f"{behaviour.name}.json"
            target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n",
                              encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
