"""The command line helps a new user: its version, "did you mean" for typos, counts that must
be positive, the formats in --help, and Ruff-style rule selection."""

from __future__ import annotations

import io
import json
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import REPO

from servicecoach import Coach, CoachConfig
from servicecoach.cli import main
from servicecoach.errors import ConfigError
from servicecoach.readers import readers
from servicecoach.selection import matches

CALL = REPO / "examples" / "transcripts" / "refund-call.txt"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: --version, --help, usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def rule_ids(out: str) -> set[str]:
    return {f["rule_id"] for f in json.loads(out)["findings"]}


def test_version_is_the_installed_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"servicecoach {version('servicecoach')}"


def test_a_mistyped_option_names_the_command_and_the_closest_option(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["score", str(CALL), "--formt", "json"], capsys)
    assert code == 2
    assert "usage: servicecoach score" in err
    assert "unrecognized arguments: --formt (did you mean --format?)" in err
    code, _, err = run(["check", str(CALL), "--zzzzzz"], capsys)
    assert code == 2 and "unrecognized arguments: --zzzzzz\n" in err  # nothing close: no guess


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_workers_must_be_a_positive_number(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", str(CALL), "--workers", workers], capsys)
    assert code == 2 and "argument --workers:" in err


def test_workers_past_the_limit_are_refused_before_any_starts(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`--workers 100000` started 100,000 processes at once, each forking the coach."""
    code, _, err = run(["score", str(CALL), "--workers", "100000"], capsys)
    assert code == 2 and "argument --workers: 100000 worker processes" in err
    assert "at most 256" in err


def test_help_lists_the_input_formats_instead_of_a_file_users_do_not_have(
    capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["score", "--help"], capsys)
    flat = " ".join(out.split())
    assert "docs/formats.md" not in flat
    assert all(name in flat for name in readers())


def test_an_unknown_rule_id_gets_the_closest_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["rules", "explain", "empathy.mising"], capsys)
    assert code == 2 and "did you mean 'empathy.missing'?" in err
    code, _, err = run(["rules", "explain", "house.no-problem"], capsys)
    assert code == 2 and "pass --pack FOLDER" in err and "did you mean" not in err


def test_a_config_rule_table_with_a_typo_gets_the_closest_id() -> None:
    config = CoachConfig.model_validate({"rules": {"defensive.dismisive": {"severity": "critical"}}})
    with pytest.raises(ConfigError, match="did you mean 'defensive.dismissive'"):
        Coach(config)


def test_selectors_match_ids_families_globs_and_all() -> None:
    assert matches("empathy.missing", "empathy.missing")
    assert matches("empathy", "empathy.missing") and matches("ALL", "name.used")
    assert matches("confidence.*", "confidence.hedge")
    assert not matches("empathy", "empathy2.x") and not matches("empathy.miss", "empathy.missing")


def test_select_extend_select_and_ignore_on_the_command_line(
    capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["score", str(CALL), "--format", "jsonl"], capsys)
    everything = rule_ids(out)
    assert {"empathy.missing", "defensive.deflection", "greeting.introduced"} <= everything
    _, out, _ = run(["score", str(CALL), "--format", "jsonl", "--select", "defensive"], capsys)
    assert rule_ids(out) == {r for r in everything if r.startswith("defensive.")}
    _, out, _ = run(["score", str(CALL), "--format", "jsonl", "--select", "defensive",
                     "--extend-select", "empathy.missing,greeting"], capsys)
    assert rule_ids(out) == {r for r in everything if r.startswith(("defensive.", "greeting."))
                             or r == "empathy.missing"}
    _, out, _ = run(["score", str(CALL), "--format", "jsonl", "--ignore", "empathy,greeting.*"],
                    capsys)
    assert rule_ids(out) == {r for r in everything if not r.startswith(("empathy", "greeting"))}


def test_select_in_the_config_and_a_selector_that_matches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "servicecoach.toml"
    config.write_text('select = ["defensive"]\nextend-select = ["empathy.missing"]\n')
    _, out, _ = run(["score", str(CALL), "--format", "jsonl", "--config", str(config)], capsys)
    assert {r.split(".")[0] for r in rule_ids(out)} == {"defensive", "empathy"}
    assert "empathy.undercut" not in rule_ids(out)
    _, out, _ = run(["score", str(CALL), "--format", "jsonl", "--config", str(config),
                     "--ignore", "defensive.deflection"], capsys)
    assert "defensive.deflection" not in rule_ids(out) and "empathy.missing" in rule_ids(out)
    code, _, err = run(["score", str(CALL), "--select", "empathy.mising"], capsys)
    assert code == 2
    assert "select: no rule matches 'empathy.mising' (did you mean 'empathy.missing'?)" in err


def test_spacy_model_error_names_the_config_file_it_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "servicecoach.toml"
    config.write_text('spacy_model = "xx_not_installed_sm"\n')
    code, _, err = run(["rules", "list", "--config", str(config)], capsys)
    assert code == 2 and f"error: {config}: spacy_model: the spaCy pipeline" in err
    assert "--spacy-model" not in err
    code, _, err = run(["rules", "list", "--spacy-model", "xx_not_installed_sm"], capsys)
    assert code == 2 and "error: --spacy-model: the spaCy pipeline" in err


def test_ignoring_a_rule_another_one_is_suppressed_by_is_allowed(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["score", str(CALL), "--format", "jsonl", "--ignore", "empathy.undercut"],
                         capsys)
    assert code == 0, err
    assert "empathy.undercut" not in rule_ids(out) and "empathy.missing" in rule_ids(out)


@pytest.mark.parametrize("argv", [
    ["score", "-", "-"],
    ["convert", "-", str(CALL), "-"],
    ["summarize", "-", "-"],
    ["summarize", "-", "--html", "page.html", "--transcripts", "-"],
])
def test_stdin_named_twice_is_a_usage_error_before_anything_is_read(
        argv: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Stdin can be read once: the second '-' read an empty stream ('the file is empty' in
    score and convert; nothing at all in summarize, a summary of no reports)."""
    monkeypatch.setattr("sys.stdin", None)  # reading it would raise: nothing may be read
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert f"usage: servicecoach {argv[0]}" in err
    assert "'-' (stdin) is given twice" in err and "save the input to a file" in err


@pytest.mark.parametrize("command", [
    ["score", "{bad}", "{good}"], ["convert", "{bad}"], ["check", "{bad}"],
    ["rules", "test", "{bad}"], ["rules", "lint", "{bad}"],
    ["score", "{good}", "-o", "{bad}"], ["score", "{good}", "--errors", "{bad}"],
    ["score", "{good}", "--report", "{bad}"], ["score", "{good}", "-o", "{loop}"],
    ["score", "{loop}", "{good}"], ["check", "{loop}"],
])
def test_a_path_the_system_cannot_look_up_is_an_error_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """A path longer than a file name may be (OSError: File name too long) or a loop of
    symbolic links stopped every command with a traceback (score, convert and check as an
    input; score's outputs; rules test and lint). An input is an error of its own, the
    other inputs read; an output is one line, exit 2."""
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "a", "turns": [
        {"speaker": "agent", "text": "Hi, this is Sam. How can I help?"}]}) + "\n")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    names = {"bad": "q" * 300, "good": str(good), "loop": "loop1"}
    code = main([part.format(**names) for part in command])
    err = capsys.readouterr().err
    assert code in (1, 2) and "Traceback" not in err
    problem = next(line for line in err.splitlines() if line.startswith("error:"))
    assert ("File name too long" in problem or "symbolic links" in problem), problem
    if command[:2] == ["score", "{bad}"] or command[:2] == ["score", "{loop}"]:
        assert "scored 1 transcript(s); 1 could not be read" in err


def test_an_os_error_that_is_no_path_s_is_not_told_to_check_the_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Every OSError a command let through ended '(check the path)', a disk that is full
    too, where the path is right and checking it does not help."""
    import errno

    def full(*_: object, **__: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "out.jsonl")

    monkeypatch.setattr("servicecoach.cli.score_run", full)
    assert main(["score", str(tmp_path), "-o", "out.jsonl"]) == 2
    assert capsys.readouterr().err == "error: 'out.jsonl': No space left on device\n"


def _export_folder(tmp_path: Path) -> Path:
    """A vendor export as delivered: the exports, a README and a manifest."""
    folder = tmp_path / "export"
    (folder / "archive").mkdir(parents=True)
    for example in (REPO / "examples" / "exports").iterdir():
        (folder / example.name).write_bytes(example.read_bytes())
    (folder / "README.txt").write_text("Export from VendorX, 2026-12-01.\nFiles: see manifest.\n")
    (folder / "manifest.json").write_text('{"export_id": 42, "files": 2}\n')
    (folder / "archive" / "old.vtt").write_bytes((folder / "support-call.vtt").read_bytes())
    return folder


def test_exclude_leaves_a_folders_readme_and_manifest_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before 2026-12-07 a folder holding a README.txt or manifest.json made every score of
    it exit 2 ("cannot tell the input format"), with no way to leave them out."""
    folder = _export_folder(tmp_path)
    code, _, err = run(["score", str(folder), "--format", "jsonl"], capsys)
    assert code == 2 and "--exclude README.txt" in err and "--exclude manifest.json" in err
    code, out, err = run(["score", str(folder), "--format", "jsonl", "--exclude", "README.txt",
                          "--exclude", "*.json", "--exclude", "archive"], capsys)
    assert code == 0 and "error" not in err, err
    assert len(out.splitlines()) == 3  # two chats of the CSV and the call, not the archive's
    code, out, _ = run(["convert", str(folder), "--exclude", "README.txt", "--exclude",
                        "manifest.json", "--exclude", "archive/*"], capsys)
    assert code == 0 and len(out.splitlines()) == 3


def test_stdin_of_no_known_format_is_not_told_to_exclude_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text on stdin no reader knows was told to 'leave it out with --exclude '<stdin>'',
    an option that leaves out files of folders and cannot leave out stdin (until
    2026-12-07); the hint names --input-format only."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hello there\n")))
    code, _, err = run(["score", "-"], capsys)
    assert code == 2
    assert "error: <stdin>: cannot tell the input format (pass --input-format with one of: " \
        in err
    assert "--exclude" not in err


def test_an_exclude_that_matches_nothing_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _export_folder(tmp_path)
    code, _, err = run(["score", str(folder), "-q", "--format", "jsonl", "--exclude", "READM.txt",
                        "--exclude", "manifest.json"], capsys)
    assert code == 2
    assert "warning: --exclude READM.txt matches no file in the folders named" in err
    assert "--exclude manifest.json matches" not in err


@pytest.mark.parametrize("command", [["convert"], ["score", "-q", "--format", "jsonl"],
                                     ["check"]])
def test_the_folders_are_walked_once_to_read_them_and_to_tell_an_unused_exclude(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Which globs of --exclude matched nothing was told by walking the folders a second
    time (a folder of a million files listed twice); the walk that reads them notes it."""
    folder = _export_folder(tmp_path)
    walks: list[Path] = []
    rglob = Path.rglob

    def counted(self: Path, pattern: str) -> object:
        if self.is_relative_to(tmp_path):
            walks.append(self)
        return rglob(self, pattern)

    monkeypatch.setattr(Path, "rglob", counted)
    _, _, err = run([*command, str(folder), "--exclude", "READM.txt", "--exclude",
                     "manifest.json", "--exclude", "archive"], capsys)
    assert walks == [folder]
    assert "warning: --exclude READM.txt matches no file in the folders named" in err
    assert "--exclude manifest.json matches" not in err
    assert "--exclude archive matches" not in err


@pytest.mark.parametrize("command", [["check"], ["convert"],
                                     ["score", "--format", "jsonl"],
                                     ["score", "--format", "jsonl", "--input-format", "text"],
                                     ["summarize", "{results}", "--html", "{html}", "--transcripts"]])
def test_a_folders_file_that_is_no_regular_file_is_an_error_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A link to a missing file, a named pipe or a link to /dev/zero named *.txt in a folder
    was left out without a word by score, convert and summarize --transcripts (their walk
    kept regular files only) and named as an error by check (its own walk kept everything
    but folders); until 2026-12-07. One walk serves them all now: each is an error naming
    the file, the other files read, and --exclude leaves it out without a warning."""
    import os

    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "model-call.txt").write_bytes(
        (REPO / "examples" / "training" / "model-call.txt").read_bytes())
    (folder / "broken.txt").symlink_to("gone.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    results = tmp_path / "results.jsonl"
    assert main(["score", str(folder / "model-call.txt"), "-q", "--format", "jsonl",
                 "-o", str(results)]) == 0
    capsys.readouterr()
    argv = [part.format(results=results, html=tmp_path / "r.html") for part in command]
    code, out, err = run([*argv, str(folder)], capsys)
    # --transcripts only add the turns' text to the page: their errors are told, exit 0
    assert code == (0 if command[0] == "summarize" else 2) and "Traceback" not in err
    problems = {"broken.txt": "a link to a missing file", "pipe.txt": "not a regular file",
                "zero.txt": "not a regular file"}
    for name, problem in problems.items():
        assert f"error: {folder / name}: {problem}" in err, (name, err)
    if command[0] != "summarize":
        assert "model-call" in out  # the regular file read: checked, converted or scored
    code, _, err = run([*argv, str(folder), *(f"--exclude={name}" for name in problems)],
                       capsys)
    assert code == 0 and "error" not in err and "warning" not in err, err


def test_check_excludes_from_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "canned"
    folder.mkdir()
    for example in (REPO / "examples" / "training").iterdir():
        (folder / example.name).write_bytes(example.read_bytes())
    (folder / "notes.txt").write_text("Trainer notes: no transcript here.\n")
    code, _, err = run(["check", str(folder)], capsys)
    assert code == 2 and "notes.txt" in err
    code, out, err = run(["check", str(folder), "--exclude", "notes.txt",
                          "--exclude", "failing-*"], capsys)
    assert code == 0, (out, err)
    assert "notes.txt" not in err and "failing-call" not in out


def test_a_hidden_subfolder_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Hidden files were left out of a folder, but not the files of a hidden subfolder: a
    notebook's .ipynb_checkpoints copy of an export was scored beside it until 2026-12-07,
    each conversation twice (and a canned file's copy checked twice)."""
    export = REPO / "examples" / "exports" / "chat-export.csv"
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "chat-export.csv").write_bytes(export.read_bytes())
    (tmp_path / ".ipynb_checkpoints" / "chat-export-checkpoint.csv").write_bytes(
        export.read_bytes())
    code, out, err = run(["score", str(tmp_path), "--format", "jsonl"], capsys)
    assert code == 0 and len(out.splitlines()) == 2 and "duplicate" not in err
    named = tmp_path / ".ipynb_checkpoints"  # a hidden folder named is read
    code, out, _ = run(["convert", str(named)], capsys)
    assert code == 0 and len(out.splitlines()) == 2
    training = tmp_path / "training"
    (training / ".git").mkdir(parents=True)
    for folder in (training, training / ".git"):
        (folder / "call.txt").write_bytes((REPO / "examples/training/model-call.txt").read_bytes())
    code, out, _ = run(["check", str(training)], capsys)
    assert code == 0 and out.count("PASS") == 1
