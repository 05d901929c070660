"""A configuration's ``[rules."<id>"]`` tables applied to the rules of the packs: which rules
run (``select``, ``disable``, ``ignore``), their severity, settings and signal thresholds,
and phrases added to or removed from their lists. Each change is checked as a pack's own
list would be, and a `ConfigError` names the table and key to fix."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from servicecoach.config import CoachConfig, RuleOverride
from servicecoach.errors import ConfigError, key_shown, quoted, value_shown
from servicecoach.rules.schema import (
    MAX_ID_LENGTH,
    MAX_LIST_LENGTH,
    BuiltinRule,
    ConditionalRule,
    MatchSpec,
    PhraseRule,
    Rule,
    SignalCondition,
    SignalRule,
    SubstitutionRule,
    bounded_phrases,
)
from servicecoach.selection import check_selectors, selected
from servicecoach.suggest import did_you_mean


def apply_config(rules: list[Rule], config: CoachConfig) -> list[Rule]:
    """The rules the configuration selects, as its `[rules."<id>"]` tables change them; a
    ConfigError names the configuration file it was read from."""
    try:
        chosen = list(_configured(rules, config))
        if not chosen and any(rule.enabled for rule in rules):
            raise _none_chosen(config, sum(rule.enabled for rule in rules))
        return chosen
    except ConfigError as error:
        if error.where or config.source is None:
            raise
        raise ConfigError(error.what, where=str(config.source), hint=error.hint) from None


def _none_chosen(config: CoachConfig, enabled: int) -> ConfigError:
    """The error for a configuration that leaves no rule to run (`select = []`, `ignore =
    ["*"]`...): until 2026-12-07 each report was "n/a" and every command exited 0."""
    if config.select == ():
        return ConfigError("'select' is empty, so no rule would run",
                           hint="leave 'select' out to run every rule, or name the rules to "
                           "run: ids, families or globs")
    keys = [f"'{key}'" for key, given in (("select", config.select), ("ignore", config.ignore),
                                   ("disable", config.disable)) if given]
    if any(override.enabled is False for override in config.rules.values()):
        keys.append("'enabled = false'")
    shown = " and ".join(", ".join(keys).rsplit(", ", 1)) if keys else "the configuration"
    verb = "leave" if len(keys) > 1 else "leaves"
    return ConfigError(f"{shown} {verb} none of the {enabled} rule(s) of the packs to run",
                       hint="keep at least one: select a rule's id, its family or a glob, "
                       "or take fewer out")


def rule_table(rule_id: str) -> str:
    """The key of a rule's table in the configuration, as TOML writes it: rules."<id>"; an id
    longer than a rule's may be is shown by its start and length (a line of 100 KB before)."""
    return f'rules."{rule_id}"' if len(rule_id) <= MAX_ID_LENGTH else f"rules.{quoted(rule_id)}"


def _configured(rules: list[Rule], config: CoachConfig) -> Iterator[Rule]:
    ids = [rule.id for rule in rules]
    ignore = (*config.disable, *config.ignore)
    for key, selectors in (("disable", config.disable), ("ignore", config.ignore),
                           ("select", config.select or ()),
                           ("extend-select", config.extend_select)):
        check_selectors(key, selectors, ids)
    for rule_id in config.rules:
        if rule_id not in ids:
            raise ConfigError(f"{rule_table(rule_id)}: no such rule", hint=did_you_mean(
                rule_id, ids, "run 'servicecoach rules list' for the ids"))
    for rule in rules:
        if not selected(rule.id, select=config.select, extend_select=config.extend_select,
                        ignore=ignore):
            continue
        override = config.rules.get(rule.id)
        if override is not None:
            rule = _override(rule, override)
        if rule.enabled:
            yield rule


_MAIN_LIST = {"phrase": "match", "conditional": "trigger", "substitution": None, "builtin": None,
              "signal": None}


def _override(rule: Rule, override: RuleOverride) -> Rule:
    updates: dict[str, Any] = {}
    if override.enabled is not None:
        updates["enabled"] = override.enabled
    if override.severity is not None:
        updates["severity"] = override.severity
    removals = _by_list(rule, override.remove_phrases, "remove_phrases")
    additions = _by_list(rule, override.add_phrases, "add_phrases")
    if override.add_exceptions:
        additions["exceptions"] = override.add_exceptions
    if override.settings:
        if isinstance(rule, SignalRule):
            updates["when"] = _signal_thresholds(rule, override.settings)
        elif not isinstance(rule, BuiltinRule):
            raise ConfigError(f"{rule_table(rule.id)}.settings: only built-in and signal rules "
                              "have settings")
        else:
            updates["settings"] = {**rule.settings, **override.settings}
    rule = rule.model_copy(update=updates)
    # a list's name and a phrase are shown cut when long: until 2026-12-07 a list named with
    # 100,000 characters made an error line of 200 KB
    bare = isinstance(override.remove_phrases, tuple)  # the main list, its name unwritten
    for name, phrases in removals.items():  # from the lists as shipped, then the additions
        rule = _remove_phrases(rule, name, phrases,
                               key="remove_phrases" if bare else f"remove_phrases.{key_shown(name)}")
    bare = isinstance(override.add_phrases, tuple)
    for name, phrases in additions.items():
        rule = _add_phrases(rule, name, phrases,
                            key="add_phrases" if bare else f"add_phrases.{key_shown(name)}")
    return rule


def _by_list(rule: Rule, phrases: tuple[str, ...] | Mapping[str, tuple[str, ...]], key: str
             ) -> dict[str, tuple[str, ...]]:
    """The phrases of `add_phrases` or `remove_phrases` by list name: a bare list is the
    rule's main list (`_MAIN_LIST`)."""
    if not isinstance(phrases, tuple):
        return dict(phrases)
    target = _MAIN_LIST[rule.kind]
    if phrases and target is None:
        raise ConfigError(f"{rule_table(rule.id)}.{key}: a {rule.kind} rule has no main list",
                          hint=f"name the list: {key} = {{ <list> = [...] }}")
    return {target: phrases} if phrases and target else {}


def _signal_thresholds(rule: SignalRule, settings: dict[str, Any]
                       ) -> tuple[SignalCondition, ...]:
    """A signal rule's `when` with the thresholds `settings` give, by signal id
    (``"customer.distress" = 0.7``: the cue fires from 0.7); ConfigError naming the setting
    for a signal the rule does not read or a threshold outside (0, 1]."""
    read = {condition.signal for condition in rule.when}
    for signal, threshold in settings.items():
        # key and value shown cut when long: until 2026-12-07 a signal id of 100 KB made an
        # error line of 200 KB, a threshold of 5,000 numbers one of 15 KB
        where = f"{rule_table(rule.id)}.settings.{key_shown(signal)}"
        if signal not in read:
            raise ConfigError(f"{where}: {rule.id} reads no signal {quoted(signal)}",
                              hint="its signals: " + ", ".join(sorted(read)))
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
                0 < threshold <= 1):
            raise ConfigError(f"{where}: the threshold is a number above 0 and at most 1, "
                              f"not {value_shown(threshold)}")
    return tuple(condition.model_copy(update={"at_least": float(settings[condition.signal])})
                 if condition.signal in settings else condition for condition in rule.when)


def _add_phrases(rule: Rule, name: str, phrases: tuple[str, ...], *, key: str) -> Rule:
    """The rule with `phrases` added to its list `name` (``exceptions``: to its exceptions);
    a list the rule lacks is a ConfigError naming `key` as the configuration writes it."""
    where = f"{rule_table(rule.id)}.{key}" if name != "exceptions" else \
        f"{rule_table(rule.id)}.add_exceptions"
    # held to a pack's limits (the lists are copied, not validated again): a phrase of 200 KB
    # or a blank one was added without a word
    if len(phrases) > MAX_LIST_LENGTH:
        raise ConfigError(f"{where}: {len(phrases):,} phrases (limit {MAX_LIST_LENGTH:,})")
    try:
        bounded_phrases(phrases)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    if name == "exceptions":
        target = "match" if isinstance(rule, PhraseRule) else "expect"
        if isinstance(rule, SubstitutionRule):
            return rule.model_copy(update={"exceptions": rule.exceptions + phrases})
        spec = getattr(rule, target, None)
        if spec is None:
            raise ConfigError(f"{where}: a {rule.kind} rule takes no exceptions")
        return rule.model_copy(update={target: _extend(spec, "exceptions", phrases)})
    if isinstance(rule, BuiltinRule):
        if name not in rule.phrases:
            raise ConfigError(f"{where}: no list {quoted(name)}",
                              hint=f"lists of this rule: {', '.join(sorted(rule.phrases))}")
        lists = dict(rule.phrases)
        lists[name] = _extend(lists[name], "phrases", phrases)
        return rule.model_copy(update={"phrases": lists})
    if isinstance(rule, ConditionalRule) and name == "trigger":
        trigger = rule.trigger
        spec = trigger.match or MatchSpec(phrases=phrases)
        spec = _extend(spec, "phrases", phrases) if trigger.match else spec
        return rule.model_copy(update={"trigger": trigger.model_copy(update={"match": spec})})
    if isinstance(rule, ConditionalRule) and name == "expect" and rule.expect is None:
        # the rule expects a signal: the phrases are expected too
        return rule.model_copy(update={"expect": MatchSpec(phrases=phrases)})
    spec = getattr(rule, name, None)
    if not isinstance(spec, MatchSpec):
        raise ConfigError(f"{where}: a {rule.kind} rule has no phrase list {quoted(name)}")
    return rule.model_copy(update={name: _extend(spec, "phrases", phrases)})


def _remove_phrases(rule: Rule, name: str, phrases: tuple[str, ...], *, key: str) -> Rule:
    """The rule without these phrases (or lemma-aware phrases) of its list `name`, compared
    as the matcher compares them: case and spacing aside. A phrase the list does not have, or
    a list left with nothing to match, is a ConfigError naming `key` (as the configuration
    writes it: ``remove_phrases`` for the main list given bare) and the list."""
    where = f"{rule_table(rule.id)}.{key}"
    spec = _phrase_list(rule, name)
    if spec is None:
        raise ConfigError(f"{where}: a {rule.kind} rule has no phrase list {quoted(name)}")
    listed = (*spec.phrases, *spec.lemmas)
    for phrase in phrases:
        if _compared(phrase) not in {_compared(item) for item in listed}:
            raise ConfigError(
                f"{where}: the {name} list has no phrase {quoted(phrase)}", hint=did_you_mean(
                    phrase, listed, f"'servicecoach rules explain {rule.id}' names the file "
                    "that lists its phrases"))
    gone = {_compared(phrase) for phrase in phrases}
    kept = spec.model_copy(update={
        field: tuple(item for item in getattr(spec, field) if _compared(item) not in gone)
        for field in ("phrases", "lemmas")})
    if not (kept.phrases or kept.lemmas or kept.patterns or kept.regex or kept.fuzzy):
        raise ConfigError(f"{where}: leaves the {name} list empty",
                          hint="to switch the rule off: enabled = false")
    if isinstance(rule, BuiltinRule):
        return rule.model_copy(update={"phrases": {**rule.phrases, name: kept}})
    if isinstance(rule, ConditionalRule) and name == "trigger":
        return rule.model_copy(update={"trigger": rule.trigger.model_copy(update={"match": kept})})
    return rule.model_copy(update={name: kept})


def _phrase_list(rule: Rule, name: str) -> MatchSpec | None:
    """The rule's phrase list `name` (`trigger` is a conditional rule's trigger's), if any."""
    if isinstance(rule, BuiltinRule):
        return rule.phrases.get(name)
    if isinstance(rule, ConditionalRule) and name == "trigger":
        return rule.trigger.match
    spec = getattr(rule, name, None)
    return spec if isinstance(spec, MatchSpec) else None


def _compared(phrase: str) -> str:
    """A phrase as `remove_phrases` compares it: lower case, single spaces."""
    return " ".join(phrase.lower().split())


def _extend(spec: MatchSpec, field: str, phrases: tuple[str, ...]) -> MatchSpec:
    return spec.model_copy(update={field: getattr(spec, field) + phrases})
