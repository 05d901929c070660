"""Saying the customer's name: ``name.used``, ``name.unused``, ``name.misspelled``, ``name.overused``.

The name is known from the metadata (``customer_name``), from the customer stating it
("this is Priya Raman", "my name's Dave", "it's Ana, A-N-A", "Priya here", or the
answer to "may I have your name?"), or from a PERSON entity after such a lead-in when
the spaCy pipeline has NER. Where no name is known, the first name the agent addresses
the customer by ("Hi James,") stands in for it. How a turn addresses or uses a name is
read by `servicecoach.nlp.names`; the family's tracker (`NameFacts`) keeps what the
conversation showed, and each rule judges it.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Span as DocSpan

from servicecoach.analyzers.base import (
    Conversation,
    FamilyTracker,
    TurnContext,
    base_slots,
    build_finding,
    span_of,
)
from servicecoach.analyzers.builtins import builtin
from servicecoach.analyzers.phrase_lists import PhraseListsAnalyzer, absence
from servicecoach.models import Evidence, Finding, Speaker
from servicecoach.nlp.names import (
    ADDRESS_LEADS,
    HANDLE_LIKE,
    Address,
    KnownName,
    NameUse,
    addressed_name,
    find_name_use,
    given_names,
    is_word,
    leads_of,
    load_lexicons,
    may_address_cased,
)
from servicecoach.rules.schema import BuiltinRule
from servicecoach.speaker_labels import is_generic_label

_OPENING_TOKENS = 4
"""A lead-in this close to the start of the turn opens it ("Hi, this is Priya")."""
_OPENING_CHARS = 12
_OPENING_TURNS = 3
"""A bare name ("Patrick O'Neill.") is read only in the first turns of a conversation."""
_NAME_BEFORE = re.compile(r"([A-Za-z][A-Za-z'-]*(?:[ \t]+[A-Za-z][A-Za-z'-]*)?)[ \t]*,?[ \t]*$")
_ADDRESSED_OPENING = re.compile(r"(?:\s*@\w+)+[\s,:]*(?:(?:hi|hello|hey)\b[\s,!.]*)?", re.IGNORECASE)
"""The handles a social-media post opens with and a greeting after them ("@Acme hi, "),
before the customer's "Lena Fischer here"."""
_NAME_SPAN = 64
"""The longest name (two words, and spaces and a comma) looked for before a lead-out."""
_BARE_NAME = re.compile(r"(?:^|(?<=[.!?,])[ \t]+)([A-Z][a-z'-]+(?:[ \t]+[A-Z][A-Za-z'-]+)?)[ \t]*[.!]")
_NO_USE = NameUse()
_TWO_WORDS = re.compile(r"[ \t]*,?[ \t]*([A-Za-z][A-Za-z'-]*)(?:[ \t]+([A-Za-z][A-Za-z'-]*))?")


@dataclass
class NameFacts(FamilyTracker):
    """What the conversation has shown about the customer's name so far: one tracker per
    conversation, taken in once per turn for all the family's rules configured alike."""

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
    agent: str | None = None
    """The agent's first name, lower case (from the metadata)."""
    use: NameUse = field(default_factory=NameUse)
    """How the latest agent turn used the name."""


@dataclass
class NameState:
    """One rule's view of the family's tracker, and what the rule keeps itself."""

    facts: NameFacts
    fired: bool = False


class NameAnalyzer(PhraseListsAnalyzer):
    """Learns the name and finds its use in agent turns; subclasses decide one rule id."""

    family = "name"

    lists = ("lead_in",)
    optional_lists = ("lead_out", "name_question")
    defaults: ClassVar[dict[str, Any]] = {
        "cutoff": 80.0, "max_edits": 2, "any_word_after": (), "not_names": (), "min_agent_turns": 6,
        "recent_min_agent_turns": 3, "address_leads": ADDRESS_LEADS, "answer_fillers": (),
        "reference_words": (),
    }
    """`address_leads` defaults to the library's list; the core pack gives both word lists
    (`rules/core/name/name.yaml`)."""
    speakers = frozenset({Speaker.AGENT, Speaker.CUSTOMER})

    def __init__(self, rule: BuiltinRule) -> None:
        super().__init__(rule)
        self.cutoff = self.setting("cutoff")
        self.max_edits = self.setting("max_edits")
        self.any_word = frozenset(self.setting("any_word_after"))
        self.not_names = frozenset(self.setting("not_names"))
        self.leads = leads_of(self.setting("address_leads"))
        """The words that put a name in address position ("Hi", "thanks")."""
        self.referents = frozenset(self.setting("reference_words"))
        """The words after which a name is someone spoken of ("our engineer Olivia")."""
        fillers = "|".join(re.escape(filler) for filler in self.setting("answer_fillers"))
        self._answer_fillers = re.compile(rf"(?:\s*(?:{fillers})\b[\s,.!]*)*", re.IGNORECASE) \
            if fillers else re.compile("")
        """The words an answer to "may I have your name?" may start with ("sure, it's")."""
        self._tracker_key = self.tracker_key("name", lists=True)
        """Rules whose lists and settings are equal share one tracker."""
        load_lexicons()

    def new_state(self, conversation: Conversation) -> NameState:
        return NameState(self.family_tracker(conversation, self._tracker_key,
                                             lambda: _facts_from(conversation)))

    def take_in(self, state: NameState, conversation: Conversation, ctx: TurnContext, *,
                for_report: bool = False) -> None:
        """Learn the name from a customer turn, or read how an agent turn uses it: once per
        turn for the family (the session's fact keeper, or the first rule to see it). The
        name the customer states goes to the conversation whoever learns it."""
        facts = state.facts
        if not facts.takes_turn(ctx.index):
            return
        speaker = ctx.turn.speaker
        if speaker is Speaker.CUSTOMER:
            self._learn(facts, conversation, ctx)
        elif speaker is Speaker.AGENT:
            facts.use = self._observe(facts, ctx)

    def on_turn(self, state: NameState, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        facts = state.facts
        if facts.turns_read <= ctx.index:  # not taken in yet (a tracker of this rule's own)
            self.take_in(state, conversation, ctx)
        if ctx.turn.speaker is not Speaker.AGENT:
            return []
        if facts.names:
            conversation.judged.add(self.rule.category)
        return self.judge(state, conversation, ctx, facts.use)

    def judge(
        self, state: NameState, conversation: Conversation, ctx: TurnContext, use: NameUse
    ) -> list[Finding]:
        """This rule's findings for an agent turn, after the tracker has taken it in."""
        return []

    def _observe(self, facts: NameFacts, ctx: TurnContext) -> NameUse:
        """Take in an agent turn: whether it asks for the name, the name it addresses the
        customer by when none was known, and how it uses the name."""
        facts.asked = bool(self.hits(ctx, "name_question"))
        if not facts.names:
            addressed = known_name(self._addressed(ctx, facts.agent))
            if addressed is not None:
                facts.names.append(addressed)
                facts.known_from = ctx.index - 1
                facts.inferred = True
        use = self._use(ctx, facts.names) if facts.names else _NO_USE
        named = use.right is not None
        facts.agent_turns += 1
        facts.named_turns += named
        facts.recent.append(named)
        if facts.names:
            facts.agent_turns_known += 1
            facts.used = facts.used or named
        return use

    def _addressed(self, ctx: TurnContext, agent: str | None) -> str | None:
        """`addressed_name` for an agent turn, on the bare tokens when the pipeline is plain."""
        text = ctx.turn.text
        if not ctx.plain:
            return addressed_name(ctx.doc, text, self.not_names, agent, leads=self.leads)
        if "@" not in text:  # a reply to a handle may address its owner without a lead
            present = self.leads.address_ids & ctx.words
            if not present:
                return None  # no token is a given name, a lead or a "thank": no address
            lowered = text.lower()  # cased, and with the offsets of the text (no "İ"):
            if text != lowered and len(lowered) == len(text) and not may_address_cased(
                    text, lowered, [self.leads.address_words[word] for word in present],
                    self.leads):
                return None  # no capitalised given name, nor a capitalised word after a lead
        return addressed_name(ctx.tokens, text, self.not_names, agent,
                              lambda: _sentence_starts(ctx), leads=self.leads)

    def _use(self, ctx: TurnContext, names: list[KnownName]) -> NameUse:
        """`find_name_use` for an agent turn, on the bare tokens when the pipeline is plain."""
        text = ctx.turn.text
        if not ctx.plain:
            return find_name_use(ctx.doc, text, names, self.cutoff, self.max_edits,
                                 leads=self.leads, referents=self.referents)
        return find_name_use(ctx.tokens, text, names, self.cutoff, self.max_edits,
                             lambda: _sentence_starts(ctx), leads=self.leads,
                             referents=self.referents)

    def _learn(self, facts: NameFacts, conversation: Conversation, ctx: TurnContext) -> None:
        asked = facts.asked
        known = known_name(self._stated_name(conversation, ctx, facts.agent, asked))
        facts.asked = False
        if known is None or any(known.first == name.first for name in facts.names if not facts.inferred):
            return
        if facts.inferred:
            facts.names.clear()
            facts.inferred = False
        if not facts.names:
            facts.known_from = ctx.index
            facts.agent_turns_known = 0
        facts.names.append(known)
        if conversation.stated_customer_name is None:
            conversation.stated_customer_name = known.full

    def _stated_name(
        self, conversation: Conversation, ctx: TurnContext, own: str | None, asked: bool
    ) -> str | None:
        """The name the customer gives in this turn, if any (`own`: the agent's first name)."""
        text = ctx.turn.text
        cased = text != text.lower()
        doc = ctx.tokens if ctx.plain else ctx.doc  # plain: no entities, same tokens
        for entity in doc.ents:
            if entity.label_ == "PERSON" and self._introduced(ctx, entity):
                return entity.text
        for hit in self.hits(ctx, "lead_in"):
            loose = hit.pattern.lower() in self.any_word
            opening = asked or hit.token_start <= _OPENING_TOKENS
            name = self._name_at(text, hit.end, cased, loose, opening)
            if name and name.split()[0].lower() != own and not ctx.sentence_text(
                    ctx.sentence_of(hit.token_start)).rstrip().endswith("?"):
                return name  # unless the sentence asks: "is this Linda?" is about the agent
        lead_outs = self.hits(ctx, "lead_out")
        handles = _ADDRESSED_OPENING.match(text) if lead_outs else None
        start = handles.end() if handles else 0  # after "@Brand hi," on social media
        for hit in lead_outs:
            before = _name_before(text, hit.start, start)
            if before and before.start(1) - start <= _OPENING_CHARS \
                    and "@" not in text[start: before.start(1)]:
                first, *rest = before[1].split()
                # a surname may be a word ("Zoey Park here"), as after a lead-in
                if self._plausible(first, cased, loose=False, opening=True) and all(
                        self._surname(word, cased) for word in rest):
                    return before[1]
        if asked and len(doc) <= 8:
            after = self._answer_fillers.match(text)  # "sure, it's ..." before the name
            return self._name_at(text, after.end() if after else 0, cased, loose=False,
                                 opening=True)
        window = _OPENING_CHARS * 3
        if len(conversation.turns) <= _OPENING_TURNS and (  # "Morning. Patrick O'Neill. I'm"
            "." in text[:window] or "!" in text[:window]  # (a bare name ends with one)
        ):
            for bare in _BARE_NAME.finditer(text, 0, window):
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
        if second and self._surname(second, cased):
            return f"{found[1]} {second}"
        return found[1]

    def _surname(self, word: str, cased: bool) -> bool:
        """True when a word after a first name can be its surname: capitalised in cased
        text, else no English word, and no stop word ("Zoey Park", not "Zoey here")."""
        return word.lower() not in self.not_names and (
            (cased and word[:1].isupper()) or (not cased and not is_word(word)))

    def _plausible(self, word: str, cased: bool, loose: bool, opening: bool) -> bool:
        """True when a word can be a first name: after "my name is" any word that is not a
        stop word; else a known given name, or in the opening of the turn (or answering a
        name question) a capitalised word that is no English word."""
        low = word.lower()
        if low in self.not_names or HANDLE_LIKE.search(word) or low in STOP_WORDS \
                or low == "i" or "'" in low or "’" in low:
            return False  # "FWL-Chris", "TeamYouTube", "I'm": handles, brands, pronouns
        if loose:
            return True
        if cased and not word[:1].isupper():
            return False
        if low in given_names():
            return not is_word(low) or cased
        return cased and opening and not is_word(low)

    def slots(self, conversation: Conversation, facts: NameFacts) -> dict[str, str | None]:
        """Message slots, with the name as the agent would say it."""
        slots = base_slots(conversation)
        if not slots.get("customer_name") and facts.names:
            slots["customer_name"] = facts.names[0].full.split()[0].title()
        return slots


def _sentence_starts(ctx: TurnContext) -> frozenset[int]:
    """The token indices that start a sentence of the turn (from `ctx.sentences`, which the
    blank pipeline reads off the tokens: spaCy's sentencizer is not run again)."""
    return frozenset(sentence.start for sentence in ctx.sentences)


@lru_cache(maxsize=4096)
def known_name(full: str | None) -> KnownName | None:
    """`KnownName.parse`, cached: the same names come back in conversation after
    conversation, and every rule of the family parses them. A role given where a name goes
    ("Customer", "Visitor 12", as exports and chat widgets fill the field) is no name."""
    if full is None or is_generic_label(full):
        return None
    return KnownName.parse(full)


def _facts_from(conversation: Conversation) -> NameFacts:
    """A name tracker that starts from what the metadata says (the customer's name, the
    agent's)."""
    facts = NameFacts(agent=_first(conversation.metadata.agent_name))
    known = known_name(conversation.metadata.customer_name)
    if known is not None:
        facts.names.append(known)
        facts.known_from = -1
    return facts


def _first(name: str | None) -> str | None:
    known = known_name(name)
    return known.first if known else None


def _name_before(text: str, end: int, start: int = 0) -> re.Match[str] | None:
    """A name ending at `end` (before a lead-out, "Dana here"), found in the opening of the
    turn (from `start`, past the handles it is addressed to) only: searching text further
    on costs time for a name that would not be used."""
    if end - start > _OPENING_CHARS + _NAME_SPAN:
        return None
    return _NAME_BEFORE.search(text, start, end)


def _finding(
    analyzer: NameAnalyzer, state: NameState, conversation: Conversation,
    ctx: TurnContext | None, address: Address | None, note: str,
) -> Finding:
    slots = analyzer.slots(conversation, state.facts)
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
        note = ("the name as the agent addressed it" if state.facts.inferred
                else "the customer's name")
        return [_finding(self, state, conversation, ctx, use.right, note)]


class UnusedAnalyzer(NameAnalyzer):
    """``name.unused``: the name was known and no later agent turn addressed the customer."""

    def on_end(self, state: NameState, conversation: Conversation) -> list[Finding]:
        facts = state.facts
        if facts.inferred or not facts.names:
            return []
        if facts.used or facts.agent_turns_known == 0:
            return []
        source = "the metadata" if facts.known_from == -1 else f"turn {facts.known_from}"
        note = f"name known from {source}; {facts.agent_turns_known} agent turn(s) never used it"
        return [_finding(self, state, conversation, None, None, note)]


class MisspelledAnalyzer(NameAnalyzer):
    """``name.misspelled``: an agent turn writes a close variant of the customer's name."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        if use.misspelled is None or state.facts.inferred:
            return []
        note = f"close to {state.facts.names[0].full!r} but not the same"
        return [_finding(self, state, conversation, ctx, use.misspelled, note)]


class OverusedAnalyzer(NameAnalyzer):
    """``name.overused``: two of the last three agent turns use the name (from the
    `recent_min_agent_turns`-th agent turn on, default 3), or more than half of all agent
    turns once there are `min_agent_turns` (default 6); once per transcript."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        facts = state.facts
        if state.fired or use.right is None:
            return []
        dense = (facts.agent_turns >= self.setting("recent_min_agent_turns")
                 and sum(facts.recent) >= 2)
        many = (facts.agent_turns >= self.setting("min_agent_turns")
                and facts.named_turns * 2 > facts.agent_turns)
        if not (dense or many):
            return []
        state.fired = True
        note = (f"{sum(facts.recent)} of the last {len(facts.recent)} agent turns" if dense
                else f"{facts.named_turns} of {facts.agent_turns} agent turns")
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
