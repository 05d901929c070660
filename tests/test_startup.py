"""A `Coach` loads everything it needs when it is built: the first turn of a live session
loads no table (lemminflect's lemmas, the given names, VADER's lexicon)."""

from __future__ import annotations

import subprocess
import sys

FIRST_TURNS = """
import lemminflect.codecs.LemmaLUCodec as lemma_codec
import nicknames
import vaderSentiment.vaderSentiment as vader
from servicecoach import Coach

coach = Coach()

def refuse(*args, **kwargs):
    raise AssertionError("a table was loaded after the Coach was built")

lemma_codec.LemmaLUCodec.load = refuse
nicknames.NickNamer.__init__ = refuse
vader.SentimentIntensityAnalyzer.__init__ = refuse
session = coach.session(channel="voice")
session.add_turn({"speaker": "agent", "text": "Thanks for calling, this is Sam. Who am I speaking with?"})
session.add_turn({"speaker": "customer", "text": "It's Dana Reyes. My refund NEVER came and I'm furious."})
hints = session.add_turn({"speaker": "agent", "text": "I'm so sorry, Dana. Hmm, I'll check it now."})
report = session.close()
assert "name.used" in {f.rule_id for f in report.findings}, report.findings
assert report.customer_sentiment[1] is not None and report.customer_sentiment[1] < 0
print("ok")
"""


def test_the_first_turns_of_a_live_session_load_nothing() -> None:
    done = subprocess.run([sys.executable, "-c", FIRST_TURNS], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
