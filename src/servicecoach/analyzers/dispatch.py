"""Which analyzers a turn wakes: only those that can find something in it.

Most analyzers read every turn of their speakers. Those that declare `wake_keys` only
find something where one of those specs has a hit, so they run only on turns where the
single phrase-and-literal pass says such a hit is possible: the cost of a turn then grows
with what it says, not with the number of phrase rules in the packs. What such an
analyzer does on every turn anyway (making its category applicable: its optional
`opens(channel, speaker)`) is done here instead, from a table built once. A spec that only
running can rule out (token patterns, fuzzy phrases, regexes without a literal) wakes its
analyzers on every turn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from servicecoach.analyzers.base import Analyzer
from servicecoach.models import Channel, Speaker
from servicecoach.nlp.matching import MatcherSet


class Dispatch:
    """The analyzers of a coach, by what wakes them (read-only once built)."""

    def __init__(self, analyzers: Sequence[Analyzer], matchers: MatcherSet,
                 leave_out: Callable[[Analyzer], bool] = lambda analyzer: False) -> None:
        """`leave_out` names analyzers this dispatch never runs (the live cues, for a batch
        report that does not want them)."""
        always: dict[Speaker, list[int]] = {speaker: [] for speaker in Speaker}
        woken: dict[Speaker, dict[str, list[int]]] = {s: defaultdict(list) for s in Speaker}
        opened: dict[tuple[Channel, Speaker], set[str]] = defaultdict(set)
        for position, analyzer in enumerate(analyzers):
            if leave_out(analyzer):
                continue
            keys = getattr(analyzer, "wake_keys", None)
            opens = getattr(analyzer, "opens", None)
            if keys is not None:
                keys = tuple(dict.fromkeys(matchers.canonical(key) for key in keys))
                if any(key in matchers.always_run for key in keys):
                    keys = None  # a spec that only running can rule out wakes it on every turn
            for speaker in _speakers(analyzer):
                if keys is None:
                    always[speaker].append(position)
                    continue
                for key in keys:
                    woken[speaker][key].append(position)
                if opens is None:
                    continue
                for channel in Channel:
                    category = opens(channel, speaker)
                    if category is not None:
                        opened[channel, speaker].add(category)
        self.always = {speaker: tuple(positions) for speaker, positions in always.items()}
        """Positions of the analyzers that read every turn of a speaker."""
        self.woken = {speaker: {key: tuple(p) for key, p in by_key.items()}
                      for speaker, by_key in woken.items()}
        """For each speaker, the analyzers each spec's possible hits wake, by canonical key."""
        self.opened = {where: frozenset(categories) for where, categories in opened.items()}
        """Categories a turn of a speaker in a channel makes applicable, woken or not."""

    def positions(
        self, speaker: Speaker, candidates: Callable[[], Iterable[str]]
    ) -> tuple[int, ...]:
        """The analyzers to run on a turn of `speaker`, in the coach's order; `candidates()`
        gives the keys of the turn's specs with possible hits (asked only when it decides)."""
        always = self.always[speaker]
        by_key = self.woken[speaker]
        if not by_key:
            return always
        woken = [position for key in candidates() for position in by_key.get(key, ())]
        return tuple(sorted({*always, *woken})) if woken else always


def _speakers(analyzer: Analyzer) -> Iterable[Speaker]:
    """The speakers whose turns an analyzer reads: all, unless it names its `speakers`."""
    speakers = getattr(analyzer, "speakers", None)
    return [speaker for speaker in Speaker if speakers is None or speaker in speakers]
