"""The readable report shows a strength as a strength and an issue with its severity."""

from __future__ import annotations

from conftest import transcript

from servicecoach import Coach
from servicecoach.writers import render_text

CALL = """%% id: c1
%% customer_name: Dana Reyes
Agent: Thanks for calling Acme, this is Sam. How can I help?
Customer: My refund never arrived.
Agent: Calm down, that's our policy.
"""


def test_strengths_read_as_strengths_and_issues_keep_their_severity(coach: Coach) -> None:
    text = render_text(coach.score(transcript(CALL)))
    lines = {line.split(":")[0].split()[-1]: line for line in text.splitlines() if ": " in line}
    assert "+ turn 0     strength   greeting.introduced" in lines["greeting.introduced"]
    assert "- turn 2     warning    defensive.dismissive" in lines["defensive.dismissive"]
    assert not any(line.startswith("  +") and "suggestion" in line[:30]
                   for line in text.splitlines())


def test_the_text_report_says_what_each_rule_cost_the_overall_score(coach: Coach) -> None:
    """A coach reading the refund call saw ten findings, nine of them 'warning', and an
    overall of 80, with no word of which findings cost what: the negative ending took 8
    points and each missing acknowledgement 2. The report's last line gives the exact
    overall and each rule's cost, the most first, as the summaries count them."""
    from pathlib import Path

    from servicecoach.readers.text import parse_transcripts

    path = Path(__file__).parents[1] / "examples" / "transcripts" / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    text = render_text(coach.score(call))
    assert text.rstrip("\n").splitlines()[-1] == (
        "  cost to the overall score (79.5): outcome.negative-ending -8, "
        "defensive.deflection -4 (2 findings), empathy.missing -4 (2 findings), "
        "defensive.dismissive -2, empathy.undercut -2, name.unused -0.5")
    perfect = render_text(coach.score(transcript(
        "%% id: ok\nAgent: Hi, this is Sam. How can I help?\nCustomer: Thanks, all good!\n")))
    assert "cost to the overall score" not in perfect
