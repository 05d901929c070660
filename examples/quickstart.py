"""Score a transcript from Python and print each coaching point.

Run: python examples/quickstart.py
"""

from pathlib import Path

from servicecoach import Coach, InputError
from servicecoach.readers import iter_sources, read_sources

HERE = Path(__file__).parent

coach = Coach()  # the bundled `core` pack; build it once and reuse it
for transcript in read_sources(iter_sources([str(HERE / "transcripts" / "refund-call.txt")])):
    if isinstance(transcript, InputError):  # a record that could not be read: say so, go on
        print(f"skipped: {transcript}")
        continue
    report = coach.score(transcript)
    print(f"{report.transcript_id}: overall {report.overall}")
    for finding in report.findings:
        print(f"  turn {finding.turn_index} {finding.rule_id}: {finding.message}")
        print(f"    suggestion: {finding.suggestion}")
