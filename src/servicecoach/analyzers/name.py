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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from lemminflect import getAllLemmas
from nicknames import NickNamer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from spacy.attrs import LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens import Span as DocSpan

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
ADDRESS_LEADS = (
    "hi", "hello", "hey", "dear", "thanks", "thx", "bye", "goodbye", "morning", "afternoon",
    "evening", "welcome", "ok", "okay", "sure", "great", "perfect", "alright", "sorry",
    "congratulations", "cheers", "absolutely", "certainly",
)
"""The default of the name rules' `address_leads` setting: words right before a name that
put it in address position ("Hi Grace", "thank you Will")."""
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
_NAME_SPAN = 64
"""The longest name (two words, and spaces and a comma) looked for before a lead-out."""
_BARE_NAME = re.compile(r"(?:^|(?<=[.!?,])[ \t]+)([A-Z][a-z'-]+(?:[ \t]+[A-Z][A-Za-z'-]+)?)[ \t]*[.!]")
_LOWERS_TO_ASCII = re.compile("[\u0130\u212a]")
"""The only letters beyond ASCII whose lower case holds `_WORD` characters (İ, Kelvin K)."""
_COMMA = get_string_id(",")
_THANK = get_string_id("thank")
_YOU = get_string_id("you")
_OPENER_IDS = frozenset(get_string_id(text) for text in _OPENERS)
"""Token `LOWER` ids (string hashes) of the openers: a punctuation token's lower case is
its text."""


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Every name of the `nicknames` dataset, lower case: a lexicon of given names."""
    namer = _nicknamer()
    return frozenset(namer.nickname_lookup) | frozenset(namer.canonical_lookup)


@lru_cache(maxsize=1)
def _given_name_ids() -> frozenset[int]:
    """The `LOWER` ids a token has when it is a given name."""
    return frozenset(get_string_id(name) for name in given_names())


@dataclass(frozen=True)
class Leads:
    """The words right before a name that put it in address position (a name rule's
    `address_leads`), and what the name search reads of them: their `LOWER` ids, and the
    words of which a turn needs one for `addressed_name` to find anything without entities
    (the given names, the leads and the "thank" of "thank you"), by `LOWER` id."""

    words: frozenset[str]
    ids: frozenset[int]
    address_words: dict[int, str]
    address_ids: frozenset[int]


@lru_cache(maxsize=16)
def leads_of(words: tuple[str, ...] = ADDRESS_LEADS) -> Leads:
    """The `Leads` of a list of lead words (made once per list: the given names are many)."""
    address_words = {get_string_id(word): word
                     for word in given_names() | frozenset(words) | {"thank"}}
    return Leads(frozenset(words), frozenset(get_string_id(word) for word in words),
                 address_words, frozenset(address_words))


@lru_cache(maxsize=65536)
def is_word(word: str) -> bool:
    """True when `word` is also an English word (lemminflect has a lemma for it)."""
    return bool(getAllLemmas(word.lower()))


def load_lexicons() -> None:
    """Load the given names and lemminflect's lemma table (a fifth of a second) now, when
    the `Coach` is built, rather than on the first turn of a live session."""
    leads_of()
    is_word("name")


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
        if not full:
            return None
        words = _WORD.findall(full)
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


def _is_lead(doc: Doc, index: int, leads: Leads) -> bool:
    token = doc[index]
    low = token.lower_
    if low == "you" and index > 0 and doc[index - 1].lower_ == "thank":
        return True
    return low in leads.words


def _lead_at(lowers: list[int], index: int, leads: Leads) -> bool:
    """`_is_lead` on the turn's `LOWER` ids."""
    low = lowers[index]
    return low in leads.ids or (low == _YOU and index > 0 and lowers[index - 1] == _THANK)


def _may_be_address(lowers: list[int], index: int, leads: Leads) -> bool:
    """False when the token at `index` cannot be in address position, whatever the sentence
    bounds: no lead or opener before it and no comma after it. Needs no sentences."""
    if index > 0 and (_lead_at(lowers, index - 1, leads) or lowers[index - 1] in _OPENER_IDS):
        return True
    return index + 1 < len(lowers) and lowers[index + 1] == _COMMA


def _after_lead(doc: Doc, index: int, leads: Leads) -> bool:
    """True when a greeting or thanks comes right before the token, maybe with a comma."""
    before = index - 1
    if before >= 0 and doc[before].text == ",":
        before -= 1
    return before >= 0 and _is_lead(doc, before, leads)


def in_address_position(doc: Doc, start: int, end: int | None = None, *,
                        leads: Leads | None = None) -> bool:
    """True when tokens ``start:end`` stand as an address: after a greeting or thanks (one
    of `leads`, by default `ADDRESS_LEADS`), or set off by a comma or the sentence edge on
    both sides ("Will, can you..." / "..., Will.").
    """
    end = start + 1 if end is None else end
    return _address_position(doc, start, end, bool(doc[start].is_sent_start),
                             end < len(doc) and bool(doc[end].is_sent_start),
                             leads or leads_of())


def _address_position(doc: Doc, start: int, end: int, starts: bool, next_starts: bool,
                      leads: Leads) -> bool:
    """`in_address_position` with the sentence bounds given: whether the token at `start`
    starts a sentence, and whether the one at `end` does."""
    first = doc[start]
    prev = None if starts or start == 0 else doc[start - 1]
    nxt = doc[end] if end < len(doc) else None
    closes = nxt is None or nxt.text in _CLOSERS or next_starts
    if prev is not None and _is_lead(doc, start - 1, leads):
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


_NO_USE = NameUse()


def _may_name(words: frozenset[str], names: list[KnownName], cutoff: float,
               max_edits: int) -> bool:
    """Cheap test on the turn's words: could any of them be (or nearly be) a known name?"""
    for name in names:
        if words & name.forms or (name.last and name.last in words):
            return True
        for target in (name.first, name.last) if name.last else (name.first,):
            # a close variant is within `max_edits` edits: rapidfuzz finds those in one pass
            near = process.extract(target, words, scorer=Levenshtein.distance,
                                   score_cutoff=max_edits, limit=None)
            if any(close_variant(word, target, cutoff, max_edits) for word, _, _ in near):
                return True
    return False


@lru_cache(maxsize=1)
def turn_words(text: str) -> frozenset[str]:
    """The lower-cased words of a text (kept for the latest text: a turn that addresses a
    name asks for its words again, to find the name's use)."""
    if _LOWERS_TO_ASCII.search(text):
        return frozenset(word.lower() for word in _WORD.findall(text))
    return frozenset(_WORD.findall(text.lower()))  # the same words, lower-cased at once


def _in_position(doc: Doc, sentence_starts: Callable[[], frozenset[int]] | None,
                 lowers: list[int], index: int, leads: Leads) -> bool:
    """`in_address_position` for the token at `index`; `lowers` are the tokens' `LOWER` ids.

    `doc` may be the turn's bare tokens: `sentence_starts` then gives the token indices
    that start a sentence, asked for only when they decide (a lead, an opener or a comma
    next to the token, and an answer that differs with the bounds around it).
    """
    if not _may_be_address(lowers, index, leads):
        return False
    if sentence_starts is None:
        return in_address_position(doc, index, leads=leads)
    answers = {_address_position(doc, index, index + 1, starts, next_starts, leads)
               for starts in (False, True) for next_starts in (False, True)}
    if len(answers) == 1:
        return answers.pop()
    bounds = sentence_starts()
    return _address_position(doc, index, index + 1, index in bounds, index + 1 in bounds, leads)


def _use_candidates(lows: list[str], names: list[KnownName], max_edits: int) -> list[int]:
    """Indices of the tokens at which `find_name_use` may find something, from their lower
    case: titles, forms of a name, and words within `max_edits` edits of a first name (as a
    close variant is); at any other token it finds nothing."""
    forms = frozenset().union(*(name.forms for name in names))
    found = {index for index, low in enumerate(lows)
             if low in forms or low.rstrip(".") in TITLES}
    for name in names:
        found.update(index for _, _, index in process.extract(
            name.first, lows, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=None))
    return sorted(found)


def find_name_use(
    doc: Doc, text: str, names: list[KnownName], cutoff: float, max_edits: int,
    sentence_starts: Callable[[], frozenset[int]] | None = None, *, leads: Leads | None = None,
) -> NameUse:
    """The first right address and the first close variant of any known name in the turn.

    `doc` may be the turn's bare tokens, with `sentence_starts` giving the sentence bounds
    (see `_in_position`); `leads` are the words that put a name in address position (by
    default `ADDRESS_LEADS`).
    """
    leads = leads or leads_of()
    right: Address | None = None
    wrong: Address | None = None
    if not names or not _may_name(turn_words(text), names, cutoff, max_edits):
        return NameUse()
    cased = text != text.lower()
    lowers = doc.to_array(LOWER).tolist()
    strings = doc.vocab.strings
    for index in _use_candidates([strings[low] for low in lowers], names, max_edits):
        token = doc[index]
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
                if not is_word(low) or _in_position(doc, sentence_starts, lowers, index, leads):
                    note = "first name" if low == name.first else f"nickname of {name.first}"
                    right = right or Address(token.idx, token.idx + len(token), note)
            elif token.is_alpha and (token.text[:1].isupper() or not cased) \
                    and close_variant(low, name.first, cutoff, max_edits) \
                    and _in_position(doc, sentence_starts, lowers, index, leads):
                wrong = wrong or Address(token.idx, token.idx + len(token), "close variant")
        if right and wrong:
            break
    return NameUse(right, wrong)


def _address_candidates(lowers: list[int], leads: Leads) -> list[int]:
    """Indices of the tokens `addressed_name` may take for a name, from their `LOWER` ids:
    given names, and words right after a lead, maybe with a comma between ("Hey, Afua");
    any other token is no given name and comes after no lead, so it is never taken."""
    given, wanted = _given_name_ids(), leads.address_ids
    found = set()
    for index in [index for index, low in enumerate(lowers) if low in wanted or low == _YOU]:
        if lowers[index] in given:
            found.add(index)
        if index + 1 < len(lowers) and _lead_at(lowers, index, leads):
            found.add(index + 2 if lowers[index + 1] == _COMMA else index + 1)
    return sorted(found)


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where `word` starts in `text`, overlaps included."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _may_address_cased(text: str, lowered: str, words: Iterable[str], leads: Leads) -> bool:
    """False when `addressed_name` can take no token of `text`, a cased text whose lower
    case `lowered` has its length, given the `Leads.address_words` its tokens are (lower
    case).

    The token it takes is then capitalised, of two letters or more, and either a given
    name or right after a lead, maybe with a comma between ("Hi Will", "Thanks, Afua"):
    the lead is a word here, or "you" when "thank" is.
    """
    names = given_names()
    for name in (word for word in words if word in names):
        if any(text[at].isupper() for at in _occurrences(lowered, name)):
            return True
    present = [word for word in words if word in leads.words] + ["you"] * ("thank" in words)
    for lead in present:
        for at in _occurrences(lowered, lead):
            after = at + len(lead)  # then what the tokens leave between: " , " at most
            after += 2 if lowered.startswith(" ,", after) else int(lowered.startswith(",", after))
            after += int(lowered.startswith(" ", after))
            if text[after : after + 1].isupper() and text[after + 1 : after + 2].isalpha():
                return True
    return False


def addressed_name(
    doc: Doc, text: str, not_names: frozenset[str], agent_name: str | None,
    sentence_starts: Callable[[], frozenset[int]] | None = None, *, leads: Leads | None = None,
) -> str | None:
    """A name the agent addresses someone by ("Hi James,"), for when no name is known.

    `doc` may be the turn's bare tokens when the pipeline sets no entities, with
    `sentence_starts` giving the sentence bounds (see `_in_position`); `leads` as for
    `find_name_use`.
    """
    leads = leads or leads_of()
    has_entities = doc.has_annotation("ENT_IOB")
    cased = text != text.lower()
    own = agent_name.lower() if agent_name else None
    for entity in doc.ents:
        if entity.label_ == "PERSON" and in_address_position(doc, entity.start, entity.end,
                                                             leads=leads) \
                and entity.text.split()[0].lower() != own:
            return entity.text
    lowers = doc.to_array(LOWER).tolist()
    for index in _address_candidates(lowers, leads):
        token = doc[index]
        low = token.lower_
        if not token.is_alpha or len(low) < 2 or low in not_names or low == own \
                or (cased and token.text.isupper()):  # initials and acronyms: "^SR"
            continue
        capital = token.text[:1].isupper()
        if low in given_names():
            likely = capital or not cased
        else:  # an unknown word needs a greeting or thanks before it: "Hey, Afua"
            likely = capital and cased and not is_word(low) and not token.is_stop \
                and _after_lead(doc, index, leads) and not _HANDLE.search(token.text)
        if likely and _in_position(doc, sentence_starts, lowers, index, leads):
            if not has_entities and not _may_address(turn_words(text), leads):
                return None  # neither a lead ("Hi", "thanks") nor a given name: no address
            return token.text
    return None


def _may_address(words: frozenset[str], leads: Leads) -> bool:
    """Cheap test on the turn's words: is one a lead ("Hi", "thanks") or a given name?"""
    return bool(words & (leads.words | {"thank"})) or bool(words & given_names())


@dataclass
class NameFacts:
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
    read: int = -1
    """How many turns the tracker has taken in."""
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
        "address_leads": ADDRESS_LEADS, "answer_fillers": (),
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
        fillers = "|".join(re.escape(filler) for filler in self.setting("answer_fillers"))
        self._answer_fillers = re.compile(rf"(?:\s*(?:{fillers})\b[\s,.!]*)*", re.IGNORECASE) \
            if fillers else re.compile("")
        """The words an answer to "may I have your name?" may start with ("sure, it's")."""
        self._tracker_key = self.tracker_key("name", *(
            (name, rule.phrases[name].model_dump_json()) for name in sorted(self.keys)))
        """Rules whose lists and settings are equal share one tracker."""
        load_lexicons()

    def new_state(self, conversation: Conversation) -> NameState:
        facts = conversation.trackers.get(self._tracker_key)
        if facts is None:
            facts = conversation.trackers[self._tracker_key] = NameFacts(
                agent=_first(conversation.metadata.agent_name))
            known = known_name(conversation.metadata.customer_name)
            if known is not None:
                facts.names.append(known)
                facts.known_from = -1
        return NameState(facts)

    def take_in(self, state: NameState, conversation: Conversation, ctx: TurnContext, *,
                for_report: bool = False) -> None:
        """Learn the name from a customer turn, or read how an agent turn uses it: once per
        turn for the family (the session's fact keeper, or the first rule to see it). The
        name the customer states goes to the conversation whoever learns it."""
        facts = state.facts
        if facts.read > ctx.index:
            return
        facts.read = ctx.index + 1
        speaker = ctx.turn.speaker
        if speaker is Speaker.CUSTOMER:
            self._learn(facts, conversation, ctx)
        elif speaker is Speaker.AGENT:
            facts.use = self._observe(facts, ctx)

    def on_turn(self, state: NameState, conversation: Conversation, ctx: TurnContext) -> list[Finding]:
        facts = state.facts
        if facts.read <= ctx.index:  # not taken in yet (a tracker of this rule's own)
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
        present = self.leads.address_ids & ctx.words
        if not present:
            return None  # no token is a given name, a lead or a "thank": no address here
        lowered = text.lower()  # cased, and with the offsets of the text (no "İ" in it):
        if text != lowered and len(lowered) == len(text) and not _may_address_cased(
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
                                 leads=self.leads)
        return find_name_use(ctx.tokens, text, names, self.cutoff, self.max_edits,
                             lambda: _sentence_starts(ctx), leads=self.leads)

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
        for hit in self.hits(ctx, "lead_out"):
            before = _name_before(text, hit.start)
            if before and before.start(1) <= _OPENING_CHARS and "@" not in text[: before.start(1)]:
                words = before[1].split()
                if all(self._plausible(word, cased, loose=False, opening=True) for word in words):
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
    conversation, and every rule of the family parses them."""
    return KnownName.parse(full)


def _first(name: str | None) -> str | None:
    known = known_name(name)
    return known.first if known else None


def _name_before(text: str, end: int) -> re.Match[str] | None:
    """A name ending at `end` (before a lead-out, "Dana here"), found in the opening of the
    turn only: searching text further on costs time for a name that would not be used."""
    if end > _OPENING_CHARS + _NAME_SPAN:
        return None
    return _NAME_BEFORE.search(text, 0, end)


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
    """``name.overused``: two of the last three agent turns use the name, or more than half
    of all agent turns once there are `min_agent_turns` (default 6); once per transcript."""

    def judge(self, state: NameState, conversation: Conversation, ctx: TurnContext,
              use: NameUse) -> list[Finding]:
        facts = state.facts
        if state.fired or use.right is None:
            return []
        dense = sum(facts.recent) >= 2
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
