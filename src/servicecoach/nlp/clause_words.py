"""The words a language's clauses are read with: what negates a hit, what ends the clause
a negation reaches, what contradicts a hit, and whose instruction a hit carries.

They are data: each language's defaults ship in ``clause_words/<language>.yaml`` and a
pack's ``clause_words:`` (``pack.yaml``) replaces any of its lists, so a pack for another
language, or another register, reads its own clauses (docs/writing-rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from servicecoach.rules.schema import ClauseWordsSpec

_FOLDER = Path(__file__).with_name("clause_words")


@dataclass(frozen=True)
class ClauseWords:
    """The words `servicecoach.nlp.context` reads clauses with (lower-cased token texts or
    norms), and its windows. Empty sets read nothing: no negation, no contrast."""

    negation: frozenset[str] = frozenset()
    """Token norms that negate what follows in the same clause."""
    negation_window: int = 0
    """How many tokens before a hit a negation may be."""
    clause_breaks: frozenset[str] = frozenset()
    """Tokens that end the clause a negation reaches."""
    clause_subjects: frozenset[str] = frozenset()
    """The writer's own subject, where a clause without a comma starts."""
    contrast: frozenset[str] = frozenset()
    """What contradicts what came before it in a sentence."""
    instructing: frozenset[str] = frozenset()
    """Verbs whose object and "to" give someone else's instruction."""
    instructed: frozenset[str] = frozenset()
    """Who is told to do something, in "told X to"."""
    passive: frozenset[str] = frozenset()
    """Before an instructing verb, a passive ("was told to")."""
    reported_window: int = 0
    """How many tokens before a hit the "to" of someone else's instruction may be."""

    @staticmethod
    @cache
    def of_language(language: str) -> ClauseWords:
        """The defaults shipped for `language` (an ISO 639-1 code); empty for a language
        that has none."""
        path = _FOLDER / f"{language}.yaml"
        if not path.is_file():
            return ClauseWords()
        spec = ClauseWordsSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        return ClauseWords().updated(spec)

    def updated(self, spec: ClauseWordsSpec | None) -> ClauseWords:
        """These words with the lists and windows `spec` gives instead."""
        if spec is None:
            return self
        changes: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(spec, field.name)
            if value is None:
                continue
            changes[field.name] = value if isinstance(value, int) else frozenset(
                word.lower() for word in value)
        return replace(self, **changes)
