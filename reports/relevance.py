"""Per-SERP relevance metrics from consensus grades: nDCG@k, P@k and ERR@k.

Pure pandas/numpy, nothing from Django. Input is long: one row per shown result, columns
``serp`` (key), ``rank`` (1-based shown rank) and ``grade`` (float, NaN = unjudged).
Positions are the order of ``rank`` within a SERP, as trec_eval orders a run, so a gap in the
ranks closes up rather than costing a position.

The metric variants are named below; reports print them next to the figures because the
same name (nDCG above all) covers several different numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

NDCG_VARIANT = (
    "trec_eval ndcg_cut.k: linear gain (gain = grade), log2(rank+1) discount, "
    "ideal from the judged results of the SERP; nDCG = 0 when the ideal DCG is 0"
)
P_VARIANT = "trec_eval P_k: share of the top k with grade >= relevant_threshold, denominator k, unjudged = not relevant"
ERR_VARIANT = "Chapelle et al. 2009 ERR@k: R = (2^grade - 1) / 2^max_grade, unjudged = grade 0"
VARIANTS = {"ndcg": NDCG_VARIANT, "p": P_VARIANT, "err": ERR_VARIANT}

COLUMNS = ("serp", "rank", "grade")


def serp_metrics(
    frame: pd.DataFrame, *, k: int | Iterable[int] = 10, relevant_threshold: float, max_grade: float
) -> pd.DataFrame:
    """nDCG@k, P@k and ERR@k per SERP; columns ``ndcg@k``, ``p@k``, ``err@k`` for each k.

    ``relevant_threshold`` and ``max_grade`` come from the rating schema. The nDCG ideal is
    built from the judged results this SERP showed (the only ones this function sees), which
    is what the variant name says. Raises ValueError on a duplicate rank in a SERP or a grade
    outside 0..max_grade.
    """
    cutoffs = sorted({k} if isinstance(k, int) else set(k))
    if not cutoffs or min(cutoffs) < 1:
        raise ValueError("k must be a positive integer (or several)")
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"relevance metrics need columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}")

    serp_codes, serps = pd.factorize(frame["serp"], sort=True)
    if (serp_codes < 0).any():
        raise ValueError("relevance metrics: a SERP key is missing (NaN/None)")
    serp_codes = serp_codes.astype(np.int64, copy=False)
    rank = frame["rank"].to_numpy(dtype=float)
    grade = frame["grade"].to_numpy(dtype=float)
    if not (np.isfinite(rank) & (rank >= 1) & (rank == np.floor(rank))).all():
        raise ValueError("relevance metrics: ranks must be whole numbers from 1")
    judged = ~np.isnan(grade)
    if (grade[judged] < 0).any() or (grade[judged] > max_grade).any():
        raise ValueError(f"relevance metrics: grades must lie in 0..{max_grade} (the schema's scale)")

    # One int64 key per row (SERP, then rank) sorts faster than np.lexsort on two columns.
    rank_int = rank.astype(np.int64)
    by_rank = serp_codes * (int(rank_int.max(initial=0)) + 1) + rank_int
    order = np.argsort(by_rank)
    if (np.diff(by_rank[order]) == 0).any():
        raise ValueError("relevance metrics: a SERP has two results with the same rank")
    serp_sorted = serp_codes[order]
    position = _positions(serp_sorted)
    gain = np.nan_to_num(grade[order], nan=0.0)

    # The ideal ranking: this SERP's judged grades, best first (distinct grades as dense ranks).
    ideal_rows = np.flatnonzero(judged)
    grade_codes, distinct = pd.factorize(-grade[ideal_rows], sort=True)
    by_grade = serp_codes[ideal_rows] * max(len(distinct), 1) + grade_codes
    ideal_order = ideal_rows[np.argsort(by_grade)]
    ideal_serp, ideal_gain = serp_codes[ideal_order], grade[ideal_order]
    ideal_position = _positions(ideal_serp)

    n_serps = len(serps)
    deepest = cutoffs[-1]
    top = position <= deepest
    stop = _err_contributions(serp_sorted[top], position[top], gain[top], max_grade)

    columns: dict[str, np.ndarray] = {}
    for cutoff in cutoffs:
        shown = position <= cutoff
        dcg = np.bincount(serp_sorted[shown], weights=gain[shown] / np.log2(position[shown] + 1.0), minlength=n_serps)
        best = ideal_position <= cutoff
        ideal_dcg = np.bincount(
            ideal_serp[best], weights=ideal_gain[best] / np.log2(ideal_position[best] + 1.0), minlength=n_serps
        )
        relevant = np.bincount(serp_sorted[shown], weights=gain[shown] >= relevant_threshold, minlength=n_serps)
        within = position[top] <= cutoff
        columns[f"ndcg@{cutoff}"] = np.divide(dcg, ideal_dcg, out=np.zeros(n_serps), where=ideal_dcg > 0)
        columns[f"p@{cutoff}"] = relevant / cutoff
        columns[f"err@{cutoff}"] = np.bincount(serp_sorted[top][within], weights=stop[within], minlength=n_serps)
    ordered = [f"{name}@{cutoff}" for cutoff in cutoffs for name in ("ndcg", "p", "err")]
    return pd.DataFrame(columns, index=pd.Index(serps, name="serp"))[ordered]


def _positions(sorted_codes: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal codes (rows already grouped)."""
    n = len(sorted_codes)
    starts = np.flatnonzero(np.diff(sorted_codes, prepend=-1))
    first = np.repeat(starts, np.diff(np.append(starts, n)))
    return np.arange(1, n + 1) - first


def _err_contributions(serp: np.ndarray, position: np.ndarray, gain: np.ndarray, max_grade: float) -> np.ndarray:
    """Each position's term of ERR: (1/r) R_r prod_{i<r} (1 - R_i); rows sorted by (serp, position)."""
    stop = (np.exp2(gain) - 1.0) / np.exp2(max_grade)
    # Grouped cumulative product (exact, unlike exp of a running log sum), shifted to exclude r.
    reached = pd.Series(1.0 - stop).groupby(serp, sort=False).cumprod().to_numpy()
    before = np.ones_like(reached)
    later = np.flatnonzero(position > 1)
    before[later] = reached[later - 1]
    return stop * before / position
