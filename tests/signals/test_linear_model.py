"""The shipped per-turn signal models load, rank obvious cases, explain themselves, stay linear."""

from __future__ import annotations

import json
import time
from importlib.resources import files
from pathlib import Path

import pytest

from servicecoach.signals.linear import (
    FEATURE_SPEC,
    MAX_CHARS,
    LinearTextModel,
    ModelGroup,
    clear_feature_cache,
    feature_name,
    features,
    parse_feature,
    sentences,
)

SIGNALS = ("distress", "strong", "ack")

# (signal, clear case, neutral paraphrase of the same situation)
PAIRS = [
    (
        "distress",
        "I'm so frustrated, I've been waiting two hours and nobody has called me back.",
        "I've been waiting for a call back, could you tell me when to expect it?",
    ),
    (
        "distress",
        "I am really upset, my card was lost and I am worried someone is using it.",
        "I'd like to order a replacement card, please.",
    ),
    (
        "distress",
        "This is terrible, the sofa arrived broken and I'm so disappointed.",
        "The sofa arrived today, when will the cushions come?",
    ),
    (
        "strong",
        "This is absolutely ridiculous, worst service ever, you are useless!!",
        "The service has been slow, could you please look into it?",
    ),
    (
        "strong",
        "I am SO ANGRY, you people are a disgrace.",
        "I would like to make a complaint about my last bill.",
    ),
    (
        "ack",
        "I'm so sorry to hear that, that must be really frustrating.",
        "Please send me your order number.",
    ),
    (
        "ack",
        "I'm sorry you had to wait so long, I understand how upsetting that is.",
        "Let me look up your account.",
    ),
]


BEHAVIOURS = ("blame", "deflection", "dismissive", "supervisor")

# (model, the behaviour worded as no phrase of the pack lists it, a look-alike without it)
BEHAVIOUR_PAIRS = [
    ("blame", "The parcel went back because you typed the flat number into the wrong box.",
     "The parcel went back because our courier had the wrong flat number."),
    ("deflection", "Head office sets those charges, so there's really nothing on my side.",
     "Head office sets those charges, and I've asked them to refund this one for you."),
    ("dismissive", "Honestly there is no need to get this wound up over a couple of quid.",
     "Honestly there is no need to worry, the couple of quid will come back to you."),
    ("supervisor", "Can you put me on to whoever runs your complaints team please.",
     "Can you put me on to your billing team please, it's about a direct debit."),
]


@pytest.mark.parametrize("name", SIGNALS)
def test_shipped_model_loads_once(name: str) -> None:
    model = LinearTextModel.load(name)
    assert model is LinearTextModel.load(name)
    assert model.name == name
    assert 100 <= len(model.weights) <= 5000
    assert model.metadata["feature_spec"] == FEATURE_SPEC
    assert 0.0 < model.score("hello") < 1.0


@pytest.mark.parametrize("name", SIGNALS)
def test_weights_files_stay_small_and_carry_a_threshold(name: str) -> None:
    resource = files("servicecoach.signals.weights").joinpath(f"{name}.json")
    assert len(resource.read_bytes()) < 300_000
    assert 0.0 < LinearTextModel.load(name).threshold < 1.0


def test_unknown_or_bad_names_are_refused() -> None:
    with pytest.raises(FileNotFoundError):
        LinearTextModel.load("no_such_signal")
    with pytest.raises(ValueError):
        LinearTextModel.load("../linear")


@pytest.mark.parametrize(("name", "clear", "neutral"), PAIRS + BEHAVIOUR_PAIRS)
def test_clear_cases_score_above_neutral_paraphrases(
    name: str, clear: str, neutral: str
) -> None:
    model = LinearTextModel.load(name)
    assert model.score(clear) > model.score(neutral) + 0.1


@pytest.mark.parametrize(
    ("name", "text", "driver"),
    [
        ("distress", "I am so frustrated with this order.", "frustrated"),
        ("strong", "You people are useless and this is disgusting.", "disgusting"),
        ("ack", "I am so sorry about that.", "sorry"),
    ],
)
def test_explain_names_the_driving_words(name: str, text: str, driver: str) -> None:
    model = LinearTextModel.load(name)
    explained = model.explain(text, top=3)
    assert driver in {feature for feature, _ in explained} | {
        word for feature, _ in explained for word in feature.split()
    }
    weights = [weight for _, weight in explained]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    assert len(model.explain(text, top=1)) == 1


def test_a_long_complaint_is_read_at_its_most_telling_sentence() -> None:
    model = LinearTextModel.load("distress")
    angry = "I am so frustrated and upset with this."
    padding = " ".join(
        f"The order number is {n} and the parcel left the depot." for n in range(30)
    )
    assert model.score(f"{padding} {angry}") == pytest.approx(
        model.score(f"The order number is 1 and the parcel left the depot. {angry}"),
        abs=0.05,
    )


def test_features_are_words_bigrams_and_cues() -> None:
    found = features("I've been waiting SOOOO long!! Call me at 5 :(")
    assert found.cues == {"__caps__", "__excl__", "__sad__"}
    named = [{feature_name(feature) for feature in part} for part in found.sentences]
    assert named == [
        {
            "i've",
            "been",
            "waiting",
            "soo",
            "long",
            "i've been",
            "been waiting",
            "waiting soo",
            "soo long",
        },
        {"call", "me", "at", "0", "call me", "me at", "at 0"},
    ]
    assert sentences("See https://example.com/x?y=1 now") == [["see", "now"]]
    assert parse_feature("not happy") == ("not", "happy")
    assert parse_feature("__caps__") == "__caps__"


def _cost(text: str, repeat: int = 5) -> float:
    """Best-of-n seconds to score `text` from scratch (feature cache cleared)."""
    model = LinearTextModel.load("distress")
    best = float("inf")
    for _ in range(repeat):
        clear_feature_cache()
        started = time.perf_counter()
        for _ in range(20):
            clear_feature_cache()
            model.score(text)
        best = min(best, time.perf_counter() - started)
    return best


def test_scoring_is_linear_and_capped() -> None:
    sentence = "I have been waiting for ages and I am really not happy about it. "
    small, large = sentence * 8, sentence * 64  # both under MAX_CHARS
    assert len(large) < MAX_CHARS
    assert (
        _cost(large) / _cost(small) < 8 * 3
    )  # 8x the text: linear, not quadratic (64x)
    huge = sentence * 20_000
    assert LinearTextModel.load("distress").score(huge) == LinearTextModel.load(
        "distress"
    ).score(huge[:MAX_CHARS])
    assert (
        _cost(huge) / _cost(huge[:MAX_CHARS]) < 3
    )  # only the first MAX_CHARS are read


@pytest.mark.parametrize("name", SIGNALS)
def test_metadata_names_training_data_and_licence(name: str) -> None:
    meta = LinearTextModel.load(name).metadata
    data = {source["name"]: source for source in meta["training_data"]}
    assert data["GoEmotions"]["licence"] == "CC BY 4.0"
    assert "Demszky" in data["GoEmotions"]["citation"]
    assert all(source.get("licence") for source in meta["training_data"])
    assert "GoEmotions" in meta["attribution"] and "CC BY 4.0" in meta["attribution"]
    assert meta["signal"] == name and meta["trained"] and meta["features"]
    assert meta["metrics"]["goemotions_test"]["auc"] > 0.7


@pytest.mark.parametrize("name", BEHAVIOURS)
def test_behaviour_models_load_and_name_their_written_training_data(name: str) -> None:
    model = LinearTextModel.load(name)
    assert model is LinearTextModel.load(name) and model.name == name
    assert 100 <= len(model.weights) <= 5000 and 0.0 < model.threshold < 1.0
    meta = model.metadata
    assert meta["feature_spec"] == FEATURE_SPEC and meta["signal"] == name
    assert all(source.get("licence") == "Apache-2.0" for source in meta["training_data"])
    assert meta["metrics"]["written_turns_cv"]["precision"] >= 0.9


def test_the_telling_span_is_the_sentence_that_weighs_most() -> None:
    model = LinearTextModel.load("strong")
    text = "Hello there. This is absolutely ridiculous, you people are useless!! Thanks anyway."
    start, end = model.telling_span(text) or (0, 0)
    assert text[start:end] == "This is absolutely ridiculous, you people are useless"
    assert model.telling_span("") is None and model.telling_span("?!...") is None
    one = "you people are useless"
    assert model.telling_span(f"  {one}  ") == (2, 2 + len(one))


def _devset_turns() -> list[str]:
    path = Path(__file__).parents[1] / "devset" / "transcripts.jsonl"
    return [turn["text"] for line in path.read_text(encoding="utf-8").splitlines() if line
            for turn in json.loads(line)["turns"]]


@pytest.mark.parametrize("names", [("blame", "deflection", "dismissive"), ("supervisor",),
                                   ("distress", "strong", "ack", "supervisor")])
def test_a_group_scores_each_model_as_the_model_does(names: tuple[str, ...]) -> None:
    models = [LinearTextModel.load(name) for name in names]
    group = ModelGroup(models)
    assert group.models == tuple(models)
    texts = [*_devset_turns(), "", "!!", "Sorry. That is YOUR fault!! Read the terms :("]
    assert len(texts) > 500
    for text in texts:  # the same sums, added up in another order
        assert group.logits(text) == pytest.approx([model.logit(text) for model in models],
                                                   rel=1e-12, abs=1e-12)
        assert group.scores(text) == pytest.approx([model.score(text) for model in models],
                                                   rel=1e-12, abs=1e-12)
