"""Regenerate ``src/servicecoach/nlp/regex_gates.json``: the literal gate groups of every
regular expression of the bundled packs (`regex_prefilter.required_literal_groups`), so a
`Coach` need not work them out at start-up (a maintainer tool, outside the package: it
builds a `Coach`, which the package's NLP layer must not import).

    python scripts/update_regex_gates.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from servicecoach.coach import Coach
from servicecoach.nlp import matching, regex_prefilter
from servicecoach.rules.loader import bundled_packs_dir


def bundled_table() -> dict[str, Any]:
    """What ``regex_gates.json`` should hold for the bundled packs: every expression the
    matcher gates while their `Coach` is built, with its groups worked out afresh."""
    packs = sorted(p.name for p in bundled_packs_dir().iterdir() if (p / "pack.yaml").is_file())
    asked: set[str] = set()
    gates = matching.required_literal_groups

    def recorded(pattern: str) -> list[frozenset[str]]:
        asked.add(pattern)
        return gates(pattern)

    matching.required_literal_groups = recorded  # type: ignore[assignment]
    try:
        Coach(packs=packs)
    finally:
        matching.required_literal_groups = gates  # type: ignore[assignment]
    gates_by_key = {regex_prefilter.expression_key(pattern):
                    [sorted(group) for group in regex_prefilter.literal_groups_of(pattern)]
                    for pattern in asked}
    return {"gates": dict(sorted(gates_by_key.items()))}


def write_bundled_table() -> Path:
    """Write ``regex_gates.json`` for the bundled packs; return its path."""
    rows = [f"{json.dumps(key)}: {json.dumps(groups, ensure_ascii=False)}"
            for key, groups in bundled_table()["gates"].items()]
    regex_prefilter.BUNDLED_GATES.write_text(
        '{"gates": {\n' + ",\n".join(rows) + "\n}}\n", encoding="utf-8")
    return regex_prefilter.BUNDLED_GATES


if __name__ == "__main__":
    print(f"wrote {write_bundled_table()}")
