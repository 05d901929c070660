"""Names in text: a lexicon of given names, who a turn addresses and how it uses a known name.

A name is known with its forms (`KnownName`: the first name, a title and the surname, and
nicknames from the `nicknames` dataset: Robert -> Bob, Liz -> Elizabeth). An agent turn
addresses someone when it has the full name, a title and the surname ("Ms. Okafor") or
the first name or a nickname of it. A first name that is also an English word (Will,
Grace, Hope, Bill: lemminflect knows it) counts only in address position ("Thanks,
Will." / "Will, can you..." / "Hi Grace"), after one of the `Leads` a pack gives,
never in "I will check". A close variant of the name in address position (rapidfuzz:
Katherine/Catherine, Jon/John, Sara/Sarah) is a misspelling, checked before nicknames
since the dataset lists Jon for John; so is a spelling of the same sound (Caitlin/Kaitlyn,
see `spelling_key`), which rapidfuzz's ratio scores lower. The name rules (`analyzers/name.py`) read these.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from lemminflect import config as lemminflect_config
from nicknames import NickNamer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc

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
_HANDLE = re.compile(r"@(\w+)")
"""A social-media handle in a reply ("@morganedits1992")."""
_LETTERS = re.compile(r"[^\W\d_]{3,}")
"""A word of three letters or more (that may be part of a handle)."""
HANDLE_LIKE = re.compile(r"[A-Z]{2}|[a-z][A-Z]|\d")
"""Capitals in a row, a capital after a small letter, or a digit: a handle, not a name."""
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


def is_word(word: str) -> bool:
    """True when `word` is also an English word (lemminflect has a lemma for it)."""
    return word.lower() in english_words()


@cache
def english_words() -> frozenset[str]:
    """The words lemminflect has lemmas for: the keys of its lemma table and overrides, as
    its `getAllLemmas` looks them up (lower case).

    Read as keys only (a twentieth of a second), not loaded as lemminflect's table of
    lemmas by part of speech (a quarter of a second), which `is_word` does not need.
    """
    with gzip.open(lemminflect_config.lemma_lu_fn, "rt", encoding="utf-8") as table:
        words = {line.partition(",")[0] for line in table}
    with open(lemminflect_config.lemma_overrides_fn, encoding="utf-8") as overrides:
        words.update(line.strip().partition(",")[0] for line in overrides
                     if line.strip() and not line.startswith("#"))
    return frozenset(words)


def load_lexicons() -> None:
    """Load the given names and the English words now, when the `Coach` is built, rather
    than on the first turn of a live session."""
    leads_of()
    english_words()


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
    if spelling_key(written) == spelling_key(name):
        return True  # the same sound spelled otherwise, however many letters: Kayley/Kayleigh
    return Levenshtein.distance(written, name) <= max_edits and fuzz.ratio(written, name) >= cutoff


_SPELLINGS = (
    (re.compile(r"(?<=...)(?:eigh|ey|ie|ee)$"), "i"),
    (re.compile(r"^geo"), "je"),
    (re.compile(r"^g(?=[eiy])"), "j"),
    (re.compile(r"(?<=[aeiou])h$"), ""),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|c(?![eiy])|q"), "k"),
    (re.compile(r"(?<=.)y"), "i"),
    (re.compile(r"(?<=[tgr])h"), ""),
    (re.compile(r"(.)\1"), r"\1"),
)
"""Spellings of one sound in English names: Caitlin/Kaitlyn, Philip/Filip,
Thomas/Tomas, Ann/Anne's double letters, the ending of Kayleigh/Kayley/Kaylee (in a name of
four letters or more: Lee and Li stay apart), a soft G (Geoff/Jeff, Gillian/Jillian) and a
silent final H (Sarah/Sara, Rebekah/Rebecca)."""


@lru_cache(maxsize=4096)
def spelling_key(name: str) -> str:
    """`name` (lower case) with the spellings of one sound made one: two names with the
    same key sound alike (Caitlin, Kaitlyn -> kaitlin), however far apart their letters."""
    for pattern, sound in _SPELLINGS:
        name = pattern.sub(sound, name)
    return name


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
            if any(_same_sound(word, target) for word in words):  # Kayley for Kayleigh
                return True
    return False


_SAME_INITIAL = ({"c", "k", "q"}, {"p", "f"}, {"g", "j"})


def _same_sound(word: str, name: str) -> bool:
    """True when `word` is another spelling of `name`'s sound (see `spelling_key`), checked
    only for words of about its length and with an initial of the same sound."""
    if word == name or abs(len(word) - len(name)) > 3 or not word:
        return False
    if word[0] != name[0] and not any({word[0], name[0]} <= group for group in _SAME_INITIAL):
        return False
    return spelling_key(word) == spelling_key(name)


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
    case: titles, forms of a name, words within `max_edits` edits of a first name (as a
    close variant is) and other spellings of its sound; at any other token it finds nothing."""
    forms = frozenset().union(*(name.forms for name in names))
    found = {index for index, low in enumerate(lows)
             if low in forms or low.rstrip(".") in TITLES}
    for name in names:
        found.update(index for _, _, index in process.extract(
            name.first, lows, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=None))
        found.update(index for index, low in enumerate(lows) if _same_sound(low, name.first))
    return sorted(found)


def find_name_use(
    doc: Doc, text: str, names: list[KnownName], cutoff: float, max_edits: int,
    sentence_starts: Callable[[], frozenset[int]] | None = None, *, leads: Leads | None = None,
    referents: frozenset[str] = frozenset(),
) -> NameUse:
    """The first right address and the first close variant of any known name in the turn.

    `doc` may be the turn's bare tokens, with `sentence_starts` giving the sentence bounds
    (see `_in_position`); `leads` are the words that put a name in address position (by
    default `ADDRESS_LEADS`); `referents` the words after which a name is someone spoken of,
    not spoken to ("the account holder, Priya Raman", "our engineer Olivia", "the courier
    Master Li").
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
        if referents and _after_referent(doc, index, referents):
            continue
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
                    and not _possessive(doc, index, name) \
                    and _in_position(doc, sentence_starts, lowers, index, leads):
                wrong = wrong or Address(token.idx, token.idx + len(token), "close variant")
        if right and wrong:
            break
    return NameUse(right, wrong)


def _possessive(doc: Doc, index: int, name: KnownName) -> bool:
    """True when the word at `index` (with the customer's surname after it, if it has one)
    is a possessive: "in Rebekah Stone's name" speaks of someone, it does not address them."""
    after = index + 1
    if name.last and after < len(doc) and doc[after].lower_ == name.last:
        after += 1
    return after < len(doc) and doc[after].lower_ in ("'s", "’s")


def _after_referent(doc: Doc, index: int, referents: frozenset[str]) -> bool:
    """True when the word before token `index` (a comma between them aside) is one of
    `referents`: the name that follows names someone spoken of."""
    before = index - 1
    if before >= 0 and doc[before].text == ",":
        before -= 1
    return before >= 0 and doc[before].lower_ in referents


def _address_candidates(lowers: list[int], leads: Leads,
                         in_handle: frozenset[int] = frozenset()) -> list[int]:
    """Indices of the tokens `addressed_name` may take for a name, from their `LOWER` ids:
    given names, words right after a lead, maybe with a comma between ("Hey, Afua"), and
    words of the handle replied to (`in_handle`); no other token is ever taken."""
    given, wanted = _given_name_ids(), leads.address_ids
    found = {index for index, low in enumerate(lowers) if low in in_handle}
    for index in [index for index, low in enumerate(lowers) if low in wanted or low == _YOU]:
        if lowers[index] in given:
            found.add(index)
        if index + 1 < len(lowers) and _lead_at(lowers, index, leads):
            found.add(index + 2 if lowers[index + 1] == _COMMA else index + 1)
    found.discard(len(lowers))  # a lead and a comma end the turn: "hi," names no one
    return sorted(found)


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where `word` starts in `text`, overlaps included."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def may_address_cased(text: str, lowered: str, words: Iterable[str], leads: Leads) -> bool:
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
    in_handle = _handle_words(text, cased) if "@" in text else frozenset()
    for index in _address_candidates(lowers, leads, in_handle):
        token = doc[index]
        low = token.lower_
        if not token.is_alpha or len(low) < 2 or low in not_names or low == own \
                or (cased and token.text.isupper()):  # initials and acronyms: "^SR"
            continue
        capital = token.text[:1].isupper()
        if low in given_names():
            likely = capital or not cased
        else:  # an unknown word needs a greeting or thanks before it ("Hey, Afua"), or
            # to be part of the handle the reply goes to ("@morganedits1992 Hey Morgan!")
            likely = capital and cased and not token.is_stop \
                and not HANDLE_LIKE.search(token.text) and (
                    (not is_word(low) and _after_lead(doc, index, leads))
                    or lowers[index] in in_handle)
        if likely and _in_position(doc, sentence_starts, lowers, index, leads):
            if not has_entities and lowers[index] not in in_handle \
                    and not _may_address(turn_words(text), leads):
                return None  # neither a lead ("Hi", "thanks") nor a given name: no address
            return token.text
    return None


def _handle_words(text: str, cased: bool) -> frozenset[int]:
    """The `LOWER` ids of the words of `text` (three letters or more) that are part of a
    handle in it ("Morgan" in "@morganedits1992 Hey Morgan!"). In a cased text only the
    capitalised words are read: `addressed_name` takes no other word there."""
    handles = [handle.lower() for handle in _HANDLE.findall(text)]
    words = {word.lower() for word in _LETTERS.findall(text) if not cased or word[0].isupper()}
    return frozenset(get_string_id(word) for word in words
                     if any(word in handle for handle in handles))


def _may_address(words: frozenset[str], leads: Leads) -> bool:
    """Cheap test on the turn's words: is one a lead ("Hi", "thanks") or a given name?"""
    return bool(words & (leads.words | {"thank"})) or bool(words & given_names())
