"""Where a hit sits in its turn: negated, quoted, contradicted, or overlapped by an exception.

These are the hard negatives of phrase matching: "I'm not going to tell you to calm
down" (negation), 'the letter says "no refunds"' (quotes), "I understand, but..."
(contrast), "I can't thank you enough" (an exception overlapping "can't").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate

from spacy.tokens import Doc

from servicecoach.nlp.matching import Hit

NEGATION_CUES = frozenset({"not", "never", "neither", "nor"})
"""Token norms that negate what follows in the same clause ("n't" has the norm "not")."""
CLAUSE_SUBJECTS = frozenset({"i", "we"})
"""The customer's or agent's own subject, where a clause without a comma starts ("if the
deposit is not back by Friday I will turn to the law": the "not" belongs to the condition)."""
NEGATION_WINDOW = 6
"""How many tokens before a hit a negation cue may be."""
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "-", "(", ")", "but", "and", "so", "because",
                           "however", "although", "though", "if", "unless", "whether"})
"""Tokens that end the clause a negation cue can reach ("if this isn't fixed, I'll sue":
the "not" belongs to the condition, not to what follows)."""
CONTRAST_CUES = frozenset({"but", "however", "although", "though", "yet"})
_QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|(?<![\w’])‘[^’\n]{1,300}’')


class Ranges:
    """Character ranges (start, end), asked in logarithmic time whether one of them overlaps
    or encloses a hit. A hit checked against each range in turn would make a long pasted
    turn (thousands of "ha ha" hits, each inside an exception) take quadratic time."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))
        """The furthest end of the ranges up to each position (by start)."""

    def __bool__(self) -> bool:
        return bool(self._starts)

    def _reach_before(self, position: int) -> int:
        """The furthest end of the ranges that start before `position` (-1 when none do)."""
        count = bisect_left(self._starts, position)
        return self._reach[count - 1] if count else -1

    def overlap(self, hit: Hit) -> bool:
        """True when one of the ranges overlaps the hit."""
        return self._reach_before(hit.end) > hit.start

    def enclose(self, hit: Hit) -> bool:
        """True when one of the ranges starts before the hit and ends after it."""
        return self._reach_before(hit.start) > hit.end


_NONE = Ranges(())


def _may_quote(text: str) -> bool:
    """False when `text` holds no opening quote mark, so nothing in it is quoted."""
    return '"' in text or "“" in text or "‘" in text


def quoted_regions(text: str) -> Ranges:
    """Character ranges inside double quotes or typographic quotes."""
    if not _may_quote(text):
        return _NONE
    return Ranges(found.span() for found in _QUOTED.finditer(text))


def without_quotes(text: str) -> str:
    """`text` with what it quotes blanked out, character for character (offsets kept):
    what a turn quotes is someone else's words ("the shop told me "calm down""), not the
    writer's (CHECKS.md "Not findings")."""
    if not _may_quote(text):
        return text
    return _QUOTED.sub(lambda quoted: " " * len(quoted.group()), text)


def is_negated(doc: Doc, hit: Hit) -> bool:
    """True when a negation cue precedes the hit within its clause and the window."""
    floor = max(0, hit.token_start - NEGATION_WINDOW)
    for index in range(hit.token_start - 1, floor - 1, -1):
        token = doc[index]
        if token.norm_ in CLAUSE_BREAKS or token.text in ".!?":
            return False
        if token.norm_ in NEGATION_CUES:
            return True
        if token.lower_ in CLAUSE_SUBJECTS:
            return False
    return False


REPORTED_WINDOW = 10
"""How many tokens before a hit the "to" of someone else's instruction may be ("he told me
to save my breath and cancel the service")."""
INSTRUCTING = frozenset({
    "tell", "tells", "told", "telling", "ask", "asks", "asked", "asking", "advise", "advises",
    "advised", "force", "forces", "forced", "forcing", "urge", "urges", "urged", "require",
    "requires", "required", "persuade", "persuaded", "pressure", "pressured", "push", "pushed",
    "instruct", "instructed", "want", "wants", "wanted", "expect", "expects", "expected",
    "order", "ordered", "recommend", "recommended", "suggest", "suggested"})
"""Verbs whose object and "to" give someone else's instruction ("they told me to ...")."""
INSTRUCTED = frozenset({"me", "us", "him", "her", "them", "users", "customers", "people",
                        "everyone", "everybody", "consumers", "subscribers", "clients"})
"""Who is told to do something, in "told X to": anyone but the one being written to ("I
told you to cancel it" is the writer's own will)."""
PASSIVE = frozenset({"was", "were", "been", "am", "is", "are", "be", "being", "get", "got",
                     "gets", "getting"})
"""Before an instructing verb, a passive ("I was told to ...")."""


def is_reported(doc: Doc, hit: Hit) -> bool:
    """True when the hit is what someone else told, asked or forced a person to do, within
    the hit's clause: "he told me to save my breath and cancel the service", "you force
    users to abandon the contract", "I was advised to close my account". Not when the writer
    gives the instruction ("I told them to cancel it", "I want to cancel"), nor past a clause
    of the writer's own ("they told me to wait, so I will cancel")."""
    floor = max(0, hit.token_start - REPORTED_WINDOW)
    for index in range(hit.token_start - 1, max(floor, 1) - 1, -1):
        token = doc[index]
        if token.text in ".!?;" or token.lower_ in CLAUSE_SUBJECTS:
            return False
        if token.lower_ == "to" and _instructs(doc, index):
            return True
    return False


def _instructs(doc: Doc, to: int) -> bool:
    """True when the "to" at token `to` follows an instruction to someone else: "told me
    to", "forced users to", or a passive "was told to"."""
    before = doc[to - 1].lower_
    if before in INSTRUCTING:  # "was told to": a passive
        return to >= 2 and doc[to - 2].lower_ in PASSIVE
    verb = to - 2
    if before not in INSTRUCTED or verb < 0 or doc[verb].lower_ not in INSTRUCTING:
        return False
    return not any(doc[at].lower_ in CLAUSE_SUBJECTS for at in range(max(0, verb - 2), verb))


def next_contrasts(doc: Doc) -> list[int]:
    """For each token index (and the end), the index of the first contrast cue ("but",
    "however") at or after it, or the doc's length when none follows: read once per turn,
    so each hit is checked in one step however long its sentence."""
    following = [len(doc)] * (len(doc) + 1)
    for index in range(len(doc) - 1, -1, -1):
        following[index] = index if doc[index].norm_ in CONTRAST_CUES else following[index + 1]
    return following


def is_contradicted(next_contrast: Sequence[int], hit: Hit, sentence_end: int) -> bool:
    """True when a contrast cue follows the hit before `sentence_end` (the end of the hit's
    sentence, a token index); `next_contrast` is the turn's `next_contrasts`."""
    return next_contrast[hit.token_end] < sentence_end
