"""A turn with a run of non-space longer than `MAX_CHUNK` is tokenized in parts joined into
one `Doc`: the joined `Doc` holds the turn's exact text, each token at its offset, and the
words around the run are the tokens plain tokenization gives them."""

from __future__ import annotations

import pytest

from servicecoach.nlp.engine import load_pipeline
from servicecoach.nlp.tokens import MAX_CHUNK, make_doc

NLP = load_pipeline()

RUNS = ['"' * 3000, "'" * 2000, "\U0001F624" * 900, "!?" * 700, 'ab"' * 400,
        "x" * (MAX_CHUNK + 1), "-" * (3 * MAX_CHUNK)]


@pytest.mark.parametrize("run", RUNS, ids=range(len(RUNS)))
@pytest.mark.parametrize(("before", "after"), [
    ("", ""), ("I can't log in ", " please help!"), ("Sorry :( ", "\n\nthanks  "),
    ("ok", "ok"),
])
def test_a_turn_cut_around_a_long_run_keeps_its_text_offsets_and_words(
        run: str, before: str, after: str) -> None:
    text = before + run + after
    doc = make_doc(NLP, text)
    assert doc.text == text
    assert all(text[token.idx : token.idx + len(token.text)] == token.text for token in doc)
    assert "".join(token.text_with_ws for token in doc) == text
    if before.endswith(" "):  # words before a space-delimited run are cut as without it
        plain = [token.text for token in NLP.make_doc(before)]
        assert [token.text for token in doc[: len(plain)]] == plain
