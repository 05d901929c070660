"""Score conversations with Spark, one Coach per Spark Python worker: a CSV chat export
(one row per turn) and a canonical JSON transcript (one row per conversation).

Run:   python examples/spark/score_with_spark.py          (local mode, every core)
       spark-submit examples/spark/score_with_spark.py    (the master spark-submit names)
Needs: pip install "servicecoach[spark]" and Java 17 or later.
"""

from pathlib import Path

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

from servicecoach.integrations.spark import (
    findings,
    local_workers_python,
    score_conversations,
    score_turns,
)

EXAMPLES = Path(__file__).resolve().parents[1]

# In local mode the Python workers run this interpreter, the one servicecoach is installed
# in, not python3 from the PATH (a PYSPARK_PYTHON you set, or spark-submit's, is kept).
local_workers_python()
spark = (SparkSession.builder.appName("servicecoach-example")
         .config("spark.ui.showConsoleProgress", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")

# One row per turn: conversation_id, timestamp, sender_type, name, message.
export = spark.read.csv(str(EXAMPLES / "exports" / "chat-export.csv"), header=True)
seconds = F.unix_timestamp(F.to_timestamp("timestamp"))
turns = export.select(
    "conversation_id",
    "timestamp",                                      # ISO times: they sort as strings
    (seconds - F.min(seconds).over(Window.partitionBy("conversation_id"))).alias("start"),
    F.col("sender_type").alias("speaker"),
    F.col("message").alias("text"),
    F.when(F.col("sender_type") == "agent", F.col("name")).alias("agent_name"),
    F.when(F.col("sender_type") == "customer", F.col("name")).alias("customer_name"),
)
by_turn = score_turns(turns, order_column="timestamp",
                      metadata_columns=("agent_name", "customer_name"))

# One row per conversation: what spark.read.json gives for canonical transcripts.
transcripts = spark.read.json(str(EXAMPLES / "transcripts" / "billing-chat.json"),
                              multiLine=True)
by_conversation = score_conversations(transcripts)

# Persisted: the scores and the findings below are then read from one scoring pass.
scores = by_turn.unionByName(by_conversation).persist()

print("scores: one row per conversation")
for row in scores.orderBy("transcript_id").collect():
    empathy = row.category_scores["empathy"]
    print(f"  {row.transcript_id}: overall {row.overall}, empathy {empathy}, "
          f"{row.issues} issues, {row.strengths} strengths, error {row.error}")

print("findings: one row per finding")
for row in findings(scores).orderBy("transcript_id", "finding_index").collect():
    print(f"  {row.transcript_id} turn {row.turn_index} {row.severity} {row.rule_id}: "
          f"{row.suggestion}")

spark.stop()
