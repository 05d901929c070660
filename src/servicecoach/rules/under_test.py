"""`servicecoach rules test FOLDER`: a folder inside a rule pack puts that pack under test,
loaded beside the configured packs, so its own rule ids are known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from servicecoach.errors import RulePackError
from servicecoach.rules.loader import MANIFEST, resolve_pack


def pack_folder(path: Path) -> Path | None:
    """The pack a path belongs to: the nearest folder at or above it with a manifest."""
    start = path.resolve()
    for folder in (start, *start.parents) if start.is_dir() else start.parents:
        if (folder / MANIFEST).is_file():
            return folder
    return None


def packs_with_those_under_test(
    configured: Sequence[str], paths: Iterable[Path], base_dir: Path | None
) -> list[str]:
    """The configured packs, then the packs the paths belong to that are not among them."""
    loaded: set[Path] = set()
    for name in configured:
        try:
            loaded.add(resolve_pack(name, relative_to=base_dir).resolve())
        except RulePackError:
            continue  # the coach reports it when it loads the packs
    packs = list(configured)
    for path in paths:
        folder = pack_folder(path)
        if folder is not None and folder not in loaded:
            loaded.add(folder)
            packs.append(str(folder))
    return packs
