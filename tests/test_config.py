"""User configuration changes packs, rules, severities and phrases without copying a pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicecoach import Coach, ConfigError, Severity, Transcript
from servicecoach.config import CoachConfig, find_config, load_config


def coach_from(tmp_path: Path, toml: str, name: str = "servicecoach.toml") -> Coach:
    path = tmp_path / name
    path.write_text(toml)
    return Coach.from_config(path)


def agent_says(coach: Coach, text: str) -> list[str]:
    return [f.rule_id for f in coach.session().add_turn({"speaker": "agent", "text": text})]


def test_disable_by_id_and_by_glob(tmp_path: Path) -> None:
    coach = coach_from(tmp_path, 'disable = ["defensive.*", "language.negative"]')
    assert not any(r.id.startswith("defensive.") for r in coach.rules)
    assert "language.negative" not in coach.rule_order
    assert "empathy.missing" in coach.rule_order


def test_severity_override(tmp_path: Path) -> None:
    coach = coach_from(tmp_path, '[rules."defensive.dismissive"]\nseverity = "critical"')
    found = coach.session().add_turn({"speaker": "agent", "text": "Calm down."})
    (finding,) = [f for f in found if f.rule_id == "defensive.dismissive"]
    assert finding.severity is Severity.CRITICAL


def test_add_phrases_to_the_main_list(tmp_path: Path) -> None:
    toml = '[rules."defensive.dismissive"]\nadd_phrases = ["take a chill pill"]'
    assert "defensive.dismissive" in agent_says(coach_from(tmp_path, toml), "Take a chill pill.")
    assert "defensive.dismissive" not in agent_says(Coach(), "Take a chill pill.")


def test_add_phrases_to_a_named_list(tmp_path: Path) -> None:
    toml = '[rules."empathy.missing"]\nadd_phrases = { expect = ["oh no"] }'
    coach = coach_from(tmp_path, toml)
    session = coach.session()
    session.add_turn({"speaker": "customer", "text": "I'm so frustrated, it broke again."})
    found = session.add_turn({"speaker": "agent", "text": "Oh no! Let's fix it."})
    assert "empathy.missing" not in [f.rule_id for f in found]


def test_add_exceptions(tmp_path: Path) -> None:
    toml = '[rules."defensive.dismissive"]\nadd_exceptions = ["relax mode"]'
    assert "defensive.dismissive" in agent_says(Coach(), "Switch the chair to relax mode.")
    assert "defensive.dismissive" not in agent_says(
        coach_from(tmp_path, toml), "Switch the chair to relax mode."
    )


def test_the_live_cues_are_configured_as_other_rules_are(tmp_path: Path) -> None:
    """A table for a signal rule (the live cues) broke Coach() with a KeyError, whatever it
    held: a contact center could neither switch a cue off in its configuration nor change
    its severity."""
    toml = ('[rules."escalation.risk"]\nenabled = false\n'
            '[rules."empathy.needed"]\nseverity = "warning"')
    coach = coach_from(tmp_path, toml)
    hints = coach.session().add_turn({"speaker": "customer",
                                      "text": "This is ridiculous, I'm so upset, I'll cancel!"})
    assert [(f.rule_id, f.severity) for f in hints if f.kind.value == "cue"] == [
        ("empathy.needed", Severity.WARNING)]


def test_a_live_cue_s_thresholds_are_set_by_signal(tmp_path: Path) -> None:
    """A contact center whose agents found empathy.needed too eager could only switch it
    off and write a pack of its own: its settings give each signal it reads a threshold
    (0.85: a cue's words, not shouting alone, which reads 0.8)."""
    shouted = {"speaker": "customer", "text": "WHERE IS MY PARCEL"}
    said = {"speaker": "customer", "text": "I am so sad about the delay."}
    for turn in (shouted, said):
        assert "empathy.needed" in {f.rule_id for f in Coach().session().add_turn(turn)}
    coach = coach_from(tmp_path, '[rules."empathy.needed"]\n'
                                 'settings = { "customer.distress" = 0.85 }')
    assert "empathy.needed" not in {f.rule_id for f in coach.session().add_turn(shouted)}
    assert "empathy.needed" in {f.rule_id for f in coach.session().add_turn(said)}
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, '[rules."escalation.risk"]\nsettings = { at_least = 0.8 }')
    assert "reads no signal 'at_least'" in str(caught.value)
    assert "customer.strong" in caught.value.hint
    with pytest.raises(ConfigError, match="at most 1, not 2"):
        coach_from(tmp_path, '[rules."empathy.needed"]\nsettings = { "customer.distress" = 2 }')


@pytest.mark.parametrize(("setting", "said"), [
    (f'"{"k" * 100_000}" = 0.5', "reads no signal 'kkkk"),
    ('"customer.distress" = [' + ", ".join(["1"] * 5000) + "]", "not a list of 5,000 entries"),
    (f'"customer.distress" = "{"x" * 100_000}"', "at most 1, not 'xxxx"),
])
def test_a_live_cue_s_long_wrong_setting_is_shown_by_its_start(
        tmp_path: Path, setting: str, said: str) -> None:
    """A signal rule's setting was quoted whole: a signal id of 100 KB made an error line of
    200 KB (in the key and again in the words), a threshold of 5,000 numbers one of 15 KB."""
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, f'[rules."empathy.needed".settings]\n{setting}\n')
    assert said in str(caught.value) and len(str(caught.value)) < 500


LONG = "k" * 100_000


@pytest.mark.parametrize("toml", [
    f'[rules."greeting.missing".add_phrases]\n"{LONG}" = ["x"]\n',
    f'[rules."greeting.missing".remove_phrases]\n"{LONG}" = ["x"]\n',
    f'[rules."defensive.dismissive"]\nremove_phrases = ["{LONG}"]\n',
])
def test_a_long_phrase_list_name_or_phrase_to_remove_is_shown_by_its_start(
        tmp_path: Path, toml: str) -> None:
    """A list named in `add_phrases` or `remove_phrases`, and a phrase to remove, were quoted
    whole: a list name of 100,000 characters made an error line of 200 KB (in the key and
    again in the words), a phrase one of 100 KB."""
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, toml)
    assert "'kkkk" in str(caught.value) and "(100,000 characters)" in str(caught.value)
    assert len(str(caught.value)) < 500


def test_scoring_weights(tmp_path: Path) -> None:
    coach = coach_from(tmp_path, "[scoring.weights]\nempathy = 5.0\n[scoring.penalties]\nwarning = 30")
    assert coach.scoring.weight("empathy") == 5.0
    assert coach.scoring.penalties[Severity.WARNING] == 30


def test_a_weight_for_a_category_no_rule_has_is_a_warning_naming_the_nearest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt `empthy = 3` weighed nothing without a word until 2026-12-07. A warning,
    not an error: a configuration's weights may be for packs that --pack replaces."""
    from servicecoach.cli import main
    from servicecoach.errors import ConfigWarning

    toml = "[scoring.weights]\nempthy = 3\noutcome = 2\n"
    with pytest.warns(ConfigWarning, match=r"\[scoring.weights\] names category 'empthy', "
                      r"which no rule of the packs \(core\) has, so it weighs nothing "
                      r"\(did you mean 'empathy'\?\)"):
        coach = coach_from(tmp_path, toml)
    assert coach.scoring.weight("outcome") == 2
    monkeypatch.chdir(tmp_path)
    call = Path(__file__).parent.parent / "examples" / "transcripts" / "refund-call.txt"
    assert main(["score", str(call), "-q", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: ") == 1  # said once, not again by each worker
    assert (f"warning: {tmp_path / 'servicecoach.toml'}: [scoring.weights] names category "
            "'empthy'") in err


@pytest.mark.parametrize(("toml", "said"), [
    ('[rules."defensive.dismissive"]\nadd_phrases = ["' + "x " * 1_000 + '"]\n',
     "rules.\"defensive.dismissive\".add_phrases: phrase 'x x x"),
    ('[rules."defensive.dismissive"]\nadd_phrases = ["calm", ""]\n',
     "rules.\"defensive.dismissive\".add_phrases: phrase '' is blank: it never matches"),
    ('[rules."defensive.dismissive"]\nadd_exceptions = ["  "]\n',
     "rules.\"defensive.dismissive\".add_exceptions: phrase '  ' is blank"),
    ('[rules."defensive.dismissive"]\nadd_phrases = [' + ", ".join(
        f'"p{n}"' for n in range(5_001)) + "]\n",
     "rules.\"defensive.dismissive\".add_phrases: 5,001 phrases (limit 5,000)"),
])
def test_added_phrases_are_held_to_a_pack_s_limits(tmp_path: Path, toml: str, said: str) -> None:
    """`add_phrases` and `add_exceptions` were copied into the rule's lists without the
    checks a pack's phrases get: a phrase of 2,000 characters, a blank one that never
    matches, 5,001 phrases, each taken without a word."""
    with pytest.raises(ConfigError) as refused:
        coach_from(tmp_path, toml)
    assert said in str(refused.value)


def test_pyproject_table(tmp_path: Path) -> None:
    toml = '[project]\nname = "x"\n[tool.servicecoach]\ndisable = ["language.negative"]'
    coach = coach_from(tmp_path, toml, name="pyproject.toml")
    assert "language.negative" not in coach.rule_order


def test_find_config_walks_up(tmp_path: Path) -> None:
    (tmp_path / "servicecoach.toml").write_text("")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "servicecoach.toml"


def test_relative_pack_paths_resolve_from_the_config_file(tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "mine"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: mine\nversion: '1'\nextends: [core]\n")
    coach = coach_from(tmp_path, 'packs = ["packs/mine"]')
    assert coach.pack_versions["mine"] == "1" and "core" in coach.pack_versions


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('disabel = ["x"]', "disabel: unknown key"),
        ('disable = ["nope.*"]', "no rule matches 'nope.*'"),
        ('[rules."nope.rule"]\nseverity = "warning"', 'rules."nope.rule": no such rule'),
        ('[rules."defensive.blame"]\nseverity = "fatal"', "severity"),
        ('[rules."defensive.blame"]\nadd_phrases = { nolist = ["x"] }', "no phrase list 'nolist'"),
        ('[rules."defensive.blame"]\nsettings = { limit = 3 }',
         "only built-in and signal rules have settings"),
        ('[rules."escalation.risk"]\nadd_phrases = ["x"]', "a signal rule has no main list"),
        ('[rules."escalation.risk"]\nsettings = { at_least = 0.8 }',
         "reads no signal 'at_least'"),
        ("packs = [", "invalid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("*", r"\*")):
        coach_from(tmp_path, toml)


@pytest.mark.parametrize(("keywords", "message"), [
    ({"packs": "core"}, "Coach(): packs='core' is one name, not a list of them"),
    ({"packs": [5]}, "Coach(): packs.0: Input should be a valid string"),
    ({"redact": "maybe"}, "Coach(): redact: Input should be a valid boolean"),
    ({"spacy_model": 5}, "Coach(): spacy_model: Input should be a valid string"),
])
def test_a_coach_keyword_of_the_wrong_type_is_a_clear_error(
        keywords: dict[str, object], message: str) -> None:
    """Keywords were copied into the configuration unchecked: packs="core" looked for a
    pack 'c', redact="no" (a true string) masked every report."""
    with pytest.raises(ConfigError) as caught:
        Coach(**keywords)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_coach_keywords_are_read_as_a_configuration_reads_them() -> None:
    assert Coach(redact="no").config.redact is False  # type: ignore[arg-type]
    assert Coach(packs=iter(["core"]), redact=True).config.redact is True


def test_pack_folders_may_be_given_as_paths() -> None:
    """`Coach(packs=[Path(...)])` worked before keywords were validated, and still does."""
    folder = Path(__file__).resolve().parents[1] / "rules" / "core"
    assert Coach(packs=[folder]).config.packs == (str(folder),)


def test_a_config_that_is_a_device_is_refused_unread(tmp_path: Path) -> None:
    """`--config` naming a link to /dev/zero was read until memory ran out, and a
    servicecoach.toml that was one was silently passed over: both are located errors now."""
    device = tmp_path / "servicecoach.toml"
    device.symlink_to("/dev/zero")
    nested = tmp_path / "calls"
    nested.mkdir()
    assert find_config(nested) == device
    with pytest.raises(ConfigError, match="not a regular file") as refused:
        load_config(device)
    assert str(device) in str(refused.value)


def test_a_config_file_too_large_to_be_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "servicecoach.toml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than 1,000,000 bytes"):
        load_config(path)


@pytest.mark.parametrize(("toml", "message"), [
    ('[project]\nname = "x"\n', r"no \[tool.servicecoach\] table"),
    ('# uses [tool.servicecoach]\ntool = "x"\n', r"'tool' is a str, not the table"),
    ('tool = ["[tool.servicecoach]"]\n', r"'tool' is a list, not the table")])
def test_pyproject_without_the_table_is_an_error(tmp_path: Path, toml: str, message: str) -> None:
    """A `tool` that is no table, in a file found because it names the table, was a
    traceback (AttributeError) from every command run below it."""
    (tmp_path / "pyproject.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[rules."hold.too-long"]\nsettings = { limit_seconds = "abc" }',
         "setting 'limit_seconds' takes a number"),
        ('[rules."hold.too-long"]\nsettings = { limit_secondz = 90 }',
         "unknown setting(s) limit_secondz; settings: grace_seconds, limit_seconds"),
        # a number that is not finite was kept (nan: the rule never fired) or stopped the
        # coach with a traceback where the setting is a count (int(inf): OverflowError)
        ('[rules."hold.too-long"]\nsettings = { limit_seconds = nan }',
         "setting 'limit_seconds' takes a finite number, not nan"),
        ('[rules."hold.too-long"]\nsettings = { grace_seconds = -inf }',
         "setting 'grace_seconds' takes a finite number, not -inf"),
        ('[rules."hold.too-long"]\nsettings = { limit_seconds = 1e999 }',
         "setting 'limit_seconds' takes a finite number, not inf"),
        ('[rules."hold.too-long"]\nsettings = { limit_seconds = "abc" }',
         "setting 'limit_seconds' takes a number, not 'abc' ("),
    ],
)
def test_bad_builtin_settings_fail_at_load(tmp_path: Path, toml: str, message: str) -> None:
    """The settings a configuration gives a built-in rule are its own to fix: the error
    names the configuration file and the key, not the pack's rule file."""
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        coach_from(tmp_path, toml)
    assert str(caught.value).startswith(
        f'{tmp_path / "servicecoach.toml"}: rules."hold.too-long".settings: ')
    assert "hold.yaml" not in str(caught.value)


def test_a_list_setting_with_one_bad_entry_names_the_entry_not_the_whole_list(
        tmp_path: Path) -> None:
    """Found by fuzzing (tests/test_fuzz_shapes.py): a list setting holding one entry that is
    no string was quoted whole, 5,000 names made an error line of 60 KB that did not say
    which entry was wrong; the error names the entry now, and shows a long value by its size."""
    names = ", ".join(f'"name{i}"' for i in range(5000))
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, f'[rules."name.unused"]\nsettings = {{ not_names = [{names}, 7, '
                             f'"x"] }}')
    message = str(caught.value)
    assert "setting 'not_names' takes a list of strings: entry 5000 is 7, not a string" in message
    assert "name4999" not in message and len(message) < 400
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, f'[rules."hold.too-long"]\nsettings = {{ limit_seconds = [{names}] }}')
    assert "takes a number, not a list of 5,000 entries" in str(caught.value)


def test_a_configuration_error_lists_five_problems_in_the_keys_a_user_writes(
        tmp_path: Path) -> None:
    """Found by fuzzing (tests/test_fuzz_shapes.py): every problem was listed (a `select` of
    5,000 numbers made an error line of 224 KB), keys held the names pydantic gives a union's
    branches (`add_phrases.tuple[str, ...].0`) and words its models' names (`or instance of
    ScoringOverride`)."""
    path = tmp_path / "servicecoach.toml"
    path.write_text("select = [" + ", ".join(["1"] * 5000) + "]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "select.4: Input should be a valid string; and 4,995 more" in message
    assert "select.5:" not in message and len(message) < 400
    path.write_text('scoring = 5\n[rules."defensive.dismissive"]\nadd_phrases = [1]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "rules.defensive.dismissive.add_phrases.0: Input should be a valid string" in message
    assert "scoring: Input should be a valid dictionary (" in message
    assert "tuple[" not in message and "instance of" not in message


def test_bad_settings_of_a_coach_built_without_a_file_still_name_the_rule() -> None:
    from servicecoach import RulePackError
    from servicecoach.config import CoachConfig, RuleOverride

    config = CoachConfig(rules={"hold.too-long": RuleOverride(settings={"limit_secondz": 90})})
    with pytest.raises(RulePackError, match="unknown setting") as caught:
        Coach(config)
    assert 'settings in your configuration ([rules."hold.too-long"] settings)' in str(caught.value)


def test_builtin_settings_override_takes_effect(tmp_path: Path) -> None:
    coach = coach_from(tmp_path, '[rules."responsiveness.slow-reply"]\nsettings = { limit_seconds = 300 }')
    slow = Transcript.model_validate({"id": "t", "channel": "chat", "turns": [
        {"speaker": "agent", "text": "Hi, I'm Sam, how can I help?", "start": 0},
        {"speaker": "customer", "text": "Where is my order?", "start": 10},
        {"speaker": "agent", "text": "It ships today.", "start": 200}]})
    assert "responsiveness.slow-reply" in {f.rule_id for f in Coach().score(slow).findings}
    assert "responsiveness.slow-reply" not in {f.rule_id for f in coach.score(slow).findings}


def _rule_ids(coach: Coach, turns: list[tuple[str, str]], **metadata: str) -> set[str]:
    return {f.rule_id for f in coach.score(Transcript.model_validate({
        "id": "t", "channel": "chat", "metadata": metadata,
        "turns": [{"speaker": s, "text": t} for s, t in turns]})).findings}


def test_a_configuration_changes_the_words_that_put_a_name_in_address_position(
        tmp_path: Path) -> None:
    """`address_leads`: "Hola Grace" addresses Grace once "hola" is a lead; by default a
    first name that is also an English word counts only in address position."""
    turns = [("customer", "I need help with my booking."),
             ("agent", "Hola Grace let me look at that booking for you.")]
    assert "name.used" not in _rule_ids(Coach(), turns, customer_name="Grace Lee")
    leads = ", ".join(f'"{word}"' for word in ("hi", "hello", "thanks", "hola"))
    coach = coach_from(tmp_path, f'[rules."name.used"]\nsettings = {{ address_leads = [{leads}] }}')
    assert "name.used" in _rule_ids(coach, turns, customer_name="Grace Lee")


def test_a_configuration_changes_the_words_before_a_name_given_on_request(
        tmp_path: Path) -> None:
    """`answer_fillers`: the words an answer to "may I have your name?" may start with."""
    turns = [("agent", "Hi, this is Sam, how can I help?"), ("customer", "My order is late."),
             ("agent", "Sorry about that, let me check."), ("customer", "ok"),
             ("agent", "May I have your name please?"), ("customer", "claro, Marisol"),
             ("agent", "Thanks. One moment while I look.")]
    assert "name.unused" not in _rule_ids(Coach(), turns)  # no name learned: nothing to use
    fillers = '["yes", "sure", "claro"]'
    toml = "\n".join(f'[rules."{rule}"]\nsettings = {{ answer_fillers = {fillers} }}'
                     for rule in ("name.used", "name.unused", "name.misspelled",
                                  "name.overused"))
    assert "name.unused" in _rule_ids(coach_from(tmp_path, toml), turns)


def test_a_configuration_changes_what_a_transfer_names_as_its_target(tmp_path: Path) -> None:
    """`vague_targets`: a destination that names no one ("the front desk" in a hotel's
    pack) leaves the transfer unannounced."""
    turns = [("agent", "Hello, how can I help?"),
             ("customer", "The heating in my room is broken."),
             ("agent", "I will transfer you to reception because they can send someone.")]
    assert "transfer.unannounced" not in _rule_ids(Coach(), turns)
    vague = '["someone", "somebody", "them", "the", "reception"]'
    coach = coach_from(tmp_path, f'[rules."transfer.unannounced"]\nsettings = {{ vague_targets = {vague} }}')
    assert "transfer.unannounced" in _rule_ids(coach, turns)


def test_an_exception_also_cancels_the_model_s_reading_it_overlaps(tmp_path: Path) -> None:
    """A team that does not count 'as I already said' as dismissive added it as an exception:
    the phrase's hit was cancelled, but the rule's trained model (read where the list finds
    nothing) flagged the sentence holding it, so the finding stayed, its span grown to the
    sentence. An exception cancels the model's sentence it overlaps, as it cancels a phrase."""
    said = "As I already said, it ships Friday."
    assert "defensive.dismissive" in agent_says(Coach(), said)
    toml = '[rules."defensive.dismissive"]\nadd_exceptions = ["as I already said"]'
    coach = coach_from(tmp_path, toml)
    assert "defensive.dismissive" not in agent_says(coach, said)
    assert "defensive.dismissive" in agent_says(coach, "Calm down, it ships Friday.")


@pytest.mark.parametrize(("toml", "key"), [
    ('[rules."nope.rule"]\nseverity = "warning"', 'rules."nope.rule": no such rule'),
    ('[rules."defensive.blame"]\nadd_phrases = { nolist = ["x"] }',
     'rules."defensive.blame".add_phrases.nolist: '),
    ('[rules."escalation.risk"]\nadd_phrases = ["x"]', 'rules."escalation.risk".add_phrases: '),
    ('[rules."escalation.risk"]\nsettings = { at_least = 0.8 }',
     'rules."escalation.risk".settings.at_least: '),
    ('[rules."hold.too-long"]\nadd_exceptions = ["x"]', 'rules."hold.too-long".add_exceptions: '),
    ('select = ["empathy.mising"]', "select: no rule matches"),
])
@pytest.mark.parametrize("name", ["servicecoach.toml", "pyproject.toml"])
def test_an_error_in_a_rule_table_names_the_file_and_the_key(
        tmp_path: Path, toml: str, key: str, name: str) -> None:
    text = f"[tool.servicecoach]\n{toml.replace('[rules.', '[tool.servicecoach.rules.')}" \
        if name == "pyproject.toml" else toml
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, text, name)
    assert caught.value.where == str(tmp_path / name)
    assert str(caught.value).startswith(f"{tmp_path / name}: {key}")


def test_remove_phrases_takes_a_shipped_phrase_out_of_a_rule(tmp_path: Path) -> None:
    """A phrase of a core rule that is wrong for one business goes without copying the pack;
    the rule's other phrases still fire (compared as the rule compares: case aside)."""
    guess, unsure = "I guess the parcel ships on Friday.", "I'm not sure the parcel ships on Friday."
    assert "confidence.hedge" in agent_says(Coach(), guess)
    coach = coach_from(tmp_path, '[rules."confidence.hedge"]\nremove_phrases = ["I  Guess"]')
    assert "confidence.hedge" not in agent_says(coach, guess)
    assert "confidence.hedge" in agent_says(coach, unsure)
    assert "i guess" in Coach().rule("confidence.hedge").match.phrases  # the pack is unchanged


def test_remove_phrases_from_a_named_list(tmp_path: Path) -> None:
    named = coach_from(tmp_path, '[rules."confidence.hedge"]\nremove_phrases = { match = ["i guess"] }')
    assert "i guess" not in named.rule("confidence.hedge").match.phrases


@pytest.mark.parametrize(("toml", "message"), [
    ('[rules."confidence.hedge"]\nremove_phrases = ["i reckon so"]',
     'rules."confidence.hedge".remove_phrases: the match list has no phrase \'i reckon so\''),
    ('[rules."confidence.hedge"]\nremove_phrases = { match = ["i reckon so"] }',
     'rules."confidence.hedge".remove_phrases.match: the match list has no phrase'),
    ('[rules."confidence.hedge"]\nremove_phrases = { expect = ["i guess"] }',
     'rules."confidence.hedge".remove_phrases.expect: a phrase rule has no phrase list'),
    ('[rules."escalation.risk"]\nremove_phrases = ["x"]',
     'rules."escalation.risk".remove_phrases: a signal rule has no main list'),
])
def test_removing_a_phrase_the_rule_does_not_have_is_a_located_error(
        tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, toml)
    assert str(caught.value).startswith(f"{tmp_path / 'servicecoach.toml'}: {message}")


def test_removing_every_phrase_of_a_list_is_an_error_that_says_how_to_switch_it_off(
        tmp_path: Path) -> None:
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: mine\nversion: '1'\n")
    (pack / "words.yaml").write_text(
        "id: mine.words\nkind: phrase\ncategory: positive_language\nseverity: suggestion\n"
        "speaker: agent\nmessage: m\nsuggestion: s\nmatch: {phrases: [no way, not happening]}\n")
    coach = coach_from(tmp_path, 'packs = ["mine"]\n[rules."mine.words"]\nremove_phrases = ["no way"]')
    assert coach.rule("mine.words").match.phrases == ("not happening",)
    with pytest.raises(ConfigError, match=r'"mine.words".remove_phrases: leaves the match list '
                       r"empty \(.*enabled = false"):
        coach_from(tmp_path, 'packs = ["mine"]\n[rules."mine.words"]\n'
                   'remove_phrases = ["no way", "not happening"]')


def test_coach_rule_says_why_there_is_no_such_rule(coach: Coach) -> None:
    """`coach.rule("hold.toolong")` (live.md's way to read a limit) raised a bare
    KeyError('hold.toolong'): it names the closest id, or says the configuration leaves
    the rule out; it is still a KeyError."""
    with pytest.raises(KeyError, match=re.escape(
            "no rule 'hold.toolong' in the packs (did you mean 'hold.too-long'?)")):
        coach.rule("hold.toolong")
    with pytest.raises(KeyError, match="'servicecoach rules list' lists them"):
        coach.rule("nothing.like-it")
    narrow = Coach(CoachConfig(ignore=("hold",)))
    with pytest.raises(KeyError, match=re.escape(
            "rule 'hold.too-long' is in the packs but the configuration leaves it out")):
        narrow.rule("hold.too-long")
    assert narrow.rule("empathy.missing").id == "empathy.missing"


def test_extend_select_given_in_both_spellings_is_named_as_given_twice(tmp_path: Path) -> None:
    """Until 2026-12-07 it read "extend_select: unknown key", a key the docs list."""
    with pytest.raises(ConfigError, match=r"'extend-select' and 'extend_select' are one key, "
                       r"given twice \(keep one"):
        coach_from(tmp_path, 'extend_select = ["name"]\nextend-select = ["empathy"]\n')


@pytest.mark.parametrize(("packs", "what"), [('[""]', "entry 0 is empty"),
                                             ('["core", "  "]', "entry 1 is blank")])
def test_an_empty_pack_entry_is_named_as_empty(tmp_path: Path, packs: str, what: str) -> None:
    """Until 2026-12-07 `packs = [""]` read "no rule pack '<the configuration's folder>'"."""
    with pytest.raises(ConfigError) as caught:
        coach_from(tmp_path, f"packs = {packs}\n")
    assert f"servicecoach.toml: packs: {what}: give a bundled pack's name" in str(caught.value)
    assert "no rule pack" not in str(caught.value)


@pytest.mark.parametrize(("toml", "what"), [
    ("packs = []", "packs: no pack given, so no rule would run"),
    ("select = []", "'select' is empty, so no rule would run"),
    ('ignore = ["*"]', "'ignore' leaves none of the"),
    ('select = ["name"]\ndisable = ["name"]', "'select' and 'disable' leave none of the"),
])
def test_a_configuration_that_runs_no_rule_is_an_error(tmp_path: Path, toml: str,
                                                       what: str) -> None:
    """Until 2026-12-07 each ran no rule without a word: every report "n/a", exit 0 (a CI
    gate passed on nothing)."""
    with pytest.raises(ConfigError, match=re.escape(what)):
        coach_from(tmp_path, toml + "\n")
