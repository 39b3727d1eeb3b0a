"""Pain points: which SERPs count as tagged, weighted shares in Pareto order, and examples for R&D."""

import numpy as np
import pandas as pd
import pytest

from reports.painpoints import example_queries, pain_points, rater_shares, tagged

PAINS = ["irrelevant_top", "outdated", "duplicates"]


def judgments(rows):
    return pd.DataFrame(rows, columns=["task_id", "rater", "pain_points", "comment", "cannot_judge"])


JUDGMENTS = judgments(
    [
        (1, "ann", ["outdated", "irrelevant_top"], "Old clips first", ""),
        (1, "bob", ["irrelevant_top"], "", ""),
        (1, "cid", ["outdated"], None, "did_not_load"),
        (2, "ann", [], "", ""),
        (2, "bob", ["outdated", "outdated"], "From 2019", ""),
        (2, "cid", ["outdated"], "  ", ""),
        (3, "bob", ["duplicates"], "Same video twice", ""),
        (3, "ann", ["irrelevant_top"], "Nothing about pasta", ""),
        (4, "ann", [], "", ""),
    ]
)


def test_it_counts_the_share_of_answering_raters_who_tagged_each_pain_point():
    shares = rater_shares(JUDGMENTS, pains=PAINS)

    assert shares.loc[1].to_dict() == {"pain:irrelevant_top": 1.0, "pain:outdated": 0.5, "pain:duplicates": 0.0}
    # Bob listed "outdated" twice: still one rater of three.
    assert shares.loc[2, "pain:outdated"] == pytest.approx(2 / 3)
    assert shares.loc[4].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("half", [0.0, 0.0, 1.0, 1.0, np.nan]), ("any", [0.0, 1.0, 1.0, 1.0, np.nan])],
)
def test_it_counts_a_serp_as_tagged_by_the_rule(rule, expected):
    shares = pd.Series([0.0, 1 / 3, 0.5, 2 / 3, np.nan])

    assert tagged(shares, rule).tolist() == pytest.approx(expected, nan_ok=True)


def test_it_rejects_a_rule_it_does_not_know():
    with pytest.raises(ValueError, match="Unknown tagging rule 'most'"):
        tagged(pd.Series([0.5]), "most")


def units_with_design():
    shares = rater_shares(JUDGMENTS, pains=PAINS).reset_index()
    design = pd.DataFrame(
        {
            "task_id": [1, 2, 3, 4],
            "query_id": ["q-3", "q-1", "q-2", "q-4"],
            "query": ["pasta", "news", "carbonara", "cats"],
            "inclusion_probability": [0.5, 0.25, 0.5, 0.25],
            "stratum": "",
        }
    )
    return design.merge(shares, on="task_id")


def test_it_weights_shares_by_the_design_and_orders_them_pareto():
    figures = pain_points(units_with_design(), pains=PAINS, strategy="traffic_weighted")

    # Weights 2, 4, 2, 4 (total 12). Tagged by half: irrelevant_top on 1 and 3 (weight 4),
    # outdated on 1 and 2 (weight 6), duplicates on 3 (weight 2).
    assert list(figures) == ["outdated", "irrelevant_top", "duplicates"]
    assert [figures[pain]["share"] for pain in figures] == pytest.approx([6 / 12, 4 / 12, 2 / 12])
    assert [figures[pain]["cumulative_share"] for pain in figures] == pytest.approx([0.5, 5 / 6, 1.0])
    assert figures["outdated"]["tagged_when"] == "half"
    low, high = figures["outdated"]["ci95"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0


def test_it_counts_more_serps_when_any_rater_is_enough():
    units = pd.DataFrame({"inclusion_probability": 0.1, "pain:outdated": [1 / 3, 0.0, 1.0], "stratum": ""})

    by_half = pain_points(units, pains=["outdated"], strategy="uniform")
    by_any = pain_points(units, pains=["outdated"], strategy="uniform", rule="any")

    assert by_half["outdated"]["share"] == pytest.approx(1 / 3)
    assert by_any["outdated"]["share"] == pytest.approx(2 / 3)
    assert by_any["outdated"]["tagged_when"] == "any"


def test_it_breaks_ties_in_the_pareto_order_by_name():
    units = pd.DataFrame(
        {"inclusion_probability": [0.5, 0.5], "pain:b": [1.0, 0.0], "pain:a": [0.0, 1.0], "stratum": ""}
    )

    assert list(pain_points(units, pains=["b", "a"], strategy="uniform")) == ["a", "b"]


def test_it_gives_examples_in_a_fixed_order_with_the_comments_of_the_raters_who_tagged():
    examples = example_queries(JUDGMENTS, units_with_design(), pains=PAINS, limit=5)

    # irrelevant_top: SERP 1 (all raters) before SERP 3 (half); cid's comment on 1 is not an answer.
    assert examples["irrelevant_top"] == [
        {"query_id": "q-3", "query": "pasta", "comments": ["Old clips first"]},
        {"query_id": "q-2", "query": "carbonara", "comments": ["Nothing about pasta"]},
    ]
    # outdated: SERP 2 (2 of 3) before SERP 1 (1 of 2); blank comments are dropped.
    assert examples["outdated"] == [
        {"query_id": "q-1", "query": "news", "comments": ["From 2019"]},
        {"query_id": "q-3", "query": "pasta", "comments": ["Old clips first"]},
    ]
    assert examples["duplicates"] == [{"query_id": "q-2", "query": "carbonara", "comments": ["Same video twice"]}]


def test_it_gives_at_most_the_asked_number_of_examples():
    examples = example_queries(JUDGMENTS, units_with_design(), pains=PAINS, limit=1)

    assert [example["query_id"] for example in examples["irrelevant_top"]] == ["q-3"]


def test_it_puts_the_examples_in_the_figures():
    units = units_with_design()
    examples = example_queries(JUDGMENTS, units, pains=PAINS, limit=1)

    figures = pain_points(units, pains=PAINS, strategy="uniform", examples=examples)

    assert figures["duplicates"]["examples"] == examples["duplicates"]
