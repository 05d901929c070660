"""The command-line side of summaries: `score --summary/--report` options and the
`servicecoach summarize` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple, TextIO

from servicecoach.batch.duplicates import DuplicateIds, place
from servicecoach.command_line import SuggestingParser
from servicecoach.errors import NAMED, InputError, ServiceCoachError, first_few, quoted
from servicecoach.html_report import HtmlReport
from servicecoach.models import Report, Transcript
from servicecoach.models import Source as ReportSource
from servicecoach.readers import ExcludeGlobs, iter_sources, read_sources
from servicecoach.suggest import closest
from servicecoach.summary.grouping import (
    COMPUTED,
    METADATA,
    NONE,
    UnseenFields,
    group_key,
    shadowed,
    shadowed_warning,
    spaced,
)
from servicecoach.summary.outputs import SUMMARY_FORMATS, SummaryOutput
from servicecoach.summary.results import read_results
from servicecoach.summary.transcript_turns import TurnStore
from servicecoach.writers import printable


def _top(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("--top takes 0 or more")
    return value


def _named_field(field: str, option: str) -> None:
    """Refuse a `--by` or `--where` field that names none: blank, or ``metadata.`` alone."""
    if not field.strip() or field.strip() == METADATA:
        raise argparse.ArgumentTypeError(
            f"{option} {field!r} names no field: give a metadata field (agent_name, team...), "
            f"one of {', '.join(COMPUTED)}, or {METADATA}NAME")


def _by(text: str) -> str:
    _named_field(text, "--by")
    return text


def add_grouping_options(parser: argparse.ArgumentParser) -> None:
    """`--by FIELD` (repeatable) and `--top N`."""
    parser.add_argument("--by", action="append", default=[], metavar="FIELD", type=_by,
                        help="group the summary by a metadata field (agent_name, queue, team...), "
                        "'date', 'week' or 'month' (of started_at), 'channel' or 'source'; "
                        "'metadata.NAME' reads the metadata field NAME whatever its name; "
                        "repeatable")
    parser.add_argument("--top", type=_top, default=10, metavar="N",
                        help="list the N worst and best conversations (default 10)")


def add_score_options(parser: argparse.ArgumentParser) -> None:
    """The options `score` takes for summaries and the HTML report."""
    parser.add_argument("--summary", action="store_true",
                        help="print a summary of the run (per rule, per category, worst and "
                        "best conversations, groups) in --format text, json or csv instead of "
                        "the reports")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write a self-contained HTML report (summary, charts, each "
                        "conversation with its findings highlighted) to FILE")
    add_grouping_options(parser)


def add_summarize_command(commands: argparse._SubParsersAction[SuggestingParser],
                          ) -> SuggestingParser:
    """The `summarize` sub-command's parser (the caller sets its `run`)."""
    parser = commands.add_parser(
        "summarize", help="summarize the results of 'score --format jsonl'",
        description="Read RESULTS written by 'servicecoach score --format jsonl' (one report a "
        "line; '-' for stdin), or by 'score --format json' (a JSON array of reports, in a "
        "file or on stdin), and print per-rule counts, category means and distributions, the "
        "worst and best conversations and groups (--by), as text, JSON or CSV (one row per "
        "conversation), or write an HTML report.",
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS")
    parser.add_argument("--format", choices=SUMMARY_FORMATS, default="text",
                        help="output format (csv: one row per conversation)")
    parser.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    parser.add_argument("--html", type=Path, metavar="FILE",
                        help="write a self-contained HTML report to FILE")
    parser.add_argument("--transcripts", action="append", default=[], type=Path,
                        metavar="PATH", help="with --html: the scored transcripts (files or "
                        "folders, any input format), so that conversation pages show every "
                        "turn's text; repeatable")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="with --transcripts: leave out the files of a folder that match "
                        "GLOB, a name (README.txt) or a path from the folder; repeatable")
    parser.add_argument("--where", action="append", default=[], type=_condition,
                        metavar="FIELD=VALUE", help="summarize only the reports whose FIELD "
                        "(any --by field: agent_name, queue, date, week...) has this value; "
                        "repeatable, all must hold")
    add_grouping_options(parser)
    parser.reads_stdin = ("results", "transcripts")
    return parser


class _WhereValues:
    """The values each ``--where`` field had in the reports (the first `KEPT` distinct
    ones), for a warning when a condition's value is none of them: 'agent_name=alex' kept
    nothing, where the reports say 'Alex', and the summary was empty without a word."""

    KEPT = 1000

    def __init__(self, conditions: Sequence[_Condition]) -> None:
        self._conditions = conditions
        self._seen: list[dict[str, None]] = [{} for _ in conditions]
        self._met = [False] * len(conditions)

    def add(self, readings: list[tuple[_Condition, str]]) -> None:
        for index, (condition, reading) in enumerate(readings):
            if reading == condition.value:
                self._met[index] = True
            elif reading != NONE and len(seen := self._seen[index]) < self.KEPT:
                seen.setdefault(reading)

    def warnings(self) -> list[str]:
        """A warning per condition no report met whose field the reports do have (one
        they do not have is `UnseenFields`' warning)."""
        found = []
        for condition, met, seen in zip(self._conditions, self._met, self._seen, strict=True):
            if met or not seen:
                continue
            known = list(seen)
            same = [value for value in known if value.casefold() == condition.value.casefold()]
            near = same[0] if same else closest(condition.value, known)
            hint = f"did you mean {quoted(near)}? " if near is not None else ""
            found.append(f"--where {condition.field}={quoted(condition.value)}: no report has "
                         f"this value ({hint}the reports have "
                         f"{first_few([quoted(value) for value in known])})")
        return found


class _UnreadStart:
    """The errors of one results file as they are printed: the first `SHOWN` of a file
    that has given no report yet (the text or CSV that 'score' writes, a file that is no
    results file, where every line is an error), then a count of the rest up to its first
    report or its end, in one line."""

    SHOWN = 5

    def __init__(self, path: Path) -> None:
        self._path = path
        self._reports = False
        self._errors = 0  # before the first report
        self._last = ""  # where the latest error not shown is

    def error(self, error: InputError) -> None:
        if not self._reports:
            self._errors += 1
            if self._errors > self.SHOWN:
                self._last = error.location or ""
                return
        print(f"error: {printable(str(error))}", file=sys.stderr)

    def report(self) -> None:
        """A report was read (or the file ended): say how many errors were not shown."""
        more = self._errors - self.SHOWN
        if not self._reports and more > 0:
            print(f"error: {printable(str(self._path))}: {more} more line(s) are not reports "
                  f"either, up to {self._last}: the file does not hold reports (is it "
                  "score's text or CSV output? summarize reads what 'score --format jsonl' "
                  "or '--format json' writes)", file=sys.stderr)
        self._reports = True


class _Condition(NamedTuple):
    """A `--where FIELD=VALUE`: the field, its reading (as `--by` reads it) and the value."""

    field: str
    read: Callable[[Report], str]
    value: str


def _condition(text: str) -> _Condition:
    field, equals, value = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(
            f"--where takes FIELD=VALUE (agent_name=Sam, week=2026-W45), not {text!r}")
    _named_field(field, "--where")
    # the value as a group's is read, its spaces normalised: 'agent_name=Sam ' is Sam's
    return _Condition(field.strip(), group_key(field.strip()), spaced(value) or value)


def _keep_turns(turns: TurnStore, paths: Iterable[Path], exclude: Sequence[str] = ()) -> None:
    """Keep in `turns` the turns of every transcript under `paths` (the files of a folder
    that match a glob of `exclude` left out), by id (the first of a repeated id), on disk:
    until 2026-12-07 a dictionary held them all in memory. Repeated ids are warned of
    once, with the repetitions counted and the first five ids named (each by its start when
    long): a line per repetition, each id whole, made 30 MB of warnings for 300 copies of a
    transcript with an id of 100 KB."""
    repeated = _NamedRepeats()
    globs = ExcludeGlobs(exclude)
    for item in read_sources(iter_sources([str(p) for p in paths], globs), "auto"):
        if isinstance(item, Transcript):
            if not turns.add(item.id, item.turns):
                repeated.add(item.id)
        elif isinstance(item, InputError):
            print(f"error: {printable(str(item))}", file=sys.stderr)
    for warning in globs.warnings():
        print(printable(warning), file=sys.stderr)
    if repeated.count:
        print(f"warning: {repeated.count:,} transcript(s) in --transcripts repeat an id read "
              f"before ({repeated.shown()}): the first transcript of each id is shown",
              file=sys.stderr)


class _NamedRepeats:
    """Ids read again, counted, the first `NAMED` of them kept to be named (each by its
    start when long): a line per repetition, each id whole, made 30 MB of warnings for 300
    copies of a transcript with an id of 100 KB."""

    def __init__(self) -> None:
        self.count = 0
        self._named: dict[str, None] = {}
        self._more = False

    def add(self, transcript_id: str) -> None:
        """Count one more repetition of `transcript_id`."""
        self.count += 1
        if len(self._named) < NAMED:
            self._named.setdefault(transcript_id)
        elif transcript_id not in self._named:
            self._more = True

    def shown(self) -> str:
        """The ids named, printable, and "..." when there are more."""
        ids = ", ".join(printable(quoted(transcript_id)) for transcript_id in self._named)
        return ids + (", ..." if self._more else "")


def _refuse_named_twice(paths: Sequence[Path]) -> None:
    """Refuse `paths` when one file is named twice (its reports would count twice)."""
    seen: dict[Path, Path] = {}
    for path in paths:
        if str(path) == "-":
            continue
        try:
            real = path.resolve()
        except OSError:
            continue  # reading it says what is wrong
        if real in seen:
            raise ServiceCoachError(
                f"{printable(str(path))} is given twice (as {printable(str(seen[real]))}): its "
                "reports would be counted twice", hint="name each results file once")
        seen[real] = path


class _RepeatedIds:
    """Reports whose transcript id an earlier report of the run had (a conversation
    scored twice, or ids that are not unique), warned of once: counted, the first with
    both places, the next few ids named. They were summed without a word."""

    def __init__(self) -> None:
        self._ids = DuplicateIds()
        self._first = ""
        self._repeats = _NamedRepeats()

    def add(self, transcript_id: str, file: str, number: int) -> None:
        """Note the report `number` of `file`."""
        here = ReportSource(file=file, record=number)
        earlier = self._ids.earlier(transcript_id, here)
        if earlier is None:
            return
        self._repeats.add(transcript_id)
        if not self._first:
            self._first = printable(f"{quoted(transcript_id)} at {place(here)}, first at "
                                    f"{place(earlier)}")

    def warn(self) -> None:
        """Print the warning, if any report repeated an id."""
        if self._repeats.count:
            print(f"warning: {self._repeats.count:,} report(s) repeat a transcript id read "
                  f"before, and each is counted ({self._first}; ids repeated: "
                  f"{self._repeats.shown()})", file=sys.stderr)


def run_summarize(args: argparse.Namespace, out: TextIO) -> int:
    """Summarize the results files; 2 when a line could not be read or no file held a
    report, else 0."""
    if args.transcripts and args.html is None:
        raise ServiceCoachError("--transcripts is for the HTML report's turn text",
                                hint="add --html FILE, or drop --transcripts")
    summary = SummaryOutput(args.format, by=args.by, top=args.top)
    html = HtmlReport(by=args.by, top=args.top) if args.html is not None else None
    if args.exclude and not args.transcripts:
        raise ServiceCoachError("--exclude leaves files out of the folders of --transcripts",
                                hint="add --transcripts FOLDER, or drop --exclude")
    with ExitStack() as cleanup:  # the turns' database is removed however the run ends
        turns = None
        if args.transcripts:
            turns = cleanup.enter_context(TurnStore())
            _keep_turns(turns, args.transcripts, args.exclude)
        reports = failed = missing = left_out = 0
        empty: list[Path] = []  # the results files that held no report (nor a line of one)
        fields_read = [*args.by, *(condition.field for condition in args.where)]
        unseen = UnseenFields([*(("--by", field) for field in args.by),
                               *(("--where", condition.field) for condition in args.where)])
        fields_shadowed: set[str] = set()  # fields read as computed that the metadata also has
        values = _WhereValues(args.where)
        repeats = _RepeatedIds()
        _refuse_named_twice(args.results)
        for path in args.results:
            unread = _UnreadStart(path)
            read_any = False
            for number, item in enumerate(read_results(path), start=1):
                read_any = True
                if isinstance(item, InputError):
                    failed += 1
                    unread.error(item)
                    continue
                unread.report()
                repeats.add(item.transcript_id, str(path), number)
                fields_shadowed |= shadowed(fields_read, item)
                unseen.add(item)
                readings = [(condition, condition.read(item)) for condition in args.where]
                values.add(readings)
                if not all(reading == condition.value for condition, reading in readings):
                    left_out += 1
                    continue
                reports += 1
                summary.add(item)
                if html is not None:
                    known = None if turns is None else turns.get(item.transcript_id)
                    missing += turns is not None and known is None
                    html.add(item, known)
            unread.report()
            if not read_any:  # until 2026-12-07 "0 conversation(s)", exit 0, without a word
                empty.append(path)
        summary.write(out)
        if html is not None:
            html.write(args.html)
    repeats.warn()
    if missing:
        print(f"warning: {missing} report(s) have no transcript in --transcripts: their "
              "pages show the findings without the turns' text", file=sys.stderr)
    for field in sorted(fields_shadowed):
        print(f"warning: {printable(shadowed_warning(field))}", file=sys.stderr)
    for warning in unseen.warnings():
        print(f"warning: {printable(warning)}", file=sys.stderr)
    for warning in values.warnings():
        print(f"warning: {printable(warning)}", file=sys.stderr)
    nothing = not (reports or left_out or failed)
    for path in empty:  # an error when no file held a report, else a warning
        print(f"{'error' if nothing else 'warning'}: {printable(str(path))}: holds no report "
              "(empty, blank or an empty array): summarize reads what 'score --format jsonl' "
              "or '--format json' writes", file=sys.stderr)
    where = f"; {left_out} left out by --where" if args.where else ""
    print(f"summarized {reports} report(s){where}; {failed} line(s) could not be read",
          file=sys.stderr)
    return 2 if failed or nothing else 0
