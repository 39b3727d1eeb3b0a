"""Comparison of two runs on the same queries: did the new strategy help?

Pure computation (STYLE.md point 4): pandas, numpy and scipy only, nothing from Django.

The runs are paired by ``query_id``: each query's delta (after - before) removes what makes
one query hard and another easy, which is most of the variance. Queries in only one run are
counted and left out. For each metric:

- ``delta``: the mean of the per-query deltas (equal to after - before over the paired queries);
- ``ci95``: a percentile interval from the bootstrap over queries (``estimators`` with every
  query weighted equally and no finite-population correction: the queries stand for the
  stream of queries to come);
- ``p_value``: the Wilcoxon signed-rank test on the deltas (``"test": "wilcoxon"``), two-sided,
  zero deltas dropped. It asks whether deltas lean one way without trusting a mean of
  bounded, often lumpy per-query scores to be normal.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from reports import estimators

TEST = "wilcoxon"


def compare_runs(
    before: pd.DataFrame,
    after: pd.DataFrame,
    metrics: Sequence[str],
    *,
    key: str = "query_id",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict:
    """{"pairs", "only_before", "only_after", "metrics": {metric: {"before", "after", "delta",
    "ci95", "p_value", "test", "pairs"}}}.

    ``before`` and ``after``: one row per query with ``key`` and the metric columns (per-query
    values, e.g. a SERP's page score or nDCG@10; NaN where a query has none). A metric's
    ``pairs`` counts the queries with a value in both runs.
    """
    for name, run in (("before", before), ("after", after)):
        if run[key].duplicated().any():
            raise ValueError(f"The {name} run has more than one row for a {key}.")
    joined = before[[key, *metrics]].merge(after[[key, *metrics]], on=key, how="inner", suffixes=("_before", "_after"))
    joined = joined.sort_values(key, kind="stable")
    deltas = pd.DataFrame({metric: joined[f"{metric}_after"] - joined[f"{metric}_before"] for metric in metrics})
    result = estimators.bootstrap(
        deltas.to_numpy(dtype=np.float64),
        np.ones(len(deltas)),
        replicates=replicates,
        seed=seed,
        fpc=False,
    )
    figures = {}
    for j, metric in enumerate(metrics):
        paired = deltas[metric].notna()
        figure = result.interval(j)
        figures[metric] = {
            "before": _mean(joined.loc[paired, f"{metric}_before"]),
            "after": _mean(joined.loc[paired, f"{metric}_after"]),
            "delta": figure["mean"],
            "ci95": figure["ci95"],
            "p_value": signed_rank(deltas.loc[paired, metric]),
            "test": TEST,
            "pairs": int(paired.sum()),
        }
    return {
        "pairs": int(len(joined)),
        "only_before": int((~before[key].isin(after[key])).sum()),
        "only_after": int((~after[key].isin(before[key])).sum()),
        "metrics": figures,
    }


def signed_rank(deltas: pd.Series) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value; 1.0 when every delta is 0, None with no pair."""
    values = deltas.dropna().to_numpy(dtype=np.float64)
    if not len(values):
        return None
    if not np.any(values != 0):
        return 1.0
    return float(wilcoxon(values, zero_method="wilcox", alternative="two-sided").pvalue)


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None
