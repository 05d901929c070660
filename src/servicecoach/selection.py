"""Which rules run: Ruff-style ``select``, ``extend-select`` and ``ignore``.

A selector is a rule id (``empathy.missing``), a family (``empathy``: every
``empathy.*`` rule), a glob (``confidence.*``) or ``ALL``. ``select`` chooses the rules
(default: all), ``extend-select`` adds to that choice, and ``ignore`` (or ``disable``)
takes rules out; ``ignore`` wins. A selector that matches no loaded rule is an error,
with the closest rule id when there is one.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from servicecoach.errors import ConfigError, quoted
from servicecoach.suggest import did_you_mean

ALL = "ALL"


def matches(selector: str, rule_id: str) -> bool:
    """True when `selector` names `rule_id`: the id, its family, a glob over it, or ALL."""
    return (selector == ALL or selector == rule_id or rule_id.startswith(selector + ".")
            or fnmatch.fnmatchcase(rule_id, selector))


def check_selectors(key: str, selectors: Iterable[str], rule_ids: Sequence[str]) -> None:
    """Refuse a selector that matches no rule, naming the key it came from."""
    for selector in selectors:
        if not any(matches(selector, rule_id) for rule_id in rule_ids):
            families = {rule_id.split(".")[0] for rule_id in rule_ids}
            raise ConfigError(f"{key}: no rule matches {quoted(selector)}",
                              hint=did_you_mean(selector, [*rule_ids, *families],
                                                "run 'servicecoach rules list' for the ids"))


def selected(rule_id: str, *, select: Sequence[str] | None, extend_select: Sequence[str],
             ignore: Sequence[str]) -> bool:
    """Whether the rule runs under this selection."""
    chosen = select is None or any(matches(s, rule_id) for s in select)
    chosen = chosen or any(matches(s, rule_id) for s in extend_select)
    return chosen and not any(matches(s, rule_id) for s in ignore)


def split_selectors(text: str) -> tuple[str, ...]:
    """``--select a,b --select c`` values: comma-separated selectors."""
    return tuple(part.strip() for part in text.split(",") if part.strip())
