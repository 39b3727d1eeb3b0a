"""Inter-rater agreement: Krippendorff's alpha, per segment, and each rater against consensus.

Pure pandas/numpy/scipy, nothing from Django. Input is long: one row per answer, columns
``unit`` (what was rated, e.g. "serp_id:doc_id"), ``rater`` and ``value``; NaN/None = missing.

Alpha follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": a coincidence
matrix over pairable values (units with at least two values), then
alpha = 1 - (n - 1) * sum(o_ck * d_ck) / sum(n_c * n_k * d_ck).

Undefined cases return NaN rather than raising, because reports compute alpha for many
segments and a small segment must not stop the rest:

- no unit has two or more values (one rater only, or every unit rated once): NaN;
- every pairable value is the same (no variation, expected disagreement 0): NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

COLUMNS = ("unit", "rater", "value")


def krippendorff_alpha(frame: pd.DataFrame | Mapping[str, ArrayLike], *, level: Level = "nominal") -> float:
    """Krippendorff's alpha at the given level of measurement; NaN when undefined (see module).

    ``frame`` may also be a mapping of the three columns to arrays, e.g. straight from numpy.
    """
    return _alpha(frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame), level)[0]


def alpha_by_segment(frame: pd.DataFrame, *, segment: str | list[str], level: Level = "nominal") -> pd.DataFrame:
    """Alpha per segment (e.g. locale): columns ``krippendorff_alpha``, ``units`` and ``pairable_values``.

    ``units`` counts units with at least two values, the ones alpha is computed from. The loop
    is over segments (a few dozen locales or categories), never over units.
    """
    rows = {}
    for key, group in frame.groupby(segment, sort=True, observed=True):
        alpha, units, pairable = _alpha(group, level)
        rows[key] = {"krippendorff_alpha": alpha, "units": units, "pairable_values": pairable}
    result = pd.DataFrame.from_dict(rows, orient="index", columns=["krippendorff_alpha", "units", "pairable_values"])
    result.index.name = segment if isinstance(segment, str) else None
    if not isinstance(segment, str) and len(result):
        result.index = pd.MultiIndex.from_tuples(result.index, names=segment)
    return result.astype({"units": np.int64, "pairable_values": np.int64})


def rater_agreement(frame: pd.DataFrame, labels: pd.Series, *, level: Level = "nominal") -> pd.DataFrame:
    """Each rater against the consensus label of the units they rated.

    ``labels`` is indexed by unit (e.g. the ``label`` column of reports.consensus). Returns,
    per rater: ``answers`` (answers with a consensus to compare with),
    ``agreement_with_consensus`` (share equal to the label) and, for ordered levels,
    ``mean_abs_difference`` (how far off they are on the scale, NaN for nominal). The rater's
    own answer is part of the consensus, which flatters everyone a little at low overlap.
    """
    _check(frame, level)
    # One mask and one selection: at ten million answers every intermediate copy is ~100 MB.
    value = frame["value"].to_numpy()
    label = labels.reindex(frame["unit"]).to_numpy()
    compared = pd.notna(value) & pd.notna(label)
    value, label = value[compared], label[compared]
    rater = frame["rater"][compared]
    # .array keeps a categorical rater column as codes (grouping ten million names is slow).
    grouped = pd.DataFrame({"rater": rater.array, "equal": value == label})
    if level == "nominal":
        grouped["difference"] = np.nan
    else:
        grouped["difference"] = np.abs(value.astype(float) - label.astype(float))
    result = grouped.groupby("rater", sort=True, observed=True).agg(
        answers=("equal", "size"),
        agreement_with_consensus=("equal", "mean"),
        mean_abs_difference=("difference", "mean"),
    )
    if isinstance(result.index, pd.CategoricalIndex):
        result.index = pd.Index(result.index.to_numpy(), name="rater")
    return result


def reliability_data(matrix: np.ndarray | list[list[float]], raters: list[str] | None = None) -> pd.DataFrame:
    """Long frame from Krippendorff's reliability data matrix: rows are raters, columns units, NaN missing."""
    data = np.asarray(matrix, dtype=float)
    names = raters if raters is not None else [str(index) for index in range(data.shape[0])]
    rater_index, unit_index = np.nonzero(~np.isnan(data))
    return pd.DataFrame(
        {"unit": unit_index + 1, "rater": np.asarray(names)[rater_index], "value": data[rater_index, unit_index]}
    )


def _check(frame: pd.DataFrame, level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f'unknown level "{level}"; use one of {", ".join(LEVELS)}')
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"agreement needs columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}")


def _alpha(frame: pd.DataFrame, level: str) -> tuple[float, int, int]:
    """(alpha, pairable units, pairable values)."""
    _check(frame, level)
    value_codes, values = pd.factorize(frame["value"], sort=True)
    keep = value_codes >= 0
    units_in, raters_in = (frame["unit"], frame["rater"]) if keep.all() else (frame["unit"][keep], frame["rater"][keep])
    unit_codes, units = pd.factorize(units_in)
    rater_codes, raters = pd.factorize(raters_in)
    value_codes = value_codes[keep].astype(np.int64, copy=False)
    n_units, n_values = len(units), len(values)
    if n_units == 0:
        return float("nan"), 0, 0
    cell = unit_codes.astype(np.int64)
    cell *= len(raters)
    cell += rater_codes
    # Sorting beats np.unique here: numpy 2's hash-based unique is several times slower on int64.
    cell.sort()
    if (cell[1:] == cell[:-1]).any():
        raise ValueError("agreement: a rater has more than one value for the same unit")

    # Units x values counts; the coincidence matrix is then one sparse product over all units.
    counts = sparse.csr_matrix(
        (np.ones(len(value_codes)), (unit_codes, value_codes)), shape=(n_units, n_values)
    )  # duplicates sum
    per_unit = np.asarray(counts.sum(axis=1)).ravel()
    pairable = per_unit >= 2
    if not pairable.any():
        return float("nan"), 0, 0
    counts = counts[pairable]
    weight = 1.0 / (per_unit[pairable] - 1.0)
    weighted = sparse.diags(weight) @ counts
    coincidence = (counts.T @ weighted).toarray()
    coincidence -= np.diag(np.asarray(weighted.sum(axis=0)).ravel())
    marginals = coincidence.sum(axis=1)
    total = marginals.sum()

    distance = _distance(level, values, marginals)
    observed = (coincidence * distance).sum()
    expected = (np.outer(marginals, marginals) * distance).sum()
    if expected == 0:
        return float("nan"), int(pairable.sum()), int(round(total))
    return float(1.0 - (total - 1.0) * observed / expected), int(pairable.sum()), int(round(total))


def _distance(level: str, values: pd.Index, marginals: np.ndarray) -> np.ndarray:
    """Squared difference function delta^2(c, k) over the observed values, in sorted order."""
    n = len(values)
    if level == "nominal":
        return 1.0 - np.eye(n)
    if level == "ordinal":
        # Krippendorff's rank-based distance: values between c and k weighted by how often they occur.
        cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
        low, high = np.minimum.outer(np.arange(n), np.arange(n)), np.maximum.outer(np.arange(n), np.arange(n))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2 * (low != high)
    numbers = np.asarray(values, dtype=float)
    difference = np.subtract.outer(numbers, numbers)
    if level == "interval":
        return difference**2
    if (numbers < 0).any():
        raise ValueError("agreement: the ratio level needs values of 0 or more")
    total = np.add.outer(numbers, numbers)
    return np.divide(difference, total, out=np.zeros_like(difference), where=total != 0) ** 2
