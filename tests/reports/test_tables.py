"""The dashboard's tables from snapshot data alone (pure functions, no database)."""

import pytest

from reports import tables
from tests.reports.snapshot_data import snapshot_data


def column(table, key):
    index = [c.key for c in table.columns].index(key)
    return [row[index] for row in table.rows]


def test_segment_tables_start_with_all_serps_then_segments_by_name():
    table = tables.satisfaction(snapshot_data(), "locale")

    assert column(table, "segment") == ["All SERPs", "de-DE", "es-ES", "it-IT"]
    assert table.rows[0] == ["All SERPs", 1000, 3.7, [3.63, 3.77], 0.62, [0.59, 0.65]]


def test_the_pareto_orders_by_share_and_accumulates_the_share_of_all_tags():
    data = snapshot_data()
    data["overall"]["pain_points"]["unrated"] = {"share": None, "ci95": None, "examples": []}

    table = tables.pain_points(data, labels={"outdated": "Outdated content"})

    assert column(table, "pain_point") == [
        "irrelevant_top",
        "Outdated content",
        "duplicates",
        "wrong_language",
        "unrated",
    ]
    assert column(table, "cumulative") == pytest.approx([0.45, 0.75, 0.925, 1.0, None], nan_ok=False)


def test_relevance_names_each_metric_and_the_ndcg_variant():
    table = tables.relevance(snapshot_data(), "category")

    assert [c.label for c in table.columns][2::2] == ["nDCG@10", "P@10", "ERR@10"]
    assert "trec_eval ndcg_cut" in table.caption and "median" in table.caption


def test_the_plan_runs_straight_from_the_first_day_to_the_target_at_the_deadline():
    table = tables.burn_down(snapshot_data())

    # 4,000 by 2026-11-23 00:00, from 2026-11-16 00:00: 7 days, so 4000 / 7 a day.
    assert column(table, "planned") == [571, 1143, 1714, 2286]
    assert column(table, "remaining") == [3400, 2600, 1900, 1000]
    assert table.charts[0]["plan"] == {
        "start": "2026-11-16T00:00:00+00:00", "deadline": "2026-11-23T00:00:00+00:00", "target": 4000,
    }  # fmt: skip


def test_without_a_deadline_there_is_no_plan_but_the_days_remain():
    data = snapshot_data()
    data["operations"]["deadline"] = None

    table = tables.burn_down(data)

    assert column(table, "planned") == [None] * 4
    assert table.charts[0]["plan"] is None
    assert column(table, "cumulative") == [600, 1400, 2100, 3000]


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.6234, "share", "62.3%"),
        ([0.59, 0.65], "share_ci", "59.0–65.0%"),
        ([3.64, 3.78], "ci", "3.64–3.78"),
        ([3.64, None], "ci", None),
        (None, "number", None),
        (float("nan"), "number", None),
        (0.0004, "p", "< 0.001"),
        (1500.0, "money", "1,500.00"),
        (False, "bool", "no"),
    ],
)
def test_cells_are_formatted_for_reading_and_missing_figures_stay_missing(value, kind, shown):
    assert tables.format_cell(value, tables.Column("x", "X", kind, 1 if "share" in kind else 2)) == shown


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_that_would_run_as_a_formula_gets_a_leading_quote(text):
    assert tables.safe_csv_text(text) == "'" + text


def test_csv_numbers_stay_numbers_even_when_negative():
    data = snapshot_data(kind="side_by_side")
    data["overall"]["side_by_side"]["mean_preference"] = -0.4

    text = tables.to_csv(tables.side_by_side(data, "locale"))

    assert text.splitlines()[1].startswith("All SERPs,1000,60,20,40,-0.4,")


def test_a_snapshot_missing_whole_sections_gives_tables_without_figures():
    for table in tables.dashboard_tables({"overall": None, "segments": None, "operations": None}).values():
        assert not table.has_figures() or table.name == "operations"
        tables.to_csv(table)


def test_a_side_by_side_report_leads_with_its_outcomes_and_drops_empty_graded_sections():
    data = snapshot_data(kind="side_by_side")
    for section in [data["overall"], *data["segments"]["locale"].values(), *data["segments"]["category"].values()]:
        section["satisfaction"] = section["relevance"] = None

    names = list(tables.dashboard_tables(data))

    assert names[:2] == ["side-by-side-by-locale", "side-by-side-by-category"]
    assert not any(name.startswith(("satisfaction", "relevance")) for name in names)


def test_relevance_names_the_p_and_err_variants_when_the_report_does():
    data = snapshot_data()
    data["methods"].update(p="P_10: grade >= 2 counts", err="ERR@10, Chapelle 2009, max grade 4")

    caption = tables.relevance(data, "locale").caption

    assert "P: P_10: grade >= 2 counts" in caption and "ERR: ERR@10, Chapelle 2009" in caption


def test_pain_point_examples_come_in_pareto_order_with_one_comment_or_several_joined():
    data = snapshot_data()
    data["overall"]["pain_points"]["duplicates"]["examples"] = [
        {"query_id": "q-9", "query": "lasagne", "comments": ["same clip twice", "again"]}
    ]

    groups = tables.pain_examples(data, labels={"outdated": "Outdated content"})

    assert [g["pain_point"] for g in groups] == ["irrelevant_top", "Outdated content", "duplicates", "wrong_language"]
    assert groups[2]["examples"] == [{"query": "lasagne", "comment": "same clip twice · again"}]
