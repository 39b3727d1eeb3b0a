"""Two runs over the same queries: paired deltas, their interval and the signed-rank test."""

import numpy as np
import pandas as pd
import pytest

from reports.comparison import compare_runs, signed_rank

BEFORE = pd.DataFrame(
    {"query_id": ["q1", "q2", "q3", "q4"], "score": [3.0, 4.0, 2.0, 5.0], "ndcg@10": [0.5, 0.6, np.nan, 0.9]}
)
AFTER = pd.DataFrame(
    {"query_id": ["q3", "q1", "q2", "q5"], "score": [3.0, 4.0, 4.5, 1.0], "ndcg@10": [0.7, 0.4, 0.8, 0.1]}
)


def test_it_pairs_queries_and_counts_the_ones_in_only_one_run():
    result = compare_runs(BEFORE, AFTER, ["score", "ndcg@10"])

    assert (result["pairs"], result["only_before"], result["only_after"]) == (3, 1, 1)


def test_it_takes_each_metrics_delta_over_the_paired_queries():
    figures = compare_runs(BEFORE, AFTER, ["score", "ndcg@10"])["metrics"]

    # score deltas: q1 +1, q2 +0.5, q3 +1.
    assert figures["score"]["delta"] == pytest.approx(2.5 / 3)
    assert (figures["score"]["before"], figures["score"]["after"]) == pytest.approx((3.0, 11.5 / 3))
    assert figures["score"]["pairs"] == 3
    # q3 has no nDCG before: only q1 (-0.1) and q2 (+0.2) pair.
    assert figures["ndcg@10"]["delta"] == pytest.approx(0.05)
    assert figures["ndcg@10"]["pairs"] == 2
    assert figures["ndcg@10"]["test"] == "wilcoxon"


def test_it_gives_the_delta_a_paired_bootstrap_interval():
    rng = np.random.default_rng(1)
    before = pd.DataFrame({"query_id": range(200), "score": rng.normal(3, 1, 200)})
    # The new run helps every query by 0.2, plus noise much smaller than the spread of queries.
    after = before.assign(score=before["score"] + 0.2 + rng.normal(0, 0.1, 200))

    figure = compare_runs(before, after, ["score"])["metrics"]["score"]

    low, high = figure["ci95"]
    assert low < figure["delta"] < high
    assert 0.15 < low and high < 0.25  # narrow: pairing removes the spread of queries
    assert figure["p_value"] < 1e-10


def test_it_gives_a_constant_delta_an_interval_of_zero_width():
    after = BEFORE.assign(score=BEFORE["score"] + 1)

    figure = compare_runs(BEFORE, after, ["score"])["metrics"]["score"]

    assert (figure["delta"], figure["ci95"]) == (pytest.approx(1.0), pytest.approx([1.0, 1.0]))


def test_it_computes_the_signed_rank_p_value_exactly():
    # Five positive deltas, no ties: only 1 of the 2^5 sign patterns is as extreme each way.
    assert signed_rank(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])) == pytest.approx(2 / 32)


def test_it_gives_p_one_when_nothing_changed_and_none_without_pairs():
    assert signed_rank(pd.Series([0.0, 0.0])) == 1.0
    assert signed_rank(pd.Series([], dtype=float)) is None


def test_it_rejects_a_run_with_a_query_twice():
    twice = pd.concat([BEFORE, BEFORE.head(1)])

    with pytest.raises(ValueError, match="The before run has more than one row for a query_id"):
        compare_runs(twice, AFTER, ["score"])
