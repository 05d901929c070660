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
