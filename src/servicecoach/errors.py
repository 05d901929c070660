"""Errors that say what went wrong, where, and how to fix it.

Every error servicecoach raises for bad input derives from `ServiceCoachError` and
renders as ``<where>: <what> (<how to fix>)``. Load-time problems (rule packs, config,
spaCy pipeline) raise; bad transcripts in a batch become `InputError` values that the
batch reports and steps over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": "\\u2028",
                           "\u2029": "\\u2029", "\x85": "\\x85"})
"""Line breaks an error may quote from the input, written as escapes."""


class ConfigWarning(UserWarning):
    """A configuration servicecoach can run but that likely does not say what was meant (a
    weight for a category no rule of the packs has); the command line prints it as
    ``warning: ...`` on stderr."""


class ServiceCoachError(Exception):
    """Base class: `what` happened at `where`; `hint` says how to fix it."""

    def __init__(self, what: str, *, where: str = "", hint: str = "") -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its fields (keyword arguments that `Exception`'s pickling would
        lose), so that an error crosses from a worker process intact."""
        return (_restore, (type(self), dict(self.__dict__)))

    def render(self) -> str:
        """One line: ``where: what (hint)``; line breaks quoted from the input are escaped."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        text = f"{text} ({self.hint})" if self.hint else text
        return text.translate(_ONE_LINE)


class RulePackError(ServiceCoachError):
    """A rule pack or a rule file is broken: YAML syntax, unknown key, bad pattern..."""

    def __init__(self, what: str, *, path: str, line: int | None = None, hint: str = "") -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(what, where=where, hint=hint)


class RulePackErrors(RulePackError):
    """Several problems found while loading rule files: every one is reported (`errors`),
    so that a pack is fixed in one pass rather than one error per run."""

    def __init__(self, errors: list[RulePackError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.what, path=first.path, line=first.line, hint=first.hint)

    def render(self) -> str:
        """Every problem, separated by `` | ``, on one line."""
        return " | ".join(error.render() for error in self.errors)


def each_error(error: ServiceCoachError) -> list[ServiceCoachError]:
    """The problems an error stands for: itself, or each of several."""
    return list(error.errors) if isinstance(error, RulePackErrors) else [error]


class ConfigError(ServiceCoachError):
    """The user configuration (servicecoach.toml or [tool.servicecoach]) is invalid."""


class SpacyModelError(ServiceCoachError):
    """The requested spaCy pipeline is not installed or cannot be loaded."""


class InputError(ServiceCoachError):
    """A transcript that could not be read or validated.

    Carries the source file, the location in it (line or record), the transcript id
    when known and the turn when the problem is in one turn.
    """

    def __init__(
        self,
        what: str,
        *,
        source: str,
        location: str = "",
        transcript_id: str | None = None,
        turn: int | None = None,
        hint: str = "",
    ) -> None:
        self.source = source
        self.location = location
        self.transcript_id = transcript_id
        self.turn = turn
        parts = [source + (f":{location}" if location else "")]
        if transcript_id is not None:
            parts.append(f"transcript {quoted(transcript_id)}")
        if turn is not None:
            parts.append(f"turn {turn}")
        super().__init__(what, where=", ".join(parts), hint=hint)


class MetadataOnly(InputError):
    """A record with facts about a conversation but no turns (a contact record, call legs).

    Readers join such records into the conversation they belong to when both are given;
    on its own the record is skipped and counted, not an error.
    """


def _restore(cls: type[ServiceCoachError], state: dict[str, object]) -> ServiceCoachError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.render())
    return error


NAMED = 5
"""Ids an error names before it counts the rest (`first_few`)."""

_ID_CHARS, _ID_SHOWN = 100, 40
"""An id an error quotes whole when it is at most 100 characters, else its first 40."""


def clipped(text: str, longest: int, keep: int | None = None, ellipsis: str = "...") -> str:
    """`text` whole when it is at most `longest` characters, else its first `keep` (or
    `longest`) characters and `ellipsis`: how an error, a message or a page shows a value
    from the input that may be of any length."""
    if len(text) <= longest:
        return text
    return text[:longest if keep is None else keep] + ellipsis


def quoted(value: str) -> str:
    """An id (a transcript's, a session's) or a like value from the input, quoted for an
    error: whole, or when longer than an id is, its start and its length (an id of 1 MB made
    an error line of 1 MB)."""
    if len(value) <= _ID_CHARS:
        return repr(value)
    return f"{clipped(value, _ID_CHARS, _ID_SHOWN)!r} ({len(value):,} characters)"


def first_few(ids: list[str]) -> str:
    """The first `NAMED` of `ids`, and how many more there are, for an error line: lines
    that listed every id were 500 KB for 20,000 misspelt rule ids in expectations, 290 KB
    for the labels of another set."""
    named = ", ".join(ids[:NAMED])
    rest = len(ids) - NAMED
    return f"{named} and {rest:,} more" if rest > 0 else named


def first_problems(problems: list[str]) -> str:
    """The problems one validation found, for an error line: each once, the first `NAMED`
    joined by ``; `` and a count of the rest (an error that listed every problem was 224 KB
    for a configuration's ``select`` of 5,000 numbers, 429 KB for a transcript of 5,000
    turns with a bad ``start``)."""
    unique = list(dict.fromkeys(problems))
    rest = len(unique) - NAMED
    return "; ".join(unique[:NAMED]) + (f"; and {rest:,} more" if rest > 0 else "")


def key_shown(part: object) -> str:
    """A key of the input (a configuration's, an expectation's category) as an error shows
    it: whole, or, when it is longer than an id may be or is no printable name (empty,
    control characters), quoted by `quoted` (a key of 100 KB made an error line of 100 KB,
    a key of a NUL showed nothing)."""
    text = str(part)
    if 0 < len(text) <= _ID_CHARS and text.isprintable():
        return text
    return quoted(text)


def value_shown(value: Any) -> str:
    """A wrong value of the input (a setting's, a threshold's) for an error: as written when
    short, else what it is and its size (a list of 5,000 numbers was quoted whole, 15 KB on
    one line, a string of 100 KB 100 KB)."""
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, (list, tuple, dict)):
        return f"a {'list' if isinstance(value, tuple) else type(value).__name__} of " \
            f"{len(value):,} entries"
    return f"{text[:40]}... ({len(text):,} characters)"


_JSON_EXPECTED = {
    "tuple_type": "a list (a JSON array)", "list_type": "a list (a JSON array)",
    "dict_type": "an object (a JSON object)", "model_type": "an object (a JSON object)",
    "model_attributes_type": "an object (a JSON object)", "string_type": "a string",
    "float_type": "a number", "int_type": "a whole number", "bool_type": "true or false",
}
"""What a value of the wrong JSON type should have been, by pydantic's error type."""

_JSON_UNREAD = {
    "float_parsing": "a number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "bool_parsing": "true or false",
}
"""What a value of the right JSON type that could not be read as one should have been
("start": "soon"), by pydantic's error type: the error shows the value."""


def json_kind(value: object) -> str:
    """What a value read from JSON is, in JSON's words ("null", "a string", "an array")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _json_terms(item: Mapping[str, Any]) -> str | None:
    """A wrong type in a transcript read from a file, in the file's words: pydantic says
    "Input should be a valid tuple" (the model's type, which JSON has not) or "a valid
    dictionary or instance of Turn"; this says "should be a list (a JSON array), not a
    string". None for another error."""
    kind = str(item.get("type"))
    if kind in _JSON_UNREAD:
        return f"should be {_JSON_UNREAD[kind]}, not {value_shown(item.get('input'))}"
    expected = _JSON_EXPECTED.get(kind)
    if expected is None:
        return None
    if tuple(item.get("loc", ()))[:1] == ("turns",) and len(item.get("loc", ())) == 2:
        expected += " with 'speaker' and 'text'"
    return f"should be {expected}, not {json_kind(item.get('input'))}"


def problem_in_json_terms(item: Mapping[str, Any]) -> str:
    """One problem of a pydantic validation (an item of ``errors()``) in the words of the
    JSON it read: a wrong type as `_json_terms` puts it, other messages without pydantic's
    "Value error, " prefix."""
    return _json_terms(item) or str(item["msg"]).removeprefix("Value error, ")
