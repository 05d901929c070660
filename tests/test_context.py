"""The hard-negative checks a hit goes through: inside an exception, inside quotes, or
followed by a contrast in its sentence; each answered in one step per hit."""

from __future__ import annotations

from servicecoach import Coach
from servicecoach.nlp.clause_words import ClauseWords
from servicecoach.nlp.context import (
    Ranges,
    is_contradicted,
    is_reported,
    next_contrasts,
    quoted_regions,
)
from servicecoach.nlp.matching import Hit

ENGLISH = ClauseWords.of_language("en")


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
    following = next_contrasts(doc, ENGLISH)
    sorry = _hit(0, 5, 0, 1)
    assert is_contradicted(following, sorry, sentence_end=len(doc))
    assert not is_contradicted(following, sorry, sentence_end=3)  # "but" is token 3
    refund = _hit(31, 37, 6, 7)
    assert not is_contradicted(following, refund, sentence_end=len(doc))


def _reported(text: str, words: str) -> bool:
    """Whether `words` (their first occurrence) are someone else's instruction in `text`."""
    doc = Coach().nlp.make_doc(text)
    start = text.index(words)
    tokens = [token.i for token in doc if start <= token.idx < start + len(words)]
    return is_reported(doc, _hit(start, start + len(words), tokens[0], tokens[-1] + 1), ENGLISH)


def test_words_someone_else_told_or_forced_a_person_to_say_are_reported() -> None:
    assert _reported("He told me to save my breath and cancel the service.", "cancel the service")
    assert _reported("You force users to abandon the contract.", "abandon the contract")
    assert _reported("I was advised to close my account.", "close my account")
    assert _reported("They wanted us to switch providers.", "switch providers")


def test_the_writers_own_instruction_or_will_is_not_reported() -> None:
    assert not _reported("I told them to cancel my account.", "cancel my account")
    assert not _reported("I want to cancel my account.", "cancel my account")
    assert not _reported("I asked to close my account.", "close my account")
    # a clause of the writer's own after the report
    assert not _reported("They told me to wait, so I will cancel my account.", "cancel my account")
    # past the sentence, or further back than the window (REPORTED_WINDOW tokens)
    assert not _reported("He told me to wait. Cancel my account now.", "Cancel my account")
    assert not _reported("They told me to go back to the shop with the receipt and the box "
                         "and cancel my plan.", "cancel my plan")  # 13 tokens after the "to"
