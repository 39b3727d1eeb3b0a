"""Operations: throughput, time on task, cost, progress and the forecast against the deadline.

Pure computation (STYLE.md point 4): pandas only, nothing from Django.

Input is one row per judgment with ``rater``, ``created_at`` (timezone-aware), ``active_ms``
and, for the per-rater figures, ``gold_correct`` (True/False on gold judgments, missing
elsewhere). Figures that cannot be computed are None, never NaN, so they go straight to JSON.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

RECENT = timedelta(hours=24)
_CENTS = Decimal("0.01")


def money(amount: Decimal) -> float:
    """A Decimal amount as a float rounded to cents (half up, like an invoice)."""
    return float(amount.quantize(_CENTS, rounding=ROUND_HALF_UP))


def cost(judgments: int, cost_per_judgment: float | Decimal | str) -> Decimal:
    """Judgments x cost per judgment in Decimal: float prices go through str, so 0.1 stays 0.1."""
    return Decimal(str(cost_per_judgment)) * int(judgments)


def operations(
    judgments: pd.DataFrame,
    *,
    tasks: int,
    overlap: int,
    cost_per_judgment: float | Decimal | str,
    now: datetime,
    deadline: datetime | None = None,
    serps: int | None = None,
) -> dict:
    """The report's operations block.

    Returns {"judgments", "judgments_per_hour" (over the span from the first judgment to the
    last), "judgments_per_hour_24h" (over the 24 hours before ``now``), "median_active_s",
    "cost", "cost_per_serp" (over ``serps``, the SERPs judged), "progress" (judgments / (tasks
    x overlap), at most 1), "remaining", "forecast_done" (ISO 8601; linear from the 24-hour
    rate, None when that rate is 0), "meets_deadline" (None without a deadline or forecast)}.
    """
    times = pd.to_datetime(judgments["created_at"], utc=True)
    done = len(judgments)
    span = (times.max() - times.min()).total_seconds() / 3600 if done else 0.0
    recent = int((times > pd.Timestamp(now) - RECENT).sum()) if done else 0
    recent_rate = recent / (RECENT.total_seconds() / 3600)
    required = int(tasks) * int(overlap)
    remaining = max(required - done, 0)
    total = cost(done, cost_per_judgment)

    if remaining == 0 and done:
        # Already finished: the forecast is the moment the last judgment came in.
        forecast = times.max().to_pydatetime()
    elif recent_rate > 0:
        forecast = now + timedelta(hours=remaining / recent_rate)
    else:
        forecast = None
    return {
        "judgments": done,
        "judgments_per_hour": done / span if span > 0 else None,
        "judgments_per_hour_24h": recent_rate,
        "median_active_s": _median_seconds(judgments["active_ms"]),
        "cost": money(total),
        "cost_per_serp": money(total / serps) if serps else None,
        "progress": min(done / required, 1.0) if required else None,
        "remaining": remaining,
        "forecast_done": forecast.isoformat() if forecast is not None else None,
        "meets_deadline": (forecast <= deadline) if forecast is not None and deadline is not None else None,
    }


def raters(judgments: pd.DataFrame, *, agreement: pd.Series | None = None) -> list[dict]:
    """Per rater, sorted by rater: {"rater", "judgments", "median_active_s", "gold_accuracy",
    "agreement_with_consensus"}.

    ``gold_accuracy`` is the share of the rater's gold judgments marked ``gold_correct`` (None
    with no gold judgment). ``agreement`` is computed elsewhere (``reports.agreement``) and
    passed through, keyed by rater; a rater missing from it gets None.
    """
    grouped = judgments.groupby("rater", sort=True)
    volume = grouped.size()
    active = grouped["active_ms"].median() / 1000
    if "gold_correct" in judgments:
        gold = judgments["gold_correct"].astype("boolean")
        accuracy = gold.astype("Float64").groupby(judgments["rater"]).mean()
    else:
        accuracy = pd.Series(dtype=float)
    agreement = agreement if agreement is not None else pd.Series(dtype=float)
    return [
        {
            "rater": rater,
            "judgments": int(count),
            "median_active_s": _number(active.get(rater)),
            "gold_accuracy": _number(accuracy.get(rater)),
            "agreement_with_consensus": _number(agreement.get(rater)),
        }
        for rater, count in volume.items()
    ]


def _median_seconds(active_ms: pd.Series) -> float | None:
    values = pd.to_numeric(active_ms, errors="coerce").dropna()
    return float(values.median()) / 1000 if len(values) else None


def _number(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if np.isfinite(value) else None
