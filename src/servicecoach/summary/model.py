"""The summary of a run, as data: what `servicecoach summarize` prints as text, JSON or CSV.

Every number is computed from the reports alone, so the summary of a results file equals
the summary of the run that wrote it (`score --summary`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

BUCKETS = 10
"""Score distributions count conversations in ten bands: 0-9, 10-19, ... 90-100."""

_POSITION = ("The conversation's place among those summarized, from 0: tells apart "
             "conversations that share an id")


class Example(BaseModel):
    """Where a rule fired: the conversation, the turn, and the words it fired on."""

    transcript_id: str
    position: int = Field(description=_POSITION)
    turn_index: int | None = Field(description="null for a finding about the whole conversation")
    text: str | None = Field(description="The span the finding points at, when it has one")


class RuleStats(BaseModel):
    """How often one rule fired."""

    rule_id: str
    kind: str = Field(description="issue, strength or cue")
    severity: str = Field(description="An issue's severity; a strength's or a cue's is its "
                          "rule's nominal one, which ranks nothing (the text and HTML "
                          "summaries leave it out)")
    category: str
    findings: int = Field(description="How many findings the rule made, over all conversations")
    conversations: int = Field(description="How many conversations have at least one")
    share: float = Field(description="conversations / all conversations, 0-1")
    points: float = Field(
        default=0.0,
        description="The points its findings moved the overall score by, summed over all "
                    "conversations: negative for issues, positive for strengths, 0 for cues. "
                    "A category's loss (100 minus its clamped score) is shared among its "
                    "findings by their points and weighed as the overall score weighs the "
                    "category, so the rules' points add up to the overall scores' sum minus "
                    "100 per scored conversation (before each overall is rounded)")
    examples: list[Example] = Field(description="The first few findings, in input order")


class CategoryStats(BaseModel):
    """One category's scores over the conversations where it applied."""

    category: str
    applicable: int = Field(description="Conversations where the category was judged")
    mean: float | None = Field(description="Mean score where applicable; null when never")
    distribution: list[int] = Field(
        description="Conversations per band of ten points: 0-9, 10-19, ..., 90-100")


class Conversation(BaseModel):
    """One conversation in a worst or best list."""

    transcript_id: str
    position: int = Field(description=_POSITION)
    overall: float
    agent_name: str | None
    issues: int
    top_issue: str | None = Field(
        description="The rule id of the issue that took the most points off the overall "
                    "score (then the most severe)")


class Group(BaseModel):
    """The conversations that share one value of a `--by` field."""

    value: str = Field(description="The field's value; '(none)' when the report has none")
    conversations: int
    overall_mean: float | None
    issues: int
    strengths: int
    category_means: dict[str, float] = Field(description="Mean score per applicable category")
    top_issues: list[tuple[str, int]] = Field(
        description="The most frequent issue rules, with their counts (at most three)")


class Summary(BaseModel):
    """Everything `summarize` reports about a set of scored conversations."""

    conversations: int
    scored: int = Field(description="Conversations with an overall score (some category applied)")
    overall_mean: float | None
    overall_min: float | None
    overall_max: float | None
    overall_distribution: list[int] = Field(description="Conversations per band of ten points")
    issues_by_severity: dict[str, int] = Field(
        description="Issues of each severity: suggestion, warning, critical")
    conversations_with_issues: int
    no_turns: int = Field(default=0, description="Conversations with no turn at all (an "
                          "export cut short): scored with nothing found, their reports note it")
    strengths: int
    rules: list[RuleStats] = Field(description="Most findings first, then rule id")
    categories: list[CategoryStats] = Field(description="By category name")
    worst: list[Conversation] = Field(description="Lowest overall first; ties in input order")
    best: list[Conversation] = Field(description="Highest overall first; ties in input order; "
                                     "never one of the worst")
    groups: dict[str, list[Group]] = Field(
        description="Per --by field: its values, most conversations first, then by value "
                    "(date, week and month: in calendar order)")
