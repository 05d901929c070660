"""Summaries of scored conversations: per rule, per category, worst and best, by group.

`SummaryBuilder` aggregates reports one at a time; `Summary` is the result (its JSON is
what `servicecoach summarize --format json` prints).
"""

from servicecoach.summary.aggregate import SummaryBuilder
from servicecoach.summary.model import Summary

__all__ = ["Summary", "SummaryBuilder"]
