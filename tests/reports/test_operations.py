"""Operations on a crafted timeline: throughput, cost in cents, progress and the forecast."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from reports.operations import cost, money, operations, raters

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def timeline(hours_ago, *, active_ms=None, rater="ann", gold_correct=None):
    rows = len(hours_ago)
    return pd.DataFrame(
        {
            "rater": rater if isinstance(rater, list) else [rater] * rows,
            "created_at": [NOW - timedelta(hours=hours) for hours in hours_ago],
            "active_ms": active_ms or [30_000] * rows,
            "gold_correct": gold_correct or [None] * rows,
        }
    )


# Four judgments two days ago, six in the last 24 hours; the first 48 h before now, the last 1 h.
TIMELINE = timeline([48, 47, 46, 45, 20, 16, 12, 8, 4, 1], active_ms=[1000 * s for s in range(10, 101, 10)])


def test_it_measures_throughput_over_the_active_span_and_the_last_day():
    figures = operations(TIMELINE, tasks=10, overlap=2, cost_per_judgment=0.5, now=NOW)

    assert figures["judgments"] == 10
    assert figures["judgments_per_hour"] == pytest.approx(10 / 47)
    assert figures["judgments_per_hour_24h"] == pytest.approx(6 / 24)
    assert figures["median_active_s"] == 55.0


def test_it_forecasts_the_end_linearly_from_the_recent_rate():
    figures = operations(
        TIMELINE, tasks=10, overlap=2, cost_per_judgment=0.5, now=NOW, deadline=NOW + timedelta(hours=39)
    )

    # 10 of 20 done; 10 left at 6 a day (0.25 an hour) take 40 hours.
    assert figures["progress"] == 0.5
    assert figures["remaining"] == 10
    assert figures["forecast_done"] == "2026-11-22T04:00:00+00:00"
    assert figures["meets_deadline"] is False


def test_it_says_the_deadline_is_met_when_the_forecast_comes_first():
    figures = operations(
        TIMELINE, tasks=10, overlap=2, cost_per_judgment=0.5, now=NOW, deadline=NOW + timedelta(hours=40)
    )

    assert figures["meets_deadline"] is True


def test_it_has_no_forecast_when_nothing_came_in_for_a_day():
    figures = operations(timeline([30, 28]), tasks=5, overlap=1, cost_per_judgment=1, now=NOW, deadline=NOW)

    assert figures["judgments_per_hour_24h"] == 0
    assert figures["forecast_done"] is None
    assert figures["meets_deadline"] is None


def test_it_forecasts_a_finished_project_at_its_last_judgment():
    figures = operations(timeline([3, 2]), tasks=1, overlap=2, cost_per_judgment=1, now=NOW)

    assert figures["progress"] == 1.0
    assert figures["forecast_done"] == "2026-11-20T10:00:00+00:00"


def test_it_handles_a_project_without_judgments():
    figures = operations(timeline([]), tasks=5, overlap=3, cost_per_judgment=Decimal("0.25"), now=NOW, serps=0)

    assert figures["judgments"] == 0
    assert figures["judgments_per_hour"] is None
    assert figures["median_active_s"] is None
    assert (figures["cost"], figures["cost_per_serp"], figures["progress"]) == (0.0, None, 0.0)


def test_it_costs_in_decimal_and_rounds_to_cents_half_up():
    assert cost(3, 0.1) == Decimal("0.3")  # 3 * 0.1 is 0.30000000000000004 in floats
    assert money(cost(1, "0.125")) == 0.13  # round(0.125, 2) would give 0.12
    figures = operations(TIMELINE, tasks=10, overlap=2, cost_per_judgment=Decimal("0.1050"), now=NOW, serps=4)
    assert figures["cost"] == 1.05
    assert figures["cost_per_serp"] == 0.26  # 1.05 / 4 = 0.2625


def test_it_gives_each_rater_volume_time_gold_accuracy_and_agreement():
    judgments = timeline(
        [5, 4, 3, 2, 1],
        rater=["bob", "ann", "ann", "ann", "bob"],
        active_ms=[40_000, 10_000, 20_000, 60_000, 50_000],
        gold_correct=[None, True, False, True, None],
    )

    figures = raters(judgments, agreement=pd.Series({"ann": 0.8}))

    assert figures == [
        {
            "rater": "ann",
            "judgments": 3,
            "median_active_s": 20.0,
            "gold_accuracy": pytest.approx(2 / 3),
            "agreement_with_consensus": 0.8,
        },
        {
            "rater": "bob",
            "judgments": 2,
            "median_active_s": 45.0,
            "gold_accuracy": None,
            "agreement_with_consensus": None,
        },
    ]
