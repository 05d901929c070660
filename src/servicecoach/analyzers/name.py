"""Saying the customer's name: ``name.used``, ``name.unused``, ``name.misspelled``, ``name.overused``.

The name is known from the metadata (``customer_name``), from the customer stating it
("this is Priya Raman", "my name's Dave", "it's Ana, A-N-A", "Priya here", or the
answer to "may I have your name?"), or from a PERSON entity after such a lead-in when
the spaCy pipeline has NER. Where no name is known, the first name the agent addresses
the customer by ("Hi James,") stands in for it.

An agent turn addresses the customer when it has the full name, a title and the surname
("Ms. Okafor") or the first name, or a nickname of it from the `nicknames` dataset
(Robert -> Bob, Liz -> Elizabeth). A first name that is also an English word (Will,
Grace, Hope, Bill: lemminflect knows it) counts only in address position ("Thanks,
Will." / "Will, can you..." / "Hi Grace"), never in "I will check". A close variant of
the name in address position (rapidfuzz: Katherine/Catherine, Jon/John, Sara/Sarah) is
a misspelling, checked before nicknames since the dataset lists Jon for John.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache

from lemminflect import getAllLemmas
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span as DocSpan

from servicecoach.analyzers.base import (
    Conversation,
    TurnContext,
    base_slots,
    build_finding,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.rules.schema import BuiltinRule

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam"})
"""Words before a surname that make it an address ("Mr. Raman")."""
ADDRESS_LEADS = frozenset(
    {"hi", "hello", "hey", "dear", "thanks", "thx", "bye", "goodbye", "morning", "afternoon",
     "evening", "welcome", "ok", "okay", "sure", "great", "perfect", "alright", "sorry",
     "congratulations", "cheers", "absolutely", "certainly"}
)
"""Words right before a name that put it in address position ("Hi Grace", "thank you Will")."""
_CLOSERS = frozenset({",", ".", "!", "?", ";", ":", "...", "…", ")", "—", "-"})
_OPENERS = frozenset({",", "—", "-", "!", "...", "…", ":"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_TWO_WORDS = re.compile(r"[ \t]*,?[ \t]*([A-Za-z][A-Za-z'-]*)(?:[ \t]+([A-Za-z][A-Za-z'-]*))?")
_HANDLE = re.compile(r"[A-Z]{2}|[a-z][A-Z]|\d")
_OPENING_TOKENS = 4
"""A lead-in this close to the start of the turn opens it ("Hi, this is Priya")."""
_OPENING_CHARS = 12
_OPENING_TURNS = 3
"""A bare name ("Patrick O'Neill.") is read only in the first turns of a conversation."""
_NAME_BEFORE = re.compile(r"([A-Za-z][A-Za-z'-]*(?:[ \t]+[A-Za-z][A-Za-z'-]*)?)[ \t]*,?[ \t]*$")
_BARE_NAME = re.compile(r"(?:^|(?<=[.!?,])[ \t]+)([A-Z][a-z'-]+(?:[ \t]+[A-Z][A-Za-z'-]+)?)[ \t]*[.!]")


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Every name of the `nicknames` dataset, lower case: a lexicon of given names."""
    namer = _nicknamer()
    return frozenset(namer.nickname_lookup) | frozenset(namer.canonical_lookup)


@lru_cache(maxsize=65536)
def is_word(word: str) -> bool:
    """True when `word` is also an English word (lemminflect has a lemma for it)."""
    return bool(getAllLemmas(word.lower()))


def name_forms(first: str) -> frozenset[str]:
    """A first name with its nicknames and the names it is a nickname of, lower case."""
    namer = _nicknamer()
    low = first.lower()
    return frozenset({low} | namer.nicknames_of(low) | namer.canonicals_of(low))


@dataclass(frozen=True)
class KnownName:
    """A customer name and the forms that address the customer by it."""

    full: str
    first: str
    last: str | None
    forms: frozenset[str]

    @classmethod
    def parse(cls, full: str | None) -> KnownName | None:
        """The name from free text ("Dr. Priya Raman", "crystal minh"); None when empty."""
        words = _WORD.findall(full or "")
        while words and words[0].lower() in TITLES:
            words = words[1:]
        if not words:
            return None
        last = words[-1].lower() if len(words) > 1 else None
        return cls(" ".join(words), words[0].lower(), last, name_forms(words[0]))


@dataclass(frozen=True)
class Address:
    """Where an agent turn addresses the customer, right or as a close variant."""

    start: int
    end: int
    note: str


def close_variant(written: str, name: str, cutoff: float, max_edits: int) -> bool:
    """True when `written` is a near miss of `name` (Jon/John), not the name or a longer form."""
    written, name = written.lower(), name.lower()
    if written == name or len(written) < 2:
        return False
    shorter, longer = sorted((written, name), key=len)
    if longer.startswith(shorter) and len(longer) - len(shorter) >= 2:
        return False  # Johnny for John is a nickname, not a typo
    return (
        Levenshtein.distance(written, name) <= max_edits
        and fuzz.ratio(written, name) >= cutoff
    )


def _is_lead(doc: Doc, index: int) -> bool:
    token = doc[index]
    low = token.lower_
    if low == "you" and index > 0 and doc[index - 1].lower_ == "thank":
        return True
    return low in ADDRESS_LEADS


def _after_lead(doc: Doc, index: int) -> bool:
    """True when a greeting or thanks comes right before the token, maybe with a comma."""
    before = index - 1
    if before >= 0 and doc[before].text == ",":
        before -= 1
    return before >= 0 and _is_lead(doc, before)


def in_address_position(doc: Doc, start: int, end: int | None = None) -> bool:
    """True when tokens ``start:end`` stand as an address: after a greeting or thanks, or
    set off by a comma or the sentence edge on both sides ("Will, can you..." / "..., Will.").
    """
    end = start + 1 if end is None else end
    first = doc[start]
    prev = None if first.is_sent_start or start == 0 else doc[start - 1]
    nxt = doc[end] if end < len(doc) else None
    closes = nxt is None or nxt.text in _CLOSERS or bool(nxt.is_sent_start)
    if prev is not None and _is_lead(doc, start - 1):
        return closes or first.text[:1].isupper()
    if prev is None:
        return nxt is not None and nxt.text == ","
    return prev.text in _OPENERS and closes


def _title_at(doc: Doc, index: int) -> int | None:
    """Index of the word after a title starting at `index` ("Mr." / "Mr ."), else None."""
    if doc[index].lower_.rstrip(".") not in TITLES:
        return None
    after = index + 1
    if after < len(doc) and doc[after].text == ".":
        after += 1
    return after if after < len(doc) else None


@dataclass(frozen=True)
class NameUse:
    """What one agent turn does with the name: addresses the customer, or misspells it."""

    right: Address | None = None
    misspelled: Address | None = None


def _may_name(words: frozenset[str], names: list[KnownName], cutoff: float,
               max_edits: int) -> bool:
    """Cheap test on the turn's words: could any of them be (or nearly be) a known name?"""
    for name in names:
        targets = [name.first] + ([name.last] if name.last else [])
        if words & name.forms or (name.last and name.last in words):
            return True
        for word in words:
            for target in targets:
                if abs(len(word) - len(target)) <= max_edits and \
                        close_variant(word, target, cutoff, max_edits):
                    return True
    return False


def turn_words(text: str) -> frozenset[str]:
    """The lower-cased words of a text."""
    return frozenset(word.lower() for word in _WORD.findall(text))


def find_name_use(
    doc: Doc, text: str, names: list[KnownName], cutoff: float, max_edits: int
) -> NameUse:
    """The first right address and the first close variant of any known name in the turn."""
    right: Address | None = None
    wrong: Address | None = None
    if not names or not _may_name(turn_words(text), names, cutoff, max_edits):
        return NameUse()
    cased = text != text.lower()
    for index, token in enumerate(doc):
        after_title = _title_at(doc, index)
        for name in names:
            if after_title is not None and name.last:
                surname = doc[after_title]
                if surname.lower_ == name.last:
                    right = right or Address(token.idx, surname.idx + len(surname), "title")
                elif surname.is_alpha and close_variant(surname.text, name.last, cutoff, max_edits):
                    wrong = wrong or Address(token.idx, surname.idx + len(surname), "title")
                continue
            low = token.lower_
            if low == name.first and name.last and index + 1 < len(doc) \
                    and doc[index + 1].lower_ == name.last:
                right = right or Address(token.idx, doc[index + 1].idx + len(doc[index + 1]),
                                         "full name")
            elif low == name.first or (low in name.forms and not close_variant(
                    low, name.first, cutoff, max_edits)):
                if not is_word(low) or in_address_position(doc, index):
                    note = "first name" if low == name.first else f"nickname of {name.first}"
                    right = right or Address(token.idx, token.idx + len(token), note)
            elif token.is_alpha and (token.text[:1].isupper() or not cased) \
                    and close_variant(low, name.first, cutoff, max_edits) \
                    and in_address_position(doc, index):
                wrong = wrong or Address(token.idx, token.idx + len(token), "close variant")
        if right and wrong:
            break
    return NameUse(right, wrong)


def addressed_name(
    doc: Doc, text: str, not_names: frozenset[str], agent_name: str | None
) -> str | None:
    """A name the agent addresses someone by ("Hi James,"), for when no name is known."""
    words = turn_words(text)
    has_entities = doc.has_annotation("ENT_IOB")
    if not has_entities and not (words & (ADDRESS_LEADS | {"thank"})) and not (
        words & given_names()
    ):
        return None  # neither a lead ("Hi", "thanks") nor a given name: no address here
    cased = text != text.lower()
    own = agent_name.lower() if agent_name else None
    for entity in doc.ents:
        if entity.label_ == "PERSON" and in_address_position(doc, entity.start, entity.end):
            if entity.text.split()[0].lower() != own:
                return entity.text
    for index, token in enumerate(doc):
        low = token.lower_
        if not token.is_alpha or len(low) < 2 or low in not_names or low == own \
                or (cased and token.text.isupper()):  # initials and acronyms: "^SR" 
            continue
        capital = token.text[:1].isupper()
        if low in given_names():
            likely = capital or not cased
        else:  # an unknown word needs a greeting or thanks before it: "Hey, Afua"
            likely = capital and cased and not is_word(low) and not token.is_stop \
                and _after_lead(doc, index) and not _HANDLE.search(token.text)
        if likely and in_address_position(doc, index):
            return token.text
    return None


@dataclass
class NameState:
    """What the conversation has shown about the customer's name so far."""

    names: list[KnownName] = field(default_factory=list)
    known_from: int | None = None
    """Index of the turn after which the name is known (-1: from the metadata)."""
    inferred: bool = False
    """The name in `names` was only inferred from the agent's address."""
    asked: bool = False
    """The latest agent turn asked for the customer's name."""
    agent_turns: int = 0
    named_turns: int = 0
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=3))
    agent_turns_known: int = 0
    """Agent turns since the name became known."""
    used: bool = False
    fired: bool = False


class NameAnalyzer(PhraseListsAnalyzer):
    """Learns the name and finds its use in agent turns; subclasses decide one rule id."""

    lists = ("lead_in",)
    optional_lists = ("lead_out", "name_question")
    defaults = {"cutoff": 80.0, "max_edits": 2, "any_word_after": (), "not_names": (),
                "min_agent_turns": 6}

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.cutoff = self.setting("cutoff")
        self.max_edits = self.setting("max_edits")
        self.any_word = frozenset(self.setting("any_word_after"))
        self.not_names = frozenset(self.setting("not_names"))

    def new_state(self, conversation: Conversation) -> NameState:
        state = NameState()
        known = KnownName.parse(conversation.metadata.customer_name)
        if known is not None:
            state.names.append(known)
            state.known_from = -1
        return state

    def on_turn(self, state: NameState, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        if not self.applies(conversation):
            return []
        if ctx.turn.speaker is Speaker.CUSTOMER:
            self._learn(state, conversation, ctx)
            return []
        if ctx.turn.speaker is not Speaker.AGENT:
            return []
        use = self._observe(state, conversation, ctx)
        if state.names:
            conversation.judged.add(self.rule.category)
        return self.judge(state, conversation, ctx, use)

    def judge(
        self, state: NameState, conversation: Conversation, ctx: TurnContext, use: NameUse
    ) -> list[Finding]:
        """This rule's findings for an agent turn, after the state has taken it in."""
        return []

    def _observe(self, state: NameState, conversation: Conversation, ctx: TurnContext) -> NameUse:
        state.asked = bool(self.hits(ctx, "name_question"))
        if not state.names:
            agent = _first(conversation.metadata.agent_name)
            addressed = ctx.memo(
                ("name.addressed", self.not_names, agent),
                lambda: addressed_name(ctx.doc, ctx.turn.text, self.not_names, agent),
            )
            known = KnownName.parse(addressed)
            if known is not None:
                state.names.append(known)
                state.known_from = ctx.index - 1
                state.inferred = True
        use = ctx.memo(
            ("name.use", tuple(state.names), self.cutoff, self.max_edits),
            lambda: find_name_use(ctx.doc, ctx.turn.text, state.names, self.cutoff,
                                  self.max_edits),
        )
        named = use.right is not None
        state.agent_turns += 1
        state.named_turns += named
        state.recent.append(named)
        if state.names:
            state.agent_turns_known += 1
            state.used = state.used or named
        return use

    def _learn(self, state: NameState, conversation: Conversation, ctx: TurnContext) -> None:
        asked = state.asked
        stated = self.shared(ctx, ("name.stated", asked),
                             lambda: self._stated_name(conversation, ctx, asked))
        state.asked = False
        known = KnownName.parse(stated)
        if known is None or any(known.first == name.first for name in state.names if not state.inferred):
            return
        if state.inferred:
            state.names.clear()
            state.inferred = False
        if not state.names:
            state.known_from = ctx.index
            state.agent_turns_known = 0
        state.names.append(known)
        if conversation.stated_customer_name is None:
            conversation.stated_customer_name = known.full

    def _stated_name(self, conversation: Conversation, ctx: TurnContext, asked: bool) -> str | None:
        """The name the customer gives in this turn, if any."""
        text = ctx.turn.text
        cased = text != text.lower()
        own = _first(conversation.metadata.agent_name)
        for entity in ctx.doc.ents:
            if entity.label_ == "PERSON" and self._introduced(ctx, entity):
                return entity.text
        for hit in self.hits(ctx, "lead_in"):
            if ctx.sentence_text(ctx.sentence_of(hit.token_start)).rstrip().endswith("?"):
                continue  # "is this Linda?" asks about the agent
            loose = hit.pattern.lower() in self.any_word
            opening = asked or hit.token_start <= _OPENING_TOKENS
            name = self._name_at(text, hit.end, cased, loose, opening)
            if name and name.split()[0].lower() != own:
                return name
        for hit in self.hits(ctx, "lead_out"):
            before = _NAME_BEFORE.search(text[: hit.start])
            if before and before.start(1) <= _OPENING_CHARS and "@" not in text[: before.start(1)]:
                words = before[1].split()
                if all(self._plausible(word, cased, loose=False, opening=True) for word in words):
                    return before[1]
        if asked and len(ctx.doc) <= 8:
            return self._name_at(text, _skip_fillers(text), cased, loose=False, opening=True)
        if len(conversation.turns) <= _OPENING_TURNS:  # "Morning. Patrick O'Neill. I'm moving"
            for bare in _BARE_NAME.finditer(text, 0, _OPENING_CHARS * 3):
                if bare[1].split()[0].lower() in given_names():
                    return bare[1]
        return None

    def _introduced(self, ctx: TurnContext, entity: DocSpan) -> bool:
        """True when a PERSON entity follows a lead-in or precedes a lead-out."""
        return any(hit.token_end == entity.start for hit in self.hits(ctx, "lead_in")) or any(
            hit.token_start == entity.end for hit in self.hits(ctx, "lead_out")
        )

    def _name_at(
        self, text: str, at: int, cased: bool, loose: bool, opening: bool
    ) -> str | None:
        found = _TWO_WORDS.match(text, at)
        if found is None or not self._plausible(found[1], cased, loose, opening):
            return None
        second = found[2]
        if second and second.lower() not in self.not_names and (
            (cased and second[:1].isupper()) or (not cased and not is_word(second))
        ):
            return f"{found[1]} {second}"
        return found[1]

    def _plausible(self, word: str, cased: bool, loose: bool, opening: bool) -> bool:
        """True when a word can be a first name: after "my name is" any word that is not a
        stop word; else a known given name, or in the opening of the turn (or answering a
        name question) a capitalised word that is no English word."""
        low = word.lower()
        if low in self.not_names or _HANDLE.search(word) or low in STOP_WORDS \
                or low == "i" or "'" in low or "’" in low:
            return False  # "FWL-Chris", "TeamYouTube", "I'm": handles, brands, pronouns
        if loose:
            return True
        if cased and not word[:1].isupper():
            return False
        if low in given_names():
            return not is_word(low) or cased
        return cased and opening and not is_word(low)

    def slots(self, conversation: Conversation, state: NameState) -> dict[str, str | None]:
        """Message slots, with the name as the agent would say it."""
        slots = base_slots(conversation)
        if not slots.get("customer_name") and state.names:
            slots["customer_name"] = state.names[0].full.split()[0].title()
        return slots


def _first(name: str | None) -> str | None:
    known = KnownName.parse(name)
    return known.first if known else None


_FILLERS = re.compile(r"(?:\s*(?:yes|yeah|yep|sure|ok|okay|hi|hello|of course|it's|it is|"
                      r"that's|that is|my name is|my name's|this is)\b[\s,.!]*)*", re.IGNORECASE)


def _skip_fillers(text: str) -> int:
    """Offset of the first word after "sure, it's ..." fillers in an answer."""
    found = _FILLERS.match(text)
    return found.end() if found else 0


def _finding(
    analyzer: NameAnalyzer, state: NameState, conversation: Conversation,
    ctx: TurnContext | None, address: Address | None, note: str,
) -> Finding:
    slots = analyzer.slots(conversation, state)
    span = None
    evidence: tuple[Evidence, ...]
    if ctx is not None and address is not None:
        span = span_of(ctx.turn, address.start, address.end)
        slots["match"] = span.text
        evidence = (Evidence(source="phrase", pattern=address.note, turn_index=ctx.index,
                             note=note),)
    else:
        evidence = (absence(ctx.index if ctx else None, note),)
    return build_finding(analyzer.rule, ctx, span=span, evidence=evidence, slots=slots)


class UsedAnalyzer(NameAnalyzer):
    """``name.used`` (strength): the first agent turn that addresses the customer by name."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        if state.fired or use.right is None:
            return []
        state.fired = True
        note = "the name as the agent addressed it" if state.inferred else "the customer's name"
        return [_finding(self, state, conversation, ctx, use.right, note)]


class UnusedAnalyzer(NameAnalyzer):
    """``name.unused``: the name was known and no later agent turn addressed the customer."""

    def on_end(self, state: NameState, conversation: Conversation) -> list[Finding]:
        if not self.applies(conversation) or state.inferred or not state.names:
            return []
        if state.used or state.agent_turns_known == 0:
            return []
        source = "the metadata" if state.known_from == -1 else f"turn {state.known_from}"
        note = f"name known from {source}; {state.agent_turns_known} agent turn(s) never used it"
        return [_finding(self, state, conversation, None, None, note)]


class MisspelledAnalyzer(NameAnalyzer):
    """``name.misspelled``: an agent turn writes a close variant of the customer's name."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        if use.misspelled is None or state.inferred:
            return []
        note = f"close to {state.names[0].full!r} but not the same"
        return [_finding(self, state, conversation, ctx, use.misspelled, note)]


class OverusedAnalyzer(NameAnalyzer):
    """``name.overused``: two of the last three agent turns use the name, or more than half
    of all agent turns once there are `min_agent_turns` (default 6); once per transcript."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        if state.fired or use.right is None:
            return []
        dense = sum(state.recent) >= 2
        many = (state.agent_turns >= self.setting("min_agent_turns")
                and state.named_turns * 2 > state.agent_turns)
        if not (dense or many):
            return []
        state.fired = True
        note = (f"{sum(state.recent)} of the last {len(state.recent)} agent turns" if dense
                else f"{state.named_turns} of {state.agent_turns} agent turns")
        return [_finding(self, state, conversation, ctx, use.right, note + " use the name")]


@builtin("name_used")
def name_used(rule: BuiltinRule) -> UsedAnalyzer:
    """Factory for ``analyzer: name_used``."""
    return UsedAnalyzer(rule)


@builtin("name_unused")
def name_unused(rule: BuiltinRule) -> UnusedAnalyzer:
    """Factory for ``analyzer: name_unused``."""
    return UnusedAnalyzer(rule)


@builtin("name_misspelled")
def name_misspelled(rule: BuiltinRule) -> MisspelledAnalyzer:
    """Factory for ``analyzer: name_misspelled``."""
    return MisspelledAnalyzer(rule)


@builtin("name_overused")
def name_overused(rule: BuiltinRule) -> OverusedAnalyzer:
    """Factory for ``analyzer: name_overused``."""
    return OverusedAnalyzer(rule)
