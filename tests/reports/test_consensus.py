"""Consensus labels: median and majority tables, Dawid–Skene against planted truth and a plain EM."""

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from reports.consensus import (
    consensus,
    dawid_skene_consensus,
    fit_dawid_skene,
    majority_consensus,
    median_consensus,
)

NA = np.nan


def answers(values: list[float], item: str = "serp-1:doc-1") -> pd.DataFrame:
    return pd.DataFrame({"item": item, "rater": [f"r{index}" for index in range(len(values))], "value": values})


@pytest.mark.parametrize(
    ("values", "label", "raters", "agreement"),
    [
        ([3], 3, 1, 1.0),
        ([1, 2, 3], 2, 3, 1 / 3),
        ([4, 0, 4], 4, 3, 2 / 3),
        ([1, 2, 3, 4], 2, 4, 1 / 4),  # even: the lower median, never 2.5
        ([0, 4], 0, 2, 1 / 2),
        ([2, 2, 3, 3], 2, 4, 2 / 4),
        ([3, 3, 2, 2, 2], 2, 5, 3 / 5),
        ([1, NA, 3, NA, 2], 2, 3, 1 / 3),  # a missing answer is not a vote
    ],
)
def test_it_takes_the_median_answer_and_the_lower_median_for_even_counts(values, label, raters, agreement):
    result = median_consensus(answers(values))

    assert result.loc["serp-1:doc-1"].tolist() == [label, raters, pytest.approx(agreement)]


@pytest.mark.parametrize(
    ("values", "label", "raters", "agreement"),
    [
        ([3], 3, 1, 1.0),
        ([1, 4, 4], 4, 3, 2 / 3),
        ([0, 0, 4, 4, 2], 0, 5, 2 / 5),  # a tie goes to the smallest value
        ([2, 1], 1, 2, 1 / 2),
        ([3, NA, 3, 1], 3, 3, 2 / 3),
    ],
)
def test_it_takes_the_most_frequent_answer_for_majority(values, label, raters, agreement):
    result = majority_consensus(answers(values))

    assert result.loc["serp-1:doc-1"].tolist() == [label, raters, pytest.approx(agreement)]


def test_it_returns_one_row_per_item_in_order_of_first_appearance_with_the_documented_columns():
    frame = pd.concat([answers([1, 2], item="b:2"), answers([4], item="a:1"), answers([NA], item="c:3")])

    result = median_consensus(frame)

    assert list(result.columns) == ["label", "raters", "agreement"]
    assert result.index.name == "item"
    assert list(result.index) == ["b:2", "a:1"]  # an item with no answers has no consensus


def test_it_matches_a_groupby_lower_median_on_random_data():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "item": rng.integers(0, 400, 3000),
            "rater": rng.integers(0, 30, 3000),
            "value": rng.integers(0, 5, 3000),
        }
    ).sample(frac=1.0, random_state=1)

    result = median_consensus(frame).sort_index()

    expected = frame.groupby("item")["value"].agg(lambda values: sorted(values)[(len(values) - 1) // 2])
    pd.testing.assert_series_equal(result["label"], expected.rename("label"), check_dtype=False)
    pd.testing.assert_series_equal(result["raters"], frame.groupby("item").size().rename("raters"), check_dtype=False)


def test_it_accepts_category_names_for_majority_and_dawid_skene():
    frame = pd.DataFrame(
        {
            "item": ["x", "x", "x", "y", "y"],
            "rater": ["a", "b", "c", "a", "b"],
            "value": ["ok", "spam", "spam", "ok", "ok"],
        }
    )

    assert majority_consensus(frame)["label"].tolist() == ["spam", "ok"]
    assert dawid_skene_consensus(frame)["label"].tolist() == ["spam", "ok"]


@pytest.mark.parametrize("method", ["median", "majority", "dawid_skene"])
def test_it_returns_an_empty_frame_for_no_answers(method):
    frame = pd.DataFrame({"item": ["x"], "rater": ["a"], "value": [NA]})

    result = consensus(frame, method=method)

    assert result.empty
    assert {"label", "raters", "agreement"} <= set(result.columns)


def test_it_picks_the_method_by_name():
    frame = answers([0, 3, 4, 4])

    assert consensus(frame).equals(median_consensus(frame))
    assert consensus(frame, method="majority").equals(majority_consensus(frame))
    assert consensus(frame, method="dawid_skene", max_iter=5).equals(dawid_skene_consensus(frame, max_iter=5))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: consensus(answers([1]), method="mean"),  # type: ignore[arg-type]
            'unknown consensus method "mean"; use median, majority or dawid_skene',
        ),
        (
            lambda: median_consensus(pd.DataFrame({"item": [1], "grade": [1]})),
            "consensus needs columns item, rater, value; missing: rater, value",
        ),
        (lambda: fit_dawid_skene(answers([1]), max_iter=0), "max_iter must be at least 1"),
    ],
)
def test_it_rejects_bad_input_with_a_clear_message(call, message):
    with pytest.raises(ValueError) as error:
        call()

    assert str(error.value) == message


# Dawid–Skene on simulated raters.

CLASSES = 5
PRIORS = np.array([0.3, 0.25, 0.2, 0.15, 0.1])


def planted_confusions() -> np.ndarray:
    """Three careful raters, four who usually answer one grade higher, two who answer at random."""
    careful = np.zeros((CLASSES, CLASSES))
    for true in range(CLASSES):
        neighbours = [grade for grade in (true - 1, true + 1) if 0 <= grade < CLASSES]
        careful[true, true] = 0.8
        careful[true, neighbours] = 0.2 / len(neighbours)
    biased = 0.3 * np.eye(CLASSES) + 0.7 * np.roll(np.eye(CLASSES), 1, axis=1)
    random = np.full((CLASSES, CLASSES), 1 / CLASSES)
    return np.array([careful] * 3 + [biased] * 4 + [random] * 2)


def simulate(seed: int, items: int, per_item: int = 5) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    confusions = planted_confusions()
    truth = rng.choice(CLASSES, items, p=PRIORS)
    raters = np.argsort(rng.random((items, len(confusions))), axis=1)[:, :per_item].ravel()
    item = np.repeat(np.arange(items), per_item)
    cumulative = confusions[raters, truth[item]].cumsum(axis=1)
    value = (rng.random(len(item))[:, None] > cumulative).sum(axis=1).clip(max=CLASSES - 1)
    frame = pd.DataFrame({"item": item, "rater": [f"r{rater}" for rater in raters], "value": value})
    return frame, truth, confusions


def test_it_recovers_a_planted_truth_better_than_majority_vote():
    frame, truth, _ = simulate(seed=0, items=1500)

    majority = (majority_consensus(frame)["label"].to_numpy() == truth).mean()
    dawid_skene = (dawid_skene_consensus(frame)["label"].to_numpy() == truth).mean()

    assert majority < 0.7
    assert dawid_skene > 0.95


def test_it_recovers_the_planted_confusion_matrices_and_priors():
    frame, _, confusions = simulate(seed=1, items=6000)

    fit = fit_dawid_skene(frame)

    assert fit.converged
    planted = confusions[[int(rater[1:]) for rater in fit.raters]]
    assert np.abs(fit.confusion - planted).max() < 0.06
    assert np.abs(fit.priors - PRIORS).max() < 0.02


def test_it_reports_the_posterior_of_the_chosen_label():
    frame, _, _ = simulate(seed=2, items=300)

    fit = fit_dawid_skene(frame)
    result = dawid_skene_consensus(frame)

    assert list(result.columns) == ["label", "raters", "agreement", "posterior"]
    np.testing.assert_allclose(fit.posterior.sum(axis=1), 1.0)
    np.testing.assert_allclose(result["posterior"].to_numpy(), fit.posterior.max(axis=1))
    assert (result["raters"] == 5).all()


def dawid_skene_reference(frame: pd.DataFrame, iterations: int, smoothing: float) -> dict:
    """Dawid & Skene's EM written out with loops and dicts, initialised from vote shares."""
    rows = list(frame[["item", "rater", "value"]].itertuples(index=False))
    items = sorted({row.item for row in rows})
    raters = sorted({row.rater for row in rows})
    classes = sorted({row.value for row in rows})
    by_item = defaultdict(list)
    for row in rows:
        by_item[row.item].append(row)
    posterior = {
        item: {c: sum(row.value == c for row in by_item[item]) / len(by_item[item]) for c in classes} for item in items
    }
    for _ in range(iterations):
        prior = {
            c: (sum(posterior[i][c] for i in items) + smoothing) / (len(items) + smoothing * len(classes))
            for c in classes
        }
        confusion = {(j, k, answer): smoothing for j in raters for k in classes for answer in classes}
        for row in rows:
            for k in classes:
                confusion[row.rater, k, row.value] += posterior[row.item][k]
        for j in raters:
            for k in classes:
                total = sum(confusion[j, k, answer] for answer in classes)
                for answer in classes:
                    confusion[j, k, answer] /= total
        for item in items:
            log_joint = {
                k: math.log(prior[k]) + sum(math.log(confusion[row.rater, k, row.value]) for row in by_item[item])
                for k in classes
            }
            top = max(log_joint.values())
            norm = sum(math.exp(value - top) for value in log_joint.values())
            posterior[item] = {k: math.exp(log_joint[k] - top) / norm for k in classes}
    return posterior


def test_it_agrees_with_a_plain_reference_em():
    frame, _, _ = simulate(seed=3, items=200)

    fit = fit_dawid_skene(frame, max_iter=15, tol=0.0, smoothing=0.01)
    reference = dawid_skene_reference(frame, iterations=fit.iterations, smoothing=0.01)

    expected = np.array([[reference[item][c] for c in fit.classes] for item in fit.items])
    assert fit.iterations == 15
    np.testing.assert_allclose(fit.posterior, expected, atol=1e-9)
