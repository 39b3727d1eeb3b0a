"""Design-weighted means and their bootstrap intervals, against hand computations and textbook variances."""

import numpy as np
import pandas as pd
import pytest

from reports.estimators import (
    SEED,
    bootstrap,
    estimate,
    estimate_by_segment,
    estimate_columns,
    hajek_mean,
    interval,
)


def units(values, probabilities, strata=None, **columns):
    frame = pd.DataFrame({"value": values, "inclusion_probability": probabilities, **columns})
    frame["stratum"] = strata if strata is not None else ""
    return frame


def test_it_computes_the_hajek_mean_by_hand():
    # Weights 2, 4, 10: (2·1 + 4·2 + 10·4) / (2 + 4 + 10) = 50 / 16.
    assert hajek_mean([1, 2, 4], [0.5, 0.25, 0.1]) == pytest.approx(3.125)


def test_it_equals_the_plain_mean_when_every_unit_is_equally_likely():
    values = np.random.default_rng(1).normal(3, 1, 200)

    assert hajek_mean(values, np.full(200, 0.05)) == pytest.approx(values.mean())
    assert estimate(units(values, 0.05), "value")["mean"] == pytest.approx(values.mean())


def test_it_leaves_units_without_a_value_out_of_the_mean():
    assert hajek_mean([1, np.nan, 3], [0.5, 0.01, 0.5]) == pytest.approx(2.0)


def test_it_puts_the_estimate_inside_its_interval():
    rng = np.random.default_rng(2)
    figure = estimate(units(rng.normal(3, 1, 300), rng.uniform(0.01, 0.2, 300)), "value")

    low, high = figure["ci95"]
    assert low < figure["mean"] < high


def test_it_gives_the_same_interval_for_the_same_seed_and_another_for_another_seed():
    rng = np.random.default_rng(3)
    frame = units(rng.normal(3, 1, 100), 0.1)

    assert estimate(frame, "value") == estimate(frame, "value", seed=SEED)
    assert estimate(frame, "value", seed=1)["ci95"] != estimate(frame, "value", seed=2)["ci95"]


def test_it_matches_the_textbook_variance_of_a_stratified_simple_random_sample():
    # Two strata, SRS in each: Var = Σ (N_h/N)² (1 - f_h) s_h² / n_h.
    rng = np.random.default_rng(4)
    sizes, population = (60, 20), (600, 1000)
    values = np.concatenate([rng.normal(2, 1, sizes[0]), rng.normal(4, 2, sizes[1])])
    strata = np.repeat(["a", "b"], sizes)
    pis = np.repeat([n / N for n, N in zip(sizes, population, strict=True)], sizes)
    shares = np.array(population) / sum(population)
    textbook = sum(
        shares[h] ** 2 * (1 - sizes[h] / population[h]) * values[strata == label].var(ddof=1) / sizes[h]
        for h, label in enumerate(["a", "b"])
    )

    draws = bootstrap(values, pis, strata, replicates=20_000).draws[:, 0]

    assert draws.var() == pytest.approx(textbook, rel=0.05)


def test_it_leaves_out_the_finite_population_correction_when_asked():
    rng = np.random.default_rng(5)
    values = rng.normal(0, 1, 50)

    with_fpc = bootstrap(values, np.full(50, 0.5), replicates=20_000).draws.var()
    without = bootstrap(values, np.full(50, 0.5), replicates=20_000, fpc=False).draws.var()

    assert with_fpc == pytest.approx(values.var(ddof=1) / 50 * 0.5, rel=0.05)
    assert without == pytest.approx(values.var(ddof=1) / 50, rel=0.05)


def test_it_gives_a_census_an_interval_of_zero_width():
    figure = estimate(units([1.0, 2.0, 4.0, 5.0], 1.0, strata=["a", "a", "b", "b"]), "value")

    assert figure == {"mean": 3.0, "ci95": [3.0, 3.0]}


def test_it_keeps_certain_and_lone_units_fixed_in_every_replicate():
    # Unit 0 was certain (π = 1), unit 1 is alone in its stratum: only stratum "c" varies.
    values = [10.0, 20.0, 1.0, 3.0, 5.0]
    frame = units(values, [1.0, 0.5, 0.1, 0.1, 0.1], strata=["a", "b", "c", "c", "c"])

    draws = bootstrap(frame["value"], frame["inclusion_probability"], frame["stratum"], replicates=500).draws[:, 0]

    # Fixed totals: 10·1 + 20·2 = 50 over weight 3; stratum c adds Σ w·y* over 30 with w = 10.
    stratum_means = (draws * 33 - 50) / 30
    assert stratum_means.min() >= 1.0 - 1e-9 and stratum_means.max() <= 5.0 + 1e-9
    assert draws.std() > 0


def test_it_says_none_where_a_figure_has_no_data():
    assert estimate(units([np.nan, np.nan], 0.5), "value") == {"mean": None, "ci95": [None, None]}
    assert interval(float("nan"), np.array([1.0])) == {"mean": None, "ci95": [None, None]}


@pytest.mark.parametrize("probability", [0.0, -0.1, 1.5])
def test_it_rejects_an_inclusion_probability_outside_zero_to_one(probability):
    with pytest.raises(ValueError, match="inclusion probabilities"):
        bootstrap([1.0, 2.0], [0.5, probability])


def test_it_shares_one_resample_between_columns():
    rng = np.random.default_rng(6)
    flags = (rng.random(200) < 0.3).astype(float)
    frame = units(flags, 0.1, tagged=flags, untagged=1 - flags)

    figures = estimate_columns(frame, ["tagged", "untagged"])

    assert figures["tagged"]["mean"] + figures["untagged"]["mean"] == pytest.approx(1.0)
    assert figures["tagged"]["ci95"][0] == pytest.approx(1 - figures["untagged"]["ci95"][1])


def test_it_estimates_each_segment_as_a_domain_of_the_design():
    rng = np.random.default_rng(7)
    n = 400
    frame = units(
        rng.normal(3, 1, n),
        rng.uniform(0.05, 0.5, n),
        strata=rng.choice(["s1", "s2"], n),
        locale=rng.choice(["it-IT", "de-DE", None], n),
    )

    by_locale = estimate_by_segment(frame, ["value"], "locale")

    assert list(by_locale) == ["", "de-DE", "it-IT"]
    italian = frame[frame["locale"] == "it-IT"]
    figure = by_locale["it-IT"]["value"]
    assert figure["mean"] == pytest.approx(hajek_mean(italian["value"], italian["inclusion_probability"]))
    assert figure["ci95"][0] < figure["mean"] < figure["ci95"][1]


def test_it_keys_segments_by_plain_python_values():
    frame = units([1.0, 2.0, 3.0, 4.0], 0.5, version=np.array([2, 2, 3, 3]))

    keys = list(estimate_by_segment(frame, ["value"], "version"))

    assert keys == [2, 3] and all(type(key) is int for key in keys)


def test_it_resamples_even_certain_units_without_the_finite_population_correction():
    # The same queries in two runs stand for the queries to come, not for a finished census.
    values, certain = [1.0, 2.0, 3.0, 4.0], [1.0] * 4

    assert bootstrap(values, certain).draws.std() == 0
    assert bootstrap(values, certain, fpc=False).draws.std() > 0


def test_it_gives_a_domain_the_interval_of_its_column_masked_outside_the_domain():
    # Domains multiply only their own units; the result must be the plain masked computation.
    rng = np.random.default_rng(8)
    n = 300
    values, pis = rng.normal(3, 1, n), rng.uniform(0.05, 0.5, n)
    strata, domains = rng.choice(["s1", "s2", "s3"], n), rng.integers(0, 3, n)
    masked = np.where(domains[:, None] == np.arange(3), values[:, None], np.nan)

    by_domain = bootstrap(values, pis, strata, domains=domains, replicates=200)
    plain = bootstrap(masked, pis, strata, replicates=200)

    np.testing.assert_allclose(by_domain.estimates, plain.estimates)
    np.testing.assert_allclose(by_domain.draws, plain.draws)


def test_it_resamples_each_stratum_only_from_its_own_units():
    # Constant within strata: any draw crossing into another stratum would move the mean.
    values = np.repeat([0.0, 1.0, 5.0], [300, 200, 100])
    strata = np.repeat(["a", "b", "c"], [300, 200, 100])
    pis = np.repeat([0.1, 0.2, 0.5], [300, 200, 100])

    result = bootstrap(values, pis, strata, replicates=300)

    np.testing.assert_allclose(result.draws[:, 0], result.estimates[0])
