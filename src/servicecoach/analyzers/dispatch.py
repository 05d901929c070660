"""Which analyzers a turn wakes: only those that can find something in it.

An analyzer runs only in the channels its rule judges (the greeting rules of the social and
e-mail profiles never see a chat), and most analyzers read every turn of their speakers.
Those that declare `wake_keys` only find something where one of those specs has a hit, so
they run only on turns where the single phrase-and-literal pass says such a hit is
possible: the cost of a turn then grows with what it says, not with the number of phrase
rules in the packs. What such an analyzer does on every turn anyway (making its category
applicable: its optional `opens(channel, speaker)`) is done here instead, from a table
built once. A spec that only running can rule out (token patterns, fuzzy phrases, regexes
without a literal) wakes its analyzers on every turn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from servicecoach.analyzers.base import Analyzer
from servicecoach.models import Channel, Speaker
from servicecoach.nlp.matching import MatcherSet


class Dispatch:
    """The analyzers of a coach, by channel and by what wakes them (read-only once built)."""

    def __init__(self, analyzers: Sequence[Analyzer], matchers: MatcherSet,
                 leave_out: Callable[[Analyzer], bool] = lambda analyzer: False) -> None:
        """`leave_out` names analyzers this dispatch never runs (the live cues, for a batch
        report that does not want them)."""
        active: dict[Channel, list[int]] = {channel: [] for channel in Channel}
        always: dict[tuple[Channel, Speaker], list[int]] = defaultdict(list)
        woken: dict[tuple[Channel, Speaker], dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(list))
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
            for channel in _channels(analyzer):
                active[channel].append(position)
                for speaker in _speakers(analyzer):
                    if keys is None:
                        always[channel, speaker].append(position)
                        continue
                    for key in keys:
                        woken[channel, speaker][key].append(position)
                    category = opens(channel, speaker) if opens is not None else None
                    if category is not None:
                        opened[channel, speaker].add(category)
        self.active = {channel: tuple(positions) for channel, positions in active.items()}
        """Positions of the analyzers whose rules judge a channel's conversations: a
        session keeps state for these only (the others would find nothing there)."""
        self.always = {(channel, speaker): tuple(always[channel, speaker])
                       for channel in Channel for speaker in Speaker}
        """Positions of the analyzers that read every turn of a speaker, by channel."""
        self.woken = {(channel, speaker): {key: tuple(p) for key, p in
                                           woken[channel, speaker].items()}
                      for channel in Channel for speaker in Speaker}
        """For each channel and speaker, the analyzers each spec's possible hits wake, by
        canonical key."""
        self.opened = {where: frozenset(categories) for where, categories in opened.items()}
        """Categories a turn of a speaker in a channel makes applicable, woken or not."""

    def positions(
        self, channel: Channel, speaker: Speaker, candidates: Callable[[], Iterable[str]]
    ) -> tuple[int, ...]:
        """The analyzers to run on a turn of `speaker` in a conversation on `channel`, in
        the coach's order; `candidates()` gives the keys of the turn's specs with possible
        hits (asked only when it decides)."""
        always = self.always[channel, speaker]
        by_key = self.woken[channel, speaker]
        if not by_key:
            return always
        woken = [position for key in candidates() for position in by_key.get(key, ())]
        return tuple(sorted({*always, *woken})) if woken else always


def _channels(analyzer: Analyzer) -> Iterable[Channel]:
    """The channels whose conversations an analyzer judges: its rule's, else all."""
    rule = getattr(analyzer, "rule", None)
    channels = getattr(rule, "channels", None)
    return [channel for channel in Channel if channels is None or channel in channels]


def _speakers(analyzer: Analyzer) -> Iterable[Speaker]:
    """The speakers whose turns an analyzer reads: all, unless it names its `speakers`."""
    speakers = getattr(analyzer, "speakers", None)
    return [speaker for speaker in Speaker if speakers is None or speaker in speakers]
