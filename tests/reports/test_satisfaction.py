"""Satisfaction: page scores per SERP, the weighted block, and the coverage of its intervals."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from projects.sampling import draw_sample
from reports.satisfaction import page_scores, satisfaction, satisfaction_by_segment


def judgments(rows):
    return pd.DataFrame(rows, columns=["task_id", "rater", "satisfaction", "cannot_judge"])


def test_it_scores_a_serp_by_the_mean_of_its_raters_leaving_cannot_judge_out():
    scores = page_scores(
        judgments(
            [
                (1, "ann", 5, ""),
                (1, "bob", 3, ""),
                (1, "cid", None, "did_not_load"),
                (2, "ann", 2, None),
                (3, "bob", None, "foreign_language"),
            ]
        ),
        satisfied_threshold=4,
    )

    assert scores.loc[1].to_dict() == {"score": 4.0, "raters": 2, "satisfied": 1.0}
    assert scores.loc[2].to_dict() == {"score": 2.0, "raters": 1, "satisfied": 0.0}
    assert np.isnan(scores.loc[3, "score"]) and np.isnan(scores.loc[3, "satisfied"])


def test_it_ignores_a_score_given_with_a_cannot_judge_reason():
    scores = page_scores(judgments([(1, "ann", 1, "needs_expertise"), (1, "bob", 4, "")]), satisfied_threshold=4)

    assert scores.loc[1, "score"] == 4.0


def units_of(scores, probabilities, strata=None, **columns):
    frame = pd.DataFrame({"score": scores, "inclusion_probability": probabilities, **columns})
    frame["satisfied"] = (frame["score"] >= 4).astype(float).where(frame["score"].notna())
    frame["stratum"] = strata if strata is not None else ""
    return frame


def test_it_names_the_weighting_and_the_unit_of_the_share():
    units = units_of([5.0, 4.0, 2.0, np.nan], [0.5, 0.25, 0.25, 0.5])

    block = satisfaction(units, strategy="traffic_weighted")

    # Weights 2, 4, 4: (10 + 16 + 8) / 10; satisfied: (2 + 4) / 10.
    assert block["mean"] == pytest.approx(3.4)
    assert block["share_satisfied"] == pytest.approx(0.6)
    assert block["serps"] == 3
    assert block["weighting"] == "traffic_weighted"
    assert block["unit"] == "serp"
    assert set(block) == {"mean", "ci95", "share_satisfied", "share_satisfied_ci95", "serps", "weighting", "unit"}


def test_it_rejects_a_strategy_it_does_not_know():
    with pytest.raises(ValueError, match="Unknown sampling strategy 'snowball'"):
        satisfaction(units_of([4.0, 5.0], 0.5), strategy="snowball")


def test_it_gives_each_segment_the_same_block():
    rng = np.random.default_rng(1)
    units = units_of(rng.integers(1, 6, 300).astype(float), 0.1, strata="", locale=rng.choice(["de-DE", "it-IT"], 300))

    by_locale = satisfaction_by_segment(units, "locale", strategy="uniform")

    assert list(by_locale) == ["de-DE", "it-IT"]
    german = units[units["locale"] == "de-DE"]
    assert by_locale["de-DE"]["mean"] == pytest.approx(german["score"].mean())
    assert by_locale["de-DE"]["serps"] == len(german)
    assert by_locale["it-IT"]["weighting"] == "uniform"


# --- Coverage -------------------------------------------------------------------------------
#
# A synthetic population of 20,000 SERPs in four locales of different sizes and satisfaction,
# whose traffic grows with satisfaction (good pages get clicked). Each sampled SERP is rated by
# 3 of 30 raters; a rater rounds the SERP's true quality plus Gaussian noise of their own known
# size to the 1..5 scale. The truth is the population mean of the expected rating, computed
# exactly from the noise model. The sample size, 1,000 SERPs, is the design's example report.

RUNS = 1000
SAMPLE = 1000
RATERS = 30
OVERLAP = 3


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(2026)
    sizes = {"de-DE": 8000, "it-IT": 6000, "ja-JP": 4000, "pt-BR": 2000}
    means = {"de-DE": 3.3, "it-IT": 3.7, "ja-JP": 4.0, "pt-BR": 2.7}
    locale = np.repeat(list(sizes), list(sizes.values()))
    quality = np.array([means[code] for code in locale]) + rng.normal(0, 0.8, len(locale))
    traffic = 100 * np.exp(0.5 * (quality - 3.5) + rng.normal(0, 0.6, len(locale)))
    noise = rng.uniform(0.5, 1.2, RATERS)
    # P(rating > v) = P(quality + noise >= v + 0.5) for v = 1..4, so E[rating] = 1 + Σ of them.
    cuts = np.arange(1, 5) + 0.5
    above = 1 - norm.cdf((cuts[None, None, :] - quality[:, None, None]) / noise[None, :, None])
    truth = float((1 + above.sum(axis=2)).mean())
    frame = pd.DataFrame({"unit": np.arange(len(locale)), "locale": locale, "traffic": traffic})
    return frame, quality, noise, truth


def rate(units, quality, noise, rng):
    """Each SERP gets OVERLAP distinct raters at random; returns its page score."""
    raters = np.argsort(rng.random((len(units), RATERS)), axis=1)[:, :OVERLAP]
    seen = quality[units][:, None] + noise[raters] * rng.normal(size=raters.shape)
    return np.clip(np.floor(seen + 0.5), 1, 5).mean(axis=1)


@pytest.mark.parametrize("strategy", ["stratified", "traffic_weighted"])
def test_it_covers_the_true_population_satisfaction_95_percent_of_the_time(population, strategy):
    frame, quality, noise, truth = population
    rng = np.random.default_rng(7)
    covered = 0
    for run in range(RUNS):
        sample = draw_sample(frame, strategy=strategy, size=SAMPLE, seed=run, strata=["locale"])
        units = units_of(
            rate(sample["unit"].to_numpy(), quality, noise, rng),
            sample["inclusion_probability"].to_numpy(),
            strata=sample["stratum"].to_numpy(),
        )
        low, high = satisfaction(units, strategy=strategy, seed=run)["ci95"]
        covered += low <= truth <= high

    assert 93.5 <= 100 * covered / RUNS <= 96.5, f"{strategy}: {100 * covered / RUNS:.1f}% of intervals cover"
