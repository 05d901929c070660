"""Any spaCy pipeline: the fast paths of the blank pipeline give what a full run gives.

On the blank pipeline (tokenizer + sentencizer) sentences are read off the token arrays and
the name rules read bare tokens; with any other pipeline the turn's annotated `Doc` is
used. A pipeline that adds a component which changes nothing must score every dev-set and
corpus conversation exactly alike, and entities, when a pipeline sets them, are used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from conftest import REPO, SHARED, transcript

from servicecoach import Coach, Transcript


def _pipeline(folder: Path, patterns: list[dict[str, str]]) -> str:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.to_disk(folder)
    return str(folder)


@pytest.fixture(scope="module")
def annotating_coach(tmp_path_factory: pytest.TempPathFactory) -> Coach:
    """A coach whose pipeline runs an entity ruler that finds nothing."""
    never = [{"label": "ORG", "pattern": "zzqxv-never"}]
    return Coach(spacy_model=_pipeline(tmp_path_factory.mktemp("ruler"), never))


def _conversations() -> list[Transcript]:
    lines = (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()[:60]
    return [Transcript.model_validate(json.loads(line)) for line in lines]


def test_a_pipeline_that_changes_nothing_scores_alike(coach: Coach, annotating_coach: Coach) -> None:
    assert coach.split_sentences is not None and annotating_coach.split_sentences is None
    for conversation in _conversations():
        assert annotating_coach.score(conversation) == coach.score(conversation), conversation.id


def test_person_entities_name_the_customer(coach: Coach, tmp_path: Path) -> None:
    """No lead word before it and not in the given-names list: only an entity tells that
    "Oluwaseun" is the customer addressed by name."""
    ruler = Coach(spacy_model=_pipeline(tmp_path, [{"label": "PERSON", "pattern": "Oluwaseun"}]))
    conversation = transcript("Agent: Hello, you're through to Brightline, I'm Sam.\n"
                              "Customer: My order is late again.\n"
                              "Agent: Oluwaseun, let me look at that for you.\n")

    def used(scorer: Coach) -> list[tuple[int | None, str | None]]:
        return [(f.turn_index, f.span.text if f.span else None)
                for f in scorer.score(conversation).findings if f.rule_id == "name.used"]

    assert used(ruler) == [(2, "Oluwaseun")]
    assert used(coach) == []
