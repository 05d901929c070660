"""Messages and suggestions read well: every rule's texts, rendered over real conversations
and with names unknown, have no empty slot, no leading punctuation, no speaker label taken
for a name, no quote cut inside a word, and no vague promise glued to a time frame."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO, SHARED, transcript

from servicecoach import Coach, Transcript
from servicecoach.analyzers.base import render
from servicecoach.models import Finding
from servicecoach.readers.text import parse_transcripts
from servicecoach.speaker_labels import is_generic_label

PER_CORPUS = 25  # conversations read from each corpus: a bounded sample keeps this fast
LABEL_AS_NAME = re.compile(
    r"\b(?:name is|Hi|Hello|Thanks|Thank you|sorry about this|Sorry),? "
    r"(?:User|Support|Agent|Customer|Client|Caller|Speaker|Operator|Bot)\b")
QUOTED = re.compile(r'"([^"]*)"')


def _sample() -> list[Transcript]:
    lines = (REPO / "tests" / "devset" / "transcripts.jsonl").read_text().splitlines()[:PER_CORPUS]
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()[:PER_CORPUS]
    return [Transcript.model_validate(json.loads(line)) for line in lines]


def problems_of(text: str, said: list[str]) -> list[str]:
    """What reads badly in a rendered text; `said` are the conversation's flattened turns
    (a quote of what someone said is theirs, whatever punctuation it has)."""
    found = []
    ours = QUOTED.sub(lambda m: '""' if _verbatim(m[1], said) else m[0], text)
    if re.search(r"\{\w+\}", text):
        found.append("an empty slot")
    if re.search(r"\s[,;:]|\s\.(?!\.\.)|,\s*[,.]|\(\s*\)", ours):  # " ..." is a placeholder
        found.append("punctuation out of place")
    if LABEL_AS_NAME.search(text):
        found.append("a speaker label used as a name")
    if re.search(r"\b(?:at some point|soon|later|shortly) by\b", text):
        found.append("a vague promise glued to a time")
    for quote in QUOTED.findall(text):
        body = quote.removeprefix("...").removesuffix("...")
        verbatim = _verbatim(quote, said)
        if verbatim is None:  # our own words: a suggestion, a filled template
            if not quote.strip() or re.match(r"\s*[,.;:!?]", quote):
                found.append(f"a quote that starts badly: {quote!r}")
        elif not any(_ends_at_a_word(verbatim, hit.end()) for hit in
                     re.finditer(re.escape(body), verbatim)):
            found.append(f"a quote cut inside a word: {quote!r}")
    return found


def _ends_at_a_word(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end - 1].isalnum() and text[end].isalnum())


def _verbatim(quote: str, said: list[str]) -> str | None:
    """The turn a quote is taken from (an ellipsis at either end marks a cut), or None for
    our words."""
    body = quote.removeprefix("...").removesuffix("...")
    return next((turn for turn in said if body and body in turn), None)


def _checked(finding: Finding, said: list[str]) -> list[str]:
    return [f"{finding.rule_id} {part}: {problem}: {text}"
            for part, text in (("message", finding.message), ("suggestion", finding.suggestion))
            for problem in problems_of(text, said)]


@pytest.mark.needs_shared
def test_every_finding_over_real_conversations_reads_well(coach: Coach) -> None:
    bad = []
    seen = set()
    for conversation in _sample():
        said = [" ".join(turn.text.split()) for turn in conversation.turns]
        for finding in coach.score(conversation).findings:
            seen.add(finding.rule_id)
            bad += [f"{conversation.id}: {line}" for line in _checked(finding, said)]
    assert not bad, "\n".join(bad[:20])
    assert len(seen) >= 15  # the sample exercises most rules


@pytest.mark.parametrize("names", [{"customer_name": None}, {"customer_name": "Dana"}])
def test_every_rule_text_reads_well_with_names_known_or_not(
    coach: Coach, names: dict[str, str | None]
) -> None:
    slots = {"match": "that's our policy", "replacement": "here is what I can do",
             "trigger": "I'm fed up", "detail": "the first 2 agent turn(s)", "agent_name": "Sam",
             **names}
    bad = [f"{rule.id}: {problem}: {text}" for rule in coach.rules
           for text in (render(rule.message, slots), render(rule.suggestion, slots))
           for problem in problems_of(text, [])]
    assert not bad, "\n".join(bad)


def test_a_name_slot_at_the_start_of_a_quote_leaves_no_comma() -> None:
    assert render('"{customer_name}, I can hear it."', {"customer_name": None}) == \
        '"I can hear it."'
    assert render('"Hi {customer_name}, thanks!"', {"customer_name": None}) == '"Hi, thanks!"'
    assert render('"{customer_name}, I can."', {"customer_name": "Dana"}) == '"Dana, I can."'


def test_speaker_labels_are_not_names() -> None:
    assert all(map(is_generic_label, ["User", "Support", "spk_0", "Agent 2", "speaker_1"]))
    assert not any(map(is_generic_label, ["Sam Lee", "Dana", "Usher", "Supporter"]))


def test_a_vtt_with_role_labels_gets_no_names(coach: Coach, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from servicecoach.readers import read_sources
    from servicecoach.readers.base import Source

    vtt = tmp_path / "call.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:03.000\n<v Support>Thanks for calling, how can I help?\n\n"
                   "00:04.000 --> 00:06.000\n<v User>My order is late.\n\n"
                   "00:07.000 --> 00:09.000\n<v Support>Sorry about that, let me check.\n")
    (read,) = list(read_sources([Source.from_path(vtt)], "vtt", agent="support"))
    assert isinstance(read, Transcript)
    assert read.metadata.agent_name is None and read.metadata.customer_name is None
    texts = [t for f in coach.score(read).findings for t in (f.message, f.suggestion)]
    assert not any(LABEL_AS_NAME.search(text) for text in texts), texts


@pytest.mark.parametrize("label", ["Customer", "Visitor", "Guest 42", "anonymous"])
def test_a_role_given_as_the_customer_name_is_no_name(coach: Coach, label: str) -> None:
    """Exports put a role where the customer's name goes (a CSV's name column says
    "Customer", a chat widget "Visitor"): that is no name the agent should have used, so no
    name.unused and no suggestion that says "Thanks, Customer"."""
    report = coach.score(Transcript.model_validate({
        "id": "c", "metadata": {"customer_name": label, "agent_name": "Agent"},
        "turns": [{"speaker": "agent", "text": "Hi, thanks for contacting us. How can I help?"},
                  {"speaker": "customer", "text": "My order is late."},
                  {"speaker": "agent", "text": "Let me check that for you now."}]}))
    assert "name.unused" not in {f.rule_id for f in report.findings}
    texts = [t for f in report.findings for t in (f.message, f.suggestion)]
    assert not any(LABEL_AS_NAME.search(text) or label in text for text in texts), texts


def test_a_vague_promise_is_suggested_with_a_time_instead(coach: Coach) -> None:
    report = coach.score(transcript("Customer: Can you check my refund?\n"
                                    "Agent: I'll look into it at some point.\n"))
    (vague,) = [f for f in report.findings if f.rule_id == "commitment.vague"]
    assert "\"I'll look into it at some point\"" in vague.message
    assert "\"I'll look into it by 3 pm tomorrow\"" in vague.suggestion


def test_an_empty_first_agent_message_is_not_judged_for_a_greeting(coach: Coach) -> None:
    (conversation,) = parse_transcripts("Customer: Hello?\nAgent: Hi Dana, thanks for waiting.\n")
    assert isinstance(conversation, Transcript)
    empty_first = conversation.model_copy(update={"turns": (
        conversation.turns[0], conversation.turns[1].model_copy(update={"text": ""}),
        conversation.turns[1])})
    rules = {f.rule_id for f in coach.score(empty_first).findings}
    assert "greeting.missing" not in rules
