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

    # SERPs as rows of a dense matrix, one column per position (pool imports allow at most 100
    # results a SERP): every metric is then a row-wise sum, sort or cumulative product.
    n_serps = len(serps)
    longest = int(position.max(initial=1))
    all_gains = np.zeros((n_serps, longest))
    all_gains[serp_sorted, position - 1] = np.nan_to_num(grade[order], nan=0.0)
    # The ideal: this SERP's judged grades, best first. Unjudged and padding cells hold gain 0,
    # so they add nothing, exactly as if left out. Only the ideal needs positions below the cut.
    width = min(longest, cutoffs[-1])
    ideal = -np.sort(-all_gains, axis=1)[:, :width]
    gains = all_gains[:, :width]
    within = position <= width
    relevant = np.zeros((n_serps, width), dtype=bool)
    relevant[serp_sorted[within], position[within] - 1] = (judged[order] & (grade[order] >= relevant_threshold))[within]
    discount = 1.0 / np.log2(np.arange(2, width + 2))
    stop = (np.exp2(gains) - 1.0) / np.exp2(max_grade)
    # Probability the user reaches each position: the product of (1 - R) over the positions above.
    reach = np.ones_like(stop)
    np.cumprod(1.0 - stop[:, :-1], axis=1, out=reach[:, 1:])
    err_terms = stop * reach / np.arange(1, width + 1)

    columns: dict[str, np.ndarray] = {}
    for cutoff in cutoffs:
        depth = min(cutoff, width)
        dcg = gains[:, :depth] @ discount[:depth]
        ideal_dcg = ideal[:, :depth] @ discount[:depth]
        columns[f"ndcg@{cutoff}"] = np.divide(dcg, ideal_dcg, out=np.zeros(n_serps), where=ideal_dcg > 0)
        columns[f"p@{cutoff}"] = relevant[:, :depth].sum(axis=1) / cutoff
        columns[f"err@{cutoff}"] = err_terms[:, :depth].sum(axis=1)
    ordered = [f"{name}@{cutoff}" for cutoff in cutoffs for name in ("ndcg", "p", "err")]
    return pd.DataFrame(columns, index=pd.Index(serps, name="serp"))[ordered]


def _positions(sorted_codes: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal codes (rows already grouped)."""
    n = len(sorted_codes)
    starts = np.flatnonzero(np.diff(sorted_codes, prepend=-1))
    first = np.repeat(starts, np.diff(np.append(starts, n)))
    return np.arange(1, n + 1) - first
