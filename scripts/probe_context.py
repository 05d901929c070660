"""Probe readings of a customer's reply taken from the conversation, not from its wording.

On unread translated helpdesk chats the customer's replies to an agent are read at a far
lower recall than first messages (docs/accuracy.md). This script measures whether facts
about the conversation around a reply would read what the cues miss, each as an OR with
the pack's `customer.distress` / `customer.strong` on reply turns (customer turns after an
agent turn):

1. ``restate``: the reply repeats the content words of an earlier customer turn that an
   agent has answered since (share of that turn's content words, or Jaccard);
   ``after answer``: only where the agent's last turn asked no question (so a customer
   answering the agent's question with the words of the problem does not count);
2. ``reject``: a negation, "still", "already", "again" or "same" within four words of a
   content word of the agent's last turn (agent "restart the phone", customer "I
   restarted it, still nothing");
3. ``same question``: a question whose content words match an earlier customer question
   (Jaccard);
4. structural: "!" or "?" rising against the customer's own previous turn, a word in
   capitals more, three times the length; the distress (or strong negativity) the pack
   read on the customer's previous turn carried on, with a negation and after an answer;
   the shipped word model or VADER with 1-3.

A cell gives the reply turns a candidate adds to what the pack reads, right/wrong, against
the turn labels. A candidate is worth adopting only where it adds right readings on the
tuning sets at precision >= 0.8 and does as well on the sets not tuned on. Only tables are
printed, never a turn: the tuning sets (the ``dev`` .. ``dev4`` halves of
``training/signals/corpus-turns.jsonl`` and devset-real folds 1-2/3) by default, and with
``--held-out`` also the corpus turns' test half, devset-real fold 0/3 and, where gathered
with ``scripts/gather_transcripts.py`` into ``--blind DIR`` (``rh.jsonl``,
``rh-2.jsonl`` ..), the batches of ``tests/real-heldout/``::

    python scripts/probe_context.py
    python scripts/probe_context.py --held-out --blind /tmp/blind
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from lemminflect import getAllLemmas
from measure_signals import LabelledTurn, corpus_turns, devset_turns

from servicecoach.coach import Coach
from servicecoach.evaluation import Fold
from servicecoach.models import Speaker, Transcript
from servicecoach.nlp.sentiment import sentence_compound
from servicecoach.readers import iter_sources, read_sources
from servicecoach.signals.linear import LinearTextModel

TUNING_HALVES = ("dev", "dev2", "dev3", "dev4")
BLIND = ("", "-2", "-3", "-4", "-5", "-6", "-7")
"""Suffixes of the batches of tests/real-heldout (``labels{suffix}.jsonl``)."""

_STOP = frozenset(re.findall(r"\S+", """a about above after again against all am an and any are as at be because
been before being below between both but by can cannot could did do does doing down during
each few for from further had has have having he her here hers him his how i if in into is it
its itself me more most my no nor not of off on once only or other ought our ours out over own
same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why with
would you your yours hello hi hey thanks thank please ok okay yes yeah sir madam dear just also
still already will now get got one like know want need said say tell told u ur im dont cant
really well may might much many"""))
_WORD = re.compile(r"[a-z][a-z'’]+|\d+")
_NEGATION = re.compile(r"(?:not|no|never|nothing|still|already|again|same|cannot|useless|\w+n['’]t)")
_THANKS = re.compile(r"(?i)\b(?:thanks?|thank you|solved|works now|got it|ok(?:ay)?|great)\b")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


@cache
def _lemma(word: str) -> str:
    lemmas = getAllLemmas(word)
    for pos in ("VERB", "NOUN", "ADJ"):
        if pos in lemmas:
            return str(lemmas[pos][0])
    return word


def _content(text: str) -> set[str]:
    return {_lemma(w) for w in _WORD.findall(text.lower())
            if w not in _STOP and (len(w) > 2 or w.isdigit())}


def _questions(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[?？])", text) if "?" in s or "？" in s]


def _marks(text: str, marks: str) -> int:
    return sum(text.count(m) for m in marks)


Features = dict[str, float]


def features(transcript: Transcript, index: int, signals: tuple[dict[str, float], ...],
             models: tuple[LinearTextModel, LinearTextModel]) -> Features | None:
    """What the conversation says about customer turn `index` (None: not a reply)."""
    turns = transcript.turns
    agents = [i for i in range(index) if turns[i].speaker is Speaker.AGENT]
    if not agents:
        return None
    last_agent = agents[-1]
    earlier = [i for i in range(index) if turns[i].speaker is Speaker.CUSTOMER]
    answered = [i for i in earlier if i < last_agent]
    text = turns[index].text
    current = _content(text)
    share = jaccard = same_question = 0.0
    for i in answered:
        before = _content(turns[i].text)
        if len(before) >= 3 and current:
            common = len(before & current)
            share = max(share, common / len(before))
            jaccard = max(jaccard, common / len(before | current))
        for asked in _questions(turns[i].text):
            words = _content(asked)
            if len(words) < 2:
                continue
            for again in _questions(text):
                other = _content(again)
                if other:
                    same_question = max(same_question, len(words & other) / len(words | other))
    agent_words = _content(turns[last_agent].text)
    words = _WORD.findall(text.lower())
    negations = [k for k, w in enumerate(words) if _NEGATION.fullmatch(w)]
    rejected = sum(1 for k, w in enumerate(words)
                   if w not in _STOP and _lemma(w) in agent_words
                   and any(abs(k - n) <= 4 for n in negations))
    previous = turns[earlier[-1]].text if earlier else ""
    before_signals = signals[earlier[-1]] if earlier else {}
    caps = len(re.findall(r"\b[A-Z]{3,}\b", text)) - len(re.findall(r"\b[A-Z]{3,}\b", previous))
    return {
        "share": share, "jaccard": jaccard, "same_question": same_question,
        "rejected": rejected, "agent_asked": float("?" in turns[last_agent].text
                                                  or "？" in turns[last_agent].text),
        "negation": float(bool(negations)), "thanks": float(bool(_THANKS.search(text))),
        "bang_rise": _marks(text, "!！") - _marks(previous, "!！") if earlier else 0,
        "question_rise": _marks(text, "?？") - _marks(previous, "?？") if earlier else 0,
        "caps_rise": caps if earlier else 0,
        "longer": (len(text) + 1) / (len(previous) + 1) if earlier and len(current) >= 5 else 0,
        "distress_before": before_signals.get("customer.distress", 0.0),
        "strong_before": before_signals.get("customer.strong", 0.0),
        "distress_model": models[0].score(text), "strong_model": models[1].score(text),
        "vader": min((sentence_compound(s) for s in _SENTENCE.split(text) if s.strip()),
                     default=0.0),
    }


def _context(f: Features) -> bool:
    return f["share"] >= 0.3 or f["rejected"] >= 1 or f["same_question"] >= 0.3


CANDIDATES: dict[str, Callable[[Features], bool]] = {
    "restate: share >= 0.5": lambda f: f["share"] >= 0.5,
    "restate: share >= 0.4": lambda f: f["share"] >= 0.4,
    "restate: share >= 0.3": lambda f: f["share"] >= 0.3,
    "restate: Jaccard >= 0.3": lambda f: f["jaccard"] >= 0.3,
    "restate after answer: share >= 0.4": lambda f: f["share"] >= 0.4 and not f["agent_asked"],
    "restate after answer: share >= 0.3": lambda f: f["share"] >= 0.3 and not f["agent_asked"],
    "reject: 1+ agent words negated": lambda f: f["rejected"] >= 1,
    "reject: 2+ agent words negated": lambda f: f["rejected"] >= 2,
    "reject after answer: 2+": lambda f: f["rejected"] >= 2 and not f["agent_asked"],
    "same question: Jaccard >= 0.5": lambda f: f["same_question"] >= 0.5,
    "same question: Jaccard >= 0.3": lambda f: f["same_question"] >= 0.3,
    "'!' rising by 1+": lambda f: f["bang_rise"] >= 1,
    "'?' rising by 2+": lambda f: f["question_rise"] >= 2,
    "capitals rising by 1+": lambda f: f["caps_rise"] >= 1,
    "3 times longer (5+ content words)": lambda f: f["longer"] >= 3,
    "distress before, negation, after answer": lambda f: (
        f["distress_before"] >= 0.5 and bool(f["negation"]) and not f["agent_asked"]
        and not f["thanks"]),
    "strong before, negation, after answer": lambda f: (
        f["strong_before"] >= 0.5 and bool(f["negation"]) and not f["agent_asked"]
        and not f["thanks"]),
    "distress model >= 0.5 and 1-3": lambda f: f["distress_model"] >= 0.5 and _context(f),
    "VADER <= -0.3 and 1-3": lambda f: f["vader"] <= -0.3 and _context(f),
}

SIGNALS = {"distress": "customer.distress", "strong": "customer.strong"}


def _blind_turns(folder: Path, suffix: str) -> Iterator[LabelledTurn]:
    labels = Path(__file__).parent.parent / f"tests/real-heldout/labels{suffix}.jsonl"
    transcripts = {t.id: t for t in read_sources(iter_sources([str(folder / f"rh{suffix}.jsonl")]))
                   if isinstance(t, Transcript)}
    for line in labels.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        transcript = transcripts[record["id"]]
        for index, turn in enumerate(transcript.turns):
            if turn.speaker is Speaker.CUSTOMER:
                yield transcript, index, {name: index in record["signals"][name]
                                          for name in SIGNALS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=Path, default=Path("training/signals/corpus-turns.jsonl"))
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--rated", type=Path,
                        default=Path("../shared/satisfaction/stc3_train_dev600.jsonl"))
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset-real"))
    parser.add_argument("--held-out", action="store_true",
                        help="also count (tables only) the sets not tuned on")
    parser.add_argument("--blind", type=Path, metavar="DIR",
                        help="with --held-out: gathered transcripts of tests/real-heldout")
    args = parser.parse_args()
    sets: list[tuple[str, list[LabelledTurn]]] = [
        (half, list(corpus_turns(args.turns, args.corpora, half, args.rated)))
        for half in TUNING_HALVES]
    sets.append(("devset-real folds 1-2/3", list(devset_turns(
        args.devset, Fold.parse("0/3", exclude=True)))))
    if args.held_out:
        sets.append(("test half", list(corpus_turns(args.turns, args.corpora, "test",
                                                    args.rated))))
        sets.append(("devset-real fold 0/3", list(devset_turns(args.devset,
                                                               Fold.parse("0/3")))))
        if args.blind:
            sets.extend((f"blind labels{suffix or '-1'}", list(_blind_turns(args.blind, suffix)))
                        for suffix in BLIND if (args.blind / f"rh{suffix}.jsonl").is_file())
    coach = Coach()
    models = (LinearTextModel.load("distress"), LinearTextModel.load("strong"))
    print("turns a candidate adds on reply turns the pack leaves unread, right/wrong "
          "(distress | strong)")
    for name, turns in sets:
        added = {c: {label: [0, 0] for label in SIGNALS} for c in CANDIDATES}
        scored: dict[str, tuple[dict[str, float], ...]] = {}
        replies = {label: [0, 0] for label in SIGNALS}
        for transcript, index, truth in turns:
            if transcript.id not in scored:
                scored[transcript.id] = coach.score(transcript).signals
            signals = scored[transcript.id]
            f = features(transcript, index, signals, models)
            if f is None:
                continue
            for label, signal in SIGNALS.items():
                said = signals[index].get(signal, 0.0) >= 0.5
                if truth[label]:
                    replies[label][0] += 1
                    replies[label][1] += said
                if said:
                    continue
                for candidate, fires in CANDIDATES.items():
                    if fires(f):
                        added[candidate][label][0 if truth[label] else 1] += 1
        print(f"\n{name}: {len(turns)} customer turns; labelled reply turns read: distress "
              f"{replies['distress'][1]}/{replies['distress'][0]}, strong "
              f"{replies['strong'][1]}/{replies['strong'][0]}")
        for candidate, counts in added.items():
            print(f"  {candidate:42} {counts['distress'][0]:3}/{counts['distress'][1]:<3} | "
                  f"{counts['strong'][0]:3}/{counts['strong'][1]:<3}")


if __name__ == "__main__":
    main()
