"""The hard-negative checks a hit goes through: inside an exception, inside quotes, or
followed by a contrast in its sentence; each answered in one step per hit."""

from __future__ import annotations

from servicecoach import Coach
from servicecoach.nlp.context import (
    Ranges,
    is_contradicted,
    next_contrasts,
    quoted_regions,
)
from servicecoach.nlp.matching import Hit


def _hit(start: int, end: int, token_start: int = 0, token_end: int = 0) -> Hit:
    return Hit(start, end, token_start, token_end, "phrase", "x")


def test_a_range_overlaps_a_hit_it_shares_a_character_with_but_not_one_it_touches() -> None:
    ranges = Ranges([(10, 20)])
    assert ranges.overlap(_hit(19, 25)) and ranges.overlap(_hit(5, 11))
    assert not ranges.overlap(_hit(20, 25)) and not ranges.overlap(_hit(0, 10))


def test_a_long_early_range_still_encloses_a_hit_after_a_shorter_later_one() -> None:
    ranges = Ranges([(30, 35), (0, 100)])  # given out of order; the first ends far away
    assert ranges.enclose(_hit(40, 50))
    assert ranges.overlap(_hit(40, 50))
    assert not Ranges([(0, 10), (30, 35)]).enclose(_hit(40, 50))


def test_enclosing_is_strict_at_both_ends_as_quotes_are() -> None:
    quotes = quoted_regions('he wrote "no refunds" today')
    inside = _hit(10, 20)  # no refunds
    assert quotes.enclose(inside)
    assert not quotes.enclose(_hit(9, 20))  # starts on the quote mark
    assert not quoted_regions("no quotes here") and not quoted_regions("no quotes").enclose(inside)


def test_a_contrast_counts_only_after_the_hit_and_before_its_sentence_ends() -> None:
    doc = Coach().nlp.make_doc("Sorry about that but we cannot refund it")
    following = next_contrasts(doc)
    sorry = _hit(0, 5, 0, 1)
    assert is_contradicted(following, sorry, sentence_end=len(doc))
    assert not is_contradicted(following, sorry, sentence_end=3)  # "but" is token 3
    refund = _hit(31, 37, 6, 7)
    assert not is_contradicted(following, refund, sentence_end=len(doc))
