"""nDCG@k, P@k and ERR@k per SERP, checked against trec_eval (pytrec_eval) and by hand."""

import math

import numpy as np
import pandas as pd
import pytest
import pytrec_eval
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.relevance import NDCG_VARIANT, VARIANTS, serp_metrics

CUTOFFS = [1, 3, 5, 10, 20]


def random_serps(seed: int, count: int) -> pd.DataFrame:
    """SERPs of 1..25 results, grades 0..4 with about a fifth unjudged, rows shuffled."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(count):
        length = int(rng.integers(1, 26))
        grades = rng.integers(0, 5, length).astype(float)
        grades[rng.random(length) < 0.2] = np.nan
        if index % 25 == 0:
            grades[:] = np.nan  # nothing judged
        if index % 25 == 1:
            grades[:] = 0.0  # judged, nothing relevant
        for rank, grade in enumerate(grades, start=1):
            rows.append({"serp": f"q{index:04d}", "rank": rank, "doc": f"d{rank}", "grade": grade})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def trec_eval(frame: pd.DataFrame, relevance_level: int) -> dict:
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for row in frame.itertuples():
        # Score -rank reproduces the shown order; trec_eval sorts by descending score.
        run.setdefault(row.serp, {})[row.doc] = -float(row.rank)
        if not math.isnan(row.grade):
            qrels.setdefault(row.serp, {})[row.doc] = int(row.grade)
    cut = ",".join(str(k) for k in CUTOFFS)
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {f"ndcg_cut.{cut}", f"P.{cut}"}, relevance_level=relevance_level)
    return evaluator.evaluate(run)


@pytest.mark.parametrize("threshold", [1, 2, 4])
def test_it_matches_trec_eval_ndcg_cut_and_p_on_random_serps(threshold):
    frame = random_serps(seed=threshold, count=600)
    ours = serp_metrics(frame, k=CUTOFFS, relevant_threshold=threshold, max_grade=4)
    reference = trec_eval(frame, relevance_level=threshold)

    assert len(reference) > 500
    for serp, measures in reference.items():
        for k in CUTOFFS:
            assert ours.at[serp, f"ndcg@{k}"] == pytest.approx(measures[f"ndcg_cut_{k}"], abs=1e-9)
            assert ours.at[serp, f"p@{k}"] == pytest.approx(measures[f"P_{k}"], abs=1e-9)


def test_it_gives_zero_to_a_serp_with_nothing_judged_or_nothing_relevant():
    frame = random_serps(seed=7, count=100)
    ours = serp_metrics(frame, k=CUTOFFS, relevant_threshold=2, max_grade=4)

    for serp in ["q0000", "q0001", "q0025", "q0026"]:
        assert (ours.loc[serp] == 0.0).all()


def test_it_reproduces_the_worked_example_with_the_ideal_from_the_shown_results():
    frame = pd.DataFrame({"serp": "q", "rank": range(1, 7), "grade": [3, 2, 3, 0, 1, 2]})

    result = serp_metrics(frame, k=6, relevant_threshold=2, max_grade=4)

    assert round(result.at["q", "ndcg@6"], 3) == 0.961


def trec_eval_ndcg(grades: list[int], k: int, unshown: dict[str, int]) -> float:
    qrels = {"q": {f"d{rank}": grade for rank, grade in enumerate(grades, start=1)} | unshown}
    run = {"q": {f"d{rank}": -float(rank) for rank in range(1, len(grades) + 1)}}
    return pytrec_eval.RelevanceEvaluator(qrels, {f"ndcg_cut.{k}"}).evaluate(run)["q"][f"ndcg_cut_{k}"]


def test_it_shows_why_the_variant_name_matters_when_judged_documents_were_not_shown():
    grades = [3, 2, 3, 0, 1, 2]
    frame = pd.DataFrame({"serp": "q", "rank": range(1, 7), "grade": [float(grade) for grade in grades]})

    ours = serp_metrics(frame, k=6, relevant_threshold=2, max_grade=4).at["q", "ndcg@6"]

    # The textbook variant: the ideal also holds two judged documents this SERP did not show.
    assert round(trec_eval_ndcg(grades, 6, unshown={"unshown-a": 3, "unshown-b": 2}), 3) == 0.785
    # Ours sees only the shown results, and agrees with trec_eval given the same qrels.
    assert round(ours, 3) == 0.961
    assert ours == pytest.approx(trec_eval_ndcg(grades, 6, unshown={}), abs=1e-12)
    assert "ideal from the judged results of the SERP" in NDCG_VARIANT


def test_it_computes_err_as_in_a_hand_worked_example():
    # R = (2^g - 1) / 2^2 for grades 2, unjudged, 1: 0.75, 0, 0.25.
    # ERR@3 = 0.75/1 + (1 - 0.75) * 0/2 + (1 - 0.75) * (1 - 0) * 0.25/3 = 0.75 + 0.0625/3
    frame = pd.DataFrame({"serp": "q", "rank": [1, 2, 3], "grade": [2.0, np.nan, 1.0]})

    result = serp_metrics(frame, k=[2, 3], relevant_threshold=1, max_grade=2)

    assert result.at["q", "err@3"] == pytest.approx(0.75 + 0.0625 / 3, abs=1e-12)
    assert result.at["q", "err@2"] == pytest.approx(0.75, abs=1e-12)


def err_reference(grades: list[float], k: int, max_grade: float) -> float:
    """ERR@k written out as in Chapelle et al. (2009), one position at a time."""
    not_stopped = 1.0
    total = 0.0
    for rank, grade in enumerate(grades[:k], start=1):
        g = 0.0 if math.isnan(grade) else grade
        stop = (2**g - 1) / 2**max_grade
        total += not_stopped * stop / rank
        not_stopped *= 1 - stop
    return total


def test_it_matches_a_plain_err_implementation_on_random_serps():
    frame = random_serps(seed=11, count=400)
    ours = serp_metrics(frame, k=CUTOFFS, relevant_threshold=2, max_grade=4)

    for serp, group in frame.groupby("serp"):
        grades = group.sort_values("rank")["grade"].tolist()
        for k in CUTOFFS:
            assert ours.at[serp, f"err@{k}"] == pytest.approx(err_reference(grades, k, 4), abs=1e-12)


def test_it_names_columns_by_metric_and_cutoff_and_indexes_by_serp():
    frame = pd.DataFrame({"serp": ["b", "a"], "rank": [1, 1], "grade": [1.0, 0.0]})

    result = serp_metrics(frame, k=[10, 3], relevant_threshold=1, max_grade=4)

    assert list(result.columns) == ["ndcg@3", "p@3", "err@3", "ndcg@10", "p@10", "err@10"]
    assert list(result.index) == ["a", "b"]
    assert result.index.name == "serp"
    assert set(VARIANTS) == {"ndcg", "p", "err"}


def test_it_divides_precision_by_k_even_when_fewer_results_were_shown():
    frame = pd.DataFrame({"serp": "q", "rank": [1, 2], "grade": [3.0, 2.0]})

    result = serp_metrics(frame, k=10, relevant_threshold=2, max_grade=4)

    assert result.at["q", "p@10"] == pytest.approx(0.2)
    assert result.at["q", "ndcg@10"] == pytest.approx(1.0)


def test_it_closes_up_a_gap_in_the_ranks_as_trec_eval_orders_a_run():
    gapped = pd.DataFrame({"serp": "q", "rank": [1, 2, 5], "grade": [0.0, 1.0, 3.0]})
    dense = pd.DataFrame({"serp": "q", "rank": [1, 2, 3], "grade": [0.0, 1.0, 3.0]})

    assert serp_metrics(gapped, k=3, relevant_threshold=2, max_grade=4).equals(
        serp_metrics(dense, k=3, relevant_threshold=2, max_grade=4)
    )


def test_it_does_not_depend_on_row_order():
    frame = random_serps(seed=3, count=200)

    shuffled = frame.sample(frac=1.0, random_state=99)

    pd.testing.assert_frame_equal(
        serp_metrics(frame, k=CUTOFFS, relevant_threshold=2, max_grade=4),
        serp_metrics(shuffled, k=CUTOFFS, relevant_threshold=2, max_grade=4),
        rtol=0,
        atol=1e-15,
    )


@pytest.mark.parametrize(
    ("frame", "k", "message"),
    [
        (
            pd.DataFrame({"serp": ["q", "q"], "rank": [1, 1], "grade": [1.0, 2.0]}),
            10,
            "relevance metrics: a SERP has two results with the same rank",
        ),
        (
            pd.DataFrame({"serp": ["q"], "rank": [1], "grade": [5.0]}),
            10,
            "relevance metrics: grades must lie in 0..4 (the schema's scale)",
        ),
        (
            pd.DataFrame({"serp": ["q"], "rank": [1], "grade": [-1.0]}),
            10,
            "relevance metrics: grades must lie in 0..4 (the schema's scale)",
        ),
        (
            pd.DataFrame({"serp": ["q"], "rank": [0], "grade": [1.0]}),
            10,
            "relevance metrics: ranks must be whole numbers from 1",
        ),
        (
            pd.DataFrame({"serp": ["q"], "rank": [1.5], "grade": [1.0]}),
            10,
            "relevance metrics: ranks must be whole numbers from 1",
        ),
        (
            pd.DataFrame({"serp": ["q"], "position": [1], "grade": [1.0]}),
            10,
            "relevance metrics need columns serp, rank, grade; missing: rank",
        ),
        (pd.DataFrame({"serp": ["q"], "rank": [1], "grade": [1.0]}), 0, "k must be a positive integer (or several)"),
    ],
)
def test_it_rejects_bad_input_with_a_clear_message(frame, k, message):
    with pytest.raises(ValueError) as error:
        serp_metrics(frame, k=k, relevant_threshold=2, max_grade=4)

    assert str(error.value) == message


def test_it_returns_an_empty_frame_for_no_results():
    frame = pd.DataFrame({"serp": pd.Series([], dtype=object), "rank": [], "grade": []})

    result = serp_metrics(frame, k=10, relevant_threshold=2, max_grade=4)

    assert result.empty
    assert list(result.columns) == ["ndcg@10", "p@10", "err@10"]


grade_lists = st.lists(st.one_of(st.integers(0, 4).map(float), st.just(math.nan)), min_size=1, max_size=30)


@settings(deadline=None)  # timing is not what this tests, and the CI machine is shared
@given(grade_lists)
def test_it_keeps_every_metric_between_zero_and_one_and_gives_ndcg_one_to_the_ideal_order(grades):
    frame = pd.DataFrame({"serp": "q", "rank": range(1, len(grades) + 1), "grade": grades})
    judged = sorted((grade for grade in grades if not math.isnan(grade)), reverse=True)
    ideal = pd.DataFrame({"serp": "q", "rank": range(1, len(judged) + 1), "grade": judged})

    result = serp_metrics(frame, k=[1, 5, 10], relevant_threshold=2, max_grade=4)

    assert ((result >= 0) & (result <= 1 + 1e-12)).all().all()
    if any(grade > 0 for grade in judged):
        best = serp_metrics(ideal, k=[1, 5, 10], relevant_threshold=2, max_grade=4)
        assert best.filter(like="ndcg").iloc[0].tolist() == pytest.approx([1.0, 1.0, 1.0])
