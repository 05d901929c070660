"""The overall score ranks real conversations the way their customers' raters do."""

from __future__ import annotations

import io

import pytest
from conftest import SHARED

from servicecoach import Coach, Transcript
from servicecoach.errors import InputError
from servicecoach.evaluation import Fold
from servicecoach.satisfaction import rating, run_satisfaction, spearman

RATED = SHARED / "satisfaction" / "stc3_train_dev600.jsonl"


def test_spearman_is_a_rank_correlation() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)  # monotone, not linear
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2, 2], [1, 2, 3, 4]) == pytest.approx(0.894, abs=1e-3)  # mean ranks
    assert spearman([5, 5, 5], [1, 2, 3]) == 0.0


def test_a_transcript_without_a_rating_is_a_clear_error() -> None:
    unrated = Transcript.model_validate({"id": "u1", "turns": [{"speaker": "customer", "text": "hi"}]})
    with pytest.raises(InputError, match=r"u1: no rating metadata\.quality_mean\.S"):
        rating(unrated, "S")


@pytest.mark.needs_shared
def test_overall_score_ranks_held_out_dialogues_by_satisfaction(coach: Coach) -> None:
    """Weights were calibrated on fold 0/2; fold 1/2 (304 dialogues) is the check."""
    out = io.StringIO()
    code = run_satisfaction(coach, RATED, out, fold=Fold(1, 2), min_rho=0.4)
    text = out.getvalue()
    assert code == 0, text
    overall, baseline = (float(line.rsplit(" ", 1)[1]) for line in text.splitlines()[1:3])
    assert overall > baseline, text  # better than VADER on the customer's last turn alone
