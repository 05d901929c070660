"""Shared plumbing for built-in analyzers configured by named phrase lists.

The name, hold, transfer and escalation families each run one small per-conversation
tracker for several rule ids; every rule of a family carries the same phrase lists
(shared in YAML with anchors) so that each rule can be switched off on its own. The
opening, closing, confidence, commitment and responsiveness analyzers read agent lists.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, TypeVar

from servicecoach.analyzers.base import Conversation, TurnContext, judges
from servicecoach.errors import first_few, quoted, value_shown
from servicecoach.models import Event, Evidence, Finding, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule, MatchSpec

T = TypeVar("T")



def _names(names: list[str]) -> str:
    """Names from a pack or a configuration an error lists: the first five, each whole up to
    100 characters, else by its start and length (a setting named with 100 KB made an
    error line of 100 KB)."""
    return first_few([name if len(name) <= 100 else quoted(name) for name in names])

class PhraseListsAnalyzer:
    """One builtin rule configured by named phrase lists (`rule.phrases`).

    `lists` names the lists a rule must give (a missing one is a pack error) and
    `optional_lists` those it may give; any other list is an error. Subclasses implement
    `new_state` and `on_turn`, and `on_event`/`on_end` when they need them.
    """

    lists: ClassVar[tuple[str, ...]] = ()
    optional_lists: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}
    """Every setting the analyzer takes, with its default; its type is the setting's type."""
    speakers: ClassVar[frozenset[Speaker] | None] = None
    """The speakers whose turns the analyzer reads (None: every turn)."""

    def __init__(self, rule: BuiltinRule) -> None:
        self.rule = rule
        self.rule_ids = (rule.id,)
        missing = [name for name in self.lists if name not in rule.phrases]
        if missing:
            raise KeyError(f"phrase list(s) {', '.join(missing)} required")
        wanted = (*self.lists, *self.optional_lists)
        unknown = sorted(set(rule.phrases) - set(wanted))
        if unknown:
            raise KeyError(f"unknown phrase list(s) {_names(unknown)}")
        self.keys = {name: f"{rule.id}/{name}" for name in wanted if name in rule.phrases}
        self.settings = {name: _typed(name, rule.settings.get(name, default), default)
                         for name, default in self.defaults.items()}
        self._settings_key = tuple(sorted(self.settings.items()))
        self._config_id: int | None = None
        """Names this rule's phrase lists (by the spec they compile to) and settings: rules
        with the same id share per-turn work (known once the coach compiled the specs)."""
        unknown = sorted(set(rule.settings) - set(self.defaults))
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise KeyError(f"unknown setting(s) {_names(unknown)}; settings: {known}")

    def specs(self) -> list[tuple[str, MatchSpec]]:
        """The rule's phrase lists, keyed ``<rule id>/<list name>``."""
        return [(key, self.rule.phrases[name]) for name, key in self.keys.items()]

    def hits(self, ctx: TurnContext, name: str) -> list[Hit]:
        """Hits of one of the rule's lists in the turn (none when the list is not given)."""
        key = self.keys.get(name)
        return ctx.hits(key) if key is not None else []

    def shared(self, ctx: TurnContext, family: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per turn for every rule of `family` configured like this one.

        `family` names the computation, with any per-rule state it depends on.

        Rules of a family share a result when their phrase lists compile to the same
        specs and their settings are equal: the key holds both, so a rule configured
        differently computes its own.
        """
        return ctx.memo((family, self.config_id(ctx)), compute)

    def tracker_key(self, family: str, *, lists: bool = False) -> str:
        """The key of the per-conversation tracker that the rules of `family` configured
        like this one share: their settings and, with `lists`, their phrase lists (when the
        tracker reads them). A string, so that it is hashed once, not at every look-up."""
        phrases = tuple((name, self.rule.phrases[name].model_dump_json())
                        for name in sorted(self.keys)) if lists else ()
        return f"{family} {self._settings_key!r} {phrases!r}"

    def family_tracker(self, conversation: Conversation, key: str, make: Callable[[], T]) -> T:
        """The conversation's tracker under `key`, made by `make` for the first rule of the
        family that asks (the others share it)."""
        tracker = conversation.trackers.get(key)
        if tracker is None:
            tracker = conversation.trackers[key] = make()
        return tracker  # type: ignore[no-any-return]

    def config_id(self, ctx: TurnContext) -> int:
        """A number for this rule's configuration (the specs its phrase lists compile to,
        and its settings): rules of a family with the same number share per-turn work."""
        if self._config_id is None:  # the same for every turn: the specs never change
            lists = tuple(sorted((name, ctx.spec_id(key)) for name, key in self.keys.items()))
            self._config_id = _CONFIGS.setdefault((lists, self._settings_key), len(_CONFIGS))
        return self._config_id

    def is_agent_turn(self, conversation: Conversation, ctx: TurnContext) -> bool:
        """True for an agent turn in a channel the rule applies to."""
        return ctx.turn.speaker is Speaker.AGENT and judges(
            self.rule, conversation, Speaker.AGENT
        )

    def setting(self, name: str) -> Any:
        """A setting of the rule, validated at load (see `defaults`)."""
        return self.settings[name]

    def on_event(self, state: Any, conversation: Conversation, event: Event) -> list[Finding]:
        """Events change nothing by default."""
        return []

    def on_end(self, state: Any, conversation: Conversation) -> list[Finding]:
        """Nothing left open by default."""
        return []


_CONFIGS: dict[tuple[Any, ...], int] = {}
"""A small number for each distinct configuration of phrase lists and settings, so the
per-turn memo keys stay cheap to hash."""


def _typed(name: str, value: Any, default: Any) -> Any:
    """`value` as the type of `default`: a number, a string, true/false, or a list of
    strings."""
    if isinstance(default, str):
        if not isinstance(value, str) or not value:
            raise TypeError(f"setting {name!r} takes a name, not {value_shown(value)}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"setting {name!r} takes a list of strings, not {value_shown(value)}")
        for index, entry in enumerate(value):
            if not isinstance(entry, str):
                raise TypeError(f"setting {name!r} takes a list of strings: entry {index} is "
                                f"{value_shown(entry)}, not a string")
        return tuple(v.lower() for v in value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"setting {name!r} takes true or false, not {value_shown(value)}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"setting {name!r} takes a number, not {value_shown(value)}")
    if not abs(value) <= sys.float_info.max:  # NaN, an infinity, an int no float holds
        shown = f"a number of {len(str(abs(value)))} digits" if isinstance(value, int) else value
        raise TypeError(f"setting {name!r} takes a finite number, not {shown}")
    return int(value) if isinstance(default, int) else float(value)


def anchored(finding: Finding, turn_index: int, conversation: Conversation) -> Finding:
    """The finding moved onto an earlier turn (decided later, as by an event)."""
    speaker = conversation.turns[turn_index].speaker
    return finding.model_copy(update={"turn_index": turn_index, "speaker": speaker})


def absence(turn_index: int | None, note: str) -> Evidence:
    """Evidence that something expected was not said."""
    return Evidence(source="absence", turn_index=turn_index, note=note)


def snippet(text: str, limit: int = 60) -> str:
    """The start of a turn's text, on one line, cut at a word with an ellipsis."""
    # Only the start shows, and a start of the text put on one line is a start of the whole
    # text put on one line: a long turn is not split whole unless its start falls short.
    head = " ".join(text[: 2 * limit].split())
    flat = head if len(head) > limit or len(text) <= 2 * limit else " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
"""Where a sentence ends: its marks before white space or the end of the turn, or a line
break (the points of "£12.50", "example.com" or "v2.1" end none)."""


def snippet_around(text: str, span: tuple[int, int] | None, limit: int = 60) -> str:
    """The words of a turn that decided a reading, on one line: the whole turn when it is
    short, else its sentence that holds `span` (the characters that fired), cut around them
    when that sentence is long too (an ellipsis marks each cut; fired words longer than
    `limit` are quoted by their start); the start of the turn (`snippet`) when nothing marks
    where (a sentiment or a model read the whole turn)."""
    if span is None or len(text) <= limit:
        return snippet(text, limit)
    start, end = span
    opening = 0
    for mark in _SENTENCE_END.finditer(text, 0, start + 1):
        if mark.end() <= start:
            opening = mark.end()
    after = _SENTENCE_END.search(text, end)
    closing = after.end() if after is not None else len(text)
    sentence = " ".join(text[opening:closing].split())
    if len(sentence) <= limit:
        return sentence
    if end - start > limit:  # the fired words alone are longer than a quote: their start
        space = text.rfind(" ", start + 1, start + limit + 1)
        end = space if space > start else start + limit
    # the fired words with as much before as after them as fits, cut between words
    room = max(0, limit - (end - start)) // 2
    low, high = max(opening, start - room), min(closing, end + room)
    if low > opening:
        low = text.find(" ", low, start) + 1 or start
    if high < closing:
        cut = text.rfind(" ", end, high)
        high = cut if cut > 0 else end
    words = " ".join(text[low:high].split())
    return ("..." if low > opening else "") + words + ("..." if high < closing else "")
