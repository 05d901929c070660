"""Lemma forms: the bundled packs' words come precomputed (no lemminflect load at start-up),
and are exactly what lemminflect gives; any other word is expanded by lemminflect."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from conftest import REPO

from servicecoach.nlp import lemmas

STALE = "src/servicecoach/nlp/word_forms.json is stale: run python scripts/update_word_forms.py"
UPDATE = runpy.run_path(str(REPO / "scripts" / "update_word_forms.py"))


def test_the_precomputed_forms_are_those_of_the_bundled_packs() -> None:
    shipped = json.loads(lemmas.BUNDLED_FORMS.read_text(encoding="utf-8"))
    fresh = UPDATE["bundled_table"]()
    assert sorted(shipped["forms"]) == sorted(fresh["forms"]), STALE  # the packs' words
    if shipped["lemminflect"] != fresh["lemminflect"]:
        pytest.skip(f"made with lemminflect {shipped['lemminflect']}, installed "
                    f"{fresh['lemminflect']}: the table is not used (regenerate it)")
    assert shipped == fresh, STALE


def test_a_bundled_word_expands_as_lemminflect_expands_it() -> None:
    assert "frustrated" in lemmas._bundled()
    assert lemmas.word_forms("Frustrated") == lemmas.inflections("frustrated")
    assert {"frustrate", "frustrates", "frustrating"} <= set(lemmas.word_forms("frustrated"))


def test_a_word_of_a_users_pack_is_expanded_by_lemminflect() -> None:
    assert "reimburse" not in lemmas._bundled()
    assert {"reimburse", "reimbursed", "reimburses", "reimbursing"} <= set(
        lemmas.word_forms("reimbursed"))


def test_forms_made_with_another_lemminflect_version_are_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "word_forms.json"
    table.write_text(json.dumps({"lemminflect": "0.0.1", "forms": {"refund": ["wrong"]}}),
                     encoding="utf-8")
    monkeypatch.setattr(lemmas, "BUNDLED_FORMS", table)
    lemmas._bundled.cache_clear()
    try:
        assert lemmas._bundled() == {}
    finally:
        monkeypatch.undo()
        lemmas._bundled.cache_clear()
    assert lemmas._bundled()
