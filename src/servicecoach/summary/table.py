"""The summary as a spreadsheet: one row per conversation, one column per category score
and one per rule (how many findings it made there).

The categories and rules are known only once every report is in, so rows are kept in a
temporary file until then: memory stays bounded whatever the number of conversations.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from typing import TextIO

from servicecoach.models import Report
from servicecoach.writers.csv import (
    CONVERSATION_COLUMNS,
    cell,
    conversation_cells,
    csv_rows,
    other_metadata,
)


class ConversationTable:
    """Add reports (`add`), then `write` the CSV: `CONVERSATION_COLUMNS`, ``overall``,
    ``issues``, ``strengths``, ``score:<category>`` per category and ``rule:<rule id>``
    per rule (both sorted by name), then ``metadata`` (other fields as JSON)."""

    def __init__(self) -> None:
        # open until `write`: the rows wait there between calls
        self._rows = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._categories: set[str] = set()
        self._rules: set[str] = set()

    def add(self, report: Report) -> None:
        """Keep one report's row."""
        scores = {s.category: s.score for s in report.scores if s.applicable}
        counts = Counter(f.rule_id for f in report.findings)
        self._categories.update(s.category for s in report.scores)
        self._rules.update(counts)
        row = [conversation_cells(report), cell(report.overall), len(report.issues()),
               len(report.strengths()), other_metadata(report), scores, counts]
        self._rows.write(json.dumps(row, ensure_ascii=False) + "\n")

    def write(self, out: TextIO) -> None:
        """Write the header and every row, in the order the reports came; close the table."""
        categories, rules = sorted(self._categories), sorted(self._rules)
        out.write(csv_rows([[*CONVERSATION_COLUMNS, "overall", "issues", "strengths",
                             *(f"score:{c}" for c in categories),
                             *(f"rule:{r}" for r in rules), "metadata"]]))
        self._rows.seek(0)
        for line in self._rows:
            head, overall, issues, strengths, rest, scores, counts = json.loads(line)
            out.write(csv_rows([[*head, overall, issues, strengths,
                                 *(cell(scores.get(c)) for c in categories),
                                 *(counts.get(r, 0) for r in rules), rest]]))
        self._rows.close()
