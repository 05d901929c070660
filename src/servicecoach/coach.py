"""`Coach`: rule packs and NLP loaded once, then scoring in batch or live.

A `Coach` is immutable after construction: it can be shared by many threads, each with
its own `Session`. Everything per conversation lives in the session. (spaCy's shared string
store still learns new words as turns are tokenized; see docs/performance.md.)
"""

from __future__ import annotations

import os
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError
from spacy.language import Language
from spacy.tokens import Doc

from servicecoach.analyzers.base import Analyzer, Conversation, FactKeeper
from servicecoach.analyzers.builtins import build_builtin, fact_family
from servicecoach.analyzers.conditional import ConditionalAnalyzer
from servicecoach.analyzers.dispatch import Dispatch
from servicecoach.analyzers.phrase import PhraseAnalyzer
from servicecoach.analyzers.signal_rule import SignalRuleAnalyzer
from servicecoach.config import (
    CoachConfig,
    config_problems,
    find_config,
    load_config,
)
from servicecoach.errors import (
    ConfigError,
    ConfigWarning,
    InputError,
    RulePackError,
    RulePackErrors,
    SpacyModelError,
    quoted,
)
from servicecoach.long_run import collector_paused
from servicecoach.models import (
    Channel,
    Event,
    Finding,
    FindingKind,
    Metadata,
    Report,
    Transcript,
)
from servicecoach.nlp.clause_words import ClauseWords
from servicecoach.nlp.engine import load_pipeline
from servicecoach.nlp.matching import MatcherSet, PatternError
from servicecoach.nlp.sentences import RuleSentencizer
from servicecoach.redact import redact_report
from servicecoach.rule_overrides import apply_config, rule_table
from servicecoach.rules.loader import Pack, RuleLocation, line_in_rule, load_pack
from servicecoach.rules.profiles import (
    keyed_for_channel,
    merge_profiles,
    split_by_channel,
)
from servicecoach.rules.schema import (
    BuiltinRule,
    ConditionalRule,
    MatchSpec,
    PhraseRule,
    Rule,
    SignalCondition,
    SignalRule,
    SubstitutionRule,
)
from servicecoach.scoring import (
    DEFAULT_PENALTIES,
    DEFAULT_STRENGTH_BONUS,
    ScoringPolicy,
)
from servicecoach.session import Session, session_channel, session_id, session_metadata
from servicecoach.signals.reading import SignalReader
from servicecoach.suggest import did_you_mean
from servicecoach.unscored import not_scored_report, uncovered_language


class Coach:
    """Scores transcripts against rule packs.

    >>> coach = Coach()                                   # the bundled `core` pack
    >>> report = coach.score(transcript)                  # a whole conversation
    >>> session = coach.session({"customer_name": "Dana"}, channel="voice")
    >>> hints = session.add_turn({"speaker": "agent", "text": "Calm down."})
    """

    def __init__(
        self,
        config: CoachConfig | None = None,
        *,
        packs: Iterable[str | os.PathLike[str]] | None = None,
        spacy_model: str | None = None,
        redact: bool | None = None,
    ) -> None:
        with collector_paused():  # what start-up builds lives on: no pass need walk it
            self.config = _with_keywords(config or CoachConfig(),
                                         _keyword_updates(packs, spacy_model, redact))
            once: dict[Path, Pack] = {}  # a pack named twice (or reached through two names) once
            loaded = list({id(pack): pack for pack in
                           (self._load(name, once) for name in self.config.packs)}.values())
            rules, self.locations = _merge_packs(loaded)
            self.rules: tuple[Rule, ...] = tuple(apply_config(rules, self.config))
            self.pack_versions: Mapping[str, str] = {
                name: version for pack in loaded for name, version in pack.versions.items()
            }
            self.nlp: Language = _pipeline(self.config, from_caller=spacy_model is not None)
            self._components = tuple(component for _, component in self.nlp.pipeline)
            self.split_sentences = RuleSentencizer.replacing(self.nlp)
            """Sentences straight from the tokens when the pipeline only splits sentences."""
            self.signals = _signal_reader(loaded)
            """The packs' per-turn signals (a later pack's signal replaces an earlier one's)."""
            self._check_signals()
            self.profiles = merge_profiles(m for pack in loaded for m in pack.lineage)
            """The packs' channel profiles, combined (docs/channels.md)."""
            self.languages = frozenset(m.language for pack in loaded for m in pack.lineage)
            """The languages the packs' rules are written for (ISO 639-1)."""
            self.analyzers: tuple[Analyzer, ...] = self._build_all(rules)
            self.fact_keepers: tuple[FactKeeper, ...] = self._build_keepers(rules)
            """One tracker per family of facts (the customer's name, the agent's promises),
            run on every turn whatever rules are enabled."""
            self.matchers = self._compile(rules, loaded)
            self.signals.compiled(self.matchers.canonical)
            self.dispatch = Dispatch(self.analyzers, self.matchers)
            """Which analyzers each turn wakes."""
            self.dispatch_without_cues = Dispatch(self.analyzers, self.matchers, leave_out=_gives_cues)
            """The same, without the live cues (for sessions that do not want them)."""
            self.rule_order = {rule.id: index for index, rule in enumerate(self.rules)}
            self.categories = frozenset(rule.category for rule in self.rules)
            self.scoring = _scoring_policy(loaded, self.config, self.rules)
            for warning in _unused_weights(self.config, rules, loaded):
                warnings.warn(warning, ConfigWarning, stacklevel=2)
            self._suppressors = {rule.id: set(rule.suppressed_by) for rule in self.rules if
                                 rule.suppressed_by}
            self._check_suppressors()

    @classmethod
    def from_config(cls, path: str | Path | None = None) -> Coach:
        """A coach from a servicecoach.toml or pyproject.toml; the nearest one when no path."""
        if path is None:
            found = find_config(Path.cwd())
            return cls(load_config(found) if found else None)
        return cls(load_config(path))

    def _load(self, name: str, once: dict[Path, Pack]) -> Pack:
        base = self.config.base_dir
        if base is not None and not Path(name).is_absolute() and (base / name).exists():
            name = str(base / name)
        return load_pack(name, _loaded=once)

    def _build_all(self, in_packs: list[Rule]) -> tuple[Analyzer, ...]:
        """Every rule's analyzer; all the rules that cannot be built are reported at once,
        unless the settings a configuration file gives one are at fault (`_settings_fault`)."""
        shipped = {rule.id: rule for rule in in_packs}
        analyzers: list[Analyzer] = []
        problems: list[RulePackError] = []
        for rule, channel in split_by_channel(self.rules, self.profiles):
            try:
                analyzers.append(self._build(rule, channel))
            except RulePackError as error:
                if channel is None and (fault := self._settings_fault(
                        rule, shipped[rule.id], error)) is not None:
                    raise fault from None
                problems.append(error)
        if len(problems) > 1:
            raise RulePackErrors(problems)
        if problems:
            raise problems[0]
        return tuple(analyzers)

    def _settings_fault(self, rule: Rule, shipped: Rule, error: RulePackError
                        ) -> ConfigError | None:
        """The error naming the configuration file and its key when the settings that file
        gives a built-in rule are what `error` refuses: the rule with its pack's settings
        builds. None when the pack is at fault, or the configuration is no file's."""
        override = self.config.rules.get(rule.id)
        if (self.config.source is None or override is None or not override.settings
                or not isinstance(rule, BuiltinRule) or not isinstance(shipped, BuiltinRule)):
            return None
        try:
            build_builtin(rule.model_copy(update={"settings": shipped.settings}),
                          self.locations[rule.id])
        except RulePackError:
            return None
        return ConfigError(f"{rule_table(rule.id)}.settings: {error.what}",
                           where=str(self.config.source),
                           hint=f"the rule's settings: docs/rules/{rule.id}.md")

    def _build_keepers(self, in_packs: list[Rule]) -> tuple[FactKeeper, ...]:
        """A keeper for each family of facts: from the family's first enabled rule (as
        configured), else from its first rule in the packs (disabled rules included: the
        report's facts do not depend on the rules that are on)."""
        keepers: dict[str, FactKeeper] = {}
        for rule in (*self.rules, *in_packs):
            if not isinstance(rule, BuiltinRule):
                continue
            family = fact_family(rule)
            if family is None or family in keepers:
                continue
            try:
                keepers[family] = cast("FactKeeper", build_builtin(rule, self.locations[rule.id]))
            except RulePackError:  # only a disabled rule can fail here: the rest were built
                continue
        return tuple(keepers.values())

    def _build(self, rule: Rule, channel: Channel | None = None) -> Analyzer:
        if channel is not None:  # the rule as a channel profile changes it
            analyzer = build_builtin(rule, self.locations[rule.id])  # type: ignore[arg-type]
            keyed_for_channel(analyzer, channel)
            return analyzer
        if isinstance(rule, PhraseRule | SubstitutionRule):
            return PhraseAnalyzer(rule)
        if isinstance(rule, ConditionalRule):
            return ConditionalAnalyzer(rule)
        if isinstance(rule, SignalRule):
            return SignalRuleAnalyzer(rule)
        return build_builtin(rule, self.locations[rule.id])

    def _check_signals(self) -> None:
        """Every signal a rule reads is defined by a loaded pack."""
        for rule in self.rules:
            for condition in _signal_conditions(rule):
                if condition.signal not in self.signals.specs:
                    where = self.locations[rule.id]
                    known = ", ".join(sorted(self.signals.specs)) or "none"
                    raise RulePackError(
                        f"rule {rule.id}: unknown signal {condition.signal!r}",
                        path=where.path, line=where.line, hint=f"signals of the loaded packs: "
                        f"{known}; define it in a pack's signals/ folder",
                    )

    def _compile(self, in_packs: list[Rule], packs: list[Pack]) -> MatcherSet:
        """Every match spec compiled; one that does not compile is a pack error at the rule
        or signal it belongs to (`_pattern_error`)."""
        specs: list[tuple[str, MatchSpec]] = self.signals.match_specs()
        for keeper in self.fact_keepers:
            specs.extend(keeper.specs())
        for analyzer in self.analyzers:
            specs.extend(analyzer.specs())
        try:
            return MatcherSet(self.nlp, specs, _clause_words(packs))
        except PatternError as error:
            raise self._pattern_error(error, in_packs, packs) from None

    def _pattern_error(self, error: PatternError, in_packs: list[Rule],
                       packs: list[Pack]) -> RulePackError:
        """The pack error for a match spec that does not compile, from its matcher key
        (``<rule id>/<list>``, ``signal:<id>/<cue>``): the rule's file and the line of the
        item at fault (else of the rule's id), or the signal's (`_signal_pattern_error`);
        with the list and item as the YAML names them (``match.lemmas[1]``)."""
        owner, _, name = error.key.partition("/")
        if owner.startswith("signal:"):
            return _signal_pattern_error(error, owner.removeprefix("signal:"), name, packs)
        rule = next((rule for rule in in_packs if rule.id == owner), None)
        name, _, channel = name.partition("@")
        keys = (*_spec_keys(rule, name), *error.part)
        where = self.locations[owner]
        line = None if channel or not error.part else line_in_rule(where, keys)
        shown = f"{_dotted(keys)} (channel {channel}, from pack.yaml)" if channel else _dotted(keys)
        return RulePackError(f"rule {owner}: {shown}: {error}", path=where.path,
                             line=line or where.line, hint=error.hint or _PATTERN_HINT)

    def _check_suppressors(self) -> None:
        for rule_id, suppressors in self._suppressors.items():
            unknown = suppressors - set(self.locations)  # a loaded rule left out still counts
            if unknown:
                where = self.locations[rule_id]
                raise RulePackError(
                    f"rule {rule_id}: suppressed_by names unknown rule(s) {sorted(unknown)}",
                    path=where.path, line=where.line, hint="use ids of rules in the loaded packs",
                )

    def annotate(self, doc: Doc) -> Doc:
        """Run the pipeline's components (sentences; tagger, parser, NER if installed) on a
        tokenized turn. Matching needs only tokens, so this runs when an analyzer asks."""
        for component in self._components:
            doc = component(doc)
        return doc

    def suppress(self, findings: list[Finding]) -> list[Finding]:
        """Drop findings whose `suppressed_by` rules fired on the same turn."""
        if not self._suppressors or len(findings) < 2:
            return findings
        fired = {(f.rule_id, f.turn_index) for f in findings}
        return [
            f for f in findings
            if not any((s, f.turn_index) in fired for s in self._suppressors.get(f.rule_id, ()))
        ]

    def session(
        self,
        metadata: Metadata | Mapping[str, Any] | None = None,
        *,
        channel: Channel | str | None = None,
        transcript_id: str = "live",
        cues: bool = True,
    ) -> Session:
        """A live session for one conversation: `add_turn`, `add_event`, then `close`.

        Without a `channel`, the session is on the configuration's (``channel``), else chat.
        `add_turn` returns the live cues on customer turns unless `cues` is false. Metadata
        or a channel that does not validate raises an `InputError` naming the session."""
        return self._session(metadata, channel=channel, transcript_id=transcript_id, cues=cues)

    def _session(self, metadata: Metadata | Mapping[str, Any] | None, *,
                 channel: Channel | str | None, transcript_id: str, cues: bool,
                 check_event_times: bool = True) -> Session:
        transcript_id = session_id(transcript_id)
        meta = (metadata if isinstance(metadata, Metadata)
                else session_metadata(metadata, transcript_id))
        if channel is None:
            channel = self.config.channel or Channel.CHAT
        conversation = Conversation(id=transcript_id, metadata=meta,
                                    channel=session_channel(channel, transcript_id))
        return Session(self, conversation, cues=cues, check_event_times=check_event_times)

    def score(self, transcript: Transcript | Mapping[str, Any], *,
              cues: bool | None = None) -> Report:
        """Score a whole transcript by replaying it, turn by turn, through a live session
        (the report keeps the live cues when `cues`, by default as the configuration says).
        A mapping is read as a canonical JSON transcript (``json.load`` of one): one that
        does not validate raises an `InputError` saying what is wrong, as does an
        `InputError` a reader yielded in place of a transcript (``read_sources``)."""
        transcript = _as_transcript(transcript)
        keep_cues = self.config.cues if cues is None else cues
        if self.config.channel is not None and "channel" not in transcript.model_fields_set:
            transcript = transcript.model_copy(update={"channel": self.config.channel})
        if self.config.check_language and (
                language := uncovered_language(transcript, self.languages)):
            report = not_scored_report(
                transcript, language, languages=self.languages, categories=self.categories,
                policy=self.scoring, packs=dict(self.pack_versions))
            return redact_report(report) if self.config.redact else report
        placed_note = _placed_by_time_note(transcript)
        session = self._session(
            transcript.metadata, channel=transcript.channel, transcript_id=transcript.id,
            cues=keep_cues, check_event_times=placed_note is None,
        )
        events = _events_by_turn(transcript)
        for event in events.get(-1, ()):
            session.add_event(event)
        for index, turn in enumerate(transcript.turns):
            session.add_turn(turn)
            for event in events.get(index, ()):
                session.add_event(event)
        report = session.close(cues=keep_cues)
        if placed_note:
            report = report.model_copy(update={"notes": (*report.notes, placed_note)})
        return report

    def score_many(self, transcripts: Iterable[Transcript | Mapping[str, Any]]
                   ) -> Iterator[Report]:
        """Score transcripts (or mappings, as `score` takes them) one after the other,
        lazily, in input order."""
        for transcript in transcripts:
            yield self.score(transcript)

    def rule(self, rule_id: str) -> Rule:
        """The loaded rule with this id; a `KeyError` saying why there is none (the
        configuration leaves it out, or the closest id the packs have)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        name = quoted(rule_id) if isinstance(rule_id, str) else repr(rule_id)
        if rule_id in self.locations:
            raise KeyError(f"rule {name} is in the packs but the configuration leaves it out "
                           "(select, extend-select, ignore)")
        hint = did_you_mean(rule_id, self.locations, "'servicecoach rules list' lists them") \
            if isinstance(rule_id, str) else "a rule id is a string"
        raise KeyError(f"no rule {name} in the packs ({hint})")


def _as_transcript(value: object) -> Transcript:
    """What `Coach.score` was given, as a `Transcript`: a mapping validated as canonical
    JSON is (an `InputError` when it does not validate); an `InputError` (what a reader
    yields for a record it could not read) is raised; anything else is a `TypeError`."""
    if isinstance(value, Transcript):
        return value
    if isinstance(value, InputError):
        raise value
    if isinstance(value, Mapping):
        from servicecoach.readers.canonical import transcript_from_record

        record = dict(value)  # validated in place, turn by turn: the caller's is not
        if isinstance(record.get("turns"), list):
            record["turns"] = list(record["turns"])
        read = transcript_from_record(record, source="coach.score", location="")
        if isinstance(read, InputError):
            raise read
        return read
    raise TypeError(f"coach.score takes a Transcript or a mapping of its fields (a canonical "
                    f"JSON transcript), not {type(value).__name__}")


def _events_by_turn(transcript: Transcript) -> dict[int, list[Event]]:
    """Each event keyed by the index of the last turn before it (-1: before the first).

    ``after_turn`` places an event exactly; otherwise its time does, among the turns that
    have times: it comes after as many of them as start at or before it, right before the
    next (after the untimed turns before that one); among turns whose times are out of
    order, or when some have none, the report notes it (`_placed_by_time_note`). With no
    turn timed, or no time, it comes after the last turn. Events at one position keep the
    order they have in the transcript.
    """
    placed: dict[int, list[Event]] = {}
    timed = [index for index, turn in enumerate(transcript.turns) if turn.start is not None]
    # the timed turns that start at or before an event, counted by bisection (a long call
    # with many timed holds is placed in n log n, not turns x events)
    ordered = sorted(cast(float, transcript.turns[index].start) for index in timed)
    last = len(transcript.turns) - 1
    for event in transcript.events:
        if event.after_turn is not None:
            position = min(event.after_turn, last)
        elif timed and event.at is not None:
            before = bisect_right(ordered, event.at)
            position = timed[before] - 1 if before < len(timed) else last
        else:
            position = last
        placed.setdefault(position, []).append(event)
    return placed


def _placed_by_time_note(transcript: Transcript) -> str | None:
    """What the report says of events placed by time among turns whose times are out of
    order or missing (`_events_by_turn` places them), or None."""
    by_time = sum(event.after_turn is None and event.at is not None
                  for event in transcript.events)
    if not by_time:
        return None
    starts = [turn.start for turn in transcript.turns if turn.start is not None]
    untimed = len(transcript.turns) - len(starts)
    exact = "(place events with 'after_turn' to be exact)"
    if not starts:
        return (f"{by_time} event(s) have times but no turn has one: they were placed after "
                f"the last turn {exact}")
    if untimed:
        return (f"{by_time} event(s) were placed by their times among turns of which {untimed} "
                f"have no time: each comes before the first timed turn that starts after it "
                f"{exact}")
    if all(earlier <= later for earlier, later in pairwise(starts)):
        return None  # placed where they happened
    return (f"{by_time} event(s) were placed by their times among turns whose times are out "
            "of order: each comes after as many turns as start at or before it, which may not "
            f"be where it happened {exact}")


def _gives_cues(analyzer: Analyzer) -> bool:
    """True for an analyzer whose rules are live cues."""
    rule = getattr(analyzer, "rule", None)
    return rule is not None and rule.finding is FindingKind.CUE


def _signal_reader(packs: list[Pack]) -> SignalReader:
    """The packs' signals compiled (a later pack's signal replaces an earlier one's)."""
    try:
        return SignalReader(spec for pack in packs for spec in pack.signals)
    except ValueError as error:
        # Each of SignalReader's refusals starts "signal <id> ": locate it at that signal's
        # 'includes' (else its id), in the file of the last pack that defines it.
        message = str(error)
        signal = next((spec.id for pack in packs for spec in pack.signals
                       if message.startswith(f"signal {spec.id} ")), None)
        where = _signal_location(packs, signal) if signal else None
        if where is None:
            raise RulePackError(message, hint="fix the signal's 'includes'",
                                path=", ".join(str(pack.path / "signals") for pack in packs),
                                ) from None
        raise RulePackError(message, path=where.path,
                            line=line_in_rule(where, ("includes",)) or where.line,
                            hint="fix the signal's 'includes'") from None


def _signal_location(packs: list[Pack], signal: str) -> RuleLocation | None:
    """Where the last pack that defines `signal` defines it (the line of its id)."""
    found = [pack.signal_locations[signal] for pack in packs if signal in pack.signal_locations]
    return found[-1] if found else None


_PATTERN_HINT = "see https://spacy.io/usage/rule-based-matching for the pattern syntax"


def _signal_pattern_error(error: PatternError, signal: str, name: str,
                          packs: list[Pack]) -> RulePackError:
    """The pack error for a signal's cue (`name`) or ``except_when`` (``except``) that does
    not compile, at the signal's line in the file of the last pack that defines it."""
    where = _signal_location(packs, signal)
    if name == "except":
        shown = _dotted(("except_when", *error.part))
    else:
        shown = f"cue {name!r}, {_dotted(('match', *error.part))}"
    return RulePackError(f"signal {signal}: {shown}: {error}",
                         path=where.path if where else "signals",
                         line=where.line if where else None,
                         hint=error.hint or _PATTERN_HINT)


def _spec_keys(rule: Rule | None, name: str) -> tuple[str, ...]:
    """Where a rule's match spec of matcher key ``<rule id>/<name>`` is in its YAML:
    ``match``, ``trigger.match``, a builtin rule's ``phrases.<list>``..."""
    if isinstance(rule, BuiltinRule):
        return ("phrases", name)
    if isinstance(rule, ConditionalRule) and name == "trigger":
        return ("trigger", "match")
    return (name,)


def _dotted(keys: tuple[str | int, ...]) -> str:
    """YAML keys as an error names them: ``match.lemmas[2]``."""
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in keys).lstrip(".")


def _signal_conditions(rule: Rule) -> list[SignalCondition]:
    """The signal conditions a rule reads."""
    if isinstance(rule, ConditionalRule):
        return [c for c in (rule.trigger.signal, rule.expect_signal, rule.reply_shows_trigger)
                if c is not None]
    if isinstance(rule, SignalRule):
        return list(rule.when)
    if isinstance(rule, PhraseRule):
        return [rule.signal] if rule.signal is not None else []
    if isinstance(rule, BuiltinRule):
        return [SignalCondition(signal=value) for key, value in rule.settings.items()
                if key.endswith("_signal") and isinstance(value, str)]
    return []


def _clause_words(packs: list[Pack]) -> ClauseWords:
    """The words turns are read with: the defaults of the first pack's language, each
    list as the last pack that gives it says (``clause_words:`` in ``pack.yaml``)."""
    manifests = [manifest for pack in packs for manifest in pack.lineage]
    words = ClauseWords.of_language(manifests[0].language) if manifests else ClauseWords()
    for manifest in manifests:
        words = words.updated(manifest.clause_words)
    return words


def _merge_packs(packs: list[Pack]) -> tuple[list[Rule], dict[str, RuleLocation]]:
    rules: list[Rule] = []
    locations: dict[str, RuleLocation] = {}
    for pack in packs:
        for rule in pack.rules:
            where = pack.locations[rule.id]
            if rule.id in locations:
                if locations[rule.id] == where:
                    continue  # the same pack reached twice through 'extends'
                first = locations[rule.id]
                raise RulePackError(
                    f"duplicate rule id {rule.id!r} (first defined at {first.path}:{first.line})",
                    path=where.path, line=where.line, hint="rename one of the rules",
                )
            rules.append(rule)
            locations[rule.id] = where
    return rules, locations


def _keyword_updates(packs: Iterable[str | os.PathLike[str]] | None, spacy_model: str | None,
                     redact: bool | None) -> dict[str, Any]:
    """The configuration keys the keyword arguments given to `Coach` set (those not None),
    pack folders given as paths as strings; one pack name given for the list is a
    `ConfigError`."""
    updates: dict[str, Any] = {}
    if redact is not None:
        updates["redact"] = redact
    if isinstance(packs, (str, os.PathLike)):
        raise ConfigError(f"packs={packs!r} is one name, not a list of them", where="Coach()",
                          hint=f"give a list of pack names or folders: packs=[{packs!r}]")
    if packs is not None:
        updates["packs"] = tuple(os.fspath(pack) if isinstance(pack, os.PathLike) else pack
                                 for pack in packs)
    if spacy_model is not None:
        updates["spacy_model"] = spacy_model
    return updates


def _with_keywords(config: CoachConfig, updates: dict[str, Any]) -> CoachConfig:
    """`config` with the keyword arguments given to `Coach`, validated as a configuration
    file's values are: a `ConfigError` names the keyword and what it takes."""
    if not updates:
        return config
    try:
        return CoachConfig.model_validate({**dict(config), **updates})
    except ValidationError as error:
        raise ConfigError(config_problems(error), where="Coach()", hint=(
            "packs takes a list of pack names or folders, spacy_model a pipeline's name, "
            "redact True or False")) from None


def _pipeline(config: CoachConfig, *, from_caller: bool) -> Language:
    """The configured spaCy pipeline; an error names the setting it came from."""
    try:
        return load_pipeline(config.spacy_model)
    except SpacyModelError as error:
        if from_caller or config.source is None:
            raise
        raise SpacyModelError(error.what, where=f"{config.source}: spacy_model",
                              hint=error.hint) from None


def _unused_weights(config: CoachConfig, rules: Iterable[Rule], packs: list[Pack]) -> list[str]:
    """A warning for each category of the configuration's ``[scoring.weights]`` that no
    rule of the packs has (a misspelt ``empthy``), naming the nearest category: it weighs
    nothing. Not an error: a configuration's weights may be for packs that ``--pack``
    replaces in a run."""
    known = sorted({rule.category for rule in rules})
    where = f"{config.source}: " if config.source is not None else ""
    names = ", ".join(dict.fromkeys(m.name for pack in packs for m in pack.lineage))
    return [f"{where}[scoring.weights] names category {quoted(category)}, which no rule of "
            f"the packs ({names}) has, so it weighs nothing ("
            + did_you_mean(category, known, f"the categories are {', '.join(known)}") + ")"
            for category in config.scoring.weights if category not in known]


def _scoring_policy(packs: list[Pack], config: CoachConfig, rules: Iterable[Rule]
                    ) -> ScoringPolicy:
    weights: dict[str, float] = {}
    penalties = dict(DEFAULT_PENALTIES)
    bonus = DEFAULT_STRENGTH_BONUS
    for manifest in (m for pack in packs for m in pack.lineage):
        weights.update(manifest.weights)
        penalties.update(manifest.penalties)
        if manifest.strength_bonus is not None:
            bonus = manifest.strength_bonus
    weights.update(config.scoring.weights)
    penalties.update(config.scoring.penalties)
    if config.scoring.strength_bonus is not None:
        bonus = config.scoring.strength_bonus
    points = {rule.id: rule.points for rule in rules if rule.points is not None}
    return ScoringPolicy(weights=weights, penalties=penalties, strength_bonus=bonus,
                         rule_points=points)
