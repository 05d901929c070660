"""Channel profiles: how a pack's rules read each channel (``channels:`` in ``pack.yaml``).

A profile switches rules off on its channel (``disable``: ids or ``family.*``) and gives builtin rules other
settings or more phrases there (``rules``). A rule that a profile changes runs as one
analyzer per changed channel (the rule with the profile applied, judging that channel
only) beside the rule itself on its other channels, so a conversation meets exactly one
version of each rule and its findings keep the rule's id.

Profiles of several packs (and of the packs they extend) combine in load order: ``disable``
lists add up, settings of a later pack replace an earlier one's, phrases add up.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from servicecoach.errors import RulePackError
from servicecoach.models import Channel
from servicecoach.rules.schema import (
    BuiltinRule,
    ChannelProfile,
    ChannelRuleSettings,
    MatchSpec,
    PackManifest,
    Rule,
)

_Lines = dict[tuple[Any, ...], int]
_HINT = "see docs/channels.md for channel profiles"


def merge_profiles(manifests: Iterable[PackManifest]) -> dict[Channel, ChannelProfile]:
    """The channel profiles of `manifests` combined in order (later packs add and override)."""
    merged: dict[Channel, ChannelProfile] = {}
    for manifest in manifests:
        for channel, profile in manifest.channels.items():
            earlier = merged.get(channel)
            merged[channel] = profile if earlier is None else _combine(earlier, profile)
    return merged


def _combine(earlier: ChannelProfile, later: ChannelProfile) -> ChannelProfile:
    rules = dict(earlier.rules)
    for rule_id, change in later.rules.items():
        before = rules.get(rule_id)
        if before is None:
            rules[rule_id] = change
            continue
        phrases = dict(before.phrases)
        for name, spec in change.phrases.items():
            phrases[name] = _extended(phrases[name], spec) if name in phrases else spec
        rules[rule_id] = ChannelRuleSettings(
            settings={**before.settings, **change.settings}, phrases=phrases)
    disable = tuple(dict.fromkeys((*earlier.disable, *later.disable)))
    return ChannelProfile(description=later.description or earlier.description,
                          disable=disable, rules={k: v for k, v in rules.items()
                                                  if not _disabled(k, disable)})


def _extended(spec: MatchSpec, more: MatchSpec) -> MatchSpec:
    """`spec` with the alternatives and exceptions of `more` added."""
    return spec.model_copy(update={
        "phrases": spec.phrases + more.phrases, "lemmas": spec.lemmas + more.lemmas,
        "patterns": spec.patterns + more.patterns, "regex": spec.regex + more.regex,
        "exceptions": spec.exceptions + more.exceptions,
        "fuzzy": spec.fuzzy or more.fuzzy,
    })


def rule_variants(
    rule: Rule, profiles: dict[Channel, ChannelProfile]
) -> list[tuple[Rule, Channel | None]]:
    """The versions of `rule` that run: the rule on the channels no profile changes (None),
    then the rule as each changing profile has it, on that channel only. A version with
    no channel left is not listed."""
    kept: list[Channel] = []
    variants: list[tuple[Rule, Channel | None]] = []
    for channel in rule.channels:
        profile = profiles.get(channel)
        if profile is not None and _disabled(rule.id, profile.disable):
            continue
        change = profile.rules.get(rule.id) if profile is not None else None
        if change is None or not isinstance(rule, BuiltinRule):
            kept.append(channel)
            continue
        variants.append((_applied(rule, change, channel), channel))
    if kept:
        base = rule if tuple(kept) == rule.channels else rule.model_copy(
            update={"channels": tuple(kept)})
        variants.insert(0, (base, None))
    return variants


def _applied(rule: BuiltinRule, change: ChannelRuleSettings, channel: Channel) -> BuiltinRule:
    phrases = dict(rule.phrases)
    for name, spec in change.phrases.items():
        phrases[name] = _extended(phrases[name], spec) if name in phrases else spec
    return rule.model_copy(update={
        "channels": (channel,), "settings": {**rule.settings, **change.settings},
        "phrases": phrases,
    })


def _disabled(rule_id: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in patterns)


def variant_key(key: str, channel: Channel) -> str:
    """The matcher key of a channel version's phrase list (``<rule>/<list>@<channel>``):
    unlike the rule's own, so both compile side by side."""
    return f"{key}@{channel.value}"


def keyed_for_channel(analyzer: Any, channel: Channel) -> None:
    """Give a channel version's analyzer (a builtin one, with named phrase lists) its own
    matcher keys (`variant_key`), so its lists do not replace the rule's own."""
    renamed = {key: variant_key(key, channel) for key in analyzer.keys.values()}
    analyzer.keys = {name: renamed[key] for name, key in analyzer.keys.items()}
    wake = getattr(analyzer, "wake_keys", None)
    if wake is not None:
        analyzer.wake_keys = tuple(renamed.get(key, key) for key in wake)


def check_profiles(
    manifest: PackManifest, rules: Iterable[Rule], lines: _Lines, path: Path
) -> None:
    """Refuse a profile that names a rule the pack (or a pack it extends) does not have,
    changes a rule that is not builtin, or gives settings or lists the rule's analyzer
    does not take; located at the line of ``pack.yaml`` that says it."""
    known = {rule.id: rule for rule in rules}
    for channel, profile in manifest.channels.items():
        where: tuple[Any, ...] = ("channels", channel.value)
        for index, pattern in enumerate(profile.disable):
            if not fnmatch.filter(known, pattern):
                _unknown(pattern, known, lines, path, (*where, "disable", index), channel)
        for rule_id, change in profile.rules.items():
            at = (*where, "rules", rule_id)
            rule = known.get(rule_id)
            if rule is None:
                _unknown(rule_id, known, lines, path, at, channel)
            if not isinstance(rule, BuiltinRule):
                raise RulePackError(
                    f"channels.{channel.value}.rules.{rule_id}: only builtin rules take "
                    f"settings and phrases per channel ({rule_id} is a {rule.kind} rule)",
                    path=str(path), line=_line(lines, at),
                    hint=f"switch it off on the channel with 'disable: [{rule_id}]', or give "
                    "the channel its own rule with 'channels:'")
            try:
                _build(_applied(rule, change, channel), path)
            except RulePackError as error:
                what = error.what.split(": ", 1)[-1]
                raise RulePackError(
                    f"channels.{channel.value}.rules.{rule_id}: {what}", path=str(path),
                    line=_line(lines, at), hint=_HINT) from None


def _build(rule: BuiltinRule, path: Path) -> None:
    """Build the rule's analyzer, for the errors its settings and lists raise."""
    # imported here: the analyzers import the loader, which imports this module
    from servicecoach.analyzers.builtins import build_builtin
    from servicecoach.rules.loader import RuleLocation

    build_builtin(rule, RuleLocation(str(path), 0))


def _unknown(rule_id: str, known: dict[str, Rule], lines: _Lines, path: Path,
             at: tuple[Any, ...], channel: Channel) -> NoReturn:
    close = difflib.get_close_matches(rule_id, list(known), n=1)
    raise RulePackError(
        f"channels.{channel.value}: no rule {rule_id!r} in this pack or the packs it extends",
        path=str(path), line=_line(lines, at),
        hint=f"did you mean {close[0]!r}?" if close else "use an id from 'servicecoach rules list'")


def _line(lines: _Lines, loc: tuple[Any, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def split_by_channel(
    rules: Iterable[Rule], profiles: dict[Channel, ChannelProfile]
) -> Iterator[tuple[Rule, Channel | None]]:
    """Every version of every rule that runs, in rule order (see `rule_variants`)."""
    for rule in rules:
        yield from rule_variants(rule, profiles)
