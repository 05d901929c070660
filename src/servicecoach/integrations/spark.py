"""Score Spark DataFrames of conversations, one `Coach` per Python worker.

    from servicecoach.integrations.spark import findings, score_turns
    turns = spark.read.csv("turns.csv", header=True, inferSchema=True)  # turn_index: numbers
    scores = score_turns(turns)                                         # one per conversation
    findings(scores)                                                    # one per finding

Two input shapes: one row per conversation in the canonical transcript form
(`score_conversations`: ``id``, ``turns`` as an array of ``speaker``/``text`` structs,
optional ``channel``, ``metadata``, ``events``: what ``spark.read.json`` gives for canonical
JSON Lines), or one row per turn with a conversation id and a turn order (`score_turns`).

Only the configuration (a `CoachConfig`, plain data) travels to the executors: each Python
worker builds its `Coach` the first time it scores and keeps it for every later task, so the
pack compilation is paid once per worker process, not per row or per task. A conversation
that cannot be read or scored becomes a row with its ``error`` set; the job goes on.
Needs ``pip install servicecoach[spark]``; the schemas are documented in docs/scale.md.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import sys
from collections.abc import Iterator, MutableMapping
from functools import partial
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    IntegerType,
    MapType,
    StringType,
    StructField,
    StructType,
)

from servicecoach.coach import Coach
from servicecoach.config import CoachConfig
from servicecoach.errors import InputError, quoted
from servicecoach.integrations.rows import (
    CONVERSATION_FIELDS,
    FINDING_FIELDS,
    error_row,
    score_record,
)

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "spark"
"""How errors from a DataFrame name their source."""

_INTEGER_FIELDS = {"turn_index", "span_start", "span_end"}
FINDING_STRUCT = StructType([
    StructField(name, IntegerType() if name in _INTEGER_FIELDS else StringType(),
                nullable=name not in {"rule_id", "kind", "severity", "category", "message",
                                      "suggestion"})
    for name in FINDING_FIELDS
])
"""One finding: rule, kind, severity, category, turn, speaker, span, message, suggestion."""

SCORES_SCHEMA = StructType([
    StructField("transcript_id", StringType()),
    StructField("channel", StringType()),
    StructField("overall", DoubleType()),
    StructField("category_scores", MapType(StringType(), DoubleType(), valueContainsNull=True)),
    StructField("issues", IntegerType()),
    StructField("strengths", IntegerType()),
    StructField("findings", ArrayType(FINDING_STRUCT, containsNull=False)),
    StructField("report_json", StringType()),
    StructField("error", StringType()),
])
"""One row per conversation (`score_conversations`, `score_turns`)."""
assert tuple(SCORES_SCHEMA.names) == CONVERSATION_FIELDS

FINDINGS_SCHEMA = StructType([
    StructField("transcript_id", StringType()),
    StructField("finding_index", IntegerType(), nullable=False),
    *FINDING_STRUCT.fields,
])
"""One row per finding (`findings`)."""

TURN_FIELDS = ("speaker", "text", "start", "end")
"""The columns of a turn row that make the turn (``speaker`` and ``text`` are required)."""
CONVERSATION_COLUMNS = ("id", "channel", "metadata", "turns", "events")
"""The columns of a conversation row that are read (``id`` and ``turns`` are required)."""
_ORDER = "__order__"
"""The turn-order field while turns are sorted (then dropped)."""
ROWS_PER_BATCH = 256
"""Conversations scored before their rows are handed back to Spark (bounds the memory of
the reports in flight, whatever Arrow's batch size)."""


def local_workers_python(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Have the Python workers of a Spark session started from this script in local mode
    (``python score.py``) run this interpreter: set ``PYSPARK_PYTHON`` to `sys.executable`
    when it is unset, before the session is built, and return it (None when left alone).
    Unset, Spark starts ``python3`` from the PATH, which outside an activated virtual
    environment is not the interpreter servicecoach is installed in: every task failed with
    ``ModuleNotFoundError: No module named 'servicecoach'``.

    Left alone: a ``PYSPARK_PYTHON`` already set, a script run by ``spark-submit`` (whose
    ``--conf spark.pyspark.python`` or environment names the workers' Python), and a master
    other than local named in ``PYSPARK_SUBMIT_ARGS`` (the nodes' Python is not this one)."""
    environ = os.environ if environ is None else environ
    if environ.get("PYSPARK_PYTHON") or "PYSPARK_GATEWAY_PORT" in environ:
        return None
    try:
        arguments = shlex.split(environ.get("PYSPARK_SUBMIT_ARGS", ""))
    except ValueError:
        return None
    masters = [after for before, after in pairwise(arguments) if before == "--master"]
    masters += [argument.split("=", 1)[1] for argument in arguments
                if argument.startswith("--master=")]
    if any(not master.startswith("local") for master in masters):
        return None
    environ["PYSPARK_PYTHON"] = sys.executable
    return sys.executable


def score_conversations(conversations: DataFrame, config: CoachConfig | None = None, *,
                        id_column: str = "id") -> DataFrame:
    """Score a DataFrame with one canonical transcript per row; one row per conversation
    back (`SCORES_SCHEMA`). Columns other than ``id`` (or `id_column`), ``turns``,
    ``channel``, ``metadata`` and ``events`` are ignored."""
    _require(conversations, (id_column, "turns"), "score_conversations")
    columns = [F.col(id_column).alias("id")]
    columns += [F.col(name) for name in CONVERSATION_COLUMNS[1:] if name in conversations.columns]
    return _score(conversations.select(_json_record(columns)), config or CoachConfig(),
                  order_column=None)


def score_turns(turns: DataFrame, config: CoachConfig | None = None, *,
                id_column: str = "conversation_id", order_column: str = "turn_index",
                metadata_columns: tuple[str, ...] = ()) -> DataFrame:
    """Score a DataFrame with one turn per row (``speaker``, ``text``, optional ``start``
    and ``end``), grouped by `id_column` and put in the order of `order_column`; one row
    per conversation back (`SCORES_SCHEMA`). A ``channel`` column and the
    `metadata_columns` (``agent_name``, ``queue``...) are read from each conversation's
    turns (a value that is not null: give it on every turn, or on one). A conversation
    whose turn order is missing or repeats gets an error row."""
    _require(turns, (id_column, order_column, "speaker", "text", *metadata_columns),
             "score_turns")
    fields = [F.col(order_column).alias(_ORDER)]
    fields += [F.col(name) for name in TURN_FIELDS if name in turns.columns]
    aggregates = [F.sort_array(F.collect_list(F.struct(*fields))).alias("turns")]
    if "channel" in turns.columns:
        aggregates.append(F.first("channel", ignorenulls=True).alias("channel"))
    if metadata_columns:
        aggregates.append(F.struct(*[F.first(name, ignorenulls=True).alias(name)
                                     for name in metadata_columns]).alias("metadata"))
    conversations = turns.groupBy(id_column).agg(*aggregates)
    columns = [F.col(id_column).alias("id")] + [F.col(name) for name in conversations.columns[1:]]
    records = conversations.select(_json_record(columns))
    return _score(records, config or CoachConfig(), order_column=order_column)


def findings(scores: DataFrame) -> DataFrame:
    """One row per finding (`FINDINGS_SCHEMA`) of a DataFrame that `score_conversations`
    or `score_turns` returned, in each conversation's finding order (``finding_index``).
    Spark recomputes `scores` for each use: persist it when you read both."""
    exploded = scores.select("transcript_id",
                             F.posexplode("findings").alias("finding_index", "f"))
    return exploded.select("transcript_id", F.col("finding_index").cast("int"), "f.*")


_COACHES: dict[str, Coach] = {}
"""This process's coaches, by configuration (a Python worker keeps them across tasks)."""


def worker_coach(config: CoachConfig) -> Coach:
    """The `Coach` of this process for `config`, built on first use and kept."""
    key = f"{config.model_dump_json()}\0{config.base_dir}"
    coach = _COACHES.get(key)
    if coach is None:
        coach = _COACHES[key] = Coach(config)
    return coach


def score_batches(config: CoachConfig, order_column: str | None,
                  batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The function that runs on the executors (`DataFrame.mapInPandas`): JSON records in,
    conversation rows out, `ROWS_PER_BATCH` at a time. The `Coach` is built lazily, so a
    partition with no rows builds none."""
    import pandas as pd

    for batch in batches:
        records = iter(batch["record"])
        while chunk := list(islice(records, ROWS_PER_BATCH)):
            coach = worker_coach(config)
            rows = [_score_json(coach, record, order_column) for record in chunk]
            yield pd.DataFrame(rows, columns=list(CONVERSATION_FIELDS))


def _score_json(coach: Coach, record: str, order_column: str | None) -> dict[str, Any]:
    decoded = json.loads(record)
    if order_column is not None:
        problem = _ordered_turns(decoded, order_column)
        if problem is not None:
            return error_row(problem)
    return score_record(coach, decoded, source=SOURCE)


def _ordered_turns(record: dict[str, Any], order_column: str) -> InputError | None:
    """Drop the order field from the (sorted) turns of a conversation built from turn rows,
    or say why the order is not one: a turn without it (`order_column`), or two turns with the
    same.

    An order column of strings (`spark.read.csv` without inferSchema) is sorted by Spark as
    text, turn "10" before turn "2": when every order is a string of digits, the turns are
    put in the order of the numbers ("001" and "1" are the same turn)."""
    turns = record["turns"]
    orders = [turn.get(_ORDER) for turn in turns]
    if orders and all(isinstance(order, str) and order.isascii() and order.isdigit()
                      for order in orders):
        # compared as numbers without int(): a string of 5,000 digits made int() raise, and
        # the exception stopped the Spark job (until 2026-12-07)
        for turn in turns:
            turn[_ORDER] = turn[_ORDER].lstrip("0") or "0"
        turns.sort(key=lambda turn: (len(turn[_ORDER]), turn[_ORDER]))  # stable
    previous: object = None
    for position, turn in enumerate(turns):
        order = turn.pop(_ORDER, None)
        unusable = isinstance(order, float) and not math.isfinite(order)
        if order is None or order == previous or unusable:
            shown = _order_shown(order)
            what = (f"a turn has no {order_column}" if order is None
                    else f"{order_column} {shown} is no turn order (a finite number)"
                    if unusable else f"{order_column} {shown} is given to two turns")
            return InputError(what, source=SOURCE, transcript_id=_id_text(record.get("id")),
                              turn=position, hint=f"give each turn its own {order_column}")
        previous = order
    return None


def _order_shown(order: object) -> str:
    """A turn order as an error shows it: a number as written (a string of digits too, by
    its start and length when long), other text quoted by its start when long."""
    if isinstance(order, str) and order.isascii() and order.isdigit():
        return order if len(order) <= 40 else f"{order[:20]}... ({len(order):,} digits)"
    return quoted(order) if isinstance(order, str) else repr(order)


def _id_text(value: object) -> str | None:
    return None if value is None else str(value)


def _score(records: DataFrame, config: CoachConfig, *, order_column: str | None) -> DataFrame:
    return records.mapInPandas(partial(score_batches, config, order_column), SCORES_SCHEMA)


def _json_record(columns: list[Column]) -> Column:
    """The row as one canonical-transcript JSON object (null fields left out)."""
    return F.to_json(F.struct(*columns)).alias("record")


def _require(frame: DataFrame, columns: tuple[str, ...], function: str) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"{function}: the DataFrame has no column "
                         f"{', '.join(map(repr, missing))} (columns: {', '.join(frame.columns)});"
                         " pass the column's name, or rename it with withColumnRenamed")
