"""The tokenizer keeps its affix searches' answers per chunk: the tokens are the same as
without them, whether an answer is searched, kept or forgotten and searched again."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED

from servicecoach.nlp import tokens
from servicecoach.nlp.engine import load_pipeline
from servicecoach.nlp.tokens import make_doc

TRICKY = [
    "I can't log in. Please help, it's urgent!!! (really) :) see https://t.co/abc-def?x=1",
    "Don't you DARE... I'm done -- well-known e-mail: me@x.com; 3.5kg/$20 (ok?) 'quoted'",
    "we'll call back.we'll call back.WE'LL CALL BACK. co-operate, re-do... 10-15 mins~~",
    "\"Thanks!\" - Jo ^JD #help @Support... ain't it? y'all're ok? it’s fine’.",
    "a" * 40 + "." * 40 + " " + "word!" * 10 + " :-( ;) <3 ... ---",
]


def _tokens(nlp, text: str) -> list[tuple[str, bool]]:
    return [(token.text, bool(token.whitespace_)) for token in make_doc(nlp, text)]


def _plain():
    """The pipeline as it was without remembered answers."""
    nlp = load_pipeline()
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = tokenizer.prefix_search.__wrapped__
    tokenizer.suffix_search = tokenizer.suffix_search.__wrapped__
    tokenizer.url_match = tokenizer.url_match.__wrapped__
    tokenizer.infix_finditer = tokenizer.infix_finditer.__wrapped__
    return nlp


@pytest.mark.parametrize("kept", [tokens.REMEMBERED_CHUNKS, 3])
def test_remembered_affixes_give_the_same_tokens(monkeypatch: pytest.MonkeyPatch,
                                                 kept: int) -> None:
    """Every text tokenized three times (searched, then from memory, which spaCy's own
    cache leaves to it after a special case such as "can't"), also with a memory of three
    chunks that forgets all the time."""
    monkeypatch.setattr(tokens, "REMEMBERED_CHUNKS", kept)
    remembering, plain = load_pipeline(), _plain()
    texts = list(TRICKY)
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:100]:
            texts += [turn["text"] for turn in json.loads(line)["turns"]]
    for _ in range(3):
        for text in texts:
            assert _tokens(remembering, text) == _tokens(plain, text), text
