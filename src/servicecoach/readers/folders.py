"""The files of the folders named on the command line: the one walk of a folder that every
command makes (`folder_files`), the ``--exclude`` globs that leave files out of it
(`ExcludeGlobs`), and what a path found is when it is no regular file to read
(`irregular`)."""

from __future__ import annotations

import re
import shlex
import stat
from collections.abc import Callable, Iterator, Sequence
from fnmatch import translate
from pathlib import Path


def irregular(path: Path) -> str | None:
    """What `path` is when it is no regular file to read: no such file, a link to a missing
    file, a folder, a device or a named pipe (which would be read until memory runs out, or
    wait forever for a writer), or a path the system cannot look up; None for a regular
    file or a link to one."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "a link to a missing file" if path.is_symlink() else "no such file"
    except OSError as error:
        return f"cannot look up the path: {error.strerror}"
    if stat.S_ISREG(mode):
        return None
    return "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device or a named pipe)"


def _candidates(file: Path, folder: Path) -> tuple[list[str], list[str]]:
    """What `ExcludeGlobs` matches a glob against: the names of `file` and of the subfolders of
    `folder` it is in, and their paths from `folder`."""
    relative = file.relative_to(folder)
    parents = list(relative.parents)[:-1]
    return ([relative.name, *(parent.name for parent in parents)],
            [relative.as_posix(), *(parent.as_posix() for parent in parents)])


class _Globs:
    """`--exclude` globs, compiled once: a glob without a wildcard is a name or a path looked
    up in a set, the others filed by the longer of their literal start and end (``call-17``
    of ``call-17*.json``, ``.json`` of ``*.json``), so that a name or a path is matched only
    against the globs whose literal start it starts with or whose end it ends with. Many
    globs (a list of files already read, given as thousands of ``--exclude``, wildcards
    among them) cost each file a look-up per length of a literal end, not a match per glob;
    only a glob with no literal start or end (``*``, ``*old*``) is tried on every file."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = [pattern.strip("/") for pattern in patterns]
        self.names = {p for p in self.patterns if "/" not in p and not _WILD.search(p)}
        self.paths = {p for p in self.patterns if "/" in p and not _WILD.search(p)}
        wild = list(dict.fromkeys(p for p in self.patterns if _WILD.search(p)))
        matchers: dict[str, Callable[[str], object]] = {}
        self.name_globs = _WildGlobs([p for p in wild if "/" not in p], matchers)
        self.path_globs = _WildGlobs(wild, matchers)

    def match(self, names: list[str], paths: list[str]) -> bool:
        """Whether a glob matches one of `names` (a glob without ``/``) or `paths`."""
        return (any(name in self.names for name in names)
                or any(path in self.paths for path in paths)
                or any(self.name_globs.first(name) for name in names)
                or any(self.path_globs.first(path) for path in paths))

    def unused(self, names: set[str], paths: set[str]) -> list[str]:
        """The globs (as given, stripped of ``/``) that match none of `names` and `paths`,
        the names and paths of every file of the folders."""
        used = {glob for name in names for glob in self.name_globs.matching(name)}
        used.update(glob for path in paths for glob in self.path_globs.matching(path))
        return [pattern for pattern in self.patterns if not (
            pattern in names if pattern in self.names
            else pattern in paths if pattern in self.paths
            else pattern in used)]


_WILD = re.compile(r"[*?\[]")
_LITERAL_START = re.compile(r"[^*?\[]*")
_LITERAL_END = re.compile(r"[^*?\[\]]*\Z")


class _WildGlobs:
    """Wildcard globs filed by the longer of their literal start and end (see `_Globs`), each
    compiled when it is first tried (into `matchers`, shared by the globs of names and those
    of paths): a glob no file's name comes near is never compiled."""

    def __init__(self, patterns: list[str], matchers: dict[str, Callable[[str], object]]) -> None:
        self.matchers = matchers
        self.starting: dict[str, list[str]] = {}
        self.ending: dict[str, list[str]] = {}
        self.anywhere: list[str] = []
        for glob in patterns:
            head = _LITERAL_START.match(glob).group()  # type: ignore[union-attr]
            tail = _LITERAL_END.search(glob).group()  # type: ignore[union-attr]
            if head and len(head) >= len(tail):
                self.starting.setdefault(head, []).append(glob)
            elif tail:
                self.ending.setdefault(tail, []).append(glob)
            else:
                self.anywhere.append(glob)
        self.start_lengths = sorted({len(head) for head in self.starting})
        self.end_lengths = sorted({len(tail) for tail in self.ending})

    def _candidates(self, text: str) -> Iterator[str]:
        for length in self.start_lengths:
            if length > len(text):
                break
            yield from self.starting.get(text[:length], ())
        for length in self.end_lengths:
            if length > len(text):
                break
            yield from self.ending.get(text[-length:], ())
        yield from self.anywhere

    def matching(self, text: str) -> Iterator[str]:
        """The globs that match `text`."""
        return (glob for glob in self._candidates(text) if self._matcher(glob)(text))

    def _matcher(self, glob: str) -> Callable[[str], object]:
        match = self.matchers.get(glob)
        if match is None:
            match = self.matchers[glob] = _compiled(glob)
        return match

    def first(self, text: str) -> bool:
        """Whether a glob matches `text`."""
        return any(True for _ in self.matching(text))


def _compiled(glob: str) -> Callable[[str], object]:
    """The match of the fnmatch `glob`, whole, compiled."""
    return re.compile(translate(glob)).match


def hidden(file: Path, folder: Path) -> bool:
    """Whether `file`, found in `folder`, is hidden or in a hidden subfolder (``.git``,
    a notebook's ``.ipynb_checkpoints`` holding a copy of each export)."""
    return any(part.startswith(".") for part in file.relative_to(folder).parts)


class ExcludeGlobs:
    """The globs of an ``--exclude``: which files of a folder they leave out (`excludes`),
    and which of them matched no file of the folders walked (a misspelt ``--exclude``, which
    leaves in the file it meant to leave out), told without walking the folders a second
    time: the walk notes each file it finds (`note`; hidden files and those no reader reads
    included). The files' names and paths are kept once each and matched against the globs
    at the end, so many globs and many files cost their sum, not their product.

    A glob without ``/`` is matched against a file's name (``README.txt``, ``*.json``) or a
    subfolder's (``archive``), one with ``/`` against its path from the folder walked
    (``archive/*``, ``2026-*/manifest.json``) or the path of a subfolder of it."""

    def __init__(self, exclude: Sequence[str] = ()) -> None:
        self._exclude = tuple(exclude)
        self._globs = _Globs(self._exclude)
        self._names: set[str] = set()
        self._paths: set[str] = set()

    def excludes(self, file: Path, folder: Path) -> bool:
        """Whether a glob matches `file`, found in `folder`."""
        return bool(self._exclude) and self._globs.match(*_candidates(file, folder))

    def note(self, file: Path, folder: Path) -> None:
        """Note `file`, found in `folder`."""
        if self._exclude:
            names, paths = _candidates(file, folder)
            self._names.update(names)
            self._paths.update(paths)

    def unmatched(self) -> list[str]:
        """The globs that matched no file noted, in the order given."""
        unused = set(self._globs.unused(self._names, self._paths))
        return [glob for glob in self._exclude if glob.strip("/") in unused]

    def warnings(self) -> list[str]:
        """A warning for each glob that matched no file of the folders walked."""
        return [f"warning: --exclude {shlex.quote(glob)} matches no file in the folders "
                "named (a file named on the command line is read whatever it matches)"
                for glob in self.unmatched()]


def folder_files(folder: Path, exclude: ExcludeGlobs | None = None) -> list[Path]:
    """Everything in `folder` and its subfolders that is not a folder, sorted, less hidden
    files (and the files of hidden subfolders) and those a glob of `exclude` matches; each
    noted in `exclude`, hidden and excluded ones too. A link to a missing file, a named pipe
    or a device is among them (see `irregular`): each command names it as an error, rather
    than leave out a file of the folder without a word. The one walk of a folder, for
    `score`, `convert`, `summarize --transcripts` and `check` alike."""
    exclude = exclude or ExcludeGlobs()
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        exclude.note(path, folder)
        if not hidden(path, folder) and not exclude.excludes(path, folder):
            files.append(path)
    return files
