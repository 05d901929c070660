"""Conversations in a language the packs do not cover are reported as not scored, with the
language; English ones (calls in lower case, tweets full of handles and links) are scored."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest
from conftest import SHARED

from servicecoach import Coach, Transcript
from servicecoach.config import CoachConfig
from servicecoach.nlp.language import detect_language


def conversation(*turns: tuple[str, str]) -> Transcript:
    return Transcript.model_validate(
        {"id": "t", "turns": [{"speaker": s, "text": t} for s, t in turns]})


FOREIGN = {
    "fr": conversation(
        ("customer", "Bonjour, ma commande n'est jamais arrivée et j'en ai besoin pour vendredi."),
        ("agent", ("Bonjour, je suis désolée pour ce retard. Je vous envoie un remplacement "
                  "aujourd'hui même. Cordialement, Julie"))),
    "es": conversation(
        ("customer", "Hola, me cobraron dos veces la factura de este mes y nadie me responde."),
        ("agent", ("Lo siento mucho. Ya he pedido el reembolso del segundo cargo, llegará en "
                  "tres días hábiles."))),
    "de": conversation(
        ("customer", ("@YTCreatorsDE Warum wurde mein Kanal gesperrt? Ich habe nichts falsch "
                     "gemacht!")),
        ("agent", ("@kunde Hallo! Du kannst Einspruch einlegen. Klicke auf diesen Link für "
                  "weitere Infos: https://support.google.com/youtube/answer/185111"))),
    "zh": conversation(
        ("customer", "我的订单已经一个星期了还没有发货，请尽快处理，谢谢。"),
        ("agent", "您好！非常抱歉给您带来不便，我们会尽快为您核实订单情况并安排发货。")),
}


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_conversation_is_reported_as_not_scored(coach: Coach, code: str) -> None:
    report = coach.score(FOREIGN[code])
    assert report.findings == ()
    assert report.overall is None
    assert not any(score.applicable for score in report.scores)
    (note,) = [note for note in report.notes if note.startswith("not scored")]
    assert f"({code}," in note and "cover en" in note


@pytest.mark.parametrize("transcript", [
    conversation(("agent", ("thank you for calling harper valley bank um this is linda how can i "
                           "help you today")),
                 ("customer", "yeah hi i uh i need to check my balance")),
    conversation(("customer", "@AppleSupport my iphone wont charge since the update wtf"),
                 ("agent", ("@jo We'd like to help. Which iOS version? DM us: "
                           "https://apple.co/2rR8 ^JK"))),
    conversation(("customer", "ok"), ("agent", "merci")),  # too short to tell: scored
])
def test_english_and_too_short_conversations_are_scored(coach: Coach,
                                                        transcript: Transcript) -> None:
    report = coach.score(transcript)
    assert not any(note.startswith("not scored") for note in report.notes)
    assert report.findings


@pytest.mark.parametrize("text", [
    "Calm down, as I already said.\nCalm down, as I already said.",  # CLD3: Gaelic, 0.92
    "Sometimes it loads, sometimes it doesn’t.",  # CLD3: Frisian, 0.99
    "Premium subscription renewal invoice",  # no common word, but short: CLD3: Latin, 0.87
])
def test_short_english_with_few_function_words_is_not_called_another_language(
        coach: Coach, text: str) -> None:
    """Too few of the function words to read as English, but common English words all the
    same, or too short to tell in Latin letters: the model's verdict of another language is
    not taken, and the conversation is scored."""
    found = detect_language(text)
    assert found is None or found.code == "en"
    report = coach.score(conversation(*(("customer", line) for line in text.splitlines())))
    assert not any(note.startswith("not scored") for note in report.notes)


def test_a_pack_in_the_language_covers_it(tmp_path: Path) -> None:
    folder = tmp_path / "maison"
    folder.mkdir()
    (folder / "pack.yaml").write_text('name: maison\nversion: "1"\nlanguage: fr\n',
                                      encoding="utf-8")
    (folder / "politesse.yaml").write_text(
        "id: politesse.calmez-vous\nkind: phrase\ncategory: empathy\nmatch:\n"
        "  phrases: [calmez-vous]\nmessage: Calmez-vous blesse.\nsuggestion: Je comprends.\n",
        encoding="utf-8")
    coach = Coach(packs=[str(folder)])
    rude = conversation(("customer", ("Bonjour, ma commande n'est jamais arrivée, c'est une "
                                     "honte, je veux être remboursé tout de suite.")),
                        ("agent", "Calmez-vous, madame, je regarde votre commande."))
    report = coach.score(rude)
    assert [f.rule_id for f in report.findings] == ["politesse.calmez-vous"]
    assert "not scored" not in " ".join(coach.score(FOREIGN["fr"]).notes)
    assert "(en," in " ".join(coach.score(conversation(
        ("customer", "Hello, my parcel never arrived and I need it for Friday, please help."),
        ("agent", "Sorry about that! I have sent a replacement, it will be with you today.")),
    ).notes)


def test_language_check_can_be_switched_off() -> None:
    coach = Coach(CoachConfig(check_language=False))
    report = coach.score(FOREIGN["fr"])
    assert not any(note.startswith("not scored") for note in report.notes)
    assert report.findings


def test_a_bad_pack_language_is_located(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "pack.yaml").write_text('name: house\nversion: "1"\nlanguage: English\n',
                                      encoding="utf-8")
    from servicecoach.errors import RulePackError
    with pytest.raises(RulePackError) as raised:
        Coach(packs=[str(folder)])
    assert raised.value.line == 3 and "language" in raised.value.what


CORPORA = SHARED / "corpora"


@pytest.mark.skipif(not (CORPORA / "ibm_twitter_care_dev.jsonl").is_file(),
                    reason="../shared/corpora/ is not beside the checkout")
def test_real_english_conversations_read_as_english() -> None:
    """Of the 922 English conversations of the corpora (tweets, translated Weibo chats, chats,
    calls), only the one German Twitter thread reads as another language."""
    other = {}
    for path in sorted(CORPORA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found = detect_language("\n".join(turn["text"] for turn in record["turns"]))
            if found is not None and found.code != "en":
                other[record["id"]] = found.code
    assert other == {"ibmcdp-dev-mxLtEIqJWzDOCE3yB4hb": "de"}


def test_no_other_language_reads_as_english() -> None:
    """spaCy's example sentences (real sentences in 60 languages), three at a time: none is
    taken for English, so none would be scored with English rules."""
    import spacy.lang

    taken_for_english = []
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        if module.name in ("en", "xx"):
            continue
        try:
            sentences = importlib.import_module(f"spacy.lang.{module.name}.examples").sentences
        except ImportError:
            continue
        for start in range(0, len(sentences) - 2, 3):
            found = detect_language(" ".join(sentences[start:start + 3]))
            if found is not None and found.code == "en":
                taken_for_english.append(module.name)
    assert taken_for_english == []


def test_english_after_an_opening_that_does_not_read_as_english_needs_no_model(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that opens with handles, a product list and a link, and goes on in plain
    English, is English by its function words: the model is not asked."""
    from servicecoach.nlp import language

    def no_model() -> None:
        raise AssertionError("the language model was loaded")

    monkeypatch.setattr(language, "_model", no_model)
    opening = ("@AcmeCloud @AcmeHelp Features needed: Storage Sync Backup Restore Versioning "
               "Sharing Previews Search Tags Albums Exports Imports Teams Billing Invoices "
               "Regions Quotas Webhooks Tokens Scopes Audits https://acme.example/roadmap ")
    text = opening + ("I have been asking for this for a year and nobody has told me when it "
                      "will be there. Is it on the roadmap or not? It is the only thing I "
                      "need from you and I would like to know if I should wait for it.")
    assert language._reads_as_english(text[:240]) is False  # the opening alone does not tell
    detected = detect_language(text)
    assert detected is not None and detected.code == "en"


def test_words_read_chunk_by_chunk_are_those_of_one_pass_over_the_text() -> None:
    """The language check reads words between white space, and a chunk of ASCII letters
    as one word without the regex: the same words and noise as the one regex over the
    whole text, on handles, links, e-mail addresses, sign-offs, numbers, apostrophes,
    letters beyond ASCII and every kind of white space."""
    from servicecoach.nlp.language import _WORD_OR_NOISE, _words_and_noise

    texts = [
        "@user hi there, it's me: mail a@b.com or www.x.org/a?b=1 #help ^jd 2pm",
        "a@b c@ @d e@f@g @@ ^^ ## 12ab ab12 don't 'quoted' rock'n'roll o'neill's",
        "café\u00a0crème\tthé\nnaïve\u2003word\x1cnext\x1dthird\u3000fourth\r\nend",
        "https://t.co/x http://a b https:// www. wwwx httpx:// _under_ score__",
        "   leading and trailing   ", "", "ÉCOLE ÀÉÎ straße ǅemal ﬁne ½ ² ٣",
    ]
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:200]:
            texts += [turn["text"] for turn in json.loads(line)["turns"]]
    for text in texts:
        lowered = text.lower()
        assert _words_and_noise(lowered) == _WORD_OR_NOISE.findall(lowered), text
