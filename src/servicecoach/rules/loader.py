"""Load rule packs from YAML, safely, with every error located at file and line.

YAML is composed into nodes first so that each value keeps its line; a pydantic error
on a rule is then reported at the line of the offending key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from servicecoach.bounded_files import FileRefused, read_bounded
from servicecoach.errors import RulePackError, RulePackErrors, quoted
from servicecoach.rules.profiles import check_profiles
from servicecoach.rules.schema import PackManifest, Rule, SignalSpec, shown_id

MAX_ALIASES = 100
"""The most alias uses (``*name``) one YAML file may hold: enough for shared phrase lists,
far too few for an alias bomb (aliases of aliases, each doubling the data)."""
MAX_VALUES = 100_000
"""The most values (aliases expanded) one YAML file may hold."""
MAX_DEPTH = 64
"""The deepest nesting of lists and mappings one YAML file may hold."""
MAX_FILE_BYTES = 10_000_000
"""The largest YAML file a pack may hold (the bundled packs' largest is 161 KB)."""
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "seq", "map", "merge"))
_RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)
_MANIFEST = "pack.yaml"
MANIFEST = _MANIFEST
"""The file that makes a folder a rule pack."""
_SIGNALS = "signals"
"""The pack's sub-folder whose YAML files define signals (`SignalSpec`), not rules."""
_Lines = dict[tuple[Any, ...], int]


@dataclass(frozen=True)
class RuleLocation:
    """Where a rule was defined."""

    path: str
    line: int


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its manifest, its rules (parents first) and where each rule came from."""

    manifest: PackManifest
    path: Path
    rules: tuple[Rule, ...]
    locations: dict[str, RuleLocation]
    versions: dict[str, str]
    """Name -> version of this pack and every pack it extends."""
    lineage: tuple[PackManifest, ...]
    """The manifests of the packs it extends, then its own: later ones override settings."""
    signals: tuple[SignalSpec, ...] = ()
    """The signals its rules read; a pack redefines a parent's signal by giving its id again."""
    signal_locations: dict[str, RuleLocation] = field(default_factory=dict)
    """Where each of `signals` was defined (the line of its id), for errors found later."""


def bundled_packs_dir() -> Path:
    """The folder holding the packs shipped with servicecoach (``core``...)."""
    installed = Path(str(files("servicecoach"))) / "packs"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "rules"  # source checkout / editable install


def resolve_pack(name_or_path: str, *, relative_to: Path | None = None) -> Path:
    """A bundled pack name (``core``) or a folder path, to the pack's folder."""
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if _is_pack(candidate):
        return candidate
    bundled = bundled_packs_dir() / name_or_path
    if _is_pack(bundled):
        return bundled
    known = sorted(p.name for p in bundled_packs_dir().iterdir() if (p / _MANIFEST).is_file())
    where = str(candidate)
    raise RulePackError(
        f"no rule pack {quoted(name_or_path)}",
        path=where if len(where) <= _PATH_SHOWN else f"{where[:_PATH_SHOWN]}...",
        hint=f"give a folder with a {_MANIFEST}, or a bundled pack: {', '.join(known)}",
    )


MAX_EXTENDS_DEPTH = 32
"""How many packs deep `extends` may reach (each is loaded through the pack that extends it:
a chain of 1,200 stopped the loader with a RecursionError)."""


_PATH_SHOWN = 300
"""Characters of a pack's path an error shows (a name in `extends` may be of any length)."""


def _is_pack(folder: Path) -> bool:
    """Whether `folder` holds a pack's manifest; a path the system cannot look up (a name
    longer than a file name may be, a NUL byte) holds none."""
    try:
        return (folder / _MANIFEST).is_file()
    except (OSError, ValueError):
        return False


def load_pack(
    name_or_path: str, *, _seen: tuple[str, ...] = (), _loaded: dict[Path, Pack] | None = None
) -> Pack:
    """Load a pack and the packs it extends; rules of parents come first. A pack reached
    twice (two parents extending ``core``) is loaded once and its rules counted once."""
    folder = resolve_pack(name_or_path)
    loaded = {} if _loaded is None else _loaded
    if folder.resolve() in loaded:
        return loaded[folder.resolve()]
    manifest_path = folder / _MANIFEST
    data, lines = _compose(manifest_path)
    manifest = _validate_manifest(data, lines, manifest_path)
    if manifest.name in _seen:
        raise RulePackError(
            f"pack {manifest.name!r} extends itself through {' -> '.join(_seen)}",
            path=str(manifest_path),
            hint="remove the cycle from 'extends'",
        )
    if len(_seen) > MAX_EXTENDS_DEPTH:
        chain = [*_seen[:2], "...", *_seen[-1:]]
        raise RulePackError(
            f"'extends' reaches more than {MAX_EXTENDS_DEPTH} packs deep "
            f"({' -> '.join(chain)} -> {manifest.name})", path=str(manifest_path),
            hint="shorten the chain: a pack may extend several packs at once")
    rules: list[Rule] = []
    locations: dict[str, RuleLocation] = {}
    versions: dict[str, str] = {}
    lineage: list[PackManifest] = []
    signals: dict[str, SignalSpec] = {}
    signal_locations: dict[str, RuleLocation] = {}
    for parent_name in manifest.extends:
        parent_path = resolve_pack(parent_name, relative_to=folder)
        parent = load_pack(str(parent_path), _seen=(*_seen, manifest.name), _loaded=loaded)
        _merge(rules, locations, parent.rules, parent.locations)
        versions.update(parent.versions)
        lineage.extend(m for m in parent.lineage if m not in lineage)
        signals.update((spec.id, spec) for spec in parent.signals)
        signal_locations.update(parent.signal_locations)
    own_rules, own_locations = _load_rule_files(folder)
    _merge(rules, locations, own_rules, own_locations, extending=True)
    check_profiles(manifest, rules, lines, manifest_path)
    _check_weights(manifest, rules, lines, manifest_path)
    versions[manifest.name] = manifest.version
    own_signals = _load_signal_files(folder)
    signals.update((spec.id, spec) for spec, _ in own_signals)
    signal_locations.update((spec.id, where) for spec, where in own_signals)
    pack = Pack(manifest, folder, tuple(rules), locations, versions, (*lineage, manifest),
                tuple(signals.values()), signal_locations)
    loaded[folder.resolve()] = pack
    return pack


def _check_weights(manifest: PackManifest, rules: list[Rule], lines: _Lines, path: Path) -> None:
    """Refuse a weight for a category that no rule of the pack or of the packs it extends
    has (a misspelt ``empthy``, a category whose rules were removed): it would weigh nothing
    for every user of the pack, and nobody would be told. A configuration's such weight is
    only a warning (its weights may be for packs that ``--pack`` replaces in a run), but a
    pack's rules are fixed by the pack and its ``extends``: a pack that weighs another
    pack's categories extends that pack."""
    known = sorted({rule.category for rule in rules})
    for category in manifest.weights:
        if category in known:
            continue
        from servicecoach.suggest import did_you_mean  # rapidfuzz, only when refusing

        listed = f"its categories are {', '.join(known)}" if known else "it has no rules"
        raise RulePackError(
            f"weights: no rule of this pack or the packs it extends has the category "
            f"{quoted(category)}, so its weight would weigh nothing",
            path=str(path), line=_nearest_line(lines, ("weights", category)),
            hint=did_you_mean(category, known, f"{listed}; to weigh another pack's "
                              "category, extend that pack"))


_UNIQUE_HINT = "rule ids are unique across a pack and the packs it extends; rename one"
_REUSED_HINT = (
    "rule ids are unique across a pack and the packs it extends: give the rule an id of its "
    "own, or change the rule it repeats with a [rules.\"{id}\"] table in servicecoach.toml: "
    "severity, add_phrases, add_exceptions, remove_phrases, settings or enabled = false; docs/configuration.md"
)


def _merge(
    rules: list[Rule],
    locations: dict[str, RuleLocation],
    new_rules: tuple[Rule, ...] | list[Rule],
    new_locations: dict[str, RuleLocation],
    *,
    extending: bool = False,
) -> None:
    """Add `new_rules` to `rules`; `extending` when they are a pack's own, added to the
    rules of the packs it extends (a reused id is then a change meant for one of theirs)."""
    for rule in new_rules:
        where = new_locations[rule.id]
        if locations.get(rule.id) == where:
            continue  # the same pack reached through two parents
        if rule.id in locations:
            first = locations[rule.id]
            raise RulePackError(
                f"duplicate rule id {rule.id!r} (first defined at {first.path}:{first.line})",
                path=where.path,
                line=where.line,
                hint=_REUSED_HINT.format(id=rule.id) if extending else _UNIQUE_HINT,
            )
        rules.append(rule)
        locations[rule.id] = where


def _load_rule_files(folder: Path) -> tuple[list[Rule], dict[str, RuleLocation]]:
    """Every rule of the pack's files; all the problems found, not only the first."""
    rules: list[Rule] = []
    locations: dict[str, RuleLocation] = {}
    problems: list[RulePackError] = []
    for path in sorted(folder.rglob("*.yaml")):
        if (path.name == _MANIFEST and path.parent == folder) or _is_signal_file(folder, path):
            continue
        try:
            data, lines = _compose(path)
        except RulePackError as error:
            problems.append(error)
            continue
        entries = data if isinstance(data, list) else [data]
        for index, entry in enumerate(entries):
            prefix = (index,) if isinstance(data, list) else ()
            try:
                rule = _validate_rule(entry, lines, path, prefix)
                line = lines.get((*prefix, "id"), lines[prefix])
                _merge(rules, locations, [rule], {rule.id: RuleLocation(str(path), line)})
            except RulePackError as error:
                problems.append(error)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise RulePackErrors(problems)
    return rules, locations


def _is_signal_file(folder: Path, path: Path) -> bool:
    return path.relative_to(folder).parts[0] == _SIGNALS


def _load_signal_files(folder: Path) -> list[tuple[SignalSpec, RuleLocation]]:
    """The signals defined in the pack's ``signals/`` folder, each with where it is defined;
    an id defined twice is an error."""
    specs: dict[str, tuple[SignalSpec, RuleLocation]] = {}
    for path in sorted((folder / _SIGNALS).glob("*.yaml")):
        data, lines = _compose(path)
        entries = data if isinstance(data, list) else [data]
        for index, entry in enumerate(entries):
            prefix = (index,) if isinstance(data, list) else ()
            where = RuleLocation(str(path), lines.get((*prefix, "id"), lines.get(prefix, 1)))
            try:
                spec = SignalSpec.model_validate(entry)
            except ValidationError as error:
                ident = entry.get("id") if isinstance(entry, dict) else None
                raise _located(error, lines, path, prefix, ident, owner="signal") from None
            if spec.id in specs:
                first = specs[spec.id][1]
                raise RulePackError(
                    f"duplicate signal id {spec.id!r} (first defined at {first.path}:{first.line})",
                    path=str(path), line=lines.get((*prefix, "id")),
                    hint="signal ids are unique in a pack; a pack that extends another "
                    "redefines a signal by giving its id again in its own signals/ folder",
                )
            specs[spec.id] = (spec, where)
    return list(specs.values())


def _validate_rule(entry: Any, lines: _Lines, path: Path, prefix: tuple[Any, ...]) -> Rule:
    if not isinstance(entry, dict):
        raise RulePackError(
            "a rule must be a mapping with 'id', 'kind', ...",
            path=str(path),
            line=lines.get(prefix),
            hint="see docs/writing-rules.md",
        )
    try:
        return _RULE_ADAPTER.validate_python(entry)
    except ValidationError as error:
        raise _located(error, lines, path, prefix, entry.get("id")) from None


def _validate_manifest(data: Any, lines: _Lines, path: Path) -> PackManifest:
    try:
        return PackManifest.model_validate(data)
    except ValidationError as error:
        raise _located(error, lines, path, (), None) from None


def _located(
    error: ValidationError, lines: _Lines, path: Path, prefix: tuple[Any, ...], rule_id: Any,
    owner: str = "rule",
) -> RulePackError:
    # A misspelt key explains a "missing field" error too: report it first.
    first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = tuple(first["loc"])
    # Discriminated unions put the kind name in the location: drop it to find the YAML key.
    if loc and isinstance(loc[0], str) and loc[0] in {"phrase", "substitution", "conditional",
                                                       "signal", "builtin"}:
        loc = loc[1:]
    line = _nearest_line(lines, prefix + loc)
    key = ".".join(str(part) for part in loc)
    what = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        what = f"unknown key {key!r}"
        hint = "remove it or check its spelling (docs/writing-rules.md lists every key)"
    elif first["type"] == "union_tag_invalid":
        kind = first["input"].get("kind") if isinstance(first["input"], dict) else first["input"]
        what = f"unknown kind {quoted(str(kind))}"  # whole until 2026-12-07, 100 KB too
        line = lines.get((*prefix, "kind"), line)
        hint = "kind is one of: phrase, substitution, conditional, signal, builtin"
    elif first["type"] == "union_tag_not_found":
        what = "missing 'kind'"
        hint = "add 'kind: phrase' (or substitution, conditional, builtin)"
    else:
        what = f"{key}: {what}" if key else what
        hint = "see docs/writing-rules.md"
    if rule_id:
        what = f"{owner} {shown_id(rule_id)}: {what}"
    return RulePackError(what, path=str(path), line=line, hint=hint)


def _nearest_line(lines: _Lines, loc: tuple[Any, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def load_yaml_lines(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """A YAML file's data, read with the rule packs' protections (no tags that run code, no
    alias bombs, bounded nesting), and the 1-based line of every key and item (by its path
    of keys); a `RulePackError` says where it is wrong."""
    return _compose(path)


def line_in_rule(where: RuleLocation, keys: tuple[Any, ...]) -> int | None:
    """The line of `keys` (``("match", "lemmas", 2)``) in the rule defined at `where`, its
    file read again (for a problem found once the rule is compiled, long after loading);
    None when the file no longer holds that rule or that key."""
    try:
        data, lines = _compose(Path(where.path))
    except (OSError, RulePackError):
        return None
    prefixes = [(index,) for index in range(len(data))] if isinstance(data, list) else [()]
    for prefix in prefixes:
        if lines.get((*prefix, "id")) == where.line:
            return lines.get((*prefix, *keys))
    return None


def _compose(path: Path) -> tuple[Any, _Lines]:
    """Parse YAML safely; return the data and the 1-based line of every key and item."""
    text = read_utf8(path)
    node = _compose_in_c(text)
    if node is None:
        node = _compose_in_python(text, path)
    if node is None:
        raise RulePackError("the file is empty", path=str(path), hint="add a rule or delete it")
    lines: _Lines = {}
    constructor = yaml.SafeLoader(text)
    return _to_python(node, (), lines, constructor, _Budget(str(path))), lines


def _compose_in_python(text: str, path: Path) -> yaml.Node | None:
    """The file's node tree composed by PyYAML, which says where the file is wrong."""
    try:
        loader = _AliasBudgetLoader(text, str(path))
    except yaml.reader.ReaderError as error:  # a control character YAML does not allow
        raise RulePackError(
            f"invalid YAML: character {error.character:#06x} is not allowed",
            path=str(path), line=text.count("\n", 0, error.position) + 1,
            hint="remove the control character") from None
    try:
        node: yaml.Node | None = loader.get_single_node()
    except RecursionError:
        raise RulePackError(f"nested too deeply (limit {MAX_DEPTH} levels)", path=str(path),
                            hint="flatten the lists and mappings") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise RulePackError(
            f"invalid YAML: {error.problem}",
            path=str(path),
            line=mark.line + 1 if mark else None,
            hint="check indentation, colons and quotes on that line",
        ) from None
    finally:
        loader.dispose()
    return node


def _compose_in_c(text: str) -> yaml.Node | None:
    """The file's node tree composed by LibYAML (C, several times faster than PyYAML's
    Python composer), when LibYAML is installed and the file is well-formed, has at most
    `MAX_ALIASES` aliases and is at most `MAX_DEPTH` levels deep; else None, and the
    Python composer reads the file and reports what is wrong with it.

    The aliases and the depth are checked on LibYAML's events first, which it produces
    without recursing, so a hostile file never reaches the recursive composer."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    try:
        aliases = depth = 0
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    return None
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    return node


def read_utf8(path: Path) -> str:
    """A YAML file's text (a UTF-8 byte-order mark dropped); other encodings are refused
    at the line of their first byte that is not UTF-8. Only a regular file (or a link to
    one) is read, and at most `MAX_FILE_BYTES` of it: a device (/dev/zero) or a named pipe
    is refused unopened."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as refused:
        raise RulePackError(str(refused), path=str(path), hint=(
            "a pack holds plain YAML files; split a large one over several files")) from None
    except OSError as error:
        raise RulePackError(f"cannot read: {error.strerror}", path=str(path)) from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        wide = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # a UTF-16 (or 32) byte-order mark
        raise RulePackError(
            f"not UTF-8 (byte {error.start} is {data[error.start]:#04x})", path=str(path),
            line=data.count(b"\n", 0, error.start) + 1,
            hint="save the file as UTF-8 (it " + ("is UTF-16 or UTF-32: it starts with their "
                                                 "byte-order mark)" if wide else
                                                 "may be Latin-1 or Windows-1252)")) from None


class _AliasBudgetLoader(yaml.SafeLoader):
    """A safe loader that refuses more than `MAX_ALIASES` alias uses."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self._source = source
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Count an alias before composing it."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise RulePackError(f"more than {MAX_ALIASES} aliases (*name)",
                                    path=self._source, line=mark.line + 1,
                                    hint="write the values out; an alias bomb is refused")
        return super().compose_node(parent, index)


@dataclass
class _Budget:
    """How many values a file's data still may hold (aliases expanded)."""

    source: str
    left: int = MAX_VALUES

    def spend(self, node: yaml.Node, depth: int) -> None:
        """Count one value; refuse too many, too deep, or a tag beyond plain data."""
        self.left -= 1
        line = node.start_mark.line + 1
        if self.left < 0:
            raise RulePackError(f"more than {MAX_VALUES} values (aliases expanded)",
                                path=self.source, line=line, hint="split the file")
        if depth > MAX_DEPTH:
            raise RulePackError(f"nested too deeply (limit {MAX_DEPTH} levels)",
                                path=self.source, line=line, hint="flatten the lists and mappings")
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            if tag == "!!timestamp" and isinstance(node, yaml.ScalarNode) and not node.style:
                raise RulePackError(
                    f"{node.value} reads as a date (YAML's !!timestamp), which is not allowed",
                    path=self.source, line=line,
                    hint=f'quote it to keep it as text: "{node.value}"')
            raise RulePackError(f"the tag {tag} is not allowed", path=self.source, line=line,
                                hint="use plain strings, numbers, lists and mappings")
        if isinstance(node, yaml.ScalarNode) and _has_lone_surrogate(node.value):
            raise RulePackError(
                "a \\ud800-\\udfff escape here is half of a character (a lone surrogate), "
                "which no text holds", path=self.source, line=line,
                hint="write the character itself, or its \\U escape (\\U0001F600)")


def _has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a surrogate code point (YAML's "\\ud83d" escape alone)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _to_python(
    node: yaml.Node, path: tuple[Any, ...], lines: _Lines, loader: Any, budget: _Budget
) -> Any:
    budget.spend(node, len(path))
    source = budget.source
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        try:
            loader.flatten_mapping(node)  # YAML merge keys: "<<: *defaults"
        except yaml.MarkedYAMLError as error:
            raise RulePackError(f"invalid YAML merge: {error.problem}", path=source,
                                line=error.problem_mark.line + 1 if error.problem_mark else None,
                                hint="'<<' takes a mapping or a list of mappings") from None
        merged = len(node.value) - own  # merged pairs come first; the mapping's own win
        result: dict[Any, Any] = {}
        written: set[Any] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = _scalar(key_node, loader, budget) if isinstance(key_node, yaml.ScalarNode) \
                else None
            if not isinstance(key, str | int | float | bool):
                raise RulePackError("a key must be a string", path=source,
                                    line=key_node.start_mark.line + 1,
                                    hint="write the key as plain text") from None
            if key in written:
                raise RulePackError(
                    f"duplicate key {key!r}",
                    path=source,
                    line=key_node.start_mark.line + 1,
                    hint="each key may appear once in a mapping",
                )
            if index >= merged:
                written.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, (*path, key), lines, loader, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, (*path, i), lines, loader, budget) for i, item in enumerate(node.value)
        ]
    return _scalar(node, loader, budget)


def _scalar(node: yaml.Node, loader: Any, budget: _Budget) -> Any:
    """A scalar's value; a located error for one that is invalid or too large a number."""
    budget.spend(node, 0)
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.MarkedYAMLError, ValueError) as error:
        problem = getattr(error, "problem", None) or str(error)
        raise RulePackError(f"invalid YAML value: {problem}", path=budget.source,
                            line=node.start_mark.line + 1,
                            hint="use plain strings, numbers, lists and mappings") from None
