"""The rule catalogue: one Markdown page per rule and an index, generated from the packs.

`servicecoach rules docs` writes them to ``docs/rules/``; ``--check`` fails when the
pages on disk differ from what the loaded rules generate, so CI catches stale docs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from servicecoach.analyzers.builtins import registered
from servicecoach.rules.schema import (
    BuiltinRule,
    ConditionalRule,
    MatchSpec,
    PhraseRule,
    Rule,
    SignalCondition,
)

_LIST_LIMIT = 60
ANALYZERS_PAGE = "analyzers.md"
"""The page of built-in analyzer names, beside the rule pages."""


_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _prose(text: str) -> str:
    """A pack's text as Markdown prose: HTML in it is shown, not rendered."""
    return text.translate(_HTML)


def _one_line(text: str) -> str:
    """A pack's text in a table cell or a list item: prose on one line, ``|`` escaped (it
    would split a table's columns)."""
    return " ".join(_prose(text).split()).replace("|", "\\|")


def _longest_backtick_run(text: str) -> int:
    """The length of the longest run of backticks in `text` (0 when there is none)."""
    return max((len(run) for run in re.findall("`+", text)), default=0)


def _code(text: str) -> str:
    """A pack's text as an inline code span on one line, whatever backticks it holds (the
    span's fence is longer than any run of them)."""
    text = " ".join(text.splitlines())
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_block(text: str) -> list[str]:
    """A pack's text as a fenced code block, the fence longer than any run of backticks in it."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return [f"{fence}text excerpt", text.rstrip(), fence]


def rule_page(rule: Rule) -> str:
    """The Markdown page of one rule. A pack's text is shown as it is written, never run as
    HTML or Markdown structure (see `_prose`, `_one_line`, `_code`)."""
    lines = [f"# `{rule.id}`", ""]
    kind = "strength" if rule.finding.value == "strength" else f"issue ({rule.severity.value})"
    lines += [
        "| | |", "|---|---|",
        f"| finding | {kind} |",
        f"| category | {_one_line(rule.category)} |",
        f"| rule kind | {rule.kind} |",
        f"| speaker | {rule.speaker} |",
        f"| channels | {', '.join(c.value for c in rule.channels)} |",
        "",
    ]
    if rule.docs is not None:
        lines += ["## What it does", "", _prose(rule.docs.what.strip()), "",
                  "## Why it matters", "", _prose(rule.docs.why.strip()), "",
                  "## Example", "", *_code_block(rule.docs.example), "",
                  "## Use instead", "", *_code_block(rule.docs.use_instead), ""]
    lines += ["## Message and suggestion", "", f"- message: {_one_line(rule.message)}",
              f"- suggestion: {_one_line(rule.suggestion)}", ""]
    reads = _signals(rule)
    if reads:
        where = ("Signals are defined in the pack's `signals/` folder (see "
                 "[signals](../signals.md)).")
        lines += ["## Signals read", "", *reads, "", where, ""]
    for title, spec in _specs(rule):
        lines += [f"## {title}", "", *_spec_lines(spec), ""]
    if isinstance(rule, BuiltinRule):
        lines += ["## Settings", "", f"Analyzer: `{rule.analyzer}`", ""]
        lines += [f"- {_code(key)}: {_code(str(value))}"
                  for key, value in sorted(rule.settings.items())] or [
            "(none)"]
        lines.append("")
    if rule.suppressed_by:
        lines += ["## Suppressed by", "", ", ".join(f"`{s}`" for s in rule.suppressed_by), ""]
    return "\n".join(lines)


def _signals(rule: Rule) -> list[str]:
    """One line per signal condition the rule reads."""
    found: list[tuple[str, SignalCondition | None]] = []
    if isinstance(rule, PhraseRule):
        found = [("Matches", rule.signal)]
    elif isinstance(rule, ConditionalRule):
        found = [("Trigger", rule.trigger.signal), ("Expects", rule.expect_signal),
                 ("Reply that shows the trigger", rule.reply_shows_trigger)]
    return [f"- {title}: `{c.signal}` at {c.at_least:g} or more"
            for title, c in found if c is not None]


def _specs(rule: Rule) -> list[tuple[str, MatchSpec]]:
    found: list[tuple[str, Any]] = []
    if isinstance(rule, PhraseRule):
        found = [("Matches", rule.match), ("Followed by", rule.followed_by),
                 ("Unless (same turn)", rule.unless)]
    elif isinstance(rule, ConditionalRule):
        found = [("Trigger", rule.trigger.match), (f"Expects ({rule.when} fires)", rule.expect),
                 ("Unless", rule.unless)]
    elif isinstance(rule, BuiltinRule):
        found = [(f"Phrase list `{name}`", spec) for name, spec in sorted(rule.phrases.items())]
    else:
        found = [("Swaps", None)]
    return [(title, spec) for title, spec in found if spec is not None]


def _spec_lines(spec: MatchSpec) -> list[str]:
    lines: list[str] = []
    for label, values in (("phrases", spec.phrases), ("lemma-aware phrases", spec.lemmas),
                          ("regular expressions", spec.regex), ("exceptions", spec.exceptions)):
        if values:
            shown = ", ".join(_code(v) for v in values[:_LIST_LIMIT])
            more = f" and {len(values) - _LIST_LIMIT} more" if len(values) > _LIST_LIMIT else ""
            lines.append(f"- {label}: {shown}{more}")
    if spec.patterns:
        lines.append(f"- {len(spec.patterns)} token pattern(s)")
    if spec.fuzzy is not None:
        lines.append(f"- fuzzy ({spec.fuzzy.scorer} >= {spec.fuzzy.cutoff:g}): "
                     + ", ".join(_code(p) for p in spec.fuzzy.phrases))
    lines.append(f"- negation {'ignored' if spec.negation else 'not checked'}, quotes "
                 f"{'ignored' if spec.quotes else 'counted'}"
                 + (", someone else's instructions ignored" if spec.reported else ""))
    return lines


def index_page(rules: tuple[Rule, ...]) -> str:
    """The index table of all rules."""
    lines = ["# Rules", "", "Generated by `servicecoach rules docs`; do not edit by hand.", "",
             ("The analyzer names a `kind: builtin` rule can use are in "
             f"[{ANALYZERS_PAGE}]({ANALYZERS_PAGE})."), "",
             "| id | finding | severity | category | what it does |", "|---|---|---|---|---|"]
    for rule in sorted(rules, key=lambda r: r.id):
        what = _one_line(rule.docs.what) if rule.docs else ""
        lines.append(f"| [`{rule.id}`]({rule.id}.md) | {rule.finding.value} | "
                     f"{rule.severity.value} | {_one_line(rule.category)} | {what} |")
    return "\n".join(lines) + "\n"


def analyzers_page(rules: tuple[Rule, ...], analyzers: dict[str, str]) -> str:
    """The built-in analyzers a ``kind: builtin`` rule can name, with the loaded rules,
    settings and phrase lists that use each."""
    lines = ["# Built-in analyzers", "",
             "Generated by `servicecoach rules docs`; do not edit by hand.", "",
             ("A `kind: builtin` rule names one of these in `analyzer:`; its `settings` and "
             "`phrases` (named phrase lists) configure it. Any other name is a load error. "
             "The loaded rules show which settings and lists each analyzer reads."), "",
             "| analyzer | what it does | used by | settings | phrase lists |",
             "|---|---|---|---|---|"]
    for name, what in analyzers.items():
        users = [r for r in rules if isinstance(r, BuiltinRule) and r.analyzer == name]
        used_by = ", ".join(f"[`{r.id}`]({r.id}.md)" for r in users) or "-"
        settings = sorted({_code(f"{key}: {value}").replace("|", "\\|")
                           for r in users for key, value in r.settings.items()})
        lists = sorted({_code(key).replace("|", "\\|") for r in users for key in r.phrases})
        lines.append(f"| `{name}` | {what} | {used_by} | {', '.join(settings) or '-'} | "
                     f"{', '.join(lists) or '-'} |")
    return "\n".join(lines) + "\n"


def catalogue(rules: tuple[Rule, ...]) -> dict[str, str]:
    """File name -> content for every page."""
    pages = {f"{rule.id}.md": rule_page(rule) for rule in rules}
    pages["index.md"] = index_page(rules)
    pages[ANALYZERS_PAGE] = analyzers_page(rules, registered())
    return pages


def stale_pages(folder: Path, rules: tuple[Rule, ...]) -> list[str]:
    """Pages that are missing, different, or left over from a removed rule."""
    expected = catalogue(rules)
    stale = [name for name, text in expected.items()
             if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
    if folder.is_dir():
        stale += sorted(p.name for p in folder.glob("*.md") if p.name not in expected)
    return sorted(stale)


def write_catalogue(folder: Path, rules: tuple[Rule, ...]) -> int:
    """Write every page (and remove pages of rules that no longer exist); return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = catalogue(rules)
    for leftover in folder.glob("*.md"):
        if leftover.name not in pages:
            leftover.unlink()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return len(pages)
