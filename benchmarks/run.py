"""servicecoach benchmarks: speed and memory against baselines measured in the same run.

    python benchmarks/run.py            # the full run (25 to 35 minutes on 2 cores,
                                        # most of it the 1,000,000-turn stream)
    python benchmarks/run.py --quick    # smaller inputs, for a smoke run

Input: the real dialogues in ../shared/corpora/, repeated to at least 100,000 turns. Every
number that matters is a ratio to a baseline measured in this process on the same turns
(VADER alone, one polarity_scores call per turn; spaCy's blank English tokenizer alone),
so the comparison holds on a noisy machine. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"


def load_corpora() -> list[dict]:
    """Canonical transcripts from ../shared/corpora (speaker, text; names where given)."""
    records = []
    for path in sorted(CORPORA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            records.append({
                "id": data["id"],
                "channel": "chat",
                "metadata": {"customer_name": data.get("metadata", {}).get("customer_name")},
                "turns": [{"speaker": t["speaker"], "text": t["text"]} for t in data["turns"]],
            })
    return records


def repeated(records: list[dict], min_turns: int) -> list[dict]:
    """The records again and again (fresh ids) until they hold at least `min_turns` turns."""
    if not any(record["turns"] for record in records):
        raise SystemExit(f"no turns to repeat: is {CORPORA} there and not empty?")
    out: list[dict] = []
    total = 0
    copy = 0
    while total < min_turns:
        for record in records:
            out.append(record | {"id": f"{record['id']}~{copy}"})
            total += len(record["turns"])
        copy += 1
    return out


EXTRA_RULES = 100


def extra_pack(records: list[dict], folder: Path) -> Path:
    """A pack of `EXTRA_RULES` phrase rules, 5 two-word phrases each, drawn from word pairs
    of the corpora that occur now and then (as a contact centre's own pack would flag)."""
    import random
    from collections import Counter
    from itertools import pairwise

    pairs: Counter[str] = Counter()
    for record in records:
        for turn in record["turns"]:
            words = [w.strip(".,!?\"'()").lower() for w in turn["text"].split()]
            pairs.update(f"{a} {b}" for a, b in pairwise(words) if a.isalpha() and b.isalpha())
    ranked = [pair for pair, _ in pairs.most_common(3000)][200:]
    pick = random.Random(0)
    (folder / "pack.yaml").write_text('name: extra\nversion: "1"\nlanguage: en\n', encoding="utf-8")
    rules = [
        f"- id: extra.rule-{n}\n  kind: phrase\n  category: positive_language\n"
        f"  severity: suggestion\n  speaker: agent\n  message: 'said \"{{match}}\"'\n"
        f"  suggestion: 'say it another way'\n  match:\n"
        f"    phrases: {json.dumps(pick.sample(ranked, 5))}\n"
        for n in range(EXTRA_RULES)
    ]
    (folder / "rules.yaml").write_text("".join(rules), encoding="utf-8")
    return folder


class SharedReadings:
    """Stands in for all the analyzers of a coach: on each turn it computes what they
    share (the one phrase-and-literal pass over every spec of the pack; the sentences and
    their VADER scores on customer turns; the session reads the turn's signals and runs
    the fact keepers, the name and promise trackers, anyway) and decides nothing. A coach
    with only this one costs what any rule logic has to be added to."""

    rule_ids = ("shared-readings",)

    def specs(self) -> list:
        return []

    def new_state(self, conversation: object) -> None:
        return None

    def on_turn(self, state: object, conversation: object, ctx: Any) -> list:
        ctx.candidates  # noqa: B018 - computed on first use, which is what is measured
        if ctx.turn.speaker.value == "customer":
            ctx.sentiment  # noqa: B018
        return []

    def on_event(self, state: object, conversation: object, event: object) -> list:
        return []

    def on_end(self, state: object, conversation: object) -> list:
        return []


def readings_only(coach: Any) -> Any:
    """A copy of `coach` whose rules decide nothing but whose turns are read as they are
    for the pack (`SharedReadings`); the session and the report are built as ever."""
    from servicecoach.analyzers.dispatch import Dispatch

    floor = copy.copy(coach)
    floor.analyzers = (SharedReadings(),)
    floor.dispatch = floor.dispatch_without_cues = Dispatch(floor.analyzers, coach.matchers)
    return floor


def throughput(records: list[dict], rounds: int) -> dict[str, float]:
    """Warm throughput of the core pack (alone, with `EXTRA_RULES` more phrase rules, and
    with its rules deciding nothing), VADER alone and the blank tokenizer, one process: the
    best of `rounds` rounds, each measure run on the same chunk of conversations one after
    the other, so that a slow spell of a shared machine slows all measures alike and the
    ratios hold."""
    import spacy
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from servicecoach import Coach, Transcript
    from servicecoach.long_run import long_run

    transcripts = [Transcript.model_validate(r) for r in records]
    texts = [turn.text for t in transcripts for turn in t.turns]
    coach = Coach()
    with tempfile.TemporaryDirectory() as folder:
        extended = Coach(packs=["core", str(extra_pack(records, Path(folder)))])
    floor = readings_only(coach)
    vader = SentimentIntensityAnalyzer()
    nlp = spacy.blank("en")
    for transcript in transcripts[:200]:  # warm-up
        coach.score(transcript)
        extended.score(transcript)
    chunks = [transcripts[at : at + CHUNK] for at in range(0, len(transcripts), CHUNK)]
    work: dict[str, Callable[[list[Transcript]], object]] = {
        "core": lambda chunk: [coach.score(t) for t in chunk],
        "extended": lambda chunk: [extended.score(t) for t in chunk],
        "readings": lambda chunk: [floor.score(t) for t in chunk],
        "vader": lambda chunk: [vader.polarity_scores(turn.text) for t in chunk for turn in t.turns],
        "tokenizer": lambda chunk: [nlp.make_doc(turn.text) for t in chunk for turn in t.turns],
    }
    results = dict.fromkeys(work, 0.0)
    with long_run():  # as a batch run does: start-up objects out of the collector's passes
        for _ in range(rounds):
            seconds = dict.fromkeys(work, 0.0)
            for chunk in chunks:  # every measure on each chunk in turn: a slow spell hits all
                for name, run in work.items():
                    start = time.perf_counter()
                    run(chunk)
                    seconds[name] += time.perf_counter() - start
            for name, spent in seconds.items():
                results[name] = max(results[name], len(texts) / spent)
    results["turns"] = len(texts)
    results["rounds"] = rounds
    return results


CHUNK = 300
"""Conversations per chunk of the interleaved throughput rounds (about a quarter of a second
of scoring each: long enough to be warm, short enough that machine noise is shared)."""


COLD = """
import json, sys, time
records = json.load(sys.stdin)
texts = [t["text"] for r in records for t in r["turns"]]
which = sys.argv[1]
if which == "core":
    from servicecoach import Coach, Transcript
    coach = Coach(); transcripts = [Transcript.model_validate(r) for r in records]
    work = lambda: [coach.score(t) for t in transcripts]
elif which == "vader":
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    vader = SentimentIntensityAnalyzer(); work = lambda: [vader.polarity_scores(x) for x in texts]
else:
    import spacy
    nlp = spacy.blank("en"); work = lambda: [nlp.make_doc(x) for x in texts]
start = time.perf_counter(); work(); print(len(texts) / (time.perf_counter() - start))
"""


def cold(records: list[dict]) -> dict[str, float]:
    """First pass over text never seen, each measure in a fresh process."""
    payload = json.dumps(records)
    return {
        which: float(subprocess.run([sys.executable, "-c", COLD, which], input=payload,
                                    capture_output=True, text=True, check=True).stdout)
        for which in ("core", "vader", "tokenizer")
    }


def live_latency(records: list[dict], sessions: int) -> dict[str, float]:
    """add_turn p50/p99 (ms) at turn 10 and at turn 200 of a conversation.

    Each session puts the same probe turn at both positions, so the two numbers differ
    only by the length of the conversation behind them.
    """
    from servicecoach import Coach, Turn

    coach = Coach()
    turns = [Turn.model_validate(t) for r in records for t in r["turns"]]
    timings: dict[int, list[float]] = {10: [], 200: []}
    for number in range(sessions):
        session = coach.session({"customer_name": "Dana Reyes"}, transcript_id=f"s{number}")
        offset = (number * 211) % (len(turns) - 210)
        probe = turns[(number * 7919) % len(turns)]
        for index in range(201):
            turn = probe if index in timings else turns[offset + index]
            start = time.perf_counter()
            session.add_turn(turn)
            elapsed = (time.perf_counter() - start) * 1000
            if index in timings:
                timings[index].append(elapsed)
        session.close()
    out = {}
    for index, values in timings.items():
        values.sort()
        out[f"p50@{index}"] = statistics.median(values)
        out[f"p99@{index}"] = values[min(len(values) - 1, int(len(values) * 0.99))]
    return out


def live_stalls(records: list[dict], sessions: int) -> dict[str, float]:
    """The slowest add_turn calls (ms) over every turn of `sessions` conversations of 201
    turns: the worst and the 99.9th percentile, served as is and inside `long_run()`.

    The garbage collector's full passes walk every object the process holds; one landing
    in an add_turn stalls that call, which the p99 of a probe turn does not show.
    """
    from servicecoach import Coach, Turn
    from servicecoach.long_run import long_run

    coach = Coach()
    turns = [Turn.model_validate(t) for r in records for t in r["turns"]]

    def serve() -> list[float]:
        timings = []
        for number in range(sessions):
            session = coach.session(transcript_id=f"s{number}")
            offset = (number * 211) % (len(turns) - 201)
            for turn in turns[offset : offset + 201]:
                start = time.perf_counter()
                session.add_turn(turn)
                timings.append((time.perf_counter() - start) * 1000)
            session.close()
        return sorted(timings)

    plain = serve()
    with long_run():
        frozen = serve()
    out = {}
    for label, timings in (("plain", plain), ("long_run", frozen)):
        out[f"worst {label}"] = timings[-1]
        out[f"p99.9 {label}"] = timings[int(len(timings) * 0.999)]
    return out


STARTUP = """
import time
start = time.perf_counter()
from servicecoach import Coach
imported = time.perf_counter()
Coach()
built = time.perf_counter()
print(imported - start, built - imported)
"""


def startup(runs: int = 3) -> dict[str, float]:
    """Import time and Coach construction time in fresh processes (median of runs)."""
    imports, builds = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True,
                             check=True).stdout.split()
        imports.append(float(out[0]))
        builds.append(float(out[1]))
    return {"import": statistics.median(imports), "construct": statistics.median(builds)}


def write_jsonl(records: list[dict], min_turns: int, folder: Path) -> tuple[Path, int]:
    """A JSON Lines file of at least `min_turns` turns, written as a stream."""
    path = folder / f"stream-{min_turns}.jsonl"
    total = 0
    copy = 0
    with path.open("w", encoding="utf-8") as handle:
        while total < min_turns:
            for record in records:
                handle.write(json.dumps(record | {"id": f"{record['id']}~{copy}"}) + "\n")
                total += len(record["turns"])
            copy += 1
    return path, total


MEASURED_CLI = """
import sys
from servicecoach.cli import main
code = main(sys.argv[1:])
# VmHWM: this process's own peak (ru_maxrss can carry the parent's peak across fork+exec)
status = open("/proc/self/status").read().split("\\n")
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(f"PEAK_KB {peak}", file=sys.stderr)
sys.exit(code)
"""


def one_conversation(records: list[dict], turns: int, folder: Path) -> Path:
    """One canonical JSON transcript of `turns` turns, the corpora's turns in a loop."""
    pool = [turn for record in records for turn in record["turns"]]
    path = folder / f"one-{turns}.json"
    path.write_text(json.dumps({"id": "long", "turns": [pool[i % len(pool)]
                                                         for i in range(turns)]}))
    return path


def run_cli(path: Path, workers: int, *, stdin: bool = False) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of `servicecoach score` (the main process), reading
    `path` itself or, with `stdin`, from stdin."""
    start = time.perf_counter()
    with path.open("rb") as handle:
        done = subprocess.run([sys.executable, "-c", MEASURED_CLI, "score",
                               "-" if stdin else str(path), "--format", "jsonl", "--output",
                               os.devnull, "--workers", str(workers)],
                              stdin=handle if stdin else None, capture_output=True,
                              check=False)
    elapsed = time.perf_counter() - start
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    peak_kb = next(int(line.split()[1]) for line in stderr.splitlines()
                   if line.startswith("PEAK_KB"))
    return elapsed, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args()
    records = load_corpora()
    scale = 10 if args.quick else 1
    rows: list[tuple[str, str, str]] = []
    results: dict[str, object] = {"machine": f"{platform.processor() or platform.machine()}, "
                                  f"{os.cpu_count()} cores, Python {platform.python_version()}"}

    warm = throughput(repeated(records, 100_000 // scale), rounds=1 if args.quick else 3)
    results["throughput"] = warm
    rows += [
        ("throughput, core pack (warm)", f"{warm['core']:,.0f} turns/s",
         f"{warm['core'] / warm['vader']:.2f}x VADER, {warm['core'] / warm['tokenizer']:.2f}x tokenizer"),
        (f"throughput, core + {EXTRA_RULES} phrase rules (warm)", f"{warm['extended']:,.0f} turns/s",
         f"{warm['extended'] / warm['core']:.2f}x core alone"),
        ("throughput, core's shared readings, no rule logic (warm)",
         f"{warm['readings']:,.0f} turns/s", f"{warm['readings'] / warm['vader']:.2f}x VADER"),
        ("throughput, VADER alone", f"{warm['vader']:,.0f} turns/s", "baseline"),
        ("throughput, blank tokenizer alone", f"{warm['tokenizer']:,.0f} turns/s", "limit"),
    ]
    first = cold(records)
    results["cold"] = first
    rows.append(("throughput, cold (fresh process, unseen text)", f"{first['core']:,.0f} turns/s",
                 (f"{first['core'] / first['vader']:.2f}x VADER, "
                  f"{first['core'] / first['tokenizer']:.2f}x tokenizer")))
    latency = live_latency(records, 1000 // scale)
    results["latency_ms"] = latency
    rows += [
        ("live add_turn at turn 10", f"p50 {latency['p50@10']:.3f} ms, p99 {latency['p99@10']:.3f} ms", ""),
        ("live add_turn at turn 200", f"p50 {latency['p50@200']:.3f} ms, p99 {latency['p99@200']:.3f} ms",
         f"p99 ratio 200/10: {latency['p99@200'] / latency['p99@10']:.2f}"),
    ]
    stalls = live_stalls(records, 300 // scale)
    results["stalls_ms"] = stalls
    rows += [
        ("live add_turn, every call, served as is",
         f"worst {stalls['worst plain']:.1f} ms, p99.9 {stalls['p99.9 plain']:.2f} ms", ""),
        ("live add_turn, every call, served inside long_run()",
         f"worst {stalls['worst long_run']:.1f} ms, p99.9 {stalls['p99.9 long_run']:.2f} ms",
         f"worst {stalls['worst plain'] / stalls['worst long_run']:.1f}x lower"),
    ]
    start = startup()
    results["startup_s"] = start
    rows.append(("start-up", f"import {start['import']:.2f} s + Coach() {start['construct']:.2f} s",
                 f"total {start['import'] + start['construct']:.2f} s"))
    with tempfile.TemporaryDirectory() as folder:
        big, turns = write_jsonl(records, 1_000_000 // scale, Path(folder))
        elapsed, peak = run_cli(big, 1)
        results["memory"] = {"turns": turns, "seconds": elapsed, "peak_rss_mb": peak}
        rows.append((f"memory, `score` streaming {turns:,} turns", f"peak RSS {peak:.0f} MB",
                     f"{turns / elapsed:,.0f} turns/s end to end"))
        _, idle = run_cli(one_conversation(records, 10, Path(folder)), 1, stdin=True)
        long_turns = 200_000 // scale
        _, long_peak = run_cli(one_conversation(records, long_turns, Path(folder)), 1,
                               stdin=True)
        results["one_conversation"] = {"turns": long_turns, "peak_rss_mb": long_peak,
                                       "idle_peak_rss_mb": idle}
        rows.append((f"memory, `score -` of one {long_turns:,}-turn conversation",
                     f"peak RSS {long_peak:.0f} MB",
                     (f"{(long_peak - idle) * 2**20 / long_turns:,.0f} B a turn over a "
                      f"10-turn one ({idle:.0f} MB)")))
        mid, mid_turns = write_jsonl(records, 200_000 // scale, Path(folder))
        one, _ = run_cli(mid, 1)
        two, _ = run_cli(mid, 2)
        results["scaling"] = {"turns": mid_turns, "workers1_s": one, "workers2_s": two}
        rows.append((f"scaling, `score --workers 2` vs 1 ({mid_turns:,} turns)",
                     f"{two:.1f} s vs {one:.1f} s", f"{one / two:.2f}x"))
    print(f"machine: {results['machine']}\n")
    print("| measure | result | ratio |\n|---|---|---|")
    for row in rows:
        print(f"| {' | '.join(row)} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
