"""Sentences read off token arrays are exactly the sentences spaCy's Sentencizer sets."""

from __future__ import annotations

import json

import pytest
import spacy
from conftest import SHARED

from servicecoach import Coach
from servicecoach.nlp.sentences import RuleSentencizer, doc_sentences

EDGE_CASES = [
    "", " ", "\n\n", "?", "...", "!ok", "Hi!!! ok... what?! \n\n yes", "Mr. Smith. Dr. Who?",
    "a.b.c", "“Quote.” Next one", "Hi . . ! ok", "Wait?! (really.) Yes", "one。two！three",
    "ARE YOU KIDDING ME?!?! I WANT A REFUND.", "ok\n\nthanks\n", "3.5 stars. 4 next time",
]


def _corpus_texts() -> list[str]:
    return [turn["text"] for path in sorted((SHARED / "corpora").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
            for turn in json.loads(line)["turns"]]


def test_rule_sentences_equal_spacy_sentences_on_real_turns_and_edge_cases(coach: Coach) -> None:
    split = RuleSentencizer.replacing(coach.nlp)
    assert split is not None
    for text in [*EDGE_CASES, *_corpus_texts()]:
        expected = doc_sentences(coach.annotate(coach.nlp.make_doc(text)))
        assert split(coach.nlp.make_doc(text)) == expected, text


def test_custom_punctuation_is_honoured() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [";"]})
    split = RuleSentencizer.replacing(nlp)
    assert split is not None
    doc = nlp.make_doc("one; two. three")
    assert split(doc) == doc_sentences(nlp(doc.text))
    assert len(split(doc)) == 2


@pytest.mark.parametrize("extra", ["entity_ruler", "lemmatizer"])
def test_a_pipeline_that_does_more_than_split_sentences_is_run_instead(extra: str) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(extra, config={"mode": "lookup"} if extra == "lemmatizer" else {})
    assert RuleSentencizer.replacing(nlp) is None
