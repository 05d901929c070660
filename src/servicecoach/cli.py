"""The ``servicecoach`` command.

Exit codes: 0 success; 1 findings reached ``--fail-on`` (or rule tests/lint failed);
2 usage error, bad configuration or rule pack, or an input record that could not be read;
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, TextIO

from pydantic import TypeAdapter
from pydantic_core import to_json

from servicecoach.baseline import (
    issues_fingerprints,
    read_baseline,
    stale,
    stale_note,
    write_baseline,
)
from servicecoach.batch.duplicates import DuplicateIds
from servicecoach.batch.located import Record, read_located
from servicecoach.batch.output import check_writable, replacing
from servicecoach.batch.run import RunOptions, parse_meta, score_run
from servicecoach.check import (
    CheckOptions,
    CheckOutcome,
    check,
    reused_id,
    unknown_rules,
)
from servicecoach.coach import Coach
from servicecoach.command_line import (
    SuggestingParser,
    correlation,
    finite_float,
    natural_int,
    ratio,
    worker_count,
)
from servicecoach.config import CoachConfig, find_config, load_config
from servicecoach.errors import (
    ConfigWarning,
    InputError,
    MetadataOnly,
    ServiceCoachError,
    each_error,
    quoted,
)
from servicecoach.evaluation import Fold, run_eval
from servicecoach.expectations import (
    CANNED_SUFFIXES,
    SIDECAR_SUFFIXES,
    SidecarReaders,
    load_canned,
)
from servicecoach.models import Channel, FindingKind, Report, Severity, Transcript
from servicecoach.readers import (
    ExcludeGlobs,
    Reader,
    Source,
    folder_files,
    irregular,
    iter_sources,
    lookup_error,
    parse_roles,
    readers,
    refuse_overwriting_inputs,
)
from servicecoach.redact import redact_transcript
from servicecoach.rules.catalog import stale_pages, write_catalogue
from servicecoach.rules.lint import lint
from servicecoach.rules.schema import Rule
from servicecoach.rules.under_test import packs_with_those_under_test
from servicecoach.satisfaction import run_satisfaction
from servicecoach.selection import split_selectors
from servicecoach.suggest import did_you_mean
from servicecoach.summary.command import (
    add_score_options,
    add_summarize_command,
    run_summarize,
)
from servicecoach.testing.annotations import find_test_files, format_result, run_file
from servicecoach.writers import WRITERS, printable
from servicecoach.writers.check import CHECK_WRITERS, write_drafts, write_junit
from servicecoach.writers.printable_stream import printable_stdout, printable_stream

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130
SCHEMAS = {
    "transcript": Transcript.model_json_schema,
    "report": Report.model_json_schema,
    "rule": lambda: TypeAdapter(Rule).json_schema(),
}


_PATH_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ELOOP, errno.ENOENT, errno.ENOTDIR,
                          errno.EISDIR})
"""Errors of a path that is wrong (rather than of a disk that is full, a device that fails)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.run(args))
    except ServiceCoachError as error:
        for each in each_error(error):
            print(f"error: {printable(str(each))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into head
        return EXIT_OK
    except OSError as error:  # a path the system cannot look up (a name too long, a loop)
        named = "" if error.filename is None else f"{quoted(os.fsdecode(error.filename))}: "
        hint = " (check the path)" if error.errno in _PATH_ERRNOS else ""  # not a full disk
        print(f"error: {printable(named + (error.strerror or str(error)))}{hint}",
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # what was written so far stays (score: OUTPUT.partial)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = SuggestingParser(
        prog="servicecoach",
        description="Coach customer-service agents: score conversations against rule packs.",
    )
    parser.add_argument("--version", action="version",
                        version=f"servicecoach {package_version('servicecoach')}")
    commands = parser.add_subparsers(title="commands")

    score = commands.add_parser(
        "score", help="score transcripts", description="Score transcripts from files, "
        "folders or stdin ('-') and print what each agent did well and what to improve.",
    )
    score.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    score.add_argument("--format", choices=sorted(WRITERS), default="text", help="output format")
    score.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    _input_options(score)
    score.add_argument("--fail-on", choices=[s.value for s in Severity],
                       help="exit 1 when an issue of this severity or higher is found")
    score.add_argument("--workers", type=worker_count, default=1, metavar="N",
                       help="score on N processes (output stays in input order)")
    score.add_argument("--redact", action="store_true",
                       help="mask e-mail addresses, phone, card and account numbers in reports")
    score.add_argument("--cues", action="store_true",
                       help="keep live cues (empathy.needed, escalation.risk) in the reports")
    add_score_options(score)
    _run_options(score)
    _coach_options(score)
    _channel_option(score)
    score.set_defaults(run=_score)
    score.reads_stdin = ("paths",)

    add_summarize_command(commands).set_defaults(run=_summarize)

    convert = commands.add_parser(
        "convert", help="convert exports to canonical transcripts",
        description="Read exports in any supported format and write canonical transcripts, "
        "to see what servicecoach understood.",
    )
    convert.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    convert.add_argument("--to", choices=["jsonl", "json"], default="jsonl", help="output format")
    convert.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    convert.add_argument("--redact", action="store_true",
                         help="mask e-mail addresses, phone, card and account numbers in the "
                         "turns and metadata, as score --redact masks reports")
    _input_options(convert)
    convert.set_defaults(run=_convert)
    convert.reads_stdin = ("paths",)

    check_parser = commands.add_parser(
        "check", help="hold canned transcripts to their expectations (CI)",
        description="Score canned transcripts, compare with their expectations (inline or in "
        "a <file>.expect.yaml sidecar) and thresholds, print a diff per transcript, and exit 1 "
        "on any mismatch.",
    )
    check_parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _exclude_option(check_parser)
    check_parser.add_argument("--format", choices=sorted(CHECK_WRITERS), default="text")
    check_parser.add_argument("--output", "-o", type=Path, help="write to this file")
    check_parser.add_argument("--junit", type=Path, metavar="FILE",
                              help="also write JUnit XML to FILE (beside --format's output: "
                              "annotations and a test report from one run)")
    check_parser.add_argument("--fail-on", choices=[s.value for s in Severity],
                              help="fail a transcript with an issue of this severity or higher")
    check_parser.add_argument("--min-score", type=finite_float, metavar="N",
                              help="fail a transcript whose overall score is below N")
    check_parser.add_argument("--baseline", type=Path, metavar="FILE",
                              help="ignore issues recorded in this baseline; fail on new ones")
    check_parser.add_argument("--write-baseline", type=Path, metavar="FILE",
                              help="record today's issues as the baseline and exit 0")
    check_parser.add_argument("--draft-expectations", action="store_true",
                              help="instead of checking, print for each transcript the "
                              "'%%%% expect:' header (text) or \"expect\" key (JSON) that "
                              "today's findings meet, to paste and trim; exit 0")
    _coach_options(check_parser)
    _channel_option(check_parser)
    check_parser.set_defaults(run=_check)

    evaluation = commands.add_parser(
        "eval", help="measure precision and recall on a labelled set, or the rank agreement "
        "with customer ratings",
        description="Score TRANSCRIPTS, compare with LABELS (JSON Lines of {id, expected: "
        "[{rule_id, turn_index}]}) and print precision, recall and F1 per rule id, then the "
        "misses and false alarms. Exit 1 when a rule id is below a target. With "
        "--satisfaction, TRANSCRIPTS carry their raters' mean in metadata.quality_mean and "
        "the command prints Spearman's rho between the overall score and the rating.",
    )
    evaluation.add_argument("transcripts", type=Path, metavar="TRANSCRIPTS")
    evaluation.add_argument("labels", type=Path, metavar="LABELS", nargs="?")
    evaluation.add_argument("--satisfaction", action="store_true",
                            help="rank agreement of the overall score with the ratings in "
                            "the transcripts' metadata (no LABELS)")
    evaluation.add_argument("--rating", default="S", metavar="SCALE",
                            help="with --satisfaction: the rating in metadata.quality_mean "
                            "(default S, customer satisfaction)")
    evaluation.add_argument("--min-rho", type=correlation, default=0.0,
                            help="with --satisfaction: exit 1 below this Spearman rho")
    evaluation.add_argument("--min-precision", type=ratio, default=0.9)
    evaluation.add_argument("--min-recall", type=ratio, default=0.85)
    evaluation.add_argument("--min-labels", type=natural_int, default=0, metavar="N",
                            help="hold only rule ids with at least N labels to the targets")
    evaluation.add_argument("--min-f1", type=ratio, default=0.0,
                            help="target of the micro-averaged F1 over all labels")
    parts = evaluation.add_mutually_exclusive_group()
    parts.add_argument("--fold", metavar="K/N", type=_fold,
                       help="score only fold K of N (by a hash of the transcript id), such as "
                       "a held-out 0/3; a fold with no transcript is an error (exit 2)")
    parts.add_argument("--exclude-fold", metavar="K/N",
                       type=lambda text: _fold(text, exclude=True),
                       help="score every transcript but fold K of N (the part tuned on)")
    _coach_options(evaluation)
    _channel_option(evaluation)
    evaluation.set_defaults(run=_eval)

    schema = commands.add_parser(
        "schema", help="print a JSON Schema",
        description="Print the JSON Schema of the transcript input, the report output, or a rule.",
    )
    schema.add_argument("model", choices=sorted(SCHEMAS))
    schema.set_defaults(run=_schema)

    rules = commands.add_parser("rules", help="list, explain, test and lint rules")
    rule_commands = rules.add_subparsers(title="rules commands")
    docs = rule_commands.add_parser(
        "docs", help="generate the rule catalogue (one page per rule and an index)"
    )
    docs.add_argument("--out", type=Path, default=Path("docs/rules"), help="folder to write")
    docs.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if the pages on disk are stale")
    _coach_options(docs)
    docs.set_defaults(run=_rules_docs)
    listing = rule_commands.add_parser("list", help="list the loaded rules")
    _coach_options(listing)
    listing.set_defaults(run=_rules_list)
    explain = rule_commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule_id", metavar="ID")
    _coach_options(explain)
    explain.set_defaults(run=_rules_explain)
    test = rule_commands.add_parser(
        "test", help="run annotated rule tests",
        description="Run the *.test.transcript files under PATH (default: the loaded packs) "
        "and report missed and unexpected findings with file and line.",
    )
    test.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    _coach_options(test)
    test.set_defaults(run=_rules_test)
    lint_parser = rule_commands.add_parser(
        "lint", help="check every rule has docs, a message and tests both ways",
        description="Check the rules defined under PATH (default: every loaded rule): docs, "
        "and a test file with a must-fire and a must-not-fire case.",
    )
    lint_parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    _coach_options(lint_parser)
    lint_parser.set_defaults(run=_rules_lint)
    return parser


def _exclude_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="leave out the files of a folder named that match GLOB: a "
                        "name (README.txt, '*.json') or a path from the folder "
                        "('archive/*'); repeatable; files named are read")


def _input_options(parser: argparse.ArgumentParser) -> None:
    _exclude_option(parser)
    parser.add_argument("--input-format", default="auto",
                        help="input format (default: auto, detected from the content): "
                        f"{', '.join(sorted(readers()))}")
    parser.add_argument("--roles", action="append", default=[], metavar="LABEL=ROLE",
                        help="map speaker labels to agent|customer|system (repeatable), "
                        "for formats without roles: --roles spk_0=agent")
    parser.add_argument("--agent", metavar="NAME", help="the agent's speaker name or label")
    columns = parser.add_argument_group(
        "CSV columns", "the headers of a CSV export's columns, where they are none of the "
        "known ones (conversation_id, speaker, text, timestamp, name...), in any case")
    for key, what in _CSV_COLUMNS.items():
        columns.add_argument(f"--{key}-column", metavar="HEADER", help=what)


_CSV_COLUMNS = {"id": "the conversation each row belongs to",
                "speaker": "who wrote the row (agent, customer...)",
                "text": "the row's text", "start": "when the row was written",
                "end": "when it ended", "name": "the name of who wrote it"}
"""The CSV columns the command line names (``--speaker-column HEADER``...)."""


def _reader_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of the command line's readers: roles, agent and CSV columns."""
    return {"roles": parse_roles(args.roles), "agent": args.agent,
            **{f"{key}_column": getattr(args, f"{key}_column") for key in _CSV_COLUMNS}}


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                        help="add a metadata field to every report of the run (repeatable)")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted run from the OUTPUT.partial it left "
                        "(--format jsonl)")
    parser.add_argument("--errors", type=Path, metavar="FILE",
                        help="list every record that could not be read or scored, as JSON lines")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true",
                          help="print only the closing counts on stderr")
    loudness.add_argument("--verbose", "-v", action="store_true",
                          help="also say which format each file was read as")


def _refuse_unknown_format(args: argparse.Namespace) -> None:
    """Refuse an ``--input-format`` that no reader has, before anything is read."""
    if args.input_format != "auto" and args.input_format not in readers():
        raise ServiceCoachError(f"unknown --input-format {args.input_format!r}",
                                hint=f"use auto or one of: {', '.join(sorted(readers()))}")


def _read(args: argparse.Namespace, exclude: ExcludeGlobs | None = None) -> Iterator[Record]:
    """Read the command's inputs, each record with its place, saying on stderr which format
    each file was read as, the files of the folders that a glob of `exclude` matches left
    out (and each file found noted in it); `_refuse_unknown_format` has checked the
    format."""

    def told(source: Source, reader: Reader) -> None:
        if args.input_format == "auto":
            print(f"{printable(source.name)}: read as {reader.name}", file=sys.stderr)

    return read_located(iter_sources(args.paths, exclude), args.input_format,
                        on_reader=told, **_reader_options(args))


def canonical_json(transcript: Transcript) -> str:
    """`transcript` as canonical JSON on one line, fields at their defaults left out except
    a channel the input gave: a chat written without its channel would be scored on
    ``--channel`` or the configuration's channel (a call, say)."""
    if "channel" not in transcript.model_fields_set or transcript.channel != Channel.CHAT:
        return transcript.model_dump_json(exclude_defaults=True)
    data = transcript.model_dump(mode="json", exclude_defaults=True)
    return to_json({"id": data.pop("id"), "channel": Channel.CHAT.value, **data}).decode()


def _convert(args: argparse.Namespace) -> int:
    _refuse_unknown_format(args)  # until 2026-12-07 after --output was emptied
    read = failed = skipped = 0
    refuse_overwriting_inputs(args.paths, [("--output", args.output)])
    exclude = ExcludeGlobs(args.exclude)
    with _output(args.output) as out:
        if args.to == "json":
            out.write("[")
        duplicates = DuplicateIds()
        for record in _read(args, exclude):
            item = record.item
            if isinstance(item, MetadataOnly):
                skipped += 1
                print(f"skipped: {printable(str(item))}", file=sys.stderr)
                continue
            if isinstance(item, InputError):
                failed += 1
                print(f"error: {printable(str(item))}", file=sys.stderr)
                continue
            if repeated := duplicates.seen(item.id, record.source):
                print(f"warning: {printable(repeated)}", file=sys.stderr)
            if args.redact:
                item = redact_transcript(item)
            text = canonical_json(item)
            if args.to == "json":
                text = ("\n" if read == 0 else ",\n") + text
            else:
                text += "\n"
            out.write(text)
            read += 1
        if args.to == "json":
            out.write("\n]\n")
    for warning in exclude.warnings():
        print(printable(warning), file=sys.stderr)
    print(f"converted {read} transcript(s); {failed} could not be read; "
          f"{skipped} metadata-only record(s) skipped", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def _coach_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path,
                        help="servicecoach.toml or pyproject.toml (default: the nearest one)")
    parser.add_argument("--pack", action="append", dest="packs", metavar="PACK",
                        help="rule pack name or folder (repeatable; replaces the config's packs)")
    parser.add_argument("--spacy-model", help="an installed spaCy pipeline (default: blank English)")
    for option, what in (("--select", "run only these rules (replaces the config's select)"),
                         ("--extend-select", "run these rules too"),
                         ("--ignore", "do not run these rules")):
        parser.add_argument(option, action="append", type=split_selectors, metavar="RULES",
                            help=f"{what}: comma-separated ids, families (empathy) or globs")


def _channel_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", choices=[c.value for c in Channel],
                        help="the channel of transcripts whose export does not say "
                        "(default: the config's, else chat); docs/channels.md")


def _config(args: argparse.Namespace) -> CoachConfig:
    if args.config is not None:
        return load_config(args.config)
    found = find_config(Path.cwd())
    return load_config(found) if found else CoachConfig()


def _coach(args: argparse.Namespace, config: CoachConfig | None = None) -> Coach:
    config = config or _config(args)
    selection: dict[str, object] = {}
    if args.select:
        selection["select"] = tuple(s for group in args.select for s in group)
    for key, given in (("extend_select", args.extend_select), ("ignore", args.ignore)):
        if given:
            selection[key] = (*getattr(config, key), *(s for group in given for s in group))
    config = config.model_copy(update=selection)
    if getattr(args, "cues", False):
        config = config.model_copy(update={"cues": True})
    if getattr(args, "redact", False):
        config = config.model_copy(update={"redact": True})
    if getattr(args, "channel", None):
        config = config.model_copy(update={"channel": Channel(args.channel)})
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", ConfigWarning)
        coach = Coach(config, packs=args.packs, spacy_model=args.spacy_model)
    for warning in said:
        if issubclass(warning.category, ConfigWarning):
            print(f"warning: {printable(str(warning.message))}", file=sys.stderr)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    return coach


@contextlib.contextmanager
def _output(path: Path | None, option: str = "--output") -> Iterator[TextIO]:
    """The file `path` (given as `option`) opened to write, or stdout when None. A regular
    file is written beside it (`replacing`) and replaces it only when the command
    completes: a command that fails (its input unreadable) leaves the file as it was, where
    it emptied it until 2026-12-07. A device or a pipe named is written directly."""
    if path is None:
        yield sys.stdout
        return
    if not path.parent.is_dir():
        raise ServiceCoachError(f"cannot write {option} {path}: the folder {path.parent} "
                                "does not exist", hint="create it first, or fix the path")
    stack = contextlib.ExitStack()
    try:
        handle = stack.enter_context(replacing(path))
    except OSError as error:
        raise ServiceCoachError(f"cannot write {option} {path}: {error.strerror}",
                                hint="choose a file you can write") from None
    with stack:
        yield handle


def _score(args: argparse.Namespace) -> int:
    _refuse_unknown_format(args)
    options = RunOptions(
        paths=args.paths, input_format=args.input_format, exclude=args.exclude,
        reader_options=_reader_options(args),
        output=args.output, format=args.format, workers=args.workers,
        fail_on=Severity(args.fail_on) if args.fail_on else None, resume=args.resume,
        errors=args.errors, meta=parse_meta(args.meta), quiet=args.quiet, verbose=args.verbose,
        summary=args.summary, report=args.report, by=args.by, top=args.top)
    counts = score_run(_coach(args), options)
    if counts.failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if counts.reached else EXIT_OK


def _summarize(args: argparse.Namespace) -> int:
    refuse_overwriting_inputs([*map(str, args.results), *map(str, args.transcripts)],
                              [("--output", args.output), ("--html", args.html)])
    if args.html is not None:  # written at the end: its folder is checked before --output
        check_writable(args.html, "--html")
    with _output(args.output) as out:
        return run_summarize(args, out)


def _canned_files(paths: list[Path],
                  exclude: ExcludeGlobs | None = None) -> tuple[list[Path], list[InputError]]:
    """The files named and those found in the folders named (a folder found is walked, not
    a file, whatever its name), a sidecar named standing for the canned files that read it
    (a shell glob, a pre-commit hook given the files changed), each file once; and an error
    for each sidecar found or named that no canned file reads."""
    found: list[Path] = []
    unread: list[InputError] = []
    sidecars = SidecarReaders()
    for path in paths:
        if (unlookable := lookup_error(path)) is not None:
            unread.append(unlookable)
            continue
        if path.is_dir():
            for p in folder_files(path, exclude):
                if p.suffix.lower() in CANNED_SUFFIXES:
                    found.append(p)
                elif p.name.lower().endswith(SIDECAR_SUFFIXES) and (
                        error := sidecars.unread(p)) is not None:
                    unread.append(error)
        elif path.name.lower().endswith(SIDECAR_SUFFIXES) and path.is_file():
            readers = sidecars.reading(path)
            found.extend(readers)
            if not readers and (error := sidecars.unread(path)) is not None:
                unread.append(error)
        else:
            found.append(path)
    return list(dict.fromkeys(found)), unread


def _refuse_outputs_not_written(args: argparse.Namespace) -> None:
    """Refuse `check` options that name an output the run would not write: drafting checks
    nothing, and writing a baseline writes nothing else."""
    if args.draft_expectations and (args.write_baseline or args.junit or args.format != "text"):
        given = ", ".join(n for n, v in (("--write-baseline", args.write_baseline),
                                         ("--junit", args.junit),
                                         ("--format", args.format != "text")) if v)
        raise ServiceCoachError(f"--draft-expectations prints drafts and checks nothing, so "
                                f"{given} would not be written",
                                hint="draft in a run of its own (with --output FILE to "
                                     "keep the drafts), then check")
    if args.write_baseline and (args.output or args.junit):
        given = " and ".join(n for n, v in (("--output", args.output), ("--junit", args.junit)) if v)
        raise ServiceCoachError(f"--write-baseline writes the baseline and nothing else, so "
                                f"{given} would not be written",
                                hint="write the baseline in a run of its own, then check "
                                     "with --baseline and the outputs you want")


def _check_canned(args: argparse.Namespace, coach: Coach, options: CheckOptions
                  ) -> tuple[list[CheckOutcome], list[InputError]]:
    """Check every canned transcript of the paths `args` names: the outcomes, and the errors
    of what could not be read or checked (each printed on stderr as it is met)."""
    outcomes: list[CheckOutcome] = []
    seen: dict[str, str] = {}
    exclude = ExcludeGlobs(args.exclude)
    canned_files, unreadable = _canned_files(args.paths, exclude)
    for warning in exclude.warnings():
        print(printable(warning), file=sys.stderr)
    for error in unreadable:
        print(f"error: {printable(str(error))}", file=sys.stderr)
    refuse_overwriting_inputs(map(str, canned_files), [("--output", args.output),
                                                       ("--junit", args.junit),
                                                       ("--write-baseline", args.write_baseline)])
    for path in canned_files:
        if (problem := irregular(path)) is not None:
            unreadable.append(InputError(f"{problem}; canned transcripts are files",
                                         source=str(path)))
            print(f"error: {printable(str(unreadable[-1]))}", file=sys.stderr)
            continue
        for canned in load_canned(path):
            if not isinstance(canned, InputError):
                canned = unknown_rules(canned, coach) or reused_id(canned, seen) or canned
            if isinstance(canned, InputError):
                print(f"error: {printable(str(canned))}", file=sys.stderr)
                unreadable.append(canned)
                continue
            outcomes.append(check(canned, coach, options))
    if not outcomes and not unreadable:  # an empty folder, or globs that left out every file
        raise ServiceCoachError(
            f"nothing to check: no canned transcript in {', '.join(map(str, args.paths))}",
            hint="canned transcripts are .txt, .json or .jsonl files; a run that checks "
            "nothing would pass")
    return outcomes, unreadable


def _check(args: argparse.Namespace) -> int:
    _refuse_outputs_not_written(args)
    coach = _coach(args)
    options = CheckOptions(
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        min_score=args.min_score,
        baseline=read_baseline(args.baseline) if args.baseline else None,
    )
    outcomes, unreadable = _check_canned(args, coach, options)
    if args.write_baseline:
        count = write_baseline(args.write_baseline, (
            fp for o in outcomes for fp in issues_fingerprints(o.canned.transcript, o.report)))
        print(f"wrote {count} finding(s) to {args.write_baseline}", file=sys.stderr)
        return EXIT_ERROR if unreadable else EXIT_OK
    if args.draft_expectations:
        with _output(args.output) as out:
            write_drafts(outcomes, unreadable, printable_stream(out))
        return EXIT_ERROR if unreadable else EXIT_OK
    with contextlib.ExitStack() as outputs:  # both opened before either is replaced
        out = outputs.enter_context(_output(args.output))
        junit = outputs.enter_context(_output(args.junit, "--junit")) if args.junit else None
        CHECK_WRITERS[args.format](outcomes, unreadable, printable_stream(out))
        if junit is not None:
            write_junit(outcomes, unreadable, printable_stream(junit))
    if options.baseline and (fixed := stale(options.baseline, (
            (o.canned.transcript, o.report) for o in outcomes))):
        print(f"note: {stale_note(fixed, printable(str(args.baseline)))}", file=sys.stderr)
    if unreadable:
        return EXIT_ERROR
    return EXIT_FINDINGS if any(not o.passed for o in outcomes) else EXIT_OK


def _fold(text: str, *, exclude: bool = False) -> Fold:
    """A `--fold` / `--exclude-fold` value, or argparse's usage error saying what is wrong."""
    try:
        return Fold.parse(text, exclude=exclude)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _eval(args: argparse.Namespace) -> int:
    fold = args.fold or args.exclude_fold
    if args.satisfaction:
        if args.labels is not None:
            raise ServiceCoachError("eval --satisfaction takes rated TRANSCRIPTS only",
                                    hint="drop LABELS: the ratings are in the metadata")
        return run_satisfaction(_coach(args), args.transcripts, sys.stdout, fold=fold,
                                min_rho=args.min_rho, scale=args.rating)
    if args.labels is None:
        raise ServiceCoachError("eval needs TRANSCRIPTS and LABELS",
                                hint="or pass --satisfaction for a set rated by customers")
    return run_eval(_coach(args), args.transcripts, args.labels, args.min_precision,
                    args.min_recall, sys.stdout, fold=fold, min_labels=args.min_labels,
                    min_f1=args.min_f1)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.model](), indent=2))
    return EXIT_OK


@printable_stdout
def _rules_list(args: argparse.Namespace) -> int:
    coach = _coach(args)
    print(f"{'id':<32} {'kind':<12} {'finding':<9} {'severity':<11} {'category':<18} speaker")
    for rule in coach.rules:
        severity = rule.severity.value if rule.finding is FindingKind.ISSUE else "-"
        print(f"{rule.id:<32} {rule.kind:<12} {rule.finding.value:<9} {severity:<11} "
              f"{rule.category:<18} {rule.speaker}")
    return EXIT_OK


@printable_stdout
def _rules_explain(args: argparse.Namespace) -> int:
    config = _config(args)
    coach = _coach(args, config)
    try:
        rule = coach.rule(args.rule_id)
    except KeyError:
        if args.rule_id in coach.locations:  # until 2026-12-07 "no rule ... in the loaded packs"
            raise ServiceCoachError(
                f"rule {quoted(args.rule_id)} is in the loaded packs but the configuration "
                "leaves it out (select, extend-select, ignore or disable)",
                where=str(config.source) if config.source else "",
                hint=f"pass --extend-select {args.rule_id} and take it out of ignore and "
                "disable, to explain it") from None
        raise ServiceCoachError(f"no rule {quoted(args.rule_id)} in the loaded packs "
                                f"({', '.join(coach.pack_versions)})", hint=did_you_mean(
                                    args.rule_id, coach.rule_order,
                                    "for a rule of your own pack, pass --pack FOLDER; "
                                    "'servicecoach rules list' lists the ids")) from None
    where = coach.locations[rule.id]
    kind = "strength" if rule.finding is FindingKind.STRENGTH else f"issue, {rule.severity.value}"
    print(f"{rule.id} ({kind}; category {rule.category}; {rule.kind} rule)")
    print(f"defined in {where.path}:{where.line}")
    override = config.rules.get(rule.id)
    changes = (override.model_dump(mode="json", exclude_defaults=True)
               if override is not None else {})
    if changes:  # as TOML writes them (a JSON list or string is one)
        listed = "; ".join(f"{key} = {json.dumps(value, ensure_ascii=False)}"
                           for key, value in changes.items())
        print(f"changed by {config.source or 'the configuration'}: {listed}")
    print()
    if rule.docs is not None:
        for title, text in (("What it does", rule.docs.what), ("Why it matters", rule.docs.why),
                            ("Example", rule.docs.example), ("Use instead", rule.docs.use_instead)):
            print(f"{title}:\n  " + text.strip().replace("\n", "\n  ") + "\n")
    print(f"Message: {rule.message}\nSuggestion: {rule.suggestion.strip()}")
    return EXIT_OK


@printable_stdout
def _rules_test(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.paths:  # a folder of a pack puts that pack under test
        args.packs = packs_with_those_under_test(args.packs or config.packs, args.paths,
                                                 config.base_dir)
    coach = _coach(args, config)
    paths = args.paths or sorted({Path(w.path).parent for w in coach.locations.values()})
    files = find_test_files(paths)
    if not files:
        raise ServiceCoachError("no *.test.transcript files found",
                                where=", ".join(str(p) for p in paths))
    failed = 0
    checked = todo = 0
    for path in files:
        result = run_file(path, coach)
        checked += result.checked
        todo += result.todo
        if not result.passed:
            failed += 1
            print(format_result(result))
    print(f"{len(files)} test file(s), {checked} expectation(s) checked, "
          f"{failed} file(s) failed", file=sys.stderr)
    if not (checked or todo or failed):  # until 2026-12-07 a pass, exit 0
        raise ServiceCoachError(
            f"the {len(files)} test file(s) hold no annotation: nothing was checked",
            hint="put '# ruleid: <rule id>' (or '# ok: <rule id>') on the line above a turn")
    return EXIT_FINDINGS if failed else EXIT_OK


@printable_stdout
def _rules_docs(args: argparse.Namespace) -> int:
    coach = _coach(args)
    if args.check:
        stale = stale_pages(args.out, coach.rules)
        for name in stale:
            print(f"{args.out / name}: stale")
        if stale:
            print("run 'servicecoach rules docs' to regenerate", file=sys.stderr)
        return EXIT_FINDINGS if stale else EXIT_OK
    count = write_catalogue(args.out, coach.rules)
    print(f"wrote {count} page(s) to {args.out}", file=sys.stderr)
    return EXIT_OK


@printable_stdout
def _rules_lint(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.paths:  # a folder of a pack puts that pack under lint, as `rules test` does
        args.packs = packs_with_those_under_test(args.packs or config.packs, args.paths,
                                                 config.base_dir)
    coach = _coach(args, config)
    rules = coach.rules
    if args.paths:
        folders = [path.resolve() for path in args.paths]
        rules = tuple(rule for rule in rules if any(
            Path(coach.locations[rule.id].path).resolve().is_relative_to(folder)
            for folder in folders))
        if not rules:
            raise ServiceCoachError("no rule of the loaded packs is defined here",
                                    where=", ".join(str(p) for p in args.paths))
    problems = lint(rules, coach.locations)
    for problem in problems:
        print(problem)
    print(f"{len(rules)} rule(s), {len(problems)} problem(s)", file=sys.stderr)
    return EXIT_FINDINGS if problems else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
