"""Does the overall score rank conversations the way their customers' raters do?

A rated set is transcripts whose metadata holds the mean rating of each conversation
(``metadata.quality_mean.S`` in ``../shared/satisfaction/``: customer satisfaction, -2 to
2). ``servicecoach eval --satisfaction`` scores each one and prints Spearman's rho between
the overall score and the rating, beside the baseline of VADER's compound score of the
customer's last turn alone.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from servicecoach.coach import Coach
from servicecoach.errors import InputError, ServiceCoachError
from servicecoach.evaluation import Fold, read_transcript_set
from servicecoach.models import Speaker, Transcript
from servicecoach.nlp.sentiment import piece_compound


@dataclass(frozen=True)
class RankAgreement:
    """Spearman's rho of the overall score, and of the baseline, with the ratings (None
    where a side is constant: no ranking to agree with)."""

    dialogues: int
    overall: float | None
    baseline: float | None


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation (ties get their mean rank); None when either side is
    constant, where it is undefined (it read 0, which met a target of 0)."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    var = sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)
    return cov / var**0.5 if var > 0 else None


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


def rating(transcript: Transcript, scale: str, *, source: str = "<transcripts>",
           location: str = "") -> float:
    """The transcript's mean rating on `scale`; an `InputError` (at `source`, `location`)
    when it has none, or one that is not a finite number (NaN, infinity or a string would
    rank at random)."""
    extra = transcript.metadata.model_extra or {}
    means = extra.get("quality_mean")
    value = means.get(scale) if isinstance(means, dict) else None
    key = f"metadata.quality_mean.{scale}"
    if value is None:
        problem = f"no rating {key}"
    elif isinstance(value, bool) or not isinstance(value, int | float):
        problem = f"rating {key} is not a number ({type(value).__name__})"
    elif not math.isfinite(value):
        problem = f"rating {key} is not a finite number ({value})"
    else:
        return float(value)
    raise InputError(problem, source=source, location=location, transcript_id=transcript.id,
                     hint="give each transcript its raters' mean, a number, in "
                     "metadata.quality_mean")


def last_customer_compound(transcript: Transcript) -> float:
    """VADER's compound score of the customer's whole last turn (0 without one): the
    baseline the rated set's README gives."""
    turns = [t for t in transcript.turns if t.speaker is Speaker.CUSTOMER and t.text.strip()]
    return piece_compound(turns[-1].text) if turns else 0.0


def agreement(coach: Coach, transcripts: Sequence[Transcript], scale: str = "S",
              ratings: Sequence[float] | None = None) -> RankAgreement:
    """Rank agreement of the overall score (a conversation with nothing to judge counts
    as 100) and of the baseline with the ratings (read from the transcripts when not
    given)."""
    if len(transcripts) < 3:
        raise ServiceCoachError("a rank correlation needs at least 3 rated transcripts")
    if ratings is None:
        ratings = [rating(t, scale) for t in transcripts]
    overall = [report.overall if report.overall is not None else 100.0
               for report in coach.score_many(transcripts)]
    baseline = [last_customer_compound(t) for t in transcripts]
    return RankAgreement(len(transcripts), spearman(overall, ratings),
                         spearman(baseline, ratings))


def rated_set(path: str | Path, scale: str, fold: Fold | None = None
              ) -> tuple[list[Transcript], list[float]]:
    """The transcripts of a rated set (those of `fold`) and their ratings, read as `eval`
    reads a set (`read_transcript_set`): each transcript that cannot be read or has no
    usable rating is printed to stderr, and then all of them raise a `ServiceCoachError`,
    as does an id that appears twice (its rating would count twice)."""

    def unrated(transcript: Transcript, location: str) -> InputError | None:
        try:
            rating(transcript, scale, source=str(path), location=location)
        except InputError as error:
            return error
        return None

    transcripts = list(read_transcript_set(
        path, fold, refuse=unrated, what="rated transcript(s) could not be read or rated"
    ).values())
    if fold is not None and not transcripts:
        raise fold.empty(str(path))
    return transcripts, [rating(transcript, scale) for transcript in transcripts]


def run_satisfaction(
    coach: Coach,
    path: str | Path,
    out: TextIO = sys.stdout,
    *,
    fold: Fold | None = None,
    min_rho: float = 0.0,
    scale: str = "S",
) -> int:
    """Print the rank agreement on a rated set; 1 when rho is below `min_rho`, else 0. A rho
    that is undefined (every rating, or every overall score, the same) is an error, not a
    pass."""
    transcripts, ratings = rated_set(path, scale, fold)
    found = agreement(coach, transcripts, scale, ratings)
    if found.overall is None:
        constant = "rating" if len(set(ratings)) == 1 else "overall score"
        raise ServiceCoachError(
            f"Spearman rho is undefined: every {constant} of the {found.dialogues} dialogues "
            "is the same, so there is no ranking to agree with", where=str(path),
            hint="rate a set whose conversations differ" if constant == "rating" else
            "check the rules: none of them tells these conversations apart")
    part = f" ({fold})" if fold is not None else ""
    baseline = "undefined" if found.baseline is None else f"{found.baseline:.3f}"
    out.write(f"{found.dialogues} rated dialogues{part}, rating {scale}\n"
              f"{'Spearman rho, overall score:':<58} {found.overall:.3f}\n"
              f"{'Spearman rho, VADER of the last customer turn (baseline):':<58} "
              f"{baseline}\n")
    if found.overall < min_rho:
        out.write(f"below target: rho {found.overall:.3f} < {min_rho:.2f}\n")
        return 1
    return 0
