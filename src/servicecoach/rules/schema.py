"""The rule-pack schema: pydantic models, strict (unknown keys are errors), typed by `kind`.

A pack is a folder with ``pack.yaml`` (the `PackManifest`) and rule files (``*.yaml``),
each holding one rule or a list of rules. `Rule` is a discriminated union on ``kind``:

- ``phrase``: something said in a turn of the rule's speaker ("calm down").
- ``substitution``: a phrase with a better wording, which becomes the suggestion.
- ``conditional``: something in one speaker's turn requires (``when: missing``) or is
  followed by (``when: present``) something in the other speaker's next turn(s).
- ``signal``: a turn's signal at a threshold (the live cues ``empathy.needed`` and
  ``escalation.risk``).
- ``builtin``: a behaviour implemented in Python (conversation state, timing, names),
  configured by phrase lists and settings in YAML.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servicecoach.errors import clipped
from servicecoach.models import Channel, FindingKind, Points, Severity, Weight
from servicecoach.nlp.safe_patterns import UnsafePatternError, check_token_pattern
from servicecoach.nlp.safe_regex import (
    UnsafeRegexError,
    check_token_regex,
    compile_safe,
)

_ID = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$")
SLOTS = frozenset({"match", "replacement", "customer_name", "agent_name", "trigger", "detail"})
_SLOT = re.compile(r"{([^{}]*)}")
MAX_LIST_LENGTH = 5_000
"""The most phrases (or lemmas, patterns, regexes, exceptions) one list may hold."""
MAX_PHRASE_LENGTH = 1_000
"""The longest phrase (characters)."""
MAX_ID_LENGTH = 100
"""The longest rule or signal id (characters): an id is written on every finding, lint line
and table row that names it (the longest in `core` has 29)."""
MAX_VERSION_LENGTH = 100
"""The longest pack version (characters): every report writes it (`packs`)."""
_ID_SHOWN = 40
"""Characters of an over-long id an error quotes."""


def shown_id(value: object) -> str:
    """`value`, an id as a pack gives it (of any type), for an error: cut to its first
    characters when it is longer than an id may be."""
    text = str(value)
    return clipped(text, MAX_ID_LENGTH, _ID_SHOWN)


def _id_length(value: str, what: str) -> None:
    """Refuse `value`, a `what` id, when it is longer than `MAX_ID_LENGTH`."""
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{what} id {shown_id(value)!r} has {len(value):,} characters "
                         f"(limit {MAX_ID_LENGTH}): shorten it")
_UNSET_ATTRIBUTES = {
    "DEP": "a parser's", "POS": "a tagger's", "TAG": "a tagger's",
    "MORPH": "a morphologizer's", "ENT_TYPE": "an entity recognizer's",
    "ENT_IOB": "an entity recognizer's", "ENT_ID": "an entity ruler's",
    "ENT_KB_ID": "an entity linker's", "_": "a custom extension's",
}
"""Token attributes a pattern cannot read: patterns are matched on a turn's tokens, which
carry no annotation of the pipeline's components (spaCy refuses DEP, POS and TAG on every
turn; the others never match) and no custom extension (``_``: refused on every turn)."""


def _capitalised(token: Any, pattern: int) -> Any:
    """A token pattern's keys, and the keys of its predicates ({in: [...]}, {regex: ...}),
    in capitals; ValueError when two keys differ only in case."""
    if not isinstance(token, dict):
        return token
    written: dict[Any, Any] = {}
    for key, value in token.items():
        if isinstance(value, dict):
            value = _capitalised(value, pattern)
        name = key.upper() if isinstance(key, str) else key
        if name in written:
            raise ValueError(f"token pattern {pattern} gives {name} twice (keys are read in "
                             "any case): keep one")
        written[name] = value
    return written


def _check_lemma(token: dict[str, Any], pattern: int) -> None:
    """LEMMA is matched as the NORM of the lemma's forms (the coach needs no lemmatizer):
    it takes a word or ``{IN: [words]}``, and a token gives LEMMA or NORM, not both."""
    if "LEMMA" not in token:
        return
    value = token["LEMMA"]
    words = value.get("IN") if isinstance(value, dict) and list(value) == ["IN"] else [value]
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise ValueError(f"token pattern {pattern}: LEMMA takes a word or {{IN: [words]}} here "
                         "(it is matched as the NORM of the lemma's forms); write other "
                         "constraints on NORM or LOWER")
    if "NORM" in token:
        raise ValueError(f"token pattern {pattern}: a token cannot read both LEMMA and NORM "
                         "(LEMMA is matched as the NORM of the lemma's forms): give one of them")


def _shown(text: str, limit: int = 60) -> str:
    """`text` quoted for an error message, cut short when long."""
    return repr(clipped(text, limit))


def bounded_phrases(values: tuple[str, ...]) -> tuple[str, ...]:
    """`values`, refused when a phrase is longer than `MAX_PHRASE_LENGTH`, or blank (empty or
    only spaces: it has no token and never matches, which a pack's author was not told)."""
    for value in values:
        if not value.strip():
            raise ValueError(f"phrase {value!r} is blank: it never matches (remove it)")
        if len(value) > MAX_PHRASE_LENGTH:
            raise ValueError(f"phrase {_shown(value)} is {len(value)} characters long "
                             f"(limit {MAX_PHRASE_LENGTH})")
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FuzzySpec(_Strict):
    """Approximate phrase matching with rapidfuzz, for ASR noise and typos."""

    phrases: tuple[str, ...] = Field(min_length=1, max_length=MAX_LIST_LENGTH,
                                     description="Phrases to look for")
    scorer: Literal["ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "WRatio"] = (
        Field(default="ratio", description="rapidfuzz.fuzz scorer, by name")
    )
    cutoff: float = Field(default=90, ge=0, le=100, description="Minimum score, 0-100")

    @field_validator("phrases")
    @classmethod
    def _phrases_bounded(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return bounded_phrases(values)


class MatchSpec(_Strict):
    """What to look for in a turn. All lists are alternatives; any hit is a match."""

    phrases: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_LIST_LENGTH,
        description="Exact phrases, compared on lower-case normalised tokens "
        "(can't = cannot = can not, curly quotes = straight)",
    )
    lemmas: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_LIST_LENGTH,
        description="Lemma-aware phrases: every word also matches its inflections "
        "('I understand' matches 'I understood')",
    )
    patterns: tuple[tuple[dict[str, Any], ...], ...] = Field(
        default=(), max_length=MAX_LIST_LENGTH, description="spaCy Matcher token patterns (LEMMA is expanded to LOWER forms)"
    )
    regex: tuple[str, ...] = Field(
        default=(), max_length=MAX_LIST_LENGTH,
        description="Regular expressions, searched in the lower-cased text (run on RE2; "
        "look-around and back-references on Python's re, refused when they could backtrack "
        "catastrophically)"
    )
    fuzzy: FuzzySpec | None = None
    exceptions: tuple[str, ...] = Field(
        default=(),
        max_length=MAX_LIST_LENGTH,
        description="Phrases that cancel a hit they overlap ('can't thank you enough' cancels "
        "'can't')",
    )
    negation: bool = Field(
        default=True, description="Ignore hits negated earlier in the clause ('I'm not going to')"
    )
    quotes: bool = Field(default=True, description="Ignore hits inside quotation marks")
    reported: bool = Field(
        default=False,
        description="Ignore hits that are what someone else told, asked or forced a person to "
        "do ('he told me to cancel the service', 'you force users to abandon the contract')",
    )
    contrast: bool = Field(
        default=False,
        description="Ignore hits followed by a contrast ('I understand, but...') in the sentence",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> MatchSpec:
        if not (self.phrases or self.lemmas or self.patterns or self.regex or self.fuzzy):
            raise ValueError("give at least one of phrases, lemmas, patterns, regex, fuzzy")
        return self

    @field_validator("regex")
    @classmethod
    def _compiles(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                compile_safe(value)
            except UnsafeRegexError as error:
                raise ValueError(f"bad regex {_shown(value)}: {error}") from None
        return values

    @field_validator("patterns", mode="before")
    @classmethod
    def _keys_in_capitals(cls, values: Any) -> Any:
        """spaCy reads a token pattern's keys in any case ({pos: VERB} is POS, {regex: ...}
        is REGEX, op is OP): write them in capitals, as the checks below read them."""
        if not isinstance(values, (list, tuple)):
            return values
        return [[_capitalised(token, index) for token in pattern]
                if isinstance(pattern, (list, tuple)) else pattern
                for index, pattern in enumerate(values)]

    @field_validator("patterns")
    @classmethod
    def _token_regexes_safe(
        cls, values: tuple[tuple[dict[str, Any], ...], ...]
    ) -> tuple[tuple[dict[str, Any], ...], ...]:
        for index, pattern in enumerate(values):
            try:
                check_token_pattern(pattern)
            except UnsafePatternError as error:
                raise ValueError(f"token pattern {index} {error}") from None
            for token in pattern:
                _check_lemma(token, index)
                unset = sorted(set(token) & _UNSET_ATTRIBUTES.keys())
                if unset:
                    raise ValueError(
                        f"token pattern {index} reads {unset[0]}, {_UNSET_ATTRIBUTES[unset[0]]} "
                        "annotation, which a turn's tokens do not have (patterns are matched "
                        "on tokens only); use ORTH, LOWER, NORM, LEMMA, SHAPE, IS_* or LIKE_*")
                for constraint in token.values():
                    source = constraint.get("REGEX") if isinstance(constraint, dict) else None
                    if not isinstance(source, str):
                        continue
                    try:
                        check_token_regex(source)
                    except UnsafeRegexError as error:
                        raise ValueError(f"bad REGEX {_shown(source)}: {error}") from None
        return values

    @field_validator("phrases", "lemmas", "exceptions")
    @classmethod
    def _phrases_bounded(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return bounded_phrases(values)


class SignalCondition(_Strict):
    """A condition on a signal's score: ``{signal: customer.distress, at_least: 0.6}``."""

    signal: str
    at_least: float = Field(default=0.5, gt=0, le=1)


class RuleDocs(_Strict):
    """Ruff-style documentation: what it does, why it matters, an example, what to say instead."""

    what: str = Field(min_length=1)
    why: str = Field(min_length=1)
    example: str = Field(min_length=1)
    use_instead: str = Field(min_length=1)


class _RuleBase(_Strict):
    id: str = Field(description="Stable id, 'family.name'")
    category: str = Field(min_length=1, description="Scorecard category")
    severity: Severity = Severity.WARNING
    finding: FindingKind = Field(default=FindingKind.ISSUE, description="issue, strength or cue")
    points: float | None = Field(
        default=None, ge=0, le=100,
        description="Points the finding moves its category by, instead of its severity's "
        "penalty (or the strength bonus): for findings that weigh more than their severity",
    )
    speaker: Literal["agent", "customer", "any"] = Field(
        default="agent", description="Whose turns the rule judges"
    )
    channels: tuple[Channel, ...] = Field(
        default=tuple(Channel), description="The channels the rule judges (default: all)")
    message: str = Field(min_length=1, description="What happened; slots like {match}")
    suggestion: str = Field(min_length=1, description="What to say instead; slots like {match}")
    docs: RuleDocs | None = None
    enabled: bool = True
    suppressed_by: tuple[str, ...] = Field(
        default=(), description="Rule ids that, firing on the same turn, cancel this finding"
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        _id_length(value, "rule")
        if not _ID.match(value):
            raise ValueError(f"rule id {value!r} must look like 'family.name' in lower case")
        return value

    @field_validator("message", "suggestion")
    @classmethod
    def _known_slots(cls, value: str) -> str:
        unknown = sorted(set(_SLOT.findall(value)) - SLOTS)
        if unknown:
            raise ValueError(
                f"unknown slot(s) {', '.join('{' + s + '}' for s in unknown)}; "
                f"known: {', '.join(sorted(SLOTS))}"
            )
        return value


class PhraseRule(_RuleBase):
    """Fires on a turn of `speaker` where `match` hits (or `signal` holds), unless `unless`
    hits in the same turn."""

    kind: Literal["phrase"]
    match: MatchSpec | None = None
    signal: SignalCondition | None = Field(
        default=None,
        description="The turn's signal, on the words that showed it: instead of 'match', or "
        "with it, where 'match' finds nothing",
    )
    followed_by: MatchSpec | None = Field(
        default=None,
        description="A second match that must come after the first in the same sentence",
    )
    unless: MatchSpec | None = Field(
        default=None, description="Anything here in the same turn cancels the finding"
    )
    opens_category: bool = Field(
        default=True,
        description="Whether judging a turn makes the category applicable in the scorecard; "
        "false for a rule that only refines another rule of its category (an undercut "
        "acknowledgement matters only where empathy was due)",
    )
    rewrites: dict[str, str] = Field(
        default_factory=dict,
        description="A suggestion per matched phrase or regex (key: the phrase as written in "
        "'match'), used instead of 'suggestion' when that phrase fired",
    )

    @model_validator(mode="after")
    def _rewrites_name_matches(self) -> PhraseRule:
        if self.match is None and self.signal is None:
            raise ValueError("a phrase rule needs 'match', 'signal' or both")
        match = self.match or MatchSpec(phrases=("-",))
        known = set(match.phrases) | set(match.lemmas) | set(match.regex)
        unknown = sorted(set(self.rewrites) - known)
        if unknown:
            raise ValueError(f"rewrites for {unknown} name no phrase, lemma or regex of 'match'")
        for text in self.rewrites.values():
            self._known_slots(text)
        return self


class SubstitutionRule(_RuleBase):
    """Fires on a phrase that has a better wording; the better wording is the suggestion."""

    kind: Literal["substitution"]
    swap: dict[str, str] = Field(min_length=1, max_length=MAX_LIST_LENGTH,
                                 description="phrase -> better wording")
    exceptions: tuple[str, ...] = Field(default=(), max_length=MAX_LIST_LENGTH)
    negation: bool = True
    quotes: bool = True
    unless: MatchSpec | None = None

    @field_validator("swap")
    @classmethod
    def _swaps_bounded(cls, values: dict[str, str]) -> dict[str, str]:
        bounded_phrases(tuple(values))
        return values

    @field_validator("exceptions")
    @classmethod
    def _exceptions_bounded(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return bounded_phrases(values)


_SIGNAL_ID = re.compile(r"^(agent|customer)\.[a-z][a-z0-9_-]*$")


class SignalCue(_Strict):
    """Words that show a signal, and how strongly (the score a hit gives the signal)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=MAX_ID_LENGTH,
                      description="What the cue is, for evidence")
    score: float = Field(gt=0, le=1, description="The signal's score when the cue hits")
    match: MatchSpec
    yields: bool = Field(
        default=False,
        description="The signal's `except_when` cancels this cue too (sarcasm yields to "
        "compliance: \"oh great, more waiting. Fine, go ahead\" is not strong)",
    )


class SignalSpec(_Strict):
    """A per-turn signal: read on every turn of its speaker, whatever rules are enabled.

    Its score (0-1) is the highest of: the score of each cue that hits, `model_score` when
    the shipped model's probability is at least `model_at_least` (by default the model's own
    recommended threshold), `sentiment_score` when the turn's lowest VADER compound is at
    most `sentiment_below`, and `shouting_score` when the turn shouts.
    """

    id: str = Field(description="'customer.name' or 'agent.name'")
    description: str = ""
    cues: tuple[SignalCue, ...] = ()
    model: str | None = Field(default=None, description="A shipped linear model, by name")
    model_at_least: float | None = Field(
        default=None, gt=0, lt=1,
        description="The model probability that shows the signal (default: the model's own "
        "recommended threshold)",
    )
    model_score: float = Field(default=0.6, gt=0, le=1)
    sentiment_below: float | None = Field(default=None, ge=-1, le=1)
    sentiment_score: float = Field(default=0.7, gt=0, le=1)
    includes: tuple[str, ...] = Field(
        default=(), description="Signals of the same speaker whose score counts for this one "
        "too (strong negativity and threats are distress)",
    )
    shouting_score: float | None = Field(default=None, gt=0, le=1)
    except_when: MatchSpec | None = Field(
        default=None, description="Anything here in the turn cancels the model, sentiment "
        "and shouting evidence, and the cues that `yield`: 'no worries', 'yeah, fine'",
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        _id_length(value, "signal")
        if not _SIGNAL_ID.match(value):
            raise ValueError(f"signal id {value!r} must look like 'customer.name' or 'agent.name'")
        return value

    @property
    def speaker(self) -> Literal["agent", "customer"]:
        """Whose turns the signal reads."""
        return "agent" if self.id.startswith("agent.") else "customer"

    @model_validator(mode="after")
    def _something(self) -> SignalSpec:
        if not (self.cues or self.model or self.sentiment_below is not None
                or self.shouting_score is not None or self.includes):
            raise ValueError("a signal needs cues, a model, sentiment_below, shouting_score "
                             "or includes")
        return self


class Trigger(_Strict):
    """The turn that opens a conditional window."""

    speaker: Literal["agent", "customer"]
    match: MatchSpec | None = None
    signal: SignalCondition | None = Field(
        default=None, description="Also trigger when this signal of the turn is high enough"
    )
    sentiment_below: float | None = Field(
        default=None,
        ge=-1,
        le=1,
        description="Also trigger when a sentence's VADER compound is below this (customer only)",
    )

    @model_validator(mode="after")
    def _something(self) -> Trigger:
        if self.match is None and self.sentiment_below is None and self.signal is None:
            raise ValueError("a trigger needs 'match', 'signal' or 'sentiment_below'")
        return self


class ConditionalRule(_RuleBase):
    """A trigger in one speaker's turn, then `expect` judged in the other speaker's next turns."""

    kind: Literal["conditional"]
    trigger: Trigger
    within: int = Field(default=1, ge=1, description="How many of the responder's turns to look at")
    expect: MatchSpec | None = None
    expect_signal: SignalCondition | None = Field(
        default=None, description="Also expected: this signal of the responding turn"
    )
    when: Literal["missing", "present"] = Field(
        default="missing",
        description="missing: fire when `expect` is absent from the window (anchor: the last "
        "turn of the window); present: fire on the turn where it is found",
    )
    unless: MatchSpec | None = Field(
        default=None, description="In the responding turn, cancels the finding"
    )
    reply_shows_trigger: SignalCondition | None = Field(
        default=None,
        description="With `when: present`: a responding turn where this signal holds also "
        "fires when no trigger opened a window, as the reply itself shows what the other "
        "speaker's unanswered turn expressed (an answer that names the feeling shows the "
        "customer voiced one)",
    )

    @model_validator(mode="after")
    def _expects_something(self) -> ConditionalRule:
        if self.expect is None and self.expect_signal is None:
            raise ValueError("a conditional rule needs 'expect' or 'expect_signal'")
        if self.reply_shows_trigger is not None and self.when != "present":
            raise ValueError("'reply_shows_trigger' needs 'when: present' (a reply that shows "
                             "the trigger is what the rule praises or flags)")
        return self


class SignalRule(_RuleBase):
    """Fires on a turn of `speaker` where any of `when` holds: a thin rule over the turn's
    signals, such as the live cue ``empathy.needed`` (customer.distress at 0.5 or more)."""

    kind: Literal["signal"]
    when: tuple[SignalCondition, ...] = Field(
        min_length=1, description="Signal conditions; the first that holds fires the rule"
    )


class BuiltinRule(_RuleBase):
    """A behaviour implemented in Python, named by `analyzer`, configured by `settings`."""

    kind: Literal["builtin"]
    analyzer: str = Field(description="Name of the built-in analyzer")
    settings: dict[str, Any] = Field(default_factory=dict)
    phrases: dict[str, MatchSpec] = Field(
        default_factory=dict, description="Named phrase lists the analyzer reads"
    )


Rule = Annotated[
    PhraseRule | SubstitutionRule | ConditionalRule | SignalRule | BuiltinRule,
    Field(discriminator="kind"),
]


class ChannelRuleSettings(_Strict):
    """How one builtin rule reads a channel: settings that replace the rule's own, and
    phrases added to its named lists (a list the rule does not give is added)."""

    settings: dict[str, Any] = Field(default_factory=dict)
    phrases: dict[str, MatchSpec] = Field(default_factory=dict)


class ChannelProfile(_Strict):
    """A channel's conventions in a pack (``channels:`` in ``pack.yaml``): which rules do
    not apply there, and how builtin rules read it (what counts as an introduction, a
    sign-off...). docs/channels.md describes the bundled profiles."""

    description: str = ""
    disable: tuple[str, ...] = Field(
        default=(), description="Rule ids (or 'family.*') that do not apply on the channel")
    rules: dict[str, ChannelRuleSettings] = Field(
        default_factory=dict, description="Rule id -> settings and phrases on this channel"
    )

    @model_validator(mode="after")
    def _not_both(self) -> ChannelProfile:
        both = sorted(rule_id for rule_id in self.rules
                      if any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in self.disable))
        if both:
            raise ValueError(f"{', '.join(both)}: a disabled rule has no settings to change")
        return self


def _words(description: str) -> Any:
    """A `ClauseWordsSpec` list: absent (the language's default) or at most
    `MAX_LIST_LENGTH` words."""
    return Field(default=None, max_length=MAX_LIST_LENGTH, description=description)


def _window(description: str) -> Any:
    """A `ClauseWordsSpec` window: absent (the language's default) or 0 to 50 tokens."""
    return Field(default=None, ge=0, le=50, description=description)


class ClauseWordsSpec(_Strict):
    """``clause_words:`` of ``pack.yaml``: the words a pack's turns are read with, each list
    replacing the language's default (servicecoach.nlp.clause_words; the English ones are
    in ``nlp/clause_words/en.yaml``)."""

    negation: tuple[str, ...] | None = _words("Token norms that negate what follows in the "
                                              "same clause")
    negation_window: int | None = _window("How many tokens before a hit a negation may be")
    clause_breaks: tuple[str, ...] | None = _words("Tokens that end the clause a negation "
                                                   "reaches")
    clause_subjects: tuple[str, ...] | None = _words("The writer's own subject, where a clause "
                                                     "without a comma starts")
    contrast: tuple[str, ...] | None = _words("What contradicts what came before it in a "
                                              "sentence")
    instructing: tuple[str, ...] | None = _words("Verbs whose object and 'to' give someone "
                                                 "else's instruction")
    instructed: tuple[str, ...] | None = _words("Who is told to do something, in 'told X to'")
    passive: tuple[str, ...] | None = _words("Before an instructing verb, a passive "
                                             "('was told to')")
    reported_window: int | None = _window("How many tokens before a hit the 'to' of someone "
                                          "else's instruction may be")


class PackManifest(_Strict):
    """``pack.yaml``: a pack's identity and what it builds on."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=MAX_ID_LENGTH)
    version: str = Field(max_length=MAX_VERSION_LENGTH,
                         description="Written with the pack's name in every report")
    language: str = Field(
        default="en", pattern=r"^[a-z]{2}$",
        description="ISO 639-1 code of the language the rules are written for: conversations "
        "detected in another language are not scored (docs/channels.md)")
    description: str = ""
    extends: tuple[str, ...] = Field(default=(), description="Packs whose rules this one adds to")
    weights: dict[str, Weight] = Field(
        default_factory=dict, description="Category weights in the overall score"
    )
    penalties: dict[Severity, Points] = Field(
        default_factory=dict, description="Points an issue of each severity takes off"
    )
    strength_bonus: Points | None = Field(
        default=None, description="Points a strength gives back"
    )
    clause_words: ClauseWordsSpec | None = Field(
        default=None, description="The words turns are read with (negation, clauses, "
        "contrast, someone else's instruction), each list replacing the language's default")
    channels: dict[Channel, ChannelProfile] = Field(
        default_factory=dict, description="Per channel: rules disabled, settings and phrases"
    )
