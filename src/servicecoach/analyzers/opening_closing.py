"""First and last impressions: the greeting, the agent's introduction, the closing.

All three are transcript-anchored (``turn_index: null``) as CHECKS.md defines them.
`greeting` is decided on the agent's first turn and `introduction` as soon as the
opening is over, so a live session hears about them early; `closing` needs the end.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    address_form,
    base_slots,
    build_finding,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence, snippet
from servicecoach.models import Evidence, Finding, FindingKind, Speaker
from servicecoach.nlp.matching import Hit
from servicecoach.rules.schema import BuiltinRule


@dataclass
class _Once:
    """Whether the rule has been decided for this conversation."""

    done: bool = False


class GreetingAnalyzer(PhraseListsAnalyzer):
    """``greeting.missing``: the agent's first turn has no word from the `greeting` list."""

    lists = ("greeting",)
    speakers = frozenset({Speaker.AGENT})

    def new_state(self, conversation: Conversation) -> _Once:
        return _Once()

    def on_turn(
        self, state: _Once, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        if state.done or not self.is_agent_turn(conversation, ctx) or not ctx.turn.text.strip():
            return []  # an empty message (an attachment, a deleted post) opens nothing
        state.done = True
        conversation.judged.add(self.rule.category)
        if self.hits(ctx, "greeting"):
            return []
        slots = base_slots(conversation) | {"detail": snippet(ctx.turn.text)}
        evidence = (absence(ctx.index, "no greeting in the agent's first turn"),)
        return [build_finding(self.rule, None, span=None, evidence=evidence, slots=slots)]


@builtin("greeting")
def greeting(rule: BuiltinRule) -> GreetingAnalyzer:
    """Factory for ``analyzer: greeting``."""
    return GreetingAnalyzer(rule)


@dataclass
class _Opening:
    """How far the opening has gone: agent turns seen, and whether the customer answered."""

    agent_turns: int = 0
    customer_answered: bool = False
    done: bool = False
    last_agent: int | None = None


_NAME = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NEXT_WORD = re.compile(r"\s*([A-Za-z']+)?")
_WORD_AFTER_NEXT = re.compile(r"\s*[A-Za-z'-]+\s*([A-Za-z']+)?")
_SIGNED_BEFORE = re.compile(r"([A-Z][a-z'-]+)\s*,?\s*$")
"""A capitalised name right before a lead-out ("Sam here")."""
_SIGN_OFF_NAME = re.compile(r"(?:[.!?)~]\s+|\n\s*)([A-Z][a-z'-]{1,14})\s*(?:\d/\d)?\s*$")
"""A capitalised word alone at the very end of a message, after a sentence or on its own
line ("Hope this helps. Jason", "...\n\nDana"): a sign-off where the channel signs so."""
_LINE = re.compile(r"[^\n]+")
_CAPITALISED = re.compile(r"[A-Z][a-z'-]*\.?|[A-Z][a-z]+-[A-Z][a-z]+")
_NAME_WINDOW = 64
"""How far before a lead-out a name is looked for (searching all the text before each
lead-out of a long turn would take time quadratic in its length)."""
_AFTER_NAME = frozenset(
    {"from", "with", "at", "and", "here", "speaking", "your", "on", "of", "in", "how", "for"}
)


class IntroductionAnalyzer(PhraseListsAnalyzer):
    """``greeting.no-introduction`` (issue) or its praise (strength): the agent's own name.

    The opening is the agent's first run of turns before the customer answers, and at
    least its first ``opening_turns`` turns (setting, default 2). A name is given when
    the metadata's ``agent_name`` is said, when a `lead_in` ("my name is", "this is",
    "I'm") is followed by a name-like word, when a name is followed by a `lead_out`
    ("Sam here"), or when the turn is signed (`signature`: "^JK", "- Sam"), or, with
    ``sign_off_name`` (set by the social and e-mail channel profiles), when it ends with a
    capitalised name alone after its last sentence ("Hope this helps. Jason"); with
    ``valedictions`` (the e-mail profile), when a valediction line ("Kind regards,") is
    followed by a line that is a person's name ("Dana Smith", not "Acme Support").
    Capitalisation tells a name after "this is" or "I'm" in mixed-case text; in all
    lower-case (speech-to-text) only "my name is" forms and the metadata name count.
    """

    lists = ("lead_in",)
    optional_lists = ("lead_out", "signature")
    defaults: ClassVar[dict[str, Any]] = {"opening_turns": 2, "any_word_after": (), "not_names": (),
                                          "sign_off_name": False, "valedictions": ()}
    speakers = frozenset({Speaker.AGENT, Speaker.CUSTOMER})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.opening_turns = self.setting("opening_turns")
        self.any_word = frozenset(self.setting("any_word_after"))
        self.not_names = frozenset(self.setting("not_names"))
        self.sign_off_name = self.setting("sign_off_name")
        self.valedictions = frozenset(self.setting("valedictions"))

    def new_state(self, conversation: Conversation) -> _Opening:
        return _Opening()

    def on_turn(
        self, state: _Opening, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        if state.done:
            return []
        if ctx.turn.speaker is Speaker.CUSTOMER:
            if state.agent_turns:
                state.customer_answered = True
            return []
        if not self.is_agent_turn(conversation, ctx):
            return []
        conversation.judged.add(self.rule.category)
        if state.agent_turns >= self.opening_turns and state.customer_answered:
            state.done = True
            return self._missing(conversation, state)
        state.agent_turns += 1
        state.last_agent = ctx.index
        given = self.shared(ctx, "introduction",  # once for both greeting rules
                            lambda: self._introduction(conversation, ctx))
        if given is None:
            return []
        state.done = True
        if self.rule.finding is not FindingKind.STRENGTH:
            return []
        start, end = given
        slots = base_slots(conversation) | {"match": ctx.turn.text[start:end]}
        return [
            build_finding(
                self.rule, ctx, span=span_of(ctx.turn, start, end), slots=slots,
                evidence=(Evidence(source="phrase", turn_index=ctx.index,
                                   note="the agent's own name in the opening"),),
            )
        ]

    def on_end(self, state: _Opening, conversation: Conversation) -> list[Finding]:
        if state.done or state.last_agent is None:
            return []
        state.done = True
        return self._missing(conversation, state)

    def _missing(self, conversation: Conversation, state: _Opening) -> list[Finding]:
        if self.rule.finding is FindingKind.STRENGTH:
            return []
        slots = base_slots(conversation)
        slots |= {"detail": f"the first {state.agent_turns} agent turn(s)",
                  "agent_name": slots["agent_name"] or "(your name)"}
        note = f"no own name in the opening agent turns (up to turn {state.last_agent})"
        return [
            build_finding(self.rule, None, span=None, slots=slots,
                          evidence=(absence(None, note),))
        ]

    def _introduction(self, conversation: Conversation, ctx: TurnContext) -> tuple[int, int] | None:
        """Character offsets of the agent's own name (or signature) in the turn, if given."""
        text = ctx.turn.text
        known = address_form(conversation.metadata.agent_name)
        if known:
            found = re.search(rf"\b{re.escape(known.split()[-1])}\b", text, re.IGNORECASE)
            if found:
                return found.start(), found.end()
        cased = text != text.lower()
        for hit in self.hits(ctx, "lead_in"):
            name = self._name_after(text, hit, cased)
            if name is not None:
                return hit.start, name
        for hit in self.hits(ctx, "lead_out"):
            before = _SIGNED_BEFORE.search(text, max(0, hit.start - _NAME_WINDOW), hit.start)
            if before and before[1].lower() not in self.not_names:
                return before.start(1), hit.end
        signatures = self.hits(ctx, "signature")
        if signatures:
            return signatures[-1].start, signatures[-1].end
        signed = self._signature_block(conversation, text) if self.valedictions else None
        if signed is None and self.sign_off_name:
            signed = self._signed_name(conversation, text)
        return signed

    def _signature_block(self, conversation: Conversation, text: str) -> tuple[int, int] | None:
        """Offsets of the name line after a valediction line, when it names a person."""
        lines = [line for line in _LINE.finditer(text) if line[0].strip()]
        for line, following in pairwise(lines):
            if line[0].strip().rstrip(",.!").lower() not in self.valedictions:
                continue
            words = following[0].split()
            if 0 < len(words) <= 3 and all(self._person_word(conversation, w) for w in words):
                return following.start(), following.end()
        return None

    def _person_word(self, conversation: Conversation, word: str) -> bool:
        """A capitalised word that is no common word and not the customer's name."""
        customer = (conversation.metadata.customer_name or "").lower().split()
        bare = word.rstrip(".,")
        return bool(_CAPITALISED.fullmatch(bare)) and bare.lower() not in self.not_names \
            and bare.lower() not in customer

    def _signed_name(self, conversation: Conversation, text: str) -> tuple[int, int] | None:
        """Offsets of a name alone at the end of the turn, unless it is a common word or
        the customer's name (a reply that ends by addressing them)."""
        found = _SIGN_OFF_NAME.search(text[-_NAME_WINDOW:])
        if found is None or found[1].lower() in self.not_names:
            return None
        customer = (conversation.metadata.customer_name or "").lower().split()
        if found[1].lower() in customer:
            return None
        offset = max(0, len(text) - _NAME_WINDOW)
        return offset + found.start(1), offset + found.end(1)

    def _name_after(self, text: str, hit: Hit, cased: bool) -> int | None:
        """End offset of a name-like word right after a lead-in, else None."""
        found = _NAME.match(text, _skip_space(text, hit.end))
        if found is None or found[0].lower() in self.not_names:
            return None
        if hit.pattern.lower() in self.any_word:
            return found.end()
        if not cased or not found[0][0].isupper():
            return None
        after = _NEXT_WORD.match(text, found.end())
        following = after[1] if after else None
        if following is None or following.lower() in _AFTER_NAME:
            return found.end()
        if following[0].isupper() and following.lower() not in self.not_names:
            # a surname ("this is Sam Ortiz."), not a company ("this is Acme Support.")
            tail = _WORD_AFTER_NEXT.match(text, found.end())
            if tail is None or tail[1] is None or tail[1].lower() in _AFTER_NAME:
                return found.end()
        return None


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t,":
        at += 1
    return at


@builtin("introduction")
def introduction(rule: BuiltinRule) -> IntroductionAnalyzer:
    """Factory for ``analyzer: introduction``."""
    return IntroductionAnalyzer(rule)


@dataclass
class _Closing:
    """Whether each of the agent's last two turns closed well, and their indexes."""

    last: deque[tuple[int, Hit | None]] = field(default_factory=lambda: deque(maxlen=2))


class ClosingAnalyzer(PhraseListsAnalyzer):
    """``closing.missing``: neither of the agent's last two turns thanks or offers more help."""

    lists = ("closing",)
    speakers = frozenset({Speaker.AGENT})

    def new_state(self, conversation: Conversation) -> _Closing:
        return _Closing()

    def on_turn(
        self, state: _Closing, conversation: Conversation, ctx: TurnContext
    ) -> list[Finding]:
        if self.is_agent_turn(conversation, ctx):
            conversation.judged.add(self.rule.category)
            hits = self.hits(ctx, "closing")
            state.last.append((ctx.index, hits[0] if hits else None))
        return []

    def on_end(self, state: _Closing, conversation: Conversation) -> list[Finding]:
        if not state.last or any(hit is not None for _, hit in state.last):
            return []
        indexes = [index for index, _ in state.last]
        last_text = conversation.turns[indexes[-1]].text
        slots = base_slots(conversation) | {"detail": snippet(last_text)}
        note = f"no thanks or offer of further help in agent turn(s) {indexes}"
        return [
            build_finding(self.rule, None, span=None, slots=slots,
                          evidence=(absence(None, note),))
        ]


@builtin("closing")
def closing(rule: BuiltinRule) -> ClosingAnalyzer:
    """Factory for ``analyzer: closing``."""
    return ClosingAnalyzer(rule)
