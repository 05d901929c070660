"""Does the overall score rank conversations the way their customers' raters do?

A rated set is transcripts whose metadata holds the mean rating of each conversation
(``metadata.quality_mean.S`` in ``../shared/satisfaction/``: customer satisfaction, -2 to
2). ``servicecoach eval --satisfaction`` scores each one and prints Spearman's rho between
the overall score and the rating, beside the baseline of VADER's compound score of the
customer's last turn alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from servicecoach.coach import Coach
from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.evaluation import Fold
from servicecoach.models import Speaker, Transcript
from servicecoach.nlp.sentiment import piece_compound
from servicecoach.readers import iter_sources, read_sources


@dataclass(frozen=True)
class RankAgreement:
    """Spearman's rho of the overall score, and of the baseline, with the ratings."""

    dialogues: int
    overall: float
    baseline: float


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get their mean rank); 0 when either is constant."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    var = sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)
    return cov / var**0.5 if var > 0 else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2
        start = end + 1
    return ranks


def rating(transcript: Transcript, scale: str) -> float:
    """The transcript's mean rating on `scale`; `InputError` when it has none."""
    extra = transcript.metadata.model_extra or {}
    means = extra.get("quality_mean")
    value = means.get(scale) if isinstance(means, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"no rating metadata.quality_mean.{scale}", source=transcript.id,
                         hint="give each transcript its raters' mean in metadata.quality_mean")
    return float(value)


def last_customer_compound(transcript: Transcript) -> float:
    """VADER's compound score of the customer's whole last turn (0 without one): the
    baseline the rated set's README gives."""
    turns = [t for t in transcript.turns if t.speaker is Speaker.CUSTOMER and t.text.strip()]
    return piece_compound(turns[-1].text) if turns else 0.0


def agreement(coach: Coach, transcripts: Sequence[Transcript], scale: str = "S") -> RankAgreement:
    """Rank agreement of the overall score (a conversation with nothing to judge counts
    as 100) and of the baseline with the ratings."""
    if len(transcripts) < 3:
        raise ServiceCoachError("a rank correlation needs at least 3 rated transcripts")
    ratings = [rating(t, scale) for t in transcripts]
    overall = [report.overall if report.overall is not None else 100.0
               for report in coach.score_many(transcripts)]
    baseline = [last_customer_compound(t) for t in transcripts]
    return RankAgreement(len(transcripts), spearman(overall, ratings),
                         spearman(baseline, ratings))


def run_satisfaction(
    coach: Coach,
    path: str | Path,
    out: TextIO = sys.stdout,
    *,
    fold: Fold | None = None,
    min_rho: float = 0.0,
    scale: str = "S",
) -> int:
    """Print the rank agreement on a rated set; 1 when rho is below `min_rho`, else 0."""
    transcripts = []
    for item in read_sources(iter_sources([str(path)])):
        if isinstance(item, InputError):
            raise ServiceCoachError(f"a rated transcript could not be read: {item}")
        if fold is None or fold.keeps(item.id):
            transcripts.append(item)
    if fold is not None and not transcripts:
        raise fold.empty(str(path))
    found = agreement(coach, transcripts, scale)
    part = f" ({fold})" if fold is not None else ""
    out.write(f"{found.dialogues} rated dialogues{part}, rating {scale}\n"
              f"{'Spearman rho, overall score:':<58} {found.overall:.3f}\n"
              f"{'Spearman rho, VADER of the last customer turn (baseline):':<58} "
              f"{found.baseline:.3f}\n")
    if found.overall < min_rho:
        out.write(f"below target: rho {found.overall:.3f} < {min_rho:.2f}\n")
        return 1
    return 0
