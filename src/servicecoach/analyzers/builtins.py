"""Built-in analyzers: behaviours that need Python (conversation state, timing, names).

A ``kind: builtin`` rule names its analyzer; the analyzer's factory receives the rule
(phrase lists and settings from YAML) and returns an `Analyzer`.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from collections.abc import Callable

from servicecoach.analyzers.base import Analyzer
from servicecoach.errors import RulePackError
from servicecoach.rules.loader import RuleLocation
from servicecoach.rules.schema import BuiltinRule

Factory = Callable[[BuiltinRule], Analyzer]
_FACTORIES: dict[str, Factory] = {}


def builtin(name: str) -> Callable[[Factory], Factory]:
    """Register an analyzer factory under `name` (used as ``analyzer: name`` in YAML)."""

    def register(factory: Factory) -> Factory:
        _FACTORIES[name] = factory
        return factory

    return register


def _import_analyzer_modules() -> None:
    """Import every module of this package once, so their `@builtin` factories register."""
    package = importlib.import_module("servicecoach.analyzers")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"servicecoach.analyzers.{module.name}")


def registered() -> dict[str, str]:
    """Every analyzer name a ``kind: builtin`` rule can use, with the first paragraph of its
    analyzer's docstring (what it does)."""
    _import_analyzer_modules()
    described = {}
    for name, factory in sorted(_FACTORIES.items()):
        text = (getattr(_made(factory), "__doc__", None) or factory.__doc__ or "").strip()
        described[name] = " ".join(text.split("\n\n")[0].split())
    return described


def fact_family(rule: BuiltinRule) -> str | None:
    """The family of facts the rule's analyzer keeps a tracker of (its class's `family`:
    ``name``, ``commitments``), or None (unknown analyzers included)."""
    if rule.analyzer not in _FACTORIES:
        _import_analyzer_modules()
    factory = _FACTORIES.get(rule.analyzer)
    family = getattr(_made(factory), "family", None) if factory is not None else None
    return family if isinstance(family, str) else None


def _made(factory: Factory) -> object:
    """The analyzer class a factory makes (its return annotation)."""
    return typing.get_type_hints(factory).get("return")


def build_builtin(rule: BuiltinRule, where: RuleLocation) -> Analyzer:
    """The analyzer a builtin rule names, configured by the rule."""
    if rule.analyzer not in _FACTORIES:  # also when some modules were imported directly
        _import_analyzer_modules()
    factory = _FACTORIES.get(rule.analyzer)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES)) or "none"
        raise RulePackError(
            f"rule {rule.id}: unknown analyzer {rule.analyzer!r}",
            path=where.path, line=where.line, hint=f"built-in analyzers: {known}",
        )
    try:
        return factory(rule)
    except (KeyError, TypeError, ValueError) as error:
        raise RulePackError(
            f"rule {rule.id} (analyzer {rule.analyzer!r}): {_said(error)}",
            path=where.path, line=where.line,
            hint="fix the rule's phrase lists or settings, or the rule's settings in your "
            "configuration ([rules.\"" + rule.id + "\"] settings); see docs/rules/" + rule.id + ".md",
        ) from None


def _said(error: Exception) -> str:
    """What an error says: a KeyError's message without the quotes its str() adds."""
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
