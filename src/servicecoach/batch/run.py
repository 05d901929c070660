"""One ``servicecoach score`` run over many inputs: reading with sources, duplicate-id
warnings, scoring on N workers, progress, the errors file, resumable output and the
closing counts."""

from __future__ import annotations

import contextlib
import itertools
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from servicecoach.batch.duplicates import DuplicateIds, place
from servicecoach.batch.errors_file import ErrorsFile
from servicecoach.batch.located import Record, read_located, record_of
from servicecoach.batch.output import (
    Written,
    check_writable,
    finish,
    open_partial,
    partial_path,
    replaced_file,
    written_into,
)
from servicecoach.batch.progress import RunProgress
from servicecoach.coach import Coach
from servicecoach.errors import InputError, MetadataOnly, ServiceCoachError
from servicecoach.long_run import long_run
from servicecoach.models import Severity, Source, Transcript
from servicecoach.parallel import Located, Rendered, render_stream, scored
from servicecoach.readers import (
    ExcludeGlobs,
    Reader,
    iter_sources,
    refuse_overwriting_inputs,
)
from servicecoach.readers import Source as Input
from servicecoach.summary.grouping import shadowed_warning
from servicecoach.summary.outputs import RunOutputs, SummaryOutput
from servicecoach.writers import make_writer, printable, render_jsonl


@dataclass
class RunOptions:
    """What ``servicecoach score`` was asked to do."""

    paths: list[str]
    input_format: str = "auto"
    exclude: list[str] = field(default_factory=list)
    """Globs of the files of the folders in `paths` to leave out (``--exclude``)."""
    reader_options: dict[str, Any] = field(default_factory=dict)
    output: Path | None = None
    format: str = "text"
    workers: int = 1
    fail_on: Severity | None = None
    resume: bool = False
    errors: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)
    quiet: bool = False
    verbose: bool = False
    summary: bool = False
    """Write a summary of the run (in `format`: text, json or csv) instead of the reports."""
    report: Path | None = None
    """Also write the HTML report to this file."""
    by: list[str] = field(default_factory=list)
    """Metadata fields the summary and the HTML report group by."""
    top: int = 10
    """How many of the worst and best conversations the summary lists."""


@dataclass
class RunCounts:
    """How a run went: every record is scored, failed or skipped (metadata only)."""

    scored: int = 0
    failed: int = 0
    skipped: int = 0
    reached: bool = False
    """An issue reached ``--fail-on``."""

    def line(self) -> str:
        """The run's last line on stderr: the counts, which add up to the records read."""
        total = self.scored + self.failed + self.skipped
        return (f"scored {self.scored} transcript(s); {self.failed} could not be read; "
                f"{self.skipped} metadata-only record(s) skipped; {total} record(s) in all")


@dataclass(frozen=True)
class _Done:
    """A transcript whose report an interrupted run already wrote (``--resume``)."""

    written: Written


def parse_meta(pairs: list[str]) -> dict[str, str]:
    """``["team=north", "batch=2026-11"]`` (as given to ``--meta``) to a mapping."""
    meta: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ServiceCoachError(f"cannot read --meta {pair!r}", hint="write KEY=VALUE")
        meta[key.strip()] = value
    return meta


def score_run(coach: Coach, options: RunOptions, stderr: TextIO | None = None) -> RunCounts:
    """Score every record of `options.paths`, write the reports, and return the counts
    (also printed as the last line on `stderr`, default ``sys.stderr``)."""
    stderr = stderr or sys.stderr
    if options.resume and (options.output is None or options.format != "jsonl"):
        raise ServiceCoachError("--resume needs --output FILE and --format jsonl",
                                hint="an interrupted run of 'score --format jsonl --output "
                                "FILE' leaves FILE.partial to resume")
    if options.resume and (options.summary or options.report is not None):
        raise ServiceCoachError("--resume writes the remaining reports only: it cannot make a "
                                "summary or an HTML report of the whole run",
                                hint="resume first, then run 'servicecoach summarize' on the "
                                "finished output")
    refuse_overwriting_inputs(options.paths, [
        ("--output", options.output), ("--errors", options.errors), ("--report", options.report)])
    if options.report is not None:  # written at the end: its folder is checked first
        check_writable(options.report, "--report")
    exclude = ExcludeGlobs(options.exclude)
    inputs = list(iter_sources(options.paths, exclude))
    for warning in exclude.warnings():
        print(printable(warning), file=stderr)
    if options.output is not None and not options.resume and not options.quiet:
        _warn_starting_over(partial_path(options.output), stderr)
    if options.output is not None and options.resume and not options.quiet \
            and not written_into(options.output):
        _warn_nothing_to_resume(options.output, stderr)
    counts = RunCounts()
    with contextlib.ExitStack() as stack:
        out, written = _open_output(options, stack)
        errors = ErrorsFile(_open_errors(options.errors, stack))
        progress = stack.enter_context(
            RunProgress(stderr, sum(_size(one) for one in inputs), quiet=options.quiet,
                        bar=options.output is not None or not sys.stdout.isatty()))
        summary = SummaryOutput(options.format, options.by, options.top) \
            if options.summary else None
        outputs = RunOutputs(None if summary else make_writer(options.format, out), out,
                             summary, options.report, options.by, options.top,
                             redact=coach.config.redact)
        check = None
        if options.resume and options.output is not None:
            written, check = _first_checked(written, coach, partial_path(options.output))
        kept = _Kept(written)
        items = _to_score(inputs, options, progress, kept, check)
        stack.enter_context(long_run())  # the coach and the modules live for the whole run
        try:
            for item in outputs.track(items, lambda todo: render_stream(
                    coach, todo, outputs.render, options.workers)):
                _record(item, counts, outputs.emit, errors, progress, options)
        except KeyboardInterrupt:
            if options.output is not None:
                out.flush()
                progress.note(f"interrupted: the reports so far are in "
                              f"{partial_path(options.output)}; run the same command with "
                              "--resume to finish")
            raise
        outputs.close()
        if not options.quiet:  # warnings, as the run's others (--quiet: the counts only)
            for field in sorted(outputs.shadowed):
                print(f"warning: {printable(shadowed_warning(field))}", file=stderr)
            for warning in outputs.unseen.warnings():
                print(f"warning: {printable(warning)}", file=stderr)
        leftover = kept.waited_for
        if leftover is not None:
            raise ServiceCoachError(
                f"cannot resume: the partial output has a report for {place(leftover.source)}, "
                "which these inputs do not give in that order",
                hint="resume with the same inputs, or delete the .partial file")
    if options.output is not None:
        finish(options.output)
    if options.errors is not None:
        finish(options.errors)
    print(counts.line(), file=stderr)
    return counts


def _warn_starting_over(partial: Path, stderr: TextIO) -> None:
    """A warning when a run without --resume is about to replace the reports an
    interrupted run left in `partial`."""
    try:
        with partial.open("rb") as handle:
            reports = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    except OSError:  # none there (or unreadable: opening it to write says so)
        return
    if reports:
        print(f"warning: {printable(str(partial))} ({reports} report(s) of an interrupted run) "
              "is started over: --resume would have kept them", file=stderr)


def _warn_nothing_to_resume(output: Path, stderr: TextIO) -> None:
    """A warning when --resume finds no partial file: the run starts from the beginning
    (and replaces `output` if a complete run is there), where the user expected most of
    it to be done already."""
    partial = partial_path(output)
    if partial.exists():
        return
    complete = replaced_file(output)
    there = (f"; {printable(str(output))} is a complete run, which this one replaces"
             if complete.is_file() else "")
    print(f"warning: --resume: no {printable(str(partial))} to resume from, so every "
          f"transcript is scored{there} (an interrupted run leaves its reports in "
          "OUTPUT.partial: check --output)", file=stderr)


def _open_output(
    options: RunOptions, stack: contextlib.ExitStack,
) -> tuple[TextIO, Iterator[Written]]:
    if options.output is None:
        return sys.stdout, iter(())
    handle, written = open_partial(options.output, resume=options.resume)
    stack.enter_context(handle)
    return handle, written


def _open_errors(path: Path | None, stack: contextlib.ExitStack) -> TextIO | None:
    if path is None:
        return None
    handle, _ = open_partial(path, resume=False)
    return stack.enter_context(handle)


def _size(one: Input) -> int:
    try:
        info = Path(one.name).stat()
    except OSError:  # no such file, or one the system cannot look up: said when read
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _first_checked(written: Iterator[Written], coach: Coach, partial: Path,
                   ) -> tuple[Iterator[Written], Callable[[Located], None] | None]:
    """`written` as it was, and a check of its first report against that report's
    transcript (None when there is none): the reports of the interrupted run must be the
    ones this run writes, else one file would hold two kinds of report (masked and not,
    other rules, another --meta)."""
    first = next(written, None)
    if first is None:
        return written, None

    def check(item: Located) -> None:
        again = scored(coach, item, render_jsonl)
        if isinstance(again, Rendered) and not first.holds(again.text):
            raise ServiceCoachError(
                f"cannot resume: the report {partial} holds for {place(first.source)} is not "
                "the one this run writes for it (the interrupted run had other options: "
                "--redact, --meta, --channel, the rules, the configuration or the version)",
                hint="resume with the options of the interrupted run, or delete the .partial "
                "file to start again")

    return itertools.chain([first], written), check


class _Kept:
    """The reports of an interrupted run, in order, the one the run waits for (None when
    all are met) held here: what is left when the inputs end is this one and those after
    it. Before 2026-12-07 it was those after it, and one report of another file (or one
    written twice) was finished with the run's reports, without a word."""

    def __init__(self, written: Iterator[Written]) -> None:
        self._written = written
        self.waited_for = next(written, None)

    def advance(self) -> None:
        """The report waited for was met: wait for the next."""
        self.waited_for = next(self._written, None)


def _to_score(
    inputs: list[Input], options: RunOptions, progress: RunProgress, kept: _Kept,
    check: Callable[[Located], None] | None = None,
) -> Iterator[Located | Record | _Done | int]:
    """What to score, in input order: each transcript with its source; errors (and
    transcripts already written, when resuming: `kept`) pass by; after each file, the bytes
    read so far. `check` is given the transcript of the first report already written."""
    def told(one: Input, reader: Reader) -> None:
        progress.note(f"{printable(one.name)}: read as {reader.name}")

    on_reader = told if options.verbose and options.input_format == "auto" else None
    duplicates = DuplicateIds()
    done_bytes = 0
    for one in inputs:
        checked, pieces = one.open_checked, one.open_pieces
        watched = Input(name=one.name, open_text=progress.reading.watch(one.open_text),
                        open_checked=progress.reading.watch(checked) if checked else None,
                        open_binary=one.open_binary,
                        open_pieces=progress.reading.watch(pieces) if pieces else None)
        for record in read_located([watched], options.input_format, on_reader=on_reader,
                                   run_metadata=options.meta, **options.reader_options):
            if not isinstance(record.item, Transcript):
                yield record
                continue
            warning = duplicates.seen(record.item.id, record.source)
            if warning and not options.quiet:
                progress.note(f"warning: {printable(warning)}")
            resumed = kept.waited_for
            if resumed is not None and resumed.source == record.source:
                if check is not None:
                    check(Located(record.item, record.source))
                    check = None
                yield _Done(resumed)
                kept.advance()
            else:
                yield Located(record.item, record.source)
        done_bytes += _size(one)
        yield done_bytes


def _record(
    item: object, counts: RunCounts, emit: Callable[[Rendered], None],
    errors: ErrorsFile, progress: RunProgress, options: RunOptions,
) -> None:
    """Count and write one result of the run."""
    if isinstance(item, int):
        progress.read_up_to(item)
        return
    if isinstance(item, _Done):
        _count_scored(counts, item.written.worst, options.fail_on)
        progress.advance()
        return
    if isinstance(item, (Record, InputError)):
        error, source = (item.item, item.source) if isinstance(item, Record) else (item, None)
        assert isinstance(error, InputError)
        skipped = isinstance(error, MetadataOnly)
        counts.skipped += skipped
        counts.failed += not skipped
        errors.write(error, source or Source(file=error.source, record=record_of(error.location)))
        if not options.quiet:
            progress.note(f"{'skipped' if skipped else 'error'}: {printable(str(error))}")
        if not skipped:
            progress.advance(failed=True)
        return
    assert isinstance(item, Rendered), f"unexpected result {item!r}"
    emit(item)
    _count_scored(counts, item.worst, options.fail_on)
    progress.advance()


def _count_scored(counts: RunCounts, worst: Severity | None, fail_on: Severity | None) -> None:
    counts.scored += 1
    if fail_on is not None and worst is not None and worst.rank >= fail_on.rank:
        counts.reached = True
