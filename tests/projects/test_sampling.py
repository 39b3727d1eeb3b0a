"""Sampling designs: sizes, allocations, inclusion probabilities, reproducibility and errors.

Pure functions over pandas, so no database: generated pools check the invariants, small
worked examples pin the figures, and repeated draws check that each unit is selected as
often as its stated π says.
"""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.sampling import ALLOCATIONS, STRATEGIES, SamplingError, draw_sample, inclusion_probabilities

LOCALES = ["it-IT", "de-DE", "ja-JP", "pt-BR"]
CATEGORIES = ["food", "music", "news"]

# Modest example counts keep the file fast; the properties are simple enough to fail early.
examples = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pool(units=10, **columns):
    """A pool of `units` SERPs numbered 1..units; columns override or add fields."""
    frame = pd.DataFrame(
        {
            "unit": np.arange(1, units + 1),
            "locale": [LOCALES[i % len(LOCALES)] for i in range(units)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(units)],
            "traffic": np.arange(1, units + 1) * 10,
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


@st.composite
def pools(draw, min_units=1, max_units=60):
    """Pools with scattered unit ids, uneven strata and skewed traffic (some of it zero)."""
    n = draw(st.integers(min_units, max_units))
    return pd.DataFrame(
        {
            "unit": draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n, unique=True)),
            "locale": draw(st.lists(st.sampled_from(LOCALES), min_size=n, max_size=n)),
            "category": draw(st.lists(st.sampled_from(CATEGORIES), min_size=n, max_size=n)),
            "traffic": draw(
                st.lists(st.one_of(st.just(0), st.integers(1, 100), st.integers(1, 10**6)), min_size=n, max_size=n)
            ),
        }
    )


@st.composite
def designs(draw, strategies=STRATEGIES):
    """A pool and valid arguments for one of the strategies."""
    frame = draw(pools())
    strategy = draw(st.sampled_from(strategies))
    largest = int((frame["traffic"] > 0).sum()) if strategy == "traffic_weighted" else len(frame)
    if largest == 0:
        frame.loc[frame.index[0], "traffic"] = 1
        largest = 1
    arguments = {"strategy": strategy, "size": draw(st.integers(1, largest))}
    if strategy == "stratified":
        arguments["strata"] = draw(st.sampled_from([("locale",), ("category",), ("locale", "category")]))
        arguments["allocation"] = draw(st.sampled_from(ALLOCATIONS))
    return frame, arguments


def stratum_counts(frame, strata, sample):
    """(N_h, n_h) per stratum label, including strata that got no units."""
    labels = pd.Series("", index=frame.index)
    for field in strata:
        labels += ("" if field == strata[0] else "|") + field + "=" + frame[field].astype(str)
    population = labels.value_counts()
    taken = sample["stratum"].value_counts().reindex(population.index, fill_value=0)
    return population, taken


# --- Every strategy -----------------------------------------------------------------------


@examples
@given(designs(), st.integers(0, 2**32))
def test_every_sample_has_exactly_the_requested_size_and_no_unit_twice(design, seed):
    frame, arguments = design
    sample = draw_sample(frame, seed=seed, **arguments)
    assert len(sample) == arguments["size"]
    assert sample["unit"].is_unique
    assert set(sample["unit"]) <= set(frame["unit"])


@examples
@given(designs(), st.integers(0, 2**32))
def test_every_selected_unit_has_a_probability_in_the_open_closed_unit_interval(design, seed):
    frame, arguments = design
    sample = draw_sample(frame, seed=seed, **arguments)
    assert ((sample["inclusion_probability"] > 0) & (sample["inclusion_probability"] <= 1)).all()


@examples
@given(designs())
def test_inclusion_probabilities_over_the_whole_pool_sum_to_the_sample_size(design):
    frame, arguments = design
    probabilities = inclusion_probabilities(frame, **arguments)
    assert len(probabilities) == len(frame)
    assert probabilities["inclusion_probability"].between(0, 1).all()
    assert probabilities["inclusion_probability"].sum() == pytest.approx(arguments["size"], rel=1e-9)


@examples
@given(designs(), st.integers(0, 2**32))
def test_a_sample_states_the_same_probabilities_as_the_whole_pool_view(design, seed):
    frame, arguments = design
    sample = draw_sample(frame, seed=seed, **arguments)
    every_unit = inclusion_probabilities(frame, **arguments).set_index("unit")
    expected = every_unit.loc[sample["unit"]]
    assert sample["inclusion_probability"].tolist() == expected["inclusion_probability"].tolist()
    assert sample["stratum"].tolist() == expected["stratum"].tolist()


@examples
@given(designs(), st.integers(0, 2**32), st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_sample_whatever_the_row_order(design, seed, shuffle):
    frame, arguments = design
    shuffled = frame.sample(frac=1, random_state=shuffle % 2**32).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        draw_sample(frame, seed=seed, **arguments), draw_sample(shuffled, seed=seed, **arguments)
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"strategy": "uniform"},
        {"strategy": "stratified", "strata": ["locale", "category"]},
        {"strategy": "stratified", "strata": ["locale"], "allocation": "equal"},
        {"strategy": "traffic_weighted"},
    ],
    ids=lambda arguments: "-".join(str(v) for v in arguments.values()),
)
def test_different_seeds_give_different_samples_of_a_large_pool(arguments):
    frame = pool(1000)
    samples = {tuple(draw_sample(frame, size=100, seed=seed, **arguments)["unit"]) for seed in range(20)}
    assert len(samples) == 20


def test_a_sample_is_sorted_by_unit_with_the_documented_columns_and_types():
    sample = draw_sample(pool(50, unit=np.arange(50)[::-1] * 3), strategy="uniform", size=10, seed=1)
    assert list(sample.columns) == ["unit", "inclusion_probability", "stratum"]
    assert sample["unit"].is_monotonic_increasing
    assert sample["unit"].dtype == np.int64
    assert sample["inclusion_probability"].dtype == np.float64
    assert list(sample.index) == list(range(10))


def test_the_whole_pool_can_be_taken():
    for strategy in STRATEGIES:
        sample = draw_sample(pool(7), strategy=strategy, size=7, seed=3, strata=["locale"])
        assert sample["unit"].tolist() == list(range(1, 8))
        assert (sample["inclusion_probability"] == 1).all()


# --- Uniform ------------------------------------------------------------------------------


@examples
@given(designs(strategies=["uniform"]), st.integers(0, 2**32))
def test_uniform_sampling_gives_every_unit_the_same_probability(design, seed):
    frame, arguments = design
    sample = draw_sample(frame, seed=seed, **arguments)
    assert (sample["inclusion_probability"] == arguments["size"] / len(frame)).all()
    assert (sample["stratum"] == "").all()


# --- Stratified ---------------------------------------------------------------------------


@examples
@given(designs(strategies=["stratified"]), st.integers(0, 2**32))
def test_stratum_sizes_fit_their_strata_and_add_up_to_the_sample_size(design, seed):
    frame, arguments = design
    sample = draw_sample(frame, seed=seed, **arguments)
    population, taken = stratum_counts(frame, arguments["strata"], sample)
    assert (taken <= population).all()
    assert taken.sum() == arguments["size"]
    stated = sample.groupby("stratum")["inclusion_probability"].first()
    assert (stated == taken[stated.index] / population[stated.index]).all()


@examples
@given(designs(strategies=["stratified"]), st.integers(0, 2**32))
def test_proportional_allocation_stays_within_one_unit_of_each_stratums_exact_share(design, seed):
    frame, arguments = design
    arguments["allocation"] = "proportional"
    sample = draw_sample(frame, seed=seed, **arguments)
    population, taken = stratum_counts(frame, arguments["strata"], sample)
    exact_share = arguments["size"] * population / len(frame)
    assert ((taken - exact_share).abs() < 1).all()


@examples
@given(designs(strategies=["stratified"]), st.integers(0, 2**32))
def test_equal_allocation_leaves_no_stratum_with_room_more_than_one_unit_behind(design, seed):
    frame, arguments = design
    arguments["allocation"] = "equal"
    sample = draw_sample(frame, seed=seed, **arguments)
    population, taken = stratum_counts(frame, arguments["strata"], sample)
    with_room = taken[taken < population]
    if len(with_room):
        assert with_room.max() - with_room.min() <= 1
    # A stratum is short of the largest allocation by more than 1 only when it is exhausted.
    assert (taken >= np.minimum(population, taken.max() - 1)).all()


@pytest.mark.parametrize(
    ("sizes", "size", "allocation", "expected"),
    [
        # Shares 2.27, 1.82, 0.91: floors 2, 1, 0 and the two largest remainders get one more.
        ([5, 4, 2], 5, "proportional", [2, 2, 1]),
        # Shares 5, 4.9, 0.1: the single-unit stratum gets nothing and is absent from the sample.
        ([50, 49, 1], 10, "proportional", [5, 5, 0]),
        # 4 each, but the second stratum has only 2; its surplus goes to the other two.
        ([10, 2, 6], 12, "equal", [5, 2, 5]),
        # 7 over 3 strata: the leftover unit goes to the largest stratum.
        ([3, 5, 4], 7, "equal", [2, 3, 2]),
        # Surplus re-distributed twice: 3 each, then strata of 1 and 3 are full, then 4.5 each.
        ([1, 3, 9, 9], 12, "equal", [1, 3, 4, 4]),
    ],
)
def test_allocation_matches_worked_examples(sizes, size, allocation, expected):
    labels = [f"s{i}" for i, count in enumerate(sizes) for _ in range(count)]
    frame = pool(len(labels), tier=labels)
    sample = draw_sample(frame, strategy="stratified", strata=["tier"], allocation=allocation, size=size, seed=0)
    taken = sample["stratum"].value_counts()
    assert [int(taken.get(f"tier=s{i}", 0)) for i in range(len(sizes))] == expected


def test_proportional_allocation_can_leave_a_tiny_stratum_out_with_probability_zero():
    frame = pool(100, tier=["big"] * 99 + ["tiny"])
    arguments = {"strategy": "stratified", "strata": ["tier"], "size": 10}
    probabilities = inclusion_probabilities(frame, **arguments).set_index("unit")["inclusion_probability"]
    assert probabilities[100] == 0
    for seed in range(20):
        assert 100 not in set(draw_sample(frame, seed=seed, **arguments)["unit"])


def test_stratum_labels_combine_the_fields_in_the_order_given():
    frame = pd.DataFrame({"unit": [1, 2, 3], "locale": ["it-IT", "it-IT", "de-DE"], "category": ["food", None, "food"]})
    sample = draw_sample(frame, strategy="stratified", strata=["locale", "category"], size=3, seed=0)
    assert sample["stratum"].tolist() == [
        "locale=it-IT|category=food",
        "locale=it-IT|category=",
        "locale=de-DE|category=food",
    ]


def test_a_single_field_name_counts_as_one_stratum_field():
    sample = draw_sample(pool(8), strategy="stratified", strata="locale", size=4, seed=0)
    assert sorted(sample["stratum"]) == ["locale=de-DE", "locale=it-IT", "locale=ja-JP", "locale=pt-BR"]


def test_strata_are_ignored_by_strategies_that_do_not_stratify():
    sample = draw_sample(pool(8), strategy="uniform", strata=["locale"], size=4, seed=0)
    assert (sample["stratum"] == "").all()


# --- Traffic weighted ---------------------------------------------------------------------


def test_traffic_weighted_probabilities_match_a_worked_example_with_a_certainty_unit():
    # 2·50/100 = 1, so unit 1 is certain; the other draw is 30 : 10 : 10 of the remaining 50.
    frame = pool(5, traffic=[50, 30, 10, 10, 0])
    probabilities = inclusion_probabilities(frame, strategy="traffic_weighted", size=2)
    assert probabilities["inclusion_probability"].tolist() == pytest.approx([1, 0.6, 0.2, 0.2, 0])


def test_traffic_weighted_certainty_is_recomputed_until_no_probability_exceeds_one():
    # 3·100/145 > 1; then 2·30/45 > 1; then 1·10/15 < 1.
    frame = pool(5, traffic=[100, 30, 10, 4, 1])
    probabilities = inclusion_probabilities(frame, strategy="traffic_weighted", size=3)
    assert probabilities["inclusion_probability"].tolist() == pytest.approx([1, 1, 10 / 15, 4 / 15, 1 / 15])


@examples
@given(designs(strategies=["traffic_weighted"]), st.integers(0, 2**32))
def test_traffic_weighted_probabilities_are_proportional_to_traffic_below_certainty(design, seed):
    frame, arguments = design
    probabilities = inclusion_probabilities(frame, **arguments).merge(frame, on="unit")
    uncertain = probabilities[probabilities["inclusion_probability"] < 1]
    certain = probabilities[probabilities["inclusion_probability"] == 1]
    assert (uncertain["inclusion_probability"][uncertain["traffic"] == 0] == 0).all()
    ratio = uncertain["inclusion_probability"] / uncertain["traffic"]
    assert np.allclose(ratio[uncertain["traffic"] > 0], ratio[uncertain["traffic"] > 0].mean(), rtol=1e-9)
    if len(certain) and len(uncertain):
        assert certain["traffic"].min() >= uncertain["traffic"].max()

    sample = draw_sample(frame, seed=seed, **arguments).merge(frame, on="unit")
    assert (sample["traffic"] > 0).all()
    assert set(certain["unit"]) <= set(sample["unit"])


def test_traffic_from_the_database_may_come_as_decimals_with_none_for_missing():
    frame = pool(4, traffic=pd.Series([Decimal("30"), Decimal("10"), Decimal("0"), Decimal("60")], dtype=object))
    probabilities = inclusion_probabilities(frame, strategy="traffic_weighted", size=1)
    assert probabilities["inclusion_probability"].tolist() == pytest.approx([0.3, 0.1, 0, 0.6])
    frame.loc[2, "traffic"] = None
    with pytest.raises(SamplingError, match="missing or infinite for 1 unit"):
        inclusion_probabilities(frame, strategy="traffic_weighted", size=1)


# --- Selection frequencies ----------------------------------------------------------------

DRAWS = 4000
# With ~30 units checked, a correct sampler lands outside 4.5 standard errors for some unit
# with probability ~2e-4; the seeds are fixed, so the outcome never changes between runs.
STANDARD_ERRORS = 4.5


@pytest.mark.parametrize(
    ("frame", "arguments"),
    [
        (
            pool(12, traffic=[500, 300, 120, 80, 60, 40, 30, 20, 10, 0, 5, 1]),
            {"strategy": "traffic_weighted", "size": 4},
        ),
        (
            pool(11, tier=["a"] * 5 + ["b"] * 4 + ["c"] * 2),
            {"strategy": "stratified", "strata": ["tier"], "size": 5},
        ),
    ],
    ids=["skewed-traffic", "stratified"],
)
def test_each_unit_is_selected_as_often_as_its_stated_probability(frame, arguments):
    stated = inclusion_probabilities(frame, **arguments).set_index("unit")["inclusion_probability"]
    selected = np.concatenate([draw_sample(frame, seed=seed, **arguments)["unit"] for seed in range(DRAWS)])
    frequency = pd.Series(selected).value_counts().reindex(stated.index, fill_value=0) / DRAWS
    tolerance = STANDARD_ERRORS * np.sqrt(stated * (1 - stated) / DRAWS)
    assert ((frequency - stated).abs() <= tolerance).all(), pd.DataFrame({"stated": stated, "observed": frequency})


# --- Errors -------------------------------------------------------------------------------


def without_unit(frame):
    return frame.drop(columns="unit")


@pytest.mark.parametrize(
    ("frame", "arguments", "message"),
    [
        (
            pool(),
            {"strategy": "random"},
            "Unknown sampling strategy 'random'; choose one of: uniform, stratified, traffic_weighted.",
        ),
        (
            pool(),
            {"strategy": "stratified", "strata": ["locale"], "allocation": "optimal"},
            "Unknown allocation 'optimal'; choose one of: proportional, equal.",
        ),
        (pool(), {"size": 0}, "The sample size must be at least 1, got 0."),
        (pool(), {"size": -3}, "The sample size must be at least 1, got -3."),
        (pool(), {"size": 2.5}, "The sample size must be a whole number, got 2.5."),
        (pool(), {"size": "5"}, "The sample size must be a whole number, got '5'."),
        (pool(320), {"size": 500}, "The sample asks for 500 units but the pool has 320."),
        (pool(), {"seed": -1}, "The seed must be a non-negative whole number, got -1."),
        (pool(), {"seed": "abc"}, "The seed must be a non-negative whole number, got 'abc'."),
        (pool().iloc[:0], {}, "The pool is empty: there is nothing to sample."),
        (without_unit(pool()), {}, "The pool has no 'unit' column."),
        (pool(unit=np.arange(10) + 0.5), {}, "The 'unit' column must hold a whole number for every unit."),
        (pool(unit=[1, 2, 2, 3, 3, 3, 4, 5, 6, 7]), {}, "The pool has duplicate units: 2, 3."),
        (pool(), {"strategy": "stratified"}, "Stratified sampling needs at least one stratum field."),
        (
            pool(),
            {"strategy": "stratified", "strata": ["locale", "country"]},
            "Stratum field 'country' is not in the pool.",
        ),
        (
            pool(),
            {"strategy": "stratified", "strata": ["locale", "locale"]},
            "Stratum field 'locale' is given more than once.",
        ),
        (
            pool(),
            {"strategy": "traffic_weighted", "weight_column": "clicks"},
            "Weight field 'clicks' is not in the pool.",
        ),
        (pool(traffic=["high"] * 10), {"strategy": "traffic_weighted"}, "Weight field 'traffic' must be numeric."),
        (
            pool(traffic=[1, 2, np.nan, 4, np.nan, 6, 7, 8, 9, 10]),
            {"strategy": "traffic_weighted"},
            "Weight field 'traffic' is missing or infinite for 2 units (first: unit 3).",
        ),
        (
            pool(traffic=[1, 2, 3, 4, np.inf, 6, 7, 8, 9, 10]),
            {"strategy": "traffic_weighted"},
            "Weight field 'traffic' is missing or infinite for 1 unit (first: unit 5).",
        ),
        (
            pool(traffic=[1, 2, 3, -4, 5, 6, 7, 8, 9, 10]),
            {"strategy": "traffic_weighted"},
            "Weight field 'traffic' is negative for 1 unit (first: unit 4).",
        ),
        (
            pool(traffic=[0, 0, 0, 0, 0, 0, 0, 0, 5, 7]),
            {"strategy": "traffic_weighted", "size": 3},
            "The sample asks for 3 units but only 2 units have a positive 'traffic'.",
        ),
        (
            pool(traffic=[0, 0, 0, 0, 0, 0, 0, 0, 0, 7]),
            {"strategy": "traffic_weighted", "size": 2},
            "The sample asks for 2 units but only 1 unit has a positive 'traffic'.",
        ),
    ],
)
def test_it_rejects_bad_input_with_a_message_for_the_user(frame, arguments, message):
    arguments = {"strategy": "uniform", "size": 2, "seed": 1, **arguments}
    with pytest.raises(SamplingError) as raised:
        draw_sample(frame, **arguments)
    assert str(raised.value) == message


def test_the_whole_pool_view_rejects_bad_input_the_same_way():
    with pytest.raises(SamplingError, match=r"^The sample asks for 11 units but the pool has 10\.$"):
        inclusion_probabilities(pool(), strategy="uniform", size=11)


def test_a_sampling_error_is_a_value_error():
    assert issubclass(SamplingError, ValueError)
