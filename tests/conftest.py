"""Shared fixtures: one Coach for the whole run (building it compiles every pack once)."""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from servicecoach import Coach, Transcript
from servicecoach.readers.text import parse_transcripts

REPO = Path(__file__).resolve().parents[1]
# the project's shared data beside the checkout (real dialogues, vendor samples, ratings,
# corpora); SERVICECOACH_SHARED points elsewhere (a test sets it to a missing folder)
SHARED = Path(os.environ.get("SERVICECOACH_SHARED") or REPO.parent / "shared")
SHARED_MISSING = (f"{SHARED} is not beside the checkout: the tests that read the shared data "
                  "(real dialogues, vendor samples, ratings, corpora) did not run")


def skip_without_shared() -> None:
    """Skip the calling test when ../shared/ is absent, with the one reason every such test
    gives (pytest -ra folds them into a single line)."""
    if not SHARED.is_dir():
        pytest.skip(SHARED_MISSING)


def shared(relative: str) -> Path:
    """A path under ../shared/; skips the test when ../shared/ is absent."""
    skip_without_shared()
    return SHARED / relative


@cache
def load_script(name: str) -> ModuleType:
    """`scripts/<name>.py`, loaded as a module the way a user runs it (once per run)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_configure(config: pytest.Config) -> None:
    """Register the `needs_shared` marker."""
    config.addinivalue_line("markers", "needs_shared: the test reads ../shared/ (skipped, with "
                            "one summary line for all, when it is absent)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the tests marked `needs_shared` when ../shared/ is absent."""
    if item.get_closest_marker("needs_shared") is not None:
        skip_without_shared()


@pytest.fixture(scope="session")
def coach() -> Coach:
    """The default coach: bundled `core` pack, blank English pipeline."""
    return Coach()


def half_of(folder: Path, prefix: str, directory: Path) -> tuple[Path, Path]:
    """The transcripts and labels of a labelled set in `folder` whose ids start with
    `prefix` (one half of it), written to `directory` as files of their own."""
    paths = []
    for name in ("transcripts.jsonl", "labels.jsonl"):
        lines = [line for line in (folder / name).read_text(encoding="utf-8").splitlines()
                 if json.loads(line)["id"].startswith(prefix)]
        path = directory / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def transcript(text: str, source: str = "test.txt") -> Transcript:
    """Parse one conversation in the plain-text form, failing loudly on a parse error."""
    (parsed,) = parse_transcripts(text, source=source)
    assert isinstance(parsed, Transcript), parsed
    return parsed


READER_FIXTURES = Path(__file__).resolve().parent / "readers" / "fixtures"


@cache
def reader_samples() -> dict[str, str]:
    """A valid file of each reader that has one among the reader fixtures, by reader name."""
    from servicecoach.errors import InputError
    from servicecoach.readers.base import Source
    from servicecoach.readers.registry import detect

    found: dict[str, str] = {}
    for path in sorted(READER_FIXTURES.rglob("*")):
        if path.is_file() and path.name != "broken.json":
            try:
                found.setdefault(detect(Source.from_path(path)).name,
                                 path.read_text(encoding="utf-8"))
            except (InputError, UnicodeDecodeError):
                continue
    return found
