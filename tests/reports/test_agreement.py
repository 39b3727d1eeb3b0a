"""Krippendorff's alpha against the published worked example and a plain reference; rater agreement."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from reports.agreement import LEVELS, alpha_by_segment, krippendorff_alpha, rater_agreement, reliability_data

NA = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E:
# 4 observers x 12 units, values 1..5, missing data.
WORKED_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_it_reproduces_krippendorffs_worked_example(level, published):
    frame = reliability_data(WORKED_EXAMPLE, raters=["A", "B", "C", "D"])

    assert round(krippendorff_alpha(frame, level=level), 3) == published


def alpha_reference(matrix: list[list[float]], level: str) -> float:
    """Alpha by the book, one unit and one pair of values at a time (slow, obviously right)."""
    units = [[value for value in column if not math.isnan(value)] for column in zip(*matrix, strict=True)]
    units = [values for values in units if len(values) >= 2]
    coincidence: dict[tuple[float, float], float] = {}
    for values in units:
        for i, j in itertools.permutations(range(len(values)), 2):
            pair = (values[i], values[j])
            coincidence[pair] = coincidence.get(pair, 0.0) + 1.0 / (len(values) - 1)
    domain = sorted({value for values in units for value in values})
    marginal = {c: sum(coincidence.get((c, k), 0.0) for k in domain) for c in domain}
    total = sum(marginal.values())

    def delta(c: float, k: float) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return ((c - k) / (c + k)) ** 2 if c + k else 0.0
        low, high = min(c, k), max(c, k)
        return (sum(marginal[g] for g in domain if low <= g <= high) - (marginal[c] + marginal[k]) / 2) ** 2

    observed = sum(count * delta(c, k) for (c, k), count in coincidence.items())
    expected = sum(marginal[c] * marginal[k] * delta(c, k) for c in domain for k in domain)
    return 1 - (total - 1) * observed / expected


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_matches_a_plain_reference_on_random_data_with_missing_values(level, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 6, 60)
    matrix = np.where(rng.random((5, 60)) < 0.7, truth, rng.integers(0, 6, (5, 60))).astype(float)
    matrix[rng.random((5, 60)) < 0.3] = np.nan

    alpha = krippendorff_alpha(reliability_data(matrix), level=level)

    assert alpha == pytest.approx(alpha_reference(matrix.tolist(), level), abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_it_gives_one_for_perfect_agreement(level):
    matrix = [[1, 2, 3, 4, 5, 2], [1, 2, 3, 4, 5, 2], [1, NA, 3, 4, 5, 2]]

    assert krippendorff_alpha(reliability_data(matrix), level=level) == pytest.approx(1.0)


# Undefined alpha is NaN, not an error, so one thin segment cannot stop a whole report.
@pytest.mark.parametrize(
    ("case", "matrix"),
    [
        ("one rater only", [[1, 2, 3, 4]]),
        ("every unit rated once", [[1, NA, 3, NA], [NA, 2, NA, 4]]),
        ("a single value everywhere", [[3, 3, 3], [3, 3, NA]]),
        ("no values at all", [[NA, NA], [NA, NA]]),
    ],
)
@pytest.mark.parametrize("level", LEVELS)
def test_it_returns_nan_when_alpha_is_undefined(case, matrix, level):
    assert math.isnan(krippendorff_alpha(reliability_data(matrix), level=level)), case


def test_it_ignores_units_with_fewer_than_two_values():
    with_singles = [[1, 2, 3, 9, NA], [1, 2, 4, NA, 7]]
    without = [[1, 2, 3], [1, 2, 4]]

    assert krippendorff_alpha(reliability_data(with_singles), level="interval") == pytest.approx(
        krippendorff_alpha(reliability_data(without), level="interval")
    )


def test_it_accepts_category_names_for_nominal_data():
    frame = pd.DataFrame(
        {
            "unit": ["u1", "u1", "u2", "u2", "u3", "u3"],
            "rater": ["r1", "r2", "r1", "r2", "r1", "r2"],
            "value": ["spam", "spam", "ok", "ok", "ok", "spam"],
        }
    )
    numbers = frame.assign(value=frame["value"].map({"spam": 1, "ok": 0}))

    assert krippendorff_alpha(frame, level="nominal") == pytest.approx(krippendorff_alpha(numbers, level="nominal"))


def test_it_accepts_plain_arrays():
    frame = reliability_data(WORKED_EXAMPLE, raters=["A", "B", "C", "D"])
    arrays = {column: frame[column].to_numpy() for column in ["unit", "rater", "value"]}

    assert round(krippendorff_alpha(arrays, level="interval"), 3) == 0.849


def test_it_does_not_depend_on_row_order():
    frame = reliability_data(WORKED_EXAMPLE, raters=["A", "B", "C", "D"])

    shuffled = frame.sample(frac=1.0, random_state=5)

    assert krippendorff_alpha(shuffled, level="ordinal") == pytest.approx(krippendorff_alpha(frame, level="ordinal"))


@pytest.mark.parametrize(
    ("frame", "level", "message"),
    [
        (
            pd.DataFrame({"unit": [1, 1], "rater": ["a", "a"], "value": [1, 2]}),
            "nominal",
            "agreement: a rater has more than one value for the same unit",
        ),
        (
            pd.DataFrame({"unit": [1, 1], "rater": ["a", "b"], "value": [1, 2]}),
            "cardinal",
            'unknown level "cardinal"; use one of nominal, ordinal, interval, ratio',
        ),
        (
            pd.DataFrame({"unit": [1, 1], "rater": ["a", "b"], "value": [-1, 2]}),
            "ratio",
            "agreement: the ratio level needs values of 0 or more",
        ),
        (
            pd.DataFrame({"item": [1, 1], "rater": ["a", "b"], "value": [1, 2]}),
            "nominal",
            "agreement needs columns unit, rater, value; missing: unit",
        ),
    ],
)
def test_it_rejects_bad_input_with_a_clear_message(frame, level, message):
    with pytest.raises(ValueError) as error:
        krippendorff_alpha(frame, level=level)

    assert str(error.value) == message


def test_it_computes_alpha_per_segment_as_on_each_segment_alone():
    frame = reliability_data(WORKED_EXAMPLE, raters=["A", "B", "C", "D"])
    frame["half"] = np.where(frame["unit"] <= 6, "first", "second")

    result = alpha_by_segment(frame, segment="half", level="ordinal")

    assert list(result.columns) == ["krippendorff_alpha", "units", "pairable_values"]
    assert result.index.name == "half"
    for half in ["first", "second"]:
        alone = krippendorff_alpha(frame[frame["half"] == half], level="ordinal")
        assert result.at[half, "krippendorff_alpha"] == pytest.approx(alone)
    # Unit 12 has one value, so it is not pairable.
    assert result.loc["first", ["units", "pairable_values"]].tolist() == [6, 23]
    assert result.loc["second", ["units", "pairable_values"]].tolist() == [5, 17]


def test_it_indexes_segments_by_several_columns():
    frame = reliability_data(WORKED_EXAMPLE, raters=["A", "B", "C", "D"])
    frame["locale"] = np.where(frame["unit"] % 2 == 0, "it-IT", "de-DE")
    frame["category"] = np.where(frame["unit"] <= 6, "food", "music")

    result = alpha_by_segment(frame, segment=["locale", "category"], level="nominal")

    assert result.index.names == ["locale", "category"]
    assert len(result) == 4


def test_it_scores_each_rater_against_the_consensus():
    frame = pd.DataFrame(
        {
            "unit": ["u1", "u1", "u2", "u2", "u3", "u3", "u4"],
            "rater": ["ann", "bob", "ann", "bob", "ann", "bob", "ann"],
            "value": [3, 3, 2, 4, 1, NA, 0],
        }
    )
    labels = pd.Series({"u1": 3, "u2": 2, "u3": 1})  # u4 has no consensus, so it is not compared

    result = rater_agreement(frame, labels, level="ordinal")

    assert result.loc["ann"].tolist() == [3, 1.0, 0.0]
    assert result.loc["bob"].tolist() == [2, 0.5, 1.0]
    assert list(result.columns) == ["answers", "agreement_with_consensus", "mean_abs_difference"]


def test_it_leaves_the_mean_difference_empty_for_nominal_questions():
    frame = pd.DataFrame({"unit": ["u1", "u1"], "rater": ["ann", "bob"], "value": ["spam", "ok"]})

    result = rater_agreement(frame, pd.Series({"u1": "spam"}), level="nominal")

    assert result["agreement_with_consensus"].tolist() == [1.0, 0.0]
    assert result["mean_abs_difference"].isna().all()
