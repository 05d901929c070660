"""One Coach shared by many threads, one session each, gives the same reports as one thread."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conftest import REPO

from servicecoach import Coach, Transcript


def test_threads_sharing_a_coach_score_like_one_thread(coach: Coach) -> None:
    lines = (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()
    transcripts = [Transcript.model_validate(json.loads(line)) for line in lines]
    sequential = [coach.score(t) for t in transcripts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            assert list(pool.map(coach.score, transcripts)) == sequential
