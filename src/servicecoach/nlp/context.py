"""Where a hit sits in its turn: negated, quoted, contradicted, someone else's instruction,
or overlapped by an exception.

These are the hard negatives of phrase matching: "I'm not going to tell you to calm
down" (negation), 'the letter says "no refunds"' (quotes), "I understand, but..."
(contrast), "he told me to cancel the service" (reported), "I can't thank you enough" (an
exception overlapping "can't"). The words they are read with are the pack's `ClauseWords`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate

from spacy.tokens import Doc

from servicecoach.nlp.clause_words import ClauseWords
from servicecoach.nlp.matching import Hit

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


def is_negated(doc: Doc, hit: Hit, words: ClauseWords) -> bool:
    """True when a negation (`words.negation`) precedes the hit within its clause and
    `words.negation_window` tokens: the clause ends at a clause break, a sentence's end, or
    the writer's own subject ("if this isn't fixed, I'll sue"; "if the refund is not in by
    Monday I will go to court": the "not" belongs to the condition)."""
    floor = max(0, hit.token_start - words.negation_window)
    for index in range(hit.token_start - 1, floor - 1, -1):
        token = doc[index]
        if token.norm_ in words.clause_breaks or token.text in ".!?":
            return False
        if token.norm_ in words.negation:
            return True
        if token.lower_ in words.clause_subjects:
            return False
    return False


def is_reported(doc: Doc, hit: Hit, words: ClauseWords) -> bool:
    """True when the hit is what someone else told, asked or forced a person to do, within
    the hit's clause: "he told me to save my breath and cancel the service", "you force
    users to abandon the contract", "I was advised to close my account". Not when the writer
    gives the instruction ("I told them to cancel it", "I want to cancel"), nor past a clause
    of the writer's own ("they told me to wait, so I will cancel"). The "to" is at most
    `words.reported_window` tokens before the hit."""
    floor = max(0, hit.token_start - words.reported_window)
    for index in range(hit.token_start - 1, max(floor, 1) - 1, -1):
        token = doc[index]
        if token.text in ".!?;" or token.lower_ in words.clause_subjects:
            return False
        if token.lower_ == "to" and _instructs(doc, index, words):
            return True
    return False


def _instructs(doc: Doc, to: int, words: ClauseWords) -> bool:
    """True when the "to" at token `to` follows an instruction to someone else: "told me
    to", "forced users to", or a passive "was told to"."""
    before = doc[to - 1].lower_
    if before in words.instructing:  # "was told to": a passive
        return to >= 2 and doc[to - 2].lower_ in words.passive
    verb = to - 2
    if before not in words.instructed or verb < 0 or doc[verb].lower_ not in words.instructing:
        return False
    return not any(doc[at].lower_ in words.clause_subjects
                   for at in range(max(0, verb - 2), verb))


def next_contrasts(doc: Doc, words: ClauseWords) -> list[int]:
    """For each token index (and the end), the index of the first contrast cue ("but",
    "however") at or after it, or the doc's length when none follows: read once per turn,
    so each hit is checked in one step however long its sentence."""
    following = [len(doc)] * (len(doc) + 1)
    for index in range(len(doc) - 1, -1, -1):
        following[index] = index if doc[index].norm_ in words.contrast else following[index + 1]
    return following


def is_contradicted(next_contrast: Sequence[int], hit: Hit, sentence_end: int) -> bool:
    """True when a contrast cue follows the hit before `sentence_end` (the end of the hit's
    sentence, a token index); `next_contrast` is the turn's `next_contrasts`."""
    return next_contrast[hit.token_end] < sentence_end
