"""Compile every `MatchSpec` of a pack once, and match each turn only as far as rules ask.

All exact and lemma-aware phrases of all rules go into one `PhraseMatcher` on the ``NORM``
attribute (lower case, contractions and curly apostrophes normalised: "can't", "can’t",
"cannot" and "can not" are the same tokens), run once per turn. Token patterns, regexes
and fuzzy phrases are run per spec, and only when an analyzer asks for that spec's hits
on that turn (a hold rule's time-estimate regexes run only on turns that start a hold).
Identical specs (the same phrase list used by several rules) are compiled and run once.
Each hit maps back to the phrase, pattern or regex that fired.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from rapidfuzz import fuzz
from spacy.attrs import LOWER, NORM, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc

from servicecoach.nlp.clause_words import ClauseWords
from servicecoach.nlp.lemmas import TooManyVariants, phrase_variants, word_forms
from servicecoach.nlp.once import computed_once
from servicecoach.nlp.regex_prefilter import LiteralIndex, required_literal_groups
from servicecoach.nlp.safe_patterns import repeat_bounds
from servicecoach.nlp.safe_regex import Pattern, compile_safe, match_spans
from servicecoach.rules.schema import MatchSpec


class Hit(NamedTuple):
    """One match in a turn: character and token offsets, and what fired."""

    start: int
    end: int
    token_start: int
    token_end: int
    source: str
    """phrase, lemma, pattern, regex or fuzzy"""
    pattern: str
    score: float | None = None


_SPACY_PROBLEM = re.compile(r"^- \[pattern -> (\d+)((?: -> .+?)?)\] (.+)$", re.MULTILINE)
_SPACY_TYPE = re.compile(r"^(?:TokenPattern\w*|str|int|float|bool|constrained-str|\w+-enum\[.*\])$")


def _spacy_problems(error: Exception) -> str:
    """What spaCy's matcher found wrong with a token pattern, one line: each problem as
    ``token 0, LOWER.IN[1]: Input should be a valid string`` (spaCy writes them on lines of
    their own, through its validation models' names: ``[pattern -> 0 -> LOWER ->
    TokenPatternString -> IN -> 1]``, which an error line showed as ``\\n`` escapes)."""
    problems: list[str] = []
    for token, path, message in _SPACY_PROBLEM.findall(str(error)):
        keys = [key for key in path.split(" -> ")[1:] if not _SPACY_TYPE.match(key)]
        where = "".join(f"[{key}]" if key.isdigit() else f".{key}" for key in keys).lstrip(".")
        problem = f"token {token}{', ' + where if where else ''}: {message}"
        if problem not in problems:
            problems.append(problem)
    if not problems:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return "; ".join(problems[:3]) + (f" and {len(problems) - 3} more" if len(problems) > 3 else "")


class PatternError(ValueError):
    """A token pattern or phrase that spaCy or lemminflect rejects: in the spec of matcher
    key `key` (``<rule id>/match``, ``signal:<id>/<cue>``), at `part` of it (``("lemmas",
    2)``) when known; `hint` says how to fix it when the pattern syntax is not the answer."""

    def __init__(self, what: str, *, key: str = "", part: tuple[str | int, ...] = (),
                 hint: str = "") -> None:
        super().__init__(what)
        self.key = key
        self.part = part
        self.hint = hint

    def within(self, key: str) -> PatternError:
        """The same error, placed in the spec of matcher key `key`."""
        return PatternError(str(self), key=key, part=self.part, hint=self.hint)


class WordRegex:
    """A token's ``{REGEX: ...}`` constraint on NORM, LOWER or ORTH, as a need of its pattern:
    some word of the turn must match it, as spaCy's matcher would test it (``search`` on
    the word's string). Answers are kept by word id, so a word is tested once, not once
    per turn (at most `MAX_SEEN` of them, then the memory starts over)."""

    MAX_SEEN = 65536

    def __init__(self, source: str, strings: StringStore) -> None:
        self.regex = re.compile(source)
        self._strings = strings
        self._memory: tuple[set[int], set[int]] = (set(), set())
        """The words tested so far, and those of them that match (a word is added to the
        second before the first, and both are replaced together, so threads sharing it
        read a consistent pair)."""

    def isdisjoint(self, words: frozenset[int]) -> bool:
        """True when no word of `words` matches (the test a word set need answers)."""
        tested, matching = self._memory
        if not matching.isdisjoint(words):
            return False
        if tested.issuperset(words):
            return True  # every word tested before, none matches
        unknown = words - tested
        if len(tested) >= self.MAX_SEEN:
            tested, matching = self._memory = (set(), set())
        found = False
        for word in unknown:
            if self.regex.search(self._strings[word]) is not None:
                matching.add(word)
                found = True
        tested.update(unknown)
        return not found


BACKTRACKING_READ = 10_000
"""How much of a turn an expression on Python's ``re`` reads (characters): one that uses
look-around or a back-reference, which RE2 cannot run. Its bounded windows are still tried
from every word that can start a match, 200 characters of alternatives from every "if" of
a turn of "if if if ... let us know" (1.3 s at 100,000 characters; 0.06 s at 10,000, 0.04 s
at 4,000). RE2's expressions read the whole turn; no real turn of the corpora is a fifth
this long, and a long email (1,700 words) is read whole. A session notes a turn it cuts."""


def backtracking_part(text: str) -> str:
    """The part of a turn an expression on Python's ``re`` reads: its first
    `BACKTRACKING_READ` characters, ending at a space or line break so that no word is cut
    short ("nothing" read as "not"); a turn with none there is cut where it must be."""
    if len(text) <= BACKTRACKING_READ:
        return text
    cut = max(text.rfind(space, 0, BACKTRACKING_READ + 1) for space in " \n\t")
    return text[:cut if cut > 0 else BACKTRACKING_READ]


MAX_HITS = 1_000
"""The most hits of one spec a turn is read for (of its phrases, its exceptions, its token
patterns and each of its expressions): far more than any real turn holds (a long e-mail
has a few), while a pasted turn of 100,000 emoji that a phrase lists matched each one,
building 100,000 hits no rule reads past the first. Hits past the bound are not built (the
first in the turn are kept); a session notes a turn where one was left."""


_MAX_GATES = 3
"""The most literal groups a regex is gated on."""
_ALSO_LITERALS = 8
"""The most literals of a further group (each is looked for in the text on its own, so a
larger group would cost about what running the regex costs)."""


Need = frozenset[int] | WordRegex
"""What a mandatory pattern token needs among a turn's word ids: one of a set, or one that
matches a regex."""


@dataclass(frozen=True)
class _Compiled:
    """What runs on demand for one spec."""

    spec: MatchSpec
    patterns: Matcher | None
    shared_needs: tuple[Need, ...]
    """What every pattern needs (see `needs`), tested first."""
    needs: tuple[tuple[Need, ...], ...]
    """Per pattern, the other words its mandatory tokens need: a turn lacking one of them
    cannot match that pattern, so the matcher is not run."""
    starts: frozenset[int] | None
    """The words (NORM or LOWER ids) one of which every match starts with, when every
    pattern's first token is a mandatory word or word list: the matcher then runs from the
    first such token only (None: from the start of the turn)."""
    vocabulary: frozenset[int] | None
    """Every word (NORM or LOWER id) any token of any pattern accepts, when every token of
    every pattern is a word or word list (None otherwise): a match is then a run of such
    words, so the matcher runs only on the turn's runs of them, not on the whole turn."""
    shortest: int
    """The fewest tokens a match of any pattern has."""
    regexes: tuple[tuple[str, Pattern], ...]
    ungated: tuple[int, ...]
    """Positions in `regexes` of those that run on every turn (no literal is certain)."""
    gated: dict[int, tuple[int, ...]]
    """For each gate literal (its id in the set's `LiteralIndex`), the positions in
    `regexes` of those that run when it occurs: every match of a gated regex contains
    one of its literals."""
    also: dict[int, tuple[tuple[str, ...], ...]]
    """For a gated regex (by position) whose matches also contain a string of other
    groups, those groups: it runs only when the text holds a string of each. They are
    looked for in the text only for a regex its first group opened (short ones such as
    "the " would make the one pass report most of a turn's words)."""
    fuzzy: tuple[tuple[str, int], ...]
    scorer: Any
    cutoff: float


_IDS_A_TOKEN = 3
"""How many ids `TurnScan` reads of each token: NORM, LOWER and ORTH."""

PhraseHits = tuple[dict[str, list[Hit]], dict[str, list[Hit]]]
"""Phrase hits and exception hits of one turn, by canonical spec key."""


class TurnScan:
    """One turn as the matchers read it: its tokens and lower-cased text, and what a single
    pass over the turn finds for all specs at once (phrases, word ids, gate literals),
    each computed on first use."""

    def __init__(self, matchers: MatcherSet, doc: Doc, text: str) -> None:
        self._matchers = matchers
        self.doc = doc
        self.lowered = text.lower()
        self.bounded = False
        """True once a spec had more than `MAX_HITS` hits in the turn (those past it were
        not built)."""

    @computed_once
    def phrases(self) -> PhraseHits:
        """Every phrase, lemma and exception hit of the turn, by canonical key (at most
        `MAX_HITS` of each)."""
        return self._matchers.phrase_hits(self)

    @computed_once
    def _word_ids(self) -> list[int]:
        """The NORM, LOWER and ORTH ids of each token in turn: token i's are at 3i, 3i + 1
        and 3i + 2 (the word as written only differs from LOWER for a word with capitals)."""
        # spaCy's stubs type the array as floats; attribute ids are uint64
        return cast("list[int]", self.doc.to_array([NORM, LOWER, ORTH]).ravel().tolist())

    @computed_once
    def words(self) -> frozenset[int]:
        """The NORM, LOWER and ORTH ids of the turn's tokens (for the token-pattern
        prefilter)."""
        return frozenset(self._word_ids)

    def first_of(self, starts: frozenset[int]) -> int:
        """Index of the first token whose NORM, LOWER or ORTH id is in `starts` (or the
        length)."""
        for position, word in enumerate(self._word_ids):
            if word in starts:
                return position // _IDS_A_TOKEN
        return len(self.doc)

    def runs(self, vocabulary: frozenset[int]) -> list[tuple[int, int]]:
        """The token ranges (start, end) of the turn's maximal runs of words whose NORM,
        LOWER or ORTH id is in `vocabulary`."""
        ids = self._word_ids
        found: list[tuple[int, int]] = []
        start = -1
        for position in range(len(ids) // _IDS_A_TOKEN):
            first = _IDS_A_TOKEN * position
            if (ids[first] in vocabulary or ids[first + 1] in vocabulary
                    or ids[first + 2] in vocabulary):
                if start < 0:
                    start = position
            elif start >= 0:
                found.append((start, position))
                start = -1
        if start >= 0:
            found.append((start, len(ids) // _IDS_A_TOKEN))
        return found

    @computed_once
    def literals(self) -> frozenset[int]:
        """Ids of the regex gate literals that occur in the turn."""
        return self._matchers.literals.present(self.lowered)

    @computed_once
    def opened(self) -> dict[str, list[int]]:
        """For each spec with a gate literal in the turn (by canonical key), the positions
        of the regexes those literals open (each literal's, in turn; one pass for all
        specs, so that a spec's regexes to run are not looked up literal by literal)."""
        opened: dict[str, list[int]] = {}
        gates = self._matchers.gates
        for literal in self.literals:
            for key, positions in gates.get(literal, ()):
                opened.setdefault(key, []).extend(positions)
        return opened

    @computed_once
    def candidates(self) -> set[str]:
        """Canonical keys of the specs that may have hits in the turn: a phrase of theirs
        matched, a gate literal of theirs occurs, or only running them can tell (token
        patterns, ungated regexes, fuzzy phrases). No other spec can have a hit."""
        keys = set(self.phrases[0])
        keys.update(self._matchers.always_run)
        keys.update(self.opened)
        return keys


class MatcherSet:
    """Every spec of a pack, compiled once and shared by all sessions (read-only)."""

    def __init__(self, nlp: Language, specs: Iterable[tuple[str, MatchSpec]],
                 clause_words: ClauseWords) -> None:
        self._nlp = nlp
        self.clause_words = clause_words
        """The words a hit's clause is read with (negation, contrast, someone else's
        instruction): the packs' language's, as the packs change them."""
        self._phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self._labels: dict[int, tuple[str, str, str]] = {}
        self._canonical: dict[str, str] = {}
        self._compiled: dict[str, _Compiled] = {}
        self.literals = LiteralIndex()
        """Every regex gate literal of every spec, found in one pass per turn."""
        self.gates: dict[int, tuple[tuple[str, tuple[int, ...]], ...]] = {}
        """For each gate literal, the specs it opens (canonical key) and the positions of
        the regexes it opens in each."""
        self.always_run: frozenset[str] = frozenset()
        """Canonical keys of the specs only running them can rule out on a turn."""
        seen: dict[str, str] = {}
        for key, spec in specs:
            identity = spec.model_dump_json()
            if identity in seen:
                self._canonical[key] = seen[identity]
                continue
            seen[identity] = key
            self._canonical[key] = key
            try:
                self._compiled[key] = self._compile(key, spec)
            except PatternError as error:
                raise error.within(key) from None
        self.literals.freeze()
        gates: dict[int, list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        for key, compiled in self._compiled.items():
            for literal, positions in compiled.gated.items():
                gates[literal].append((key, positions))
        self.gates = {literal: tuple(opened) for literal, opened in gates.items()}
        self.always_run = frozenset(
            key for key, compiled in self._compiled.items()
            if compiled.patterns is not None or compiled.ungated or compiled.fuzzy
        )
        self.backtracking = any(isinstance(regex, re.Pattern)
                                for compiled in self._compiled.values()
                                for _, regex in compiled.regexes)
        """True when an expression runs on Python's ``re`` (and so reads a turn's first
        `BACKTRACKING_READ` characters only)."""

    def _compile(self, key: str, spec: MatchSpec) -> _Compiled:
        """One spec compiled: its phrases added to the shared phrase matcher, its patterns,
        regexes and fuzzy phrases kept with what tells when they need not run."""
        self._add_phrases(key, spec)
        patterns, needs, starts, vocabulary = self._compile_patterns(spec)
        shared = tuple(sorted((need for need in needs[0] if all(need in other for other in needs)),
                              key=_probes)) if needs else ()
        ungated, gated, also = self._gate_regexes(spec)
        fuzzy = spec.fuzzy
        return _Compiled(
            spec=spec,
            patterns=patterns,
            shared_needs=shared,
            needs=tuple(tuple(sorted((need for need in pattern if need not in shared), key=_probes))
                        for pattern in needs),
            starts=starts,
            vocabulary=vocabulary,
            shortest=min((sum(repeat_bounds(token.get("OP"))[0] for token in pattern)
                          for pattern in spec.patterns), default=0),
            regexes=tuple((source, compile_safe(source)) for source in spec.regex),
            ungated=ungated,
            gated=gated,
            also=also,
            fuzzy=tuple((p.lower(), len(self._nlp.make_doc(p))) for p in fuzzy.phrases)
            if fuzzy
            else (),
            scorer=getattr(fuzz, fuzzy.scorer) if fuzzy else None,
            cutoff=fuzzy.cutoff if fuzzy else 0.0,
        )

    def _add_phrases(self, key: str, spec: MatchSpec) -> None:
        """Add the spec's phrases, lemma phrases (every inflected variant) and exceptions to
        the shared phrase matcher."""
        for phrase in spec.phrases:
            self._add_phrase(key, "phrase", phrase, [self._norm_doc(phrase)])
        for index, phrase in enumerate(spec.lemmas):
            words = [token.norm_ for token in self._nlp.make_doc(phrase)]
            try:
                variants = phrase_variants(words)
            except TooManyVariants as error:
                raise PatternError(str(error), part=("lemmas", index), hint=error.hint) from None
            docs = [self._nlp.make_doc(" ".join(variant)) for variant in variants]
            self._add_phrase(key, "lemma", phrase, docs)
        for phrase in spec.exceptions:
            self._add_phrase(key, "exception", phrase, [self._norm_doc(phrase)])

    def _compile_patterns(self, spec: MatchSpec) -> tuple[
        Matcher | None, list[tuple[Need, ...]], frozenset[int] | None, frozenset[int] | None
    ]:
        """The spec's token patterns in a matcher of their own (None without patterns), and
        what `_Compiled` keeps to skip running it: each pattern's needs, the words every
        match starts with and the words any token accepts (None when not every pattern, or
        every token, is a plain word or word list; see `_Compiled`)."""
        patterns = Matcher(self._nlp.vocab) if spec.patterns else None
        needs = []
        starts: set[int] | None = set()
        vocabulary: set[int] | None = set()
        for index, pattern in enumerate(spec.patterns):
            try:
                expanded = [_expand_lemma(token) for token in pattern]
                assert patterns is not None
                patterns.add(str(index), [expanded])
            except (ValueError, KeyError, re.error) as error:
                raise PatternError(f"token pattern {index} is invalid: {_spacy_problems(error)}",
                                   part=("patterns", index)) from None
            needs.append(self._needs(expanded))
            first = self._word_set(expanded[0]) if expanded else None
            starts = starts | first if starts is not None and first is not None else None
            for token in expanded:
                accepted = self._word_set(token, optional=True)
                vocabulary = vocabulary | accepted if vocabulary is not None and accepted \
                    else None
        return (patterns, needs, frozenset(starts) if starts else None,
                frozenset(vocabulary) if vocabulary else None)

    def _gate_regexes(self, spec: MatchSpec) -> tuple[
        tuple[int, ...], dict[int, tuple[int, ...]], dict[int, tuple[tuple[str, ...], ...]]
    ]:
        """Add the gate literals of the spec's regexes to `literals`; return the positions of
        the regexes no literal gates, the positions each gate literal opens, and the further
        literal groups of each gated regex (see `_Compiled`)."""
        ungated: list[int] = []
        gated: dict[int, list[int]] = defaultdict(list)
        also: dict[int, tuple[tuple[str, ...], ...]] = {}
        for position, source in enumerate(spec.regex):
            groups = required_literal_groups(source)[:_MAX_GATES]
            if not groups:
                ungated.append(position)
                continue
            for literal in self.literals.add(groups[0]):
                gated[literal].append(position)
            small = [group for group in groups[1:] if len(group) <= _ALSO_LITERALS]
            if small:  # looked up in the text only once the first group opened the regex
                also[position] = tuple(tuple(sorted(group)) for group in small)
        return (tuple(ungated), {literal: tuple(positions) for literal, positions in gated.items()},
                also)

    def _add_phrase(self, key: str, source: str, phrase: str, docs: list[Doc]) -> None:
        label = f"{key}\x1f{source}\x1f{phrase}"
        self._phrases.add(label, docs)
        self._labels[self._nlp.vocab.strings[label]] = (key, source, phrase)

    def _word_set(self, token: dict[str, Any], *, optional: bool = False
                  ) -> frozenset[int] | None:
        """The NORM or LOWER ids a mandatory token pattern accepts, when it is only a word
        or a word list on one of those attributes (None otherwise). With `optional`, the
        token may also be optional or repeated (``?``, ``{0,6}``)."""
        operator = token.get("OP")
        if operator is not None and not (optional and repeat_bounds(operator)[1] != 0):
            return None
        rest = {attr: value for attr, value in token.items() if attr != "OP"}
        if len(rest) != 1:
            return None
        attr, value = next(iter(rest.items()))
        if attr not in ("NORM", "LOWER"):
            return None
        words = _listed_words(value)
        if not words:
            return None
        return frozenset(self._nlp.vocab.strings.add(str(word)) for word in words)

    def _needs(self, pattern: list[dict[str, Any]]) -> tuple[Need, ...]:
        """The words (NORM, LOWER or ORTH ids) that the pattern's mandatory tokens need."""
        needs: list[Need] = []
        for token in pattern:
            if "OP" in token:
                continue
            for attr in ("NORM", "LOWER", "ORTH"):
                value = token.get(attr)
                if isinstance(value, dict) and list(value) == ["REGEX"]:
                    needs.append(WordRegex(value["REGEX"], self._nlp.vocab.strings))
                    continue
                words = _listed_words(value)
                if words:
                    needs.append(frozenset(self._nlp.vocab.strings.add(w) for w in words))
        return tuple(needs)

    def scan(self, doc: Doc, text: str) -> TurnScan:
        """A turn to match against: `doc` is the turn `text` tokenized."""
        return TurnScan(self, doc, text)

    def _norm_doc(self, phrase: str) -> Doc:
        norms = [token.norm_ for token in self._nlp.make_doc(phrase)]
        return self._nlp.make_doc(" ".join(norms))

    def canonical(self, key: str) -> str:
        """The key whose compiled spec `key` shares (itself, unless a duplicate)."""
        return self._canonical[key]

    def spec(self, key: str) -> MatchSpec:
        """The spec compiled under `key`."""
        return self._compiled[self._canonical[key]].spec

    def phrase_hits(self, scan: TurnScan) -> PhraseHits:
        """Every phrase, lemma and exception hit of a turn, by canonical key (one pass; the
        first `MAX_HITS` of each, `scan.bounded` set when one had more)."""
        doc = scan.doc
        hits: dict[str, list[Hit]] = defaultdict(list)
        exceptions: dict[str, list[Hit]] = defaultdict(list)
        matches = self._phrases(doc)  # in text order
        bounded = len(matches) > MAX_HITS  # only then can one key have more than MAX_HITS
        for match_id, start, end in matches:
            key, source, phrase = self._labels[match_id]
            kept = (exceptions if source == "exception" else hits)[key]
            if not bounded or len(kept) < MAX_HITS:
                kept.append(Hit(*_char_offsets(doc, start, end), start, end, source, phrase))
            else:
                scan.bounded = True
        return hits, exceptions

    def hits(self, key: str, scan: TurnScan) -> list[Hit]:
        """All raw hits of one spec in a turn (phrases from the scan, the rest run now)."""
        canonical = self._canonical[key]
        compiled = self._compiled[canonical]
        doc = scan.doc
        found = list(scan.phrases[0].get(canonical, ()))
        if compiled.patterns is not None and _may_match(compiled, scan.words):
            matched = 0
            for first, last in _windows(compiled, scan):
                window = doc[first:last] if first or last < len(doc) else doc
                matches = compiled.patterns(window)
                if len(matches) > MAX_HITS - matched:
                    scan.bounded = True
                for match_id, start, end in matches[: MAX_HITS - matched]:
                    start, end = first + start, first + end
                    found.append(Hit(*_char_offsets(doc, start, end), start, end,
                                     "pattern", self._nlp.vocab.strings[match_id]))
                    matched += 1
        if compiled.regexes:
            for position in _regexes_to_run(compiled, scan.opened.get(canonical, ()),
                                            scan.lowered):
                source, regex = compiled.regexes[position]
                text = backtracking_part(scan.lowered) if isinstance(regex, re.Pattern) \
                    else scan.lowered
                limit = len(found) + MAX_HITS
                for start, end in match_spans(regex, text):
                    if end > start:
                        if len(found) == limit:  # a match past the bound: left unread
                            scan.bounded = True
                            break
                        found.append(_char_hit(doc, start, end, source))
        if compiled.fuzzy:
            found.extend(_fuzzy_hits(doc, compiled))
        if len(found) > 1:
            found.sort(key=lambda hit: (hit.start, -hit.end))
        return found


def _windows(compiled: _Compiled, scan: TurnScan) -> list[tuple[int, int]]:
    """The token ranges of a turn that the spec's patterns must be run on to find all their
    matches: the runs of the patterns' words when every pattern token is a word list (long
    enough for a match), else from the first word a match can start with to the end."""
    if compiled.vocabulary is not None:
        return [run for run in scan.runs(compiled.vocabulary)
                if run[1] - run[0] >= compiled.shortest]
    first = scan.first_of(compiled.starts) if compiled.starts is not None else 0
    return [(first, len(scan.doc))]


def _regexes_to_run(compiled: _Compiled, opened: Sequence[int], text: str) -> list[int]:
    """Positions of the spec's regexes that may match `text` (lower-cased), where the gate
    literals present opened the regexes at `opened`, in the spec's order."""
    positions = [*compiled.ungated, *opened]
    if len(positions) > 1:
        positions = sorted(set(positions))
    also = compiled.also
    if not also:
        return positions
    return [position for position in positions
            if position not in also or _holds_each(text, also[position])]


def _holds_each(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """True when `text` holds a string of each group."""
    return all(any(literal in text for literal in group) for group in groups)


def _probes(need: Need) -> float:
    """How many lookups testing a need can take: the smallest needs are tested first, as
    they rule most turns out soonest; a regex need, which may run its regex, last."""
    return len(need) if isinstance(need, frozenset) else float("inf")


def _may_match(compiled: _Compiled, words: frozenset[int]) -> bool:
    """True when the turn's words meet every need of at least one pattern."""
    if any(need.isdisjoint(words) for need in compiled.shared_needs):
        return False
    return any(all(not need.isdisjoint(words) for need in pattern) for pattern in compiled.needs)


def _listed_words(value: Any) -> list[Any] | None:
    """The words a token attribute's value accepts when it is a word or a word list
    (``"refund"``, ``{IN: [refund, refunds]}``); None for any other value (a regex, a
    comparison)."""
    if isinstance(value, str):
        return [value]
    return value.get("IN") if isinstance(value, dict) and list(value) == ["IN"] else None


def _expand_lemma(token_pattern: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a LEMMA constraint (a word or ``{IN: [...]}``, without NORM beside it: the
    rule schema checks both) to the NORM forms of the lemma, so patterns need no
    lemmatizer at run time."""
    if "LEMMA" not in token_pattern:
        return token_pattern
    rewritten = {k: v for k, v in token_pattern.items() if k != "LEMMA"}
    value = token_pattern["LEMMA"]
    lemmas = value["IN"] if isinstance(value, dict) else [value]
    rewritten["NORM"] = {"IN": sorted({form for lemma in lemmas for form in word_forms(str(lemma))})}
    return rewritten


def _char_offsets(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The character offsets of tokens `start` to `end` (as a span's ``start_char`` and
    ``end_char``, without building the span)."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last)


def _char_hit(doc: Doc, start: int, end: int, source: str) -> Hit:
    span = doc.char_span(start, end, alignment_mode="expand")
    token_start = span.start if span is not None else 0
    token_end = span.end if span is not None else len(doc)
    return Hit(start, end, token_start, token_end, "regex", source)


def _fuzzy_hits(doc: Doc, compiled: _Compiled) -> list[Hit]:
    """Token windows of the phrase's length (plus or minus one) scored with rapidfuzz."""
    found: list[Hit] = []
    for phrase, length in compiled.fuzzy:
        best: Hit | None = None
        for size in (length - 1, length, length + 1):
            if size < 1:
                continue
            for start in range(max(0, len(doc) - size) + 1):
                span = doc[start : start + size]
                score = compiled.scorer(phrase, span.text.lower(), score_cutoff=compiled.cutoff)
                if score and (best is None or score > (best.score or 0)):
                    best = Hit(span.start_char, span.end_char, start, start + size, "fuzzy",
                               phrase, round(float(score), 1))
        if best is not None:
            found.append(best)
    return found
