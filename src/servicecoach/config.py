"""User configuration: which packs, which rules, what severities and settings.

Read from ``servicecoach.toml`` or from ``[tool.servicecoach]`` in ``pyproject.toml``::

    packs = ["core", "./packs/acme"]     # bundled names or folders
    spacy_model = "en_core_web_sm"       # optional; default is blank English
    disable = ["language.negative"]      # rule ids, or "family.*"
    select = ["empathy", "defensive"]    # Ruff-style: run only these (ids, families, globs)
    extend-select = ["name.used"]        # ...and these; ignore = [...] takes rules out
    cues = true                          # keep live cues in batch reports
    channel = "social"                   # when the export does not say (default chat)

    [rules."defensive.dismissive"]
    severity = "critical"
    add_phrases = ["chill out"]          # to the rule's main phrase list
    add_exceptions = ["calm down button"]
    remove_phrases = ["relax"]           # a shipped phrase wrong for this business

    [rules."empathy.missing"]
    add_phrases = { expect = ["that must be hard"] }   # to a named list

    [scoring.weights]
    empathy = 2.0

Everything is validated strictly: an unknown key or rule id is an error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from servicecoach.bounded_files import FileRefused, read_bounded
from servicecoach.errors import ConfigError, first_problems, key_shown
from servicecoach.models import Channel, Points, Severity, Weight

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_CONFIG_BYTES = 1_000_000
"""The largest configuration file read (a servicecoach.toml is a few lines; a pyproject.toml
a few KB)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleOverride(_Strict):
    """Changes to one rule, without copying its pack."""

    enabled: bool | None = None
    severity: Severity | None = None
    add_phrases: tuple[str, ...] | dict[str, tuple[str, ...]] = ()
    add_exceptions: tuple[str, ...] = ()
    remove_phrases: tuple[str, ...] | dict[str, tuple[str, ...]] = ()
    settings: dict[str, Any] = Field(default_factory=dict)


class ScoringOverride(_Strict):
    """Changes to the scoring policy."""

    weights: dict[str, Weight] = Field(default_factory=dict)
    penalties: dict[Severity, Points] = Field(default_factory=dict)
    strength_bonus: Points | None = None


class CoachConfig(_Strict):
    """Everything a `Coach` is built from."""

    packs: tuple[str, ...] = ("core",)
    spacy_model: str | None = None
    disable: tuple[str, ...] = ()
    select: tuple[str, ...] | None = Field(
        default=None, description="Rules to run (ids, families, globs or ALL; default: all)")
    extend_select: tuple[str, ...] = Field(
        default=(), validation_alias=AliasChoices("extend-select", "extend_select"),
        description="Rules to run besides those of `select`")
    ignore: tuple[str, ...] = Field(
        default=(), description="Rules not to run (ids, families or globs), like `disable`")
    cues: bool = Field(
        default=False, description="Keep live cues (empathy.needed, escalation.risk) in reports",
    )
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    scoring: ScoringOverride = Field(default_factory=ScoringOverride)
    max_turn_chars: int = Field(
        default=100_000, ge=1, le=1_000_000,
        description="A longer turn is scored on its first max_turn_chars characters, with a "
        "note in the report")
    redact: bool = Field(
        default=False, description="Mask e-mail addresses, phone, card and account numbers "
        "in findings, promises and notes")
    channel: Channel | None = Field(
        default=None, description="The channel of transcripts whose export does not say "
        "(voice, chat, social, email; default chat)")
    check_language: bool = Field(
        default=True, description="Leave unscored, with a note, conversations detected in a "
        "language the packs do not cover")
    @field_validator("packs")
    @classmethod
    def _packs_named(cls, packs: tuple[str, ...]) -> tuple[str, ...]:
        """At least one pack, each named: until 2026-12-07 `packs = []` ran no rule without a
        word (every report "n/a") and `packs = [""]` looked for a pack in the configuration's
        folder ("no rule pack '<folder>'")."""
        if not packs:
            raise ValueError('no pack given, so no rule would run (leave the key out for '
                             '"core", or name packs: packs = ["core", "./packs/acme"])')
        for index, name in enumerate(packs):
            if not name.strip():
                raise ValueError(f"entry {index} is {'empty' if not name else 'blank'}: give a "
                                 'bundled pack\'s name ("core") or a pack\'s folder')
        return packs

    base_dir: Path | None = Field(default=None, exclude=True)
    """Folder that relative pack paths are resolved against (the config file's folder)."""
    source: Path | None = Field(default=None, exclude=True)
    """The file this configuration was read from, for errors that name it."""


def load_config(path: str | Path) -> CoachConfig:
    """Read a ``servicecoach.toml`` or the ``[tool.servicecoach]`` table of a pyproject.toml.

    Only a regular file (or a link to one) of at most `MAX_CONFIG_BYTES` is read: a device
    (/dev/zero) or a named pipe is refused unopened."""
    file = Path(path)
    try:
        raw = read_bounded(file, MAX_CONFIG_BYTES)
    except FileRefused as refused:
        raise ConfigError(str(refused), where=str(file),
                          hint="give the path of a TOML file of a few lines") from None
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", where=str(file)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"not UTF-8: byte 0x{raw[error.start]:02x} at line {line} "
                          f"(byte {error.start})", where=str(file),
                          hint="save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", where=str(file),
                          hint="fix the syntax at the line given") from None
    except RecursionError:
        raise ConfigError("invalid TOML: arrays or tables nested too deeply", where=str(file),
                          hint="a configuration needs a few levels at most") from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise ConfigError(f"invalid TOML: {str(error).split(':')[0]}", where=str(file),
                          hint="numbers in a configuration are small") from None
    if file.name == "pyproject.toml":
        tool = data.get("tool", {})  # a table, unless the file sets `tool` to a value
        if not isinstance(tool, dict):
            raise ConfigError(f"'tool' is a {type(tool).__name__}, not the table that "
                              "[tool.servicecoach] would be in", where=str(file),
                              hint="pass a servicecoach.toml instead, or remove that 'tool' key")
        if "servicecoach" not in tool:
            raise ConfigError("no [tool.servicecoach] table", where=str(file),
                              hint="add one, or pass a servicecoach.toml")
        data = tool["servicecoach"]
    if isinstance(data, dict) and "extend-select" in data and "extend_select" in data:
        raise ConfigError("'extend-select' and 'extend_select' are one key, given twice",
                          where=str(file), hint="keep one of them, with every selector in it")
    try:
        config = CoachConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(config_problems(error), where=str(file),
                          hint="see docs/configuration.md for the keys") from None
    return config.model_copy(update={"base_dir": file.parent, "source": file})


_UNION_BRANCH = re.compile(r"^(?:tuple|dict|list|set|frozenset)\[.*\]$")
"""pydantic's name for a branch of a union it tried (``tuple[str, ...]``), not a key."""


def config_problems(error: ValidationError) -> str:
    """What a configuration's validation found, one "key: problem" per problem, the first
    few and a count of the rest (`first_problems`): until 2026-12-07 every problem was
    listed (a `select` of 5,000 numbers made an error line of 224 KB), with the names
    pydantic gives a union's branches in the keys (``add_phrases.tuple[str, ...].0``) and
    its models' names in the words (``or instance of ScoringOverride``)."""
    return first_problems([
        f"{_key(problem['loc'])}: " + ("unknown key" if problem["type"] == "extra_forbidden"
                                       else re.sub(r" or instance of \w+$", "",
                                                   _message(problem["msg"])))
        for problem in error.errors()])


def _key(loc: tuple[int | str, ...]) -> str:
    """The keys to a problem, as the user wrote them (no names of a union's branches)."""
    return ".".join(key_shown(part) for part in loc
                    if not (isinstance(part, str) and _UNION_BRANCH.match(part)))


def _message(text: str) -> str:
    """A problem's message without pydantic's "Value error, " before a validator's words."""
    return text.removeprefix("Value error, ")


def find_config(start: Path) -> Path | None:
    """The nearest servicecoach.toml, or pyproject.toml with [tool.servicecoach], upwards."""
    for folder in (start, *start.parents):
        candidate = folder / "servicecoach.toml"
        if candidate.exists():  # read by `load_config`, which refuses what is not a file
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.servicecoach]" in _head(pyproject):
            return pyproject
    return None


def _head(path: Path) -> bytes:
    """The first `MAX_CONFIG_BYTES` of a file (nothing when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_CONFIG_BYTES)
    except OSError:
        return b""
