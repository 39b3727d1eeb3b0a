"""Side by side: per-pair preferences, wins/ties/losses, the weighted mean and the sign test."""

from math import comb

import numpy as np
import pandas as pd
import pytest

from reports.sbs import pair_preferences, side_by_side, side_by_side_by_segment, sign_test


def test_it_averages_each_pairs_raters_leaving_cannot_judge_out():
    judgments = pd.DataFrame(
        [(1, "ann", 2, ""), (1, "bob", -1, ""), (1, "cid", 3, "did_not_load"), (2, "ann", 0, "")],
        columns=["task_id", "rater", "preference", "cannot_judge"],
    )

    pairs = pair_preferences(judgments)

    assert pairs["preference"].to_dict() == {1: 0.5, 2: 0.0}
    assert pairs["raters"].to_dict() == {1: 2, 2: 1}


def test_it_computes_the_sign_test_by_hand():
    # 7 wins, 3 losses: two-sided p = 2·P(X >= 7), X ~ Binomial(10, 1/2).
    by_hand = 2 * sum(comb(10, k) for k in range(7, 11)) / 2**10

    assert sign_test(7, 3) == pytest.approx(by_hand)  # 0.34375


def test_it_reproduces_the_design_examples_p_value():
    # DESIGN.md's report: 60 wins, 40 losses -> p = 0.057.
    assert round(sign_test(60, 40), 3) == 0.057


def test_it_has_no_p_value_when_every_pair_is_a_tie():
    assert sign_test(0, 0) is None


def units(preferences, probabilities, **columns):
    return pd.DataFrame({"preference": preferences, "inclusion_probability": probabilities, "stratum": "", **columns})


def test_it_counts_wins_ties_and_losses_by_each_pairs_mean():
    block = side_by_side(units([1.0, 0.5, 0.0, -2.0, np.nan], [0.5, 0.25, 0.5, 0.5, 0.5]), strategy="uniform")

    assert (block["wins"], block["ties"], block["losses"], block["pairs"]) == (2, 1, 1, 4)
    # Weights 2, 4, 2, 2: (2 + 2 + 0 - 4) / 10.
    assert block["mean_preference"] == pytest.approx(0.0)
    assert block["p_value"] == pytest.approx(1.0)
    assert block["test"] == "sign"


def test_it_gives_the_mean_preference_an_interval():
    rng = np.random.default_rng(1)
    block = side_by_side(units(rng.normal(0.4, 1.0, 300).round(), 0.1), strategy="uniform")

    low, high = block["ci95"]
    assert low < block["mean_preference"] < high
    assert block["p_value"] < 0.05


def test_it_gives_each_segment_its_own_counts_and_interval():
    frame = units([1.0, 2.0, -1.0, 1.0, 0.0], 0.5, locale=["it-IT", "it-IT", "de-DE", "de-DE", "de-DE"])

    by_locale = side_by_side_by_segment(frame, "locale", strategy="uniform")

    assert list(by_locale) == ["de-DE", "it-IT"]
    assert (by_locale["de-DE"]["wins"], by_locale["de-DE"]["ties"], by_locale["de-DE"]["losses"]) == (1, 1, 1)
    assert by_locale["it-IT"]["mean_preference"] == pytest.approx(1.5)
    assert by_locale["it-IT"]["p_value"] == pytest.approx(0.5)
