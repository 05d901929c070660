"""The servicecoach pytest plugin (installed with the package, opt-in by configuration).

In ``pytest.ini`` / ``pyproject.toml`` ``[tool.pytest.ini_options]``::

    servicecoach_transcripts = ["training"]   # folders of canned transcripts to collect
    servicecoach_config = "servicecoach.toml"  # optional
    servicecoach_fail_on = "critical"          # optional, like check --fail-on
    servicecoach_min_score = "70"              # optional, like check --min-score
    servicecoach_baseline = "baseline.json"    # optional, like check --baseline

Each canned transcript becomes a test item named by its id; a mismatch with its
expectations fails with the readable diff of `servicecoach check`. The ``coach``
fixture and `servicecoach.testing.assert_findings` serve users' own tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from servicecoach.baseline import read_baseline, stale, stale_note
from servicecoach.check import (
    ENABLE_IN_CONFIGURATION,
    CheckOptions,
    CheckOutcome,
    check,
    reused_id,
    unknown_rules,
)
from servicecoach.config import CoachConfig, load_config
from servicecoach.errors import ConfigError, InputError, clipped
from servicecoach.expectations import (
    CANNED_SUFFIXES,
    SIDECAR_SUFFIXES,
    CannedTranscript,
    SidecarReaders,
    load_canned,
)
from servicecoach.models import Report, Severity, Transcript

if TYPE_CHECKING:  # the coach (and spaCy) load when a test first needs them
    from _pytest._code.code import TerminalRepr

    from servicecoach.coach import Coach

_COACH = pytest.StashKey["Coach"]()
_OPTIONS = pytest.StashKey[CheckOptions]()
_CONFIG = pytest.StashKey[CoachConfig]()
_SEEN = pytest.StashKey[dict[str, str]]()
_SIDECARS = pytest.StashKey[SidecarReaders]()
"""Where each transcript id collected was first found (``path:line``): ids must be unique."""
_CHECKED = pytest.StashKey[list[tuple[Transcript, Report]]]()
"""The transcripts checked and their reports, with a baseline: for its issues now fixed."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options."""
    parser.addini("servicecoach_transcripts", "folders of canned transcripts to collect",
                  type="paths", default=[])
    parser.addini("servicecoach_config", "servicecoach.toml for the coach", default="")
    parser.addini("servicecoach_fail_on", "fail transcripts with issues of this severity",
                  default="")
    parser.addini("servicecoach_min_score", "fail transcripts scoring below this", default="")
    parser.addini("servicecoach_baseline", "a baseline (check --write-baseline): fail on new "
                  "issues only", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Read the ini options once, and refuse one the items could not use before any runs
    (a NaN minimum would pass every transcript)."""
    config.stash[_OPTIONS] = _options(config)
    config.stash[_CONFIG] = _coach_config(config)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ``--junitxml`` and folders to collect, name their test cases' classes as
    `check` does (`JunitClassnames`; the junitxml plugin is configured by now)."""
    # the junitxml plugin's key, as pytest's record_xml_attribute fixture reads it
    from _pytest.junitxml import xml_key

    config = session.config
    if config.getini("servicecoach_transcripts") and (xml := config.stash.get(xml_key, None)):
        config.pluginmanager.register(JunitClassnames(config, xml), "servicecoach-junit")


def _coach_config(config: pytest.Config) -> CoachConfig:
    """The configuration ``servicecoach_config`` names (the defaults when unset), read
    once; `pytest.UsageError` when it cannot be read (it failed every item before)."""
    path = config.getini("servicecoach_config")
    if not path:
        return CoachConfig()
    try:
        return load_config(_ini_folder(config) / path)
    except ConfigError as error:
        raise pytest.UsageError(f"servicecoach_config: {error}") from None


def _options(config: pytest.Config) -> CheckOptions:
    """The thresholds and the baseline of the ini options; `pytest.UsageError` says which
    one is wrong."""
    fail_on = config.getini("servicecoach_fail_on")
    min_score = config.getini("servicecoach_min_score")
    if fail_on and fail_on not in {s.value for s in Severity}:
        raise pytest.UsageError(f"servicecoach_fail_on = {fail_on!r} is not one of "
                                f"{', '.join(s.value for s in Severity)}")
    try:
        score = float(min_score) if min_score else None
    except ValueError:
        score = math.nan
    if score is not None and not math.isfinite(score):
        raise pytest.UsageError(f"servicecoach_min_score = {min_score!r} is not a finite number")
    baseline = None
    if path := config.getini("servicecoach_baseline"):
        try:
            baseline = read_baseline(_ini_folder(config) / path)
        except InputError as error:
            raise pytest.UsageError(f"servicecoach_baseline: {error}") from None
    return CheckOptions(fail_on=Severity(fail_on) if fail_on else None, min_score=score,
                        baseline=baseline)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """With a baseline, how many of its issues the transcripts checked no longer have (as
    `servicecoach check` says): written again, it fails them if they come back."""
    baseline = config.stash[_OPTIONS].baseline if _OPTIONS in config.stash else None
    checked = config.stash.get(_CHECKED, [])
    if baseline and checked and (fixed := stale(baseline, checked)):
        path = config.getini("servicecoach_baseline")
        terminalreporter.write_line(f"servicecoach: {stale_note(fixed, path)}")


def _ini_folder(config: pytest.Config) -> Path:
    """The folder the ini options' paths are relative to."""
    return config.inipath.parent if config.inipath else config.rootpath


def _shared_coach(config: pytest.Config) -> Coach:
    if _COACH not in config.stash:
        from servicecoach.coach import Coach

        config.stash[_COACH] = Coach(config.stash[_CONFIG])
    return config.stash[_COACH]


@pytest.fixture(scope="session")
def coach(pytestconfig: pytest.Config) -> Coach:
    """A `Coach` built once per test run (from ``servicecoach_config`` when set)."""
    return _shared_coach(pytestconfig)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect canned transcripts under the configured folders, and a sidecar no canned
    file reads (as a failing item)."""
    if not _collected(file_path, parent.config):
        return None
    if file_path.suffix.lower() in CANNED_SUFFIXES:
        return TranscriptFile.from_parent(parent, path=file_path)
    if file_path.name.lower().endswith(SIDECAR_SUFFIXES):
        return UnreadSidecar.from_parent(parent, path=file_path)
    return None


class JunitClassnames:
    """With ``--junitxml``, a canned transcript's ``classname`` as ``servicecoach check
    --format junit`` writes it: the file's folders and name without the suffix, dotted
    (``training.failing-call``), where pytest's own (``training.failing-call.txt``) showed
    in Jenkins and GitLab as the class ``txt``. The file is found from the report's node
    id, so it holds on the controller of a distributed run too."""

    def __init__(self, config: pytest.Config, xml: Any) -> None:
        self.config = config
        self.xml = xml

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Set the classname before the junitxml plugin writes the test case (it keeps
        attributes set before it, as ``record_xml_attribute``'s)."""
        file = report.nodeid.split("::", 1)[0]
        if not _collected(self.config.rootpath / file, self.config):
            return
        from servicecoach.writers.check import junit_classname

        classname = junit_classname(file)
        if self.xml.prefix:
            classname = f"{self.xml.prefix}.{classname}"
        self.xml.node_reporter(report).add_attribute("classname", classname)


def _collected(file_path: Path, config: pytest.Config) -> bool:
    """Whether the plugin collects `file_path`: a canned file or a sidecar under the
    configured folders."""
    folders: list[Path] = config.getini("servicecoach_transcripts")
    if not folders or not any(file_path.is_relative_to(folder) for folder in folders):
        return False
    return (file_path.suffix.lower() in CANNED_SUFFIXES
            or file_path.name.lower().endswith(SIDECAR_SUFFIXES))


class TranscriptFile(pytest.File):
    """A file of canned transcripts: one item per transcript."""

    def collect(self) -> Iterator[pytest.Item]:
        seen = self.config.stash.setdefault(_SEEN, {})
        for index, canned in enumerate(load_canned(self.path)):
            if not isinstance(canned, InputError):
                canned = reused_id(canned, seen) or canned
            if isinstance(canned, InputError):
                yield UnreadableTranscript.from_parent(self, name=f"unreadable-{index}",
                                                       error=canned)
            else:
                yield TranscriptItem.from_parent(self, name=item_name(canned.transcript.id, index),
                                                 canned=canned)


_NAME_CHARS, _NAME_SHOWN = 100, 40


def item_name(transcript_id: str, index: int) -> str:
    """A canned transcript's item name: its id, or, for an id a terminal or pytest cannot
    take as it is (escape sequences, line breaks, ``::``, which splits a node id, or longer
    than 100 characters), its first 40 characters made printable and its place in the file
    (``[2]``), which keeps names apart."""
    from servicecoach.writers import printable

    shown = printable(transcript_id)
    if shown == transcript_id and "::" not in shown and len(shown) <= _NAME_CHARS:
        return transcript_id
    shown = clipped(shown, _NAME_CHARS, _NAME_SHOWN)
    return f"{shown.replace('::', ': :')}[{index}]"


class UnreadSidecar(pytest.File):
    """A file named as a sidecar: one failing item when no canned file reads it."""

    def collect(self) -> Iterator[pytest.Item]:
        error = self.config.stash.setdefault(_SIDECARS, SidecarReaders()).unread(self.path)
        if error is not None:
            yield UnreadableTranscript.from_parent(self, name="unread-sidecar", error=error)


class TranscriptMismatch(Exception):
    """Raised by a transcript item whose expectations do not hold."""

    def __init__(self, outcome: CheckOutcome) -> None:
        super().__init__(outcome)
        self.outcome = outcome


class TranscriptItem(pytest.Item):
    """One canned transcript held to its expectations."""

    def __init__(self, *, canned: CannedTranscript, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.canned = canned

    def runtest(self) -> None:
        coach = _shared_coach(self.config)
        if (unknown := unknown_rules(self.canned, coach, ENABLE_IN_CONFIGURATION)) is not None:
            raise unknown
        options = self.config.stash[_OPTIONS]
        outcome = check(self.canned, coach, options)
        if options.baseline is not None:
            self.config.stash.setdefault(_CHECKED, []).append(
                (self.canned.transcript, outcome.report))
        if not outcome.passed:
            raise TranscriptMismatch(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, TranscriptMismatch):
            return self._mismatch(excinfo.value.outcome)
        if isinstance(excinfo.value, InputError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.canned.line - 1, f"transcript {self.name}"

    def _mismatch(self, outcome: CheckOutcome) -> TerminalRepr:
        """The failure of a transcript whose expectations do not hold: every mismatch at its
        file line (what the terminal shows, and the text of a JUnit failure), and as its
        message, the line JUnit's ``message`` and pytest's short test summary show, the
        first mismatch and how many more, as ``servicecoach check --format junit`` writes
        it. A traceback of one native entry, so that a distributed run (xdist) carries the
        message to its controller as it is."""
        from _pytest._code.code import (
            ReprEntryNative,
            ReprExceptionInfo,
            ReprFileLocation,
            ReprTraceback,
        )

        from servicecoach.writers.check import failure_message

        canned = outcome.canned
        path = canned.path
        if path.is_absolute() and path.is_relative_to(self.config.rootpath):
            path = path.relative_to(self.config.rootpath)  # as pytest names the item
        lines = [f"{path}:{canned.line_of(turn)}: {problem}" for turn, problem in outcome.problems]
        first = outcome.problems[0][0]
        return ReprExceptionInfo(
            reprtraceback=ReprTraceback(reprentries=[ReprEntryNative(["\n".join(lines) + "\n"])],
                                        extraline=None, style="native"),
            reprcrash=ReprFileLocation(str(path), canned.line_of(first),
                                       failure_message(outcome.problems)))


class UnreadableTranscript(pytest.Item):
    """A record that could not be read: it fails with the reader's error."""

    def __init__(self, *, error: InputError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(self.error)
