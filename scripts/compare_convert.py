"""Check that `servicecoach convert` gives byte-identical output at two git revisions.

Usage: ``python scripts/compare_convert.py [BASE_REF] [PATH...]``

Every input file under PATH (default: the tests' files, the examples, docs and the shared
format samples in ../shared/formats) is converted, one file at a time, with the code of
BASE_REF (default ``main``, checked out into a temporary folder) and with the working tree;
stdout, stderr and the exit code must be the same. Prints the files that differ and exits 1
when any does. Files named in ``--allow-changed`` lists are reported, not counted (inputs
that the newer code is meant to read differently).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUFFIXES = {".json", ".jsonl", ".ndjson", ".txt", ".transcript", ".csv", ".tsv", ".vtt",
            ".html", ".htm"}
DEFAULT_PATHS = [REPO / "tests", REPO / "examples", REPO / "docs",
                 REPO.parent / "shared" / "formats"]

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
    for path in paths:
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
    """Compare; 0 when every file converts identically."""
    base = argv[0] if argv else "main"
    files = input_files([Path(p) for p in argv[1:]] or [p for p in DEFAULT_PATHS if p.exists()])
    with tempfile.TemporaryDirectory() as tmp:
        with (Path(tmp) / "src.tar").open("wb") as archive:
            subprocess.run(["git", "-C", str(REPO), "archive", base, "src"], check=True,
                           stdout=archive)
        subprocess.run(["tar", "-xf", "src.tar"], cwd=tmp, check=True)
        before = convert_all(Path(tmp) / "src", files)
    after = convert_all(REPO / "src", files)
    changed = [f for f in files if before[f] != after[f]]
    for name in changed:
        print(f"changed: {name}")
    print(f"{len(files) - len(changed)} of {len(files)} file(s) convert identically to {base}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
