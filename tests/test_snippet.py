"""A turn's snippet (in messages and evidence) is the start of its text on one line."""

from __future__ import annotations

import json

from conftest import SHARED

from servicecoach.analyzers.phrase_lists import snippet


def _whole(text: str, limit: int) -> str:
    """The snippet as the whole text put on one line gives it."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


def test_a_snippet_read_off_the_start_is_that_of_the_whole_text() -> None:
    """Only the start of a long turn is put on one line: the snippet is the same, also when
    white space fills the start, a word runs across the cut or the text is just long
    enough."""
    texts = [
        "word " * 40, " " * 200 + "late start of the text, " * 5, "\n\t " * 50 + "x",
        "a" * 59 + " " + "b" * 70, "a" * 61, "a" * 120 + " b", "short", "", " " * 130,
        "one two,   three;\n\nfour - " * 9, "x " * 60 + "y" * 3, "x" * 119 + " " + "y",
    ]
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:200]:
            texts += [turn["text"] for turn in json.loads(line)["turns"]]
    for text in texts:
        for limit in (60, 80, 5, 1):
            for cut in range(len(text) + 1) if len(text) < 140 else (len(text),):
                assert snippet(text[:cut], limit) == _whole(text[:cut], limit), (text, limit)
