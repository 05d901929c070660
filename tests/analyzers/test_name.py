"""Customer-name analyzers: learning the name, nicknames, misspellings, address position."""

from __future__ import annotations

import spacy
from lemminflect import getAllLemmas

from servicecoach import Coach
from servicecoach.nlp.names import (
    KnownName,
    close_variant,
    find_name_use,
    given_names,
    in_address_position,
    is_word,
)
from tests.conftest import transcript

_NLP = spacy.blank("en")
_NLP.add_pipe("sentencizer")


def _ids(coach: Coach, text: str) -> list[tuple[str, int | None]]:
    report = coach.score(transcript(text))
    return [(f.rule_id, f.turn_index) for f in report.findings if f.rule_id.startswith("name.")]


def test_names_that_are_words_are_known() -> None:
    assert is_word("will") and is_word("grace") and is_word("Hope")
    assert not is_word("priya")


def test_english_words_are_the_words_lemminflect_has_lemmas_for() -> None:
    """`is_word` reads lemminflect's table as keys only; it must answer as lemminflect's
    own look-up does, for the given names (the words it decides about) and a range of
    inflected, contracted and capitalised words."""
    words = sorted(given_names())[::7] + [
        "running", "ran", "geese", "don't", "'s", "ain't", "Bill", "MARK", "Rose",
        "whom", "another", "xyzzy", "raman", "okafor", ""]
    assert [is_word(word) for word in words] == [bool(getAllLemmas(word.lower()))
                                                 for word in words]


def test_address_position_tells_vocative_from_verb() -> None:
    assert in_address_position(_NLP("Thanks, Will."), 2)
    assert in_address_position(_NLP("Will, can you check?"), 0)
    assert in_address_position(_NLP("Hi Grace how are you"), 1)
    assert not in_address_position(_NLP("I will check that."), 1)
    assert not in_address_position(_NLP("Hope this helps."), 0)


def test_nicknames_count_and_close_variants_are_misspellings() -> None:
    robert = [KnownName.parse("Robert Miller")]
    assert find_name_use(_NLP("Sure, Bob."), "Sure, Bob.", robert, 80, 2).right is not None
    john = [KnownName.parse("John Park")]
    use = find_name_use(_NLP("Hi Jon, how can I help?"), "Hi Jon, how can I help?", john, 80, 2)
    assert use.right is None and use.misspelled is not None
    assert close_variant("Katherine", "catherine", 80, 2)
    assert close_variant("Sara", "sarah", 80, 2)
    assert not close_variant("Johnny", "john", 80, 2)


def test_title_and_surname_count() -> None:
    name = [KnownName.parse("Ms. Ada Okafor")]
    assert find_name_use(_NLP("Thank you, Ms. Okafor."), "Thank you, Ms. Okafor.", name, 80, 2).right is not None


def test_name_is_learned_from_the_customer(coach: Coach) -> None:
    session = coach.session()
    session.add_turn({"speaker": "agent", "text": "Hello, how can I help?"})
    session.add_turn({"speaker": "customer", "text": "Hi, this is Priya Raman."})
    hints = session.add_turn({"speaker": "agent", "text": "Thanks, Priya, let me check."})
    assert [h.rule_id for h in hints if h.rule_id.startswith("name.")] == ["name.used"]
    assert session._conversation.stated_customer_name == "Priya Raman"


def test_spelled_out_name_and_unused(coach: Coach) -> None:
    found = _ids(coach, "Agent: May I have your name?\nCustomer: It's Ana, A-N-A.\n"
                        "Agent: Thanks. What's the problem?")
    assert ("name.unused", None) in found


def test_handles_are_not_names(coach: Coach) -> None:
    found = _ids(coach, "Customer: @ShopHelp where is my order\n"
                        "Agent: @jo_b77 Sorry! Please DM us the order number. ^KL")
    assert found == []


def test_overused_fires_once(coach: Coach) -> None:
    text = "%% customer_name: Dana Reyes\n" + "\n".join(
        f"Agent: Sure, Dana, step {i}.\nCustomer: OK." for i in range(5)
    )
    # at the third agent turn: two of the last three need three agent turns so far
    assert [f for f in _ids(coach, text) if f[0] == "name.overused"] == [("name.overused", 4)]


def test_a_pronoun_before_a_lead_out_is_not_a_name() -> None:
    from servicecoach import Coach, Transcript

    report = Coach().score(Transcript.model_validate({"id": "t", "turns": [
        {"speaker": "customer", "text": "I'm calling about my bill."},
        {"speaker": "agent", "text": "Sure, let me check that for you."}]}))
    assert "name.unused" not in {f.rule_id for f in report.findings}


def test_suggestions_address_the_customer_as_an_agent_would() -> None:
    """The name a suggestion puts in "Thanks, {customer_name}": the first name, a title
    with the surname, a knight's title with the first name; a role is no name."""
    from servicecoach.analyzers.base import address_form

    assert address_form("Priya Raman") == "Priya"
    assert address_form("Ms. Priya Raman") == "Ms. Raman"
    assert address_form("Madam Chen Li") == "Madam Li"
    assert address_form("Sir John Smith") == "Sir John"
    assert address_form("Dr Ana") == "Dr Ana"
    assert address_form("Customer") is None
