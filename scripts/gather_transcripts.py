"""Write the transcripts a labels file names, taken from the dialogues in ``../shared``.

Labelled sets of real dialogues keep only their labels in the repository (the texts stay
in ``../shared``, whose licences do not allow copying them here). This script looks every
``id`` of a labels file (JSON Lines of ``{"id", "expected": [...]}``) up in the JSON Lines
files of the folders given and writes the transcripts, in the labels' order, as canonical
JSON Lines that ``servicecoach eval`` reads::

    python scripts/gather_transcripts.py tests/real-heldout/labels.jsonl ../shared/corpora \\
        ../shared/satisfaction > real-heldout.jsonl
    servicecoach eval real-heldout.jsonl tests/real-heldout/labels.jsonl --fold 0/2

Exits 1, naming them, when some ids are in none of the files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path


def wanted_ids(labels: Path) -> list[str]:
    """The transcript ids of a labels file, in its order."""
    with labels.open(encoding="utf-8-sig") as lines:
        return [json.loads(line)["id"] for line in lines if line.strip()]


def find_dialogues(ids: Iterable[str], folders: Iterable[Path]) -> dict[str, str]:
    """The JSON line of each wanted id found in the folders' ``*.jsonl`` files (the first
    file that holds an id wins)."""
    wanted, found = set(ids), {}
    for folder in folders:
        for path in sorted(folder.glob("*.jsonl")):
            with path.open(encoding="utf-8-sig") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    dialogue_id = json.loads(line).get("id")
                    if dialogue_id in wanted and dialogue_id not in found:
                        found[dialogue_id] = line.rstrip("\n")
    return found


def main(argv: list[str] | None = None) -> int:
    """Entry point: print the transcripts, or name the ids that are missing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", type=Path, help="labels file (JSON Lines with an 'id' each)")
    parser.add_argument("folders", type=Path, nargs="+",
                        help="folders whose *.jsonl files hold the dialogues")
    args = parser.parse_args(argv)
    ids = wanted_ids(args.labels)
    found = find_dialogues(ids, args.folders)
    missing = [dialogue_id for dialogue_id in ids if dialogue_id not in found]
    if missing:
        print(f"{args.labels}: {len(missing)} id(s) are in none of the files of "
              f"{', '.join(map(str, args.folders))}: {', '.join(missing[:10])}",
              file=sys.stderr)
        return 1
    for dialogue_id in ids:
        print(found[dialogue_id])
    return 0


if __name__ == "__main__":
    sys.exit(main())
