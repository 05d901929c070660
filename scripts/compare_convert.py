"""Check that `servicecoach convert` gives byte-identical output at two git revisions.

Usage: ``python scripts/compare_convert.py [BASE_REF] [PATH...] [--expect-changed FILE]``

Every input file under PATH (default: the tests' files, the examples, docs, and the format
samples, corpora and labelled sets in ../shared) is converted, one file at a time, with the
code of BASE_REF (default ``main``; its merge base with HEAD, so that later commits on it do
not count; checked out into a temporary folder) and with the working tree. Stdout, stderr
and the exit code must be the same, but for the list of format names in a "cannot tell the
input format" hint, which grows with each reader added. Prints the files that differ, with
a diff, and exits 1 when any does that is not named with ``--expect-changed``; files new
since BASE_REF are counted apart.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUFFIXES = {".json", ".jsonl", ".ndjson", ".txt", ".transcript", ".csv", ".tsv", ".vtt",
            ".html", ".htm"}
DEFAULT_PATHS = [REPO / "tests", REPO / "examples", REPO / "docs",
                 REPO.parent / "shared"]

_RUNNER = """
import contextlib, io, json, sys
from servicecoach.cli import main
results = {}
for path in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["convert", path])
    results[path] = [out.getvalue(), err.getvalue(), code]
json.dump(results, sys.stdout)
"""


def input_files(paths: list[Path]) -> list[str]:
    """The convertible files under `paths`, sorted."""
    files: list[str] = []
    for path in (p.resolve() for p in paths):
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [str(p) for p in candidates if p.is_file() and p.suffix.lower() in SUFFIXES
                  and p.name != "SOURCE.md" and not p.name.startswith(".")]
    return files


def convert_all(src: Path, files: list[str]) -> dict[str, list[object]]:
    """`convert` output of each file with the package in `src` (stdout, stderr, exit code)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps(files), env=env,
                          capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    """Compare; 0 when every file converts identically (or is one of the expected changes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="main",
                        help="git revision to compare with (its merge base with HEAD is used)")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to convert")
    parser.add_argument("--expect-changed", action="append", default=[], type=Path,
                        metavar="FILE", help="a file whose output is meant to change (shown)")
    args = parser.parse_args(argv)
    base = subprocess.run(["git", "-C", str(REPO), "merge-base", "HEAD", args.base], check=True,
                          capture_output=True, text=True).stdout.strip()
    expected = {str(path.resolve()) for path in args.expect_changed}
    files = input_files(args.paths or [p for p in DEFAULT_PATHS if p.exists()])
    with tempfile.TemporaryDirectory() as tmp:
        with (Path(tmp) / "src.tar").open("wb") as archive:
            subprocess.run(["git", "-C", str(REPO), "archive", base, "src"], check=True,
                           stdout=archive)
        subprocess.run(["tar", "-xf", "src.tar"], cwd=tmp, check=True)
        before = convert_all(Path(tmp) / "src", files)
    after = convert_all(REPO / "src", files)
    new = [f for f in files if not _at_revision(base, f)]
    old = [f for f in files if f not in new]
    changed = [f for f in old if before[f] != after[f] and not _only_format_list(before[f], after[f])]
    listed = [f for f in old if before[f] != after[f] and f not in changed]
    for name in changed:
        meant = " (expected)" if str(Path(name).resolve()) in expected else ""
        print(f"changed{meant}: {name}")
        for line in difflib.unified_diff(_lines(before[name]), _lines(after[name]), base, "now",
                                         lineterm="", n=0):
            print(f"    {line}")
    for name in listed:
        print(f"unchanged but for the formats a 'cannot tell the input format' hint lists: {name}")
    print(f"{len(old) - len(changed)} of {len(old)} file(s) at {args.base} ({base[:10]}) convert as they did "
          f"({len(listed)} of them naming the new formats in a hint); {len(new)} new file(s)")
    return 1 if any(str(Path(name).resolve()) not in expected for name in changed) else 0


def _at_revision(base: str, name: str) -> bool:
    """True when `name` is outside the repository or exists at `base`."""
    path = Path(name).resolve()
    if not path.is_relative_to(REPO):
        return True
    found = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e",
                            f"{base}:{path.relative_to(REPO)}"], check=False, capture_output=True)
    return found.returncode == 0


_FORMAT_LIST = re.compile(r"pass --input-format with one of: [a-z, ]+\)")


def _only_format_list(before: list[object], after: list[object]) -> bool:
    """True when two outputs differ only in the list of format names of a hint (which
    grows with every reader added)."""
    return [_FORMAT_LIST.sub("", str(part)) for part in before] == \
        [_FORMAT_LIST.sub("", str(part)) for part in after]


def _lines(output: list[object]) -> list[str]:
    return [f"{stream}: {line}" for stream, part in zip(("stdout", "stderr", "exit"), output)
            for line in str(part).splitlines()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
