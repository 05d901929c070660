"""Where a hit sits in its turn: negated, quoted, contradicted, or overlapped by an exception.

These are the hard negatives of phrase matching: "I'm not going to tell you to calm
down" (negation), 'the letter says "no refunds"' (quotes), "I understand, but..."
(contrast), "I can't thank you enough" (an exception overlapping "can't").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from servicecoach.nlp.matching import Hit

NEGATION_CUES = frozenset({"not", "never", "neither", "nor"})
"""Token norms that negate what follows in the same clause ("n't" has the norm "not")."""
NEGATION_WINDOW = 6
"""How many tokens before a hit a negation cue may be."""
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "-", "(", ")", "but", "and", "so", "because",
                           "however", "although", "though", "if", "unless", "whether"})
"""Tokens that end the clause a negation cue can reach ("if this isn't fixed, I'll sue":
the "not" belongs to the condition, not to what follows)."""
CONTRAST_CUES = frozenset({"but", "however", "although", "though", "yet"})
_QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|(?<![\w’])‘[^’\n]{1,300}’')


def quoted_regions(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges inside double quotes or typographic quotes."""
    if '"' not in text and "“" not in text and "‘" not in text:
        return ()
    return tuple((found.start(), found.end()) for found in _QUOTED.finditer(text))


def in_quotes(hit: Hit, regions: Sequence[tuple[int, int]]) -> bool:
    """True when the hit lies inside a quoted region."""
    return any(start < hit.start and hit.end < end for start, end in regions)


def is_negated(doc: Doc, hit: Hit) -> bool:
    """True when a negation cue precedes the hit within its clause and the window."""
    floor = max(0, hit.token_start - NEGATION_WINDOW)
    for index in range(hit.token_start - 1, floor - 1, -1):
        token = doc[index]
        if token.norm_ in CLAUSE_BREAKS or token.text in ".!?":
            return False
        if token.norm_ in NEGATION_CUES:
            return True
    return False


def is_contradicted(doc: Doc, hit: Hit, sentence_end: int) -> bool:
    """True when a contrast cue ("but", "however") follows the hit before `sentence_end`
    (the end of the hit's sentence, a token index)."""
    return any(doc[i].norm_ in CONTRAST_CUES for i in range(hit.token_end, sentence_end))


def overlaps(hit: Hit, others: Sequence[Hit]) -> bool:
    """True when one of `others` (exception hits) overlaps the hit."""
    return any(other.start < hit.end and hit.start < other.end for other in others)
