"""Regenerate ``src/servicecoach/nlp/word_forms.json``: the lemma forms of every word the
bundled packs expand, computed with the installed lemminflect (a maintainer tool, outside
the package: it builds a `Coach`, which the package's NLP layer must not import).

    python scripts/update_word_forms.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from servicecoach.coach import Coach
from servicecoach.nlp import lemmas
from servicecoach.rules.loader import bundled_packs_dir


def bundled_table() -> dict[str, Any]:
    """What ``word_forms.json`` should hold for the bundled packs."""
    packs = sorted(p.name for p in bundled_packs_dir().iterdir() if (p / "pack.yaml").is_file())
    lemmas.forget_asked_words()  # only the words of these packs
    Coach(packs=packs)
    return {"lemminflect": lemmas.lemminflect_version(),
            "forms": {word: list(lemmas.inflections(word)) for word in lemmas.asked_words()}}


def write_bundled_table() -> Path:
    """Write ``word_forms.json`` for the bundled packs; return its path."""
    lemmas.BUNDLED_FORMS.write_text(json.dumps(bundled_table(), indent=1) + "\n",
                                    encoding="utf-8")
    return lemmas.BUNDLED_FORMS


if __name__ == "__main__":
    print(f"wrote {write_bundled_table()}")
