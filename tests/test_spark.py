"""Spark scoring gives what the plain API gives, on the same conversations, in local mode.

One local[2] Spark session for the module and one scoring job per input shape (rows per
conversation, rows per turn), each collected once: Spark is slow to start on 2 cores.
Skips with the reason when PySpark (``pip install -e ".[test]"`` brings it) or a Java
runtime (.ci/run installs Debian's openjdk-17-jre-headless) is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[test]'")
pd = pytest.importorskip("pandas", reason="pandas is not installed: pip install -e '.[test]'")

from conftest import REPO, SHARED
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from servicecoach import Coach, Metadata, Report, Transcript, Turn
from servicecoach.config import CoachConfig
from servicecoach.integrations import spark as spark_scoring
from servicecoach.integrations.rows import finding_row
from servicecoach.readers import iter_sources, read_sources

EXAMPLE_INPUTS = ["transcripts", "exports", "training", "custom_pack/call.txt"]
CORPORA = SHARED / "corpora"
PER_CORPUS = 3
"""Conversations taken from each file of ../shared/corpora (when it is there)."""


def java_problem() -> str | None:
    """Why Spark cannot start here, or None: no Java, or one older than PySpark needs."""
    java = shutil.which("java")
    if java is None:
        return "no Java runtime: install openjdk-17-jre-headless (.ci/run does)"
    shown = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "(?:1\.)?(\d+)', shown.stderr + shown.stdout)
    needed = 17 if int(pyspark.__version__.split(".")[0]) >= 4 else 8
    if found is None or int(found.group(1)) < needed:
        return f"PySpark {pyspark.__version__} needs Java {needed} or later: {shown.stderr!r}"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    problem = java_problem()
    if problem:
        pytest.skip(problem)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter
    session = (SparkSession.builder.master("local[2]").appName("servicecoach-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def transcripts() -> list[Transcript]:
    """The bundled examples, and the first conversations of each real corpus if present."""
    paths = [str(REPO / "examples" / name) for name in EXAMPLE_INPUTS]
    read = list(read_sources(iter_sources(paths)))
    for corpus in sorted(CORPORA.glob("*.jsonl")):
        read += islice(read_sources(iter_sources([str(corpus)])), PER_CORPUS)
    assert all(isinstance(item, Transcript) for item in read), read
    ids = [item.id for item in read]
    assert len(set(ids)) == len(ids), ids
    return read  # type: ignore[return-value]


def plain_rows(report: Report) -> list[dict[str, Any]]:
    return [finding_row(finding) for finding in report.findings]


def spark_rows(findings: list[Any], transcript_id: str) -> list[dict[str, Any]]:
    mine = sorted((row for row in findings if row.transcript_id == transcript_id),
                  key=lambda row: row.finding_index)
    return [{key: value for key, value in row.asDict().items()
             if key not in ("transcript_id", "finding_index")} for row in mine]


def collected(scores: Any) -> tuple[dict[str, Any], list[Any]]:
    """The scores by transcript id (ids must be unique) and the finding rows, from one
    scoring pass."""
    scores = scores.persist()
    rows = scores.collect()
    by_id = {row.transcript_id: row for row in rows}
    assert len(by_id) == len(rows), [row.transcript_id for row in rows]
    return by_id, spark_scoring.findings(scores).collect()


# Rows per conversation: canonical JSON Lines read by Spark.

BAD_CONVERSATIONS = [
    ('{"id": "bad-speaker", "turns": [{"speaker": "agent", "text": "Hi."}, '
     '{"speaker": "robot", "text": "Beep."}]}'),
    '{"id": "no-turns", "channel": "chat"}',
]


@pytest.fixture(scope="module")
def by_conversation(spark: SparkSession, transcripts: list[Transcript], tmp_path_factory: Any
                    ) -> tuple[dict[str, Any], list[Any]]:
    path = tmp_path_factory.mktemp("spark") / "transcripts.jsonl"
    lines = [t.model_dump_json() for t in transcripts] + BAD_CONVERSATIONS
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return collected(spark_scoring.score_conversations(spark.read.json(str(path))))


def test_conversation_rows_give_the_plain_api_findings_and_scores(
        by_conversation: tuple[dict[str, Any], list[Any]], transcripts: list[Transcript],
        coach: Coach) -> None:
    scores, findings = by_conversation
    assert len(transcripts) >= 8 + (4 * PER_CORPUS if CORPORA.is_dir() else 0)
    for transcript in transcripts:
        report = coach.score(transcript)
        row = scores[transcript.id]
        assert row.error is None
        assert spark_rows(findings, transcript.id) == plain_rows(report), transcript.id
        assert row.overall == report.overall
        assert row.category_scores == {s.category: s.score for s in report.scores}
        assert Report.model_validate_json(row.report_json).findings == report.findings
    assert sum(len(coach.score(t).findings) for t in transcripts) == len(findings)


def test_a_bad_conversation_is_an_error_row_and_the_job_goes_on(
        by_conversation: tuple[dict[str, Any], list[Any]]) -> None:
    scores, findings = by_conversation
    speaker = scores["bad-speaker"]
    assert speaker.error.startswith("spark, transcript 'bad-speaker', turn 1: speaker: ")
    assert speaker.overall is None and speaker.findings is None
    assert "turns: Field required" in scores["no-turns"].error
    assert not [row for row in findings if row.transcript_id in ("bad-speaker", "no-turns")]
    assert sum(row.error is None for row in scores.values()) == len(scores) - 2


# Rows per turn, shuffled: grouped by conversation and put back in order by Spark.

TURN_SCHEMA = StructType([
    StructField("conversation_id", StringType()), StructField("turn_index", IntegerType()),
    StructField("speaker", StringType()), StructField("text", StringType()),
    StructField("start", DoubleType()), StructField("end", DoubleType()),
    StructField("channel", StringType()), StructField("customer_name", StringType()),
    StructField("agent_name", StringType()),
])
BAD_TURNS = [
    ("repeated-index", 0, "agent", "Hello, I'm Sam.", None, None, "chat", None, None),
    ("repeated-index", 1, "customer", "My card was charged twice.", None, None, "chat", None, None),
    ("repeated-index", 1, "agent", "Let me look.", None, None, "chat", None, None),
]


def as_turn_rows(transcript: Transcript) -> list[tuple[Any, ...]]:
    meta = transcript.metadata
    return [(transcript.id, index, turn.speaker.value, turn.text, turn.start, turn.end,
             transcript.channel.value, meta.customer_name, meta.agent_name)
            for index, turn in enumerate(transcript.turns)]


def as_turns_give_it(transcript: Transcript) -> Transcript:
    """What turn rows hold of a conversation: its turns, channel and names (no events)."""
    return Transcript(
        id=transcript.id, channel=transcript.channel,
        metadata=Metadata(customer_name=transcript.metadata.customer_name,
                          agent_name=transcript.metadata.agent_name),
        turns=tuple(Turn(speaker=t.speaker, text=t.text, start=t.start, end=t.end)
                    for t in transcript.turns))


@pytest.fixture(scope="module")
def by_turn(spark: SparkSession, transcripts: list[Transcript]
            ) -> tuple[dict[str, Any], list[Any]]:
    rows = [row for transcript in transcripts for row in as_turn_rows(transcript)] + BAD_TURNS
    frame = spark.createDataFrame(rows[::-1], TURN_SCHEMA)
    return collected(spark_scoring.score_turns(
        frame, metadata_columns=("customer_name", "agent_name")))


def test_turn_rows_give_the_plain_api_findings_and_scores(
        by_turn: tuple[dict[str, Any], list[Any]], transcripts: list[Transcript],
        coach: Coach) -> None:
    scores, findings = by_turn
    for transcript in transcripts:
        report = coach.score(as_turns_give_it(transcript))
        assert scores[transcript.id].error is None
        assert spark_rows(findings, transcript.id) == plain_rows(report), transcript.id
        assert scores[transcript.id].overall == report.overall
        assert Report.model_validate_json(scores[transcript.id].report_json) == report


def test_turns_without_an_order_of_their_own_are_an_error_row(
        by_turn: tuple[dict[str, Any], list[Any]]) -> None:
    scores, _ = by_turn
    assert scores["repeated-index"].error == (
        "spark, transcript 'repeated-index', turn 2: turn_index 1 is given to two turns "
        "(give each turn its own turn_index)")
    assert scores["repeated-index"].findings is None


def test_the_example_scores_the_csv_export_as_the_plain_api_does(coach: Coach) -> None:
    problem = java_problem()
    if problem:
        pytest.skip(problem)
    script = REPO / "examples" / "spark" / "score_with_spark.py"
    # run as docs/scale.md says, outside an activated virtual environment: no PYSPARK_PYTHON,
    # and python3 on the PATH not this interpreter (the workers ran it and could not import
    # servicecoach, until 2026-12-07)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYSPARK_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(folder for folder in env.get("PATH", "").split(os.pathsep)
                                  if Path(folder) != Path(sys.executable).parent)
    env["PYSPARK_SUBMIT_ARGS"] = "--master local[1] pyspark-shell"
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    export = REPO / "examples" / "exports" / "chat-export.csv"
    for transcript in read_sources(iter_sources([str(export)])):
        assert isinstance(transcript, Transcript)
        report = coach.score(transcript)
        empathy = {score.category: score.score for score in report.scores}["empathy"]
        assert (f"  {transcript.id}: overall {report.overall}, empathy {empathy}, "
                f"{len(report.issues())} issues, {len(report.strengths())} strengths, "
                "error None\n") in done.stdout
        for finding in report.findings:
            assert (f"  {transcript.id} turn {finding.turn_index} {finding.severity.value} "
                    f"{finding.rule_id}: {finding.suggestion}\n") in done.stdout
    # docs/scale.md shows what it prints, each line cut at 100 characters (it showed an
    # issue, name.overused, that billing-chat no longer has, until 2026-12-07)
    page = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    shown = re.search(r"```text excerpt\n(scores: one row per conversation\n.*?)```", page,
                      re.DOTALL)
    assert shown is not None, "docs/scale.md lost the example's output"
    printed = [line if len(line) <= 100 else line[:97] + "..." for line in done.stdout.splitlines()]
    assert shown.group(1).splitlines() == printed


# Without a Spark session: what runs on an executor.

@pytest.mark.parametrize(("environ", "set_to"), [
    ({}, sys.executable),
    ({"PYSPARK_SUBMIT_ARGS": "--master local[1] pyspark-shell"}, sys.executable),
    ({"PYSPARK_SUBMIT_ARGS": "--master=local[*] pyspark-shell"}, sys.executable),
    ({"PYSPARK_PYTHON": "/opt/python/bin/python3"}, None),
    ({"PYSPARK_GATEWAY_PORT": "40123"}, None),  # run by spark-submit
    ({"PYSPARK_SUBMIT_ARGS": "--master yarn pyspark-shell"}, None),
    ({"PYSPARK_SUBMIT_ARGS": "--master=spark://head:7077 pyspark-shell"}, None),
])
def test_local_workers_run_this_python_unless_told_otherwise(
        environ: dict[str, str], set_to: str | None) -> None:
    """`python examples/spark/score_with_spark.py` outside an activated virtual environment
    failed every task with "No module named 'servicecoach'": Spark's workers ran python3
    from the PATH, PYSPARK_PYTHON being unset (until 2026-12-07). In local mode started
    from Python they run this interpreter; a PYSPARK_PYTHON set, spark-submit and another
    master are left alone."""
    given = dict(environ)
    assert spark_scoring.local_workers_python(environ) == set_to
    expected = given if set_to is None else {**given, "PYSPARK_PYTHON": set_to}
    assert environ == expected


def test_a_worker_builds_its_coach_once_and_only_when_it_has_rows(
        monkeypatch: pytest.MonkeyPatch, coach: Coach) -> None:
    built: list[CoachConfig] = []

    def counted(config: CoachConfig) -> Coach:
        built.append(config)
        return coach

    monkeypatch.setattr(spark_scoring, "_COACHES", {})
    monkeypatch.setattr(spark_scoring, "Coach", counted)
    monkeypatch.setattr(spark_scoring, "ROWS_PER_BATCH", 2)
    config = CoachConfig()
    empty = list(spark_scoring.score_batches(config, None, iter([])))
    assert empty == [] and built == []
    record = '{"id": "c%d", "turns": [{"speaker": "agent", "text": "Hello, I am Sam."}]}'
    batches = [pd.DataFrame({"record": [record % n for n in range(k, k + 3)]}) for k in (0, 3)]
    out = list(spark_scoring.score_batches(config, None, iter(batches)))
    assert [list(frame["transcript_id"]) for frame in out] == [
        ["c0", "c1"], ["c2"], ["c3", "c4"], ["c5"]]
    assert built == [config]
    other = CoachConfig(disable=("greeting.*",))
    list(spark_scoring.score_batches(other, None, iter(batches[:1])))
    assert built == [config, other]


def test_a_missing_column_is_named_before_any_job_runs() -> None:
    class Frame:
        columns = ("conversation_id", "speaker", "message")

    with pytest.raises(ValueError, match="no column 'turn_index', 'text' .* withColumnRenamed"):
        spark_scoring.score_turns(Frame())  # type: ignore[arg-type]


def test_a_turn_order_of_digit_strings_is_put_in_the_order_of_the_numbers(coach: Coach) -> None:
    """`spark.read.csv` without inferSchema reads turn_index as strings, which sort_array
    sorts as text: turns 0, 1, 10, 11, 2, ... A conversation of more than ten turns was
    scored in that order, without a word; strings of digits are now read as the numbers."""
    texts = [f"Message {n}: {'Hello, I am Sam, how can I help?' if n == 0 else 'ok'}"
             for n in range(12)]
    as_text = sorted(range(12), key=str)  # Spark's order: 0, 1, 10, 11, 2, ...
    turns = [{"__order__": str(n), "speaker": "agent" if n % 2 == 0 else "customer",
              "text": texts[n]} for n in as_text]
    row = spark_scoring._score_json(coach, json.dumps({"id": "c", "turns": turns}), "turn_index")
    assert row["error"] is None
    expected = coach.score(Transcript.model_validate({"id": "c", "turns": [
        {"speaker": "agent" if n % 2 == 0 else "customer", "text": texts[n]} for n in range(12)]}))
    assert Report.model_validate_json(row["report_json"]) == expected
    twice = [{"__order__": order, "speaker": "agent", "text": "hi"} for order in ("01", "1")]
    row = spark_scoring._score_json(coach, json.dumps({"id": "d", "turns": twice}), "turn_index")
    assert row["error"] == ("spark, transcript 'd', turn 1: turn_index 1 is given to two turns "
                            "(give each turn its own turn_index)")


@pytest.mark.parametrize(("orders", "error"), [
    (["0" * 5_000 + "1", "2"], None),
    (["x" * 100_000, "x" * 100_000], "spark, transcript 'c', turn 1: turn_index 'xxxxxxxxxxxxxxx"),
    ([float("nan"), 1.0], "spark, transcript 'c', turn 0: turn_index nan is no turn order"),
])
def test_an_odd_turn_order_is_an_error_row_of_one_line_not_a_stopped_job(
        coach: Coach, orders: list[object], error: str | None) -> None:
    """Until 2026-12-07 an order of 5,001 digits (as strings) made int() raise in the
    executor, which stopped the job; an order of 100 KB given twice was quoted whole in the
    error row; a NaN order (a double column) was taken without a word, its turn scored last."""
    turns = [{"__order__": order, "speaker": "agent", "text": "Hello, I am Sam."}
             for order in orders]
    row = spark_scoring._score_json(coach, json.dumps({"id": "c", "turns": turns}), "turn_index")
    if error is None:
        assert row["error"] is None
    else:
        assert row["error"].startswith(error) and len(row["error"]) < 300


def documented_columns(text: str) -> list[tuple[str, str]]:
    """The (column, type) rows of the Markdown tables in `text`."""
    return re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", text, flags=re.MULTILINE)


def spark_types(schema: StructType) -> list[tuple[str, str]]:
    """Each column with its Spark type as docs/scale.md writes it (structs elided)."""
    return [(field.name, re.sub(r"struct<[^<>]*>", "struct<...>", field.dataType.simpleString()))
            for field in schema.fields]


def test_the_documented_schemas_are_the_schemas() -> None:
    page = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    scores, findings = page.split("Findings, one row per finding")
    assert documented_columns(scores) == spark_types(spark_scoring.SCORES_SCHEMA)
    assert documented_columns(findings) == spark_types(spark_scoring.FINDINGS_SCHEMA)


def test_the_docs_excerpts_are_in_the_example_they_name() -> None:
    page = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w*)[^\n]*\n(.*?)```", page, flags=re.DOTALL)
    assert blocks
    for language, block in blocks:
        first, _, body = textwrap.dedent(block).partition("\n")
        named = re.fullmatch(r"# (.+) \(excerpt\)", first)
        assert named or language == "text", (
            f"a docs/scale.md block is neither run nor marked as an excerpt: {block[:80]!r}")
        if named and Path(REPO / named.group(1)).is_file():
            assert body.strip() in (REPO / named.group(1)).read_text(encoding="utf-8")


def test_a_conversation_row_with_no_turns_says_so(coach: Coach) -> None:
    """A Spark row of no turn was scored without a word (until 2026-12-07); its report
    notes it, as `servicecoach score`'s does."""
    from servicecoach.session import NO_TURNS

    row = spark_scoring._score_json(coach, json.dumps({"id": "e", "turns": []}), None)
    assert row["error"] is None
    assert json.loads(row["report_json"])["notes"] == [NO_TURNS]
