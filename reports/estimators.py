"""Design-weighted means with bootstrap intervals: the uncertainty behind every report figure.

Pure computation (STYLE.md point 4): numpy and pandas only, nothing from Django.

A report figure is a mean of a per-unit value (a SERP's page score, whether it was tagged,
its nDCG, ...) over the sampled units. Units were drawn with known inclusion probabilities π
(``projects.sampling``), so each is weighted by 1/π and the figure is the Hájek ratio
Σ y/π / Σ 1/π, which estimates the population mean whatever the design was. A unit whose
value is missing (NaN: every rater said "cannot judge") drops out of that figure only.

The 95% interval is a percentile interval from the Rao–Wu rescaling bootstrap over units,
never over judgments (a unit's raters are not independent draws of the population):

- Within each stratum, draw n_h - 1 of its n_h units with replacement, and give unit i the
  weight w_i·(1 - λ_h + λ_h·n_h/(n_h - 1)·m_i), m_i its count in the draw. The n_h - 1 makes
  the bootstrap variance of a linear estimator equal the textbook stratified one exactly,
  where a naive n_h-of-n_h resample is too narrow by (n_h - 1)/n_h in small strata.
- λ_h = sqrt(1 - f_h) puts the finite-population correction in when the stratum is a simple
  random sample, recognised by a constant π in the stratum (then f_h = π). Where π varies
  (probability proportional to traffic) λ_h = 1: the with-replacement approximation, slightly
  conservative when the sampling fraction is large, which the report accepts over inventing
  a joint-inclusion model it does not have.
- Units with π = 1 were certain to be drawn and contribute no sampling variance: they keep
  their weight in every replicate (unless ``fpc=False``). So does a stratum with one unit,
  whose variance cannot be estimated from the sample.

Why percentile and not normal, studentized or BCa: the rescaling already gets the variance of
the Hájek ratio right (it re-solves the ratio in every replicate, so the random denominator is
accounted for), and the percentile interval keeps shares inside [0, 1] (a normal interval
around a rare pain point's share does not). The coverage simulation in
``tests/reports/test_satisfaction.py`` (1,000 samples of 1,000 SERPs) covers the true
satisfaction in 95.3% (stratified) and 94.7% (traffic-weighted) of runs. BCa, with the
acceleration from the ratio's influence values, balanced the two tails but came out narrower
(92.9% against 93.7% at 400 SERPs, traffic-weighted), so it is not used. Known limit: when
1/π is very skewed (traffic spanning orders of magnitude) and the sample has a few hundred
SERPs, every one of these intervals under-covers a little (about 94% at 400 SERPs), missing
on the low side: samples that miss the rare, heavily weighted low-traffic pages read high
and narrow. More SERPs, or strata by traffic band, fix that; a wider interval would not.

All figures of one report share one seed (``SEED``) so a report is reproducible, and the
bootstrap is vectorised: replicates are drawn in blocks as a count matrix and every column is
totalled by one matrix product (timings in ``bench/estimators_speed.py``).
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

REPLICATES = 1000
SEED = 20_251_122
LEVEL = 0.95

# Count-matrix cells per block of replicates: 250,000 floats (2 MB) stay in cache.
_CHUNK_CELLS = 250_000
# π this close to 1 is a certainty unit (floats from n_h/N_h or capped PPS).
_CERTAIN = 1 - 1e-9


def hajek_mean(values: Sequence[float] | np.ndarray, inclusion_probability: Sequence[float] | np.ndarray) -> float:
    """Σ y/π / Σ 1/π over the units whose value is present; NaN when none is."""
    y = np.asarray(values, dtype=np.float64)
    w = 1.0 / np.asarray(inclusion_probability, dtype=np.float64)
    present = ~np.isnan(y)
    total = w[present].sum()
    return float((w[present] * y[present]).sum() / total) if total > 0 else float("nan")


@dataclass(frozen=True)
class Replicates:
    """Hájek means of k columns and their bootstrap replicates."""

    estimates: np.ndarray  # (k,)
    draws: np.ndarray  # (replicates, k); NaN where a replicate left a column no weight

    def interval(self, column: int = 0, level: float = LEVEL) -> dict:
        return interval(self.estimates[column], self.draws[:, column], level)


def bootstrap(
    values: np.ndarray,
    inclusion_probability: Sequence[float] | np.ndarray,
    strata: Sequence[Hashable] | np.ndarray | None = None,
    *,
    replicates: int = REPLICATES,
    seed: int = SEED,
    fpc: bool = True,
    domains: Sequence[int] | np.ndarray | None = None,
) -> Replicates:
    """Hájek means of each column of ``values`` (n units x k, NaN = missing), with replicates.

    All columns share the same resamples, so figures from one call are consistent with each
    other (a segment's share and its complement, say). ``fpc=False`` treats every stratum as
    drawn with replacement, certain units included (queries as a sample from the stream of
    queries to come, say). ``domains`` (a code 0..D-1 per unit) estimates every column within
    every domain from the same resamples: result column d·k + j is column j in domain d.
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    probabilities = np.asarray(inclusion_probability, dtype=np.float64)
    if len(probabilities) != len(y):
        raise ValueError("values and inclusion_probability must have one row per unit")
    if len(y) and not ((probabilities > 0) & (probabilities <= 1 + 1e-9)).all():
        raise ValueError("inclusion probabilities must be in (0, 1]")
    weights = 1.0 / probabilities
    present = ~np.isnan(y)
    codes = np.zeros(len(y), dtype=np.intp) if domains is None else np.asarray(domains, dtype=np.intp)
    count = int(codes.max()) + 1 if len(codes) else 1
    # Numerators and denominators side by side, so one product totals both.
    columns = np.hstack([np.where(present, y, 0.0) * weights[:, None], present * weights[:, None]])
    totals = _domain_sums(columns, codes, count)
    replicate_totals = _replicate_totals(columns, _groups(probabilities, strata, fpc), replicates, seed, codes, count)
    k = y.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        estimates = np.where(totals[:, k:] > 0, totals[:, :k] / totals[:, k:], np.nan)
        ratios = np.where(replicate_totals[..., k:] > 0, replicate_totals[..., :k] / replicate_totals[..., k:], np.nan)
    return Replicates(estimates.reshape(-1), ratios.reshape(replicates, -1))


def interval(estimate: float, draws: np.ndarray, level: float = LEVEL) -> dict:
    """{"mean": ..., "ci95": [lo, hi]}, a percentile interval; None where a figure is undefined."""
    finite = draws[np.isfinite(draws)]
    if not np.isfinite(estimate):
        return {"mean": None, "ci95": [None, None]}
    if not len(finite):
        return {"mean": float(estimate), "ci95": [None, None]}
    low, high = np.quantile(finite, [(1 - level) / 2, (1 + level) / 2])
    return {"mean": float(estimate), "ci95": [float(low), float(high)]}


def estimate_columns(
    units: pd.DataFrame,
    columns: Sequence[str],
    *,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = REPLICATES,
    seed: int = SEED,
    fpc: bool = True,
) -> dict[str, dict]:
    """{column: {"mean", "ci95"}} over a frame of one row per unit, from one shared bootstrap."""
    result = bootstrap(
        units[list(columns)].to_numpy(dtype=np.float64),
        units[probability].to_numpy(dtype=np.float64),
        _strata(units, stratum),
        replicates=replicates,
        seed=seed,
        fpc=fpc,
    )
    return {column: result.interval(j) for j, column in enumerate(columns)}


def estimate(units: pd.DataFrame, column: str, **options) -> dict:
    """{"mean", "ci95"} of one column; options as for ``estimate_columns``."""
    return estimate_columns(units, [column], **options)[column]


def estimate_by_segment(
    units: pd.DataFrame,
    columns: Sequence[str],
    segment: str,
    *,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = REPLICATES,
    seed: int = SEED,
    fpc: bool = True,
) -> dict[Hashable, dict[str, dict]]:
    """{segment value: {column: {"mean", "ci95"}}}, keys sorted; a missing value reads as "".

    Segments are domains of the whole design, not separate samples: each replicate resamples
    the full sample by its strata and takes the domain's ratio, so a segment's random size
    (when it cuts across strata) is part of its interval. One bootstrap serves every segment.
    """
    labels = units[segment].astype(object).where(units[segment].notna(), "")
    codes, keys = pd.factorize(labels, sort=True)
    k = len(columns)
    result = bootstrap(
        units[list(columns)].to_numpy(dtype=np.float64),
        units[probability].to_numpy(dtype=np.float64),
        _strata(units, stratum),
        replicates=replicates,
        seed=seed,
        fpc=fpc,
        domains=codes,
    )
    return {
        _plain(key): {column: result.interval(d * k + j) for j, column in enumerate(columns)}
        for d, key in enumerate(keys)
    }


# --- The rescaling bootstrap ----------------------------------------------------------------


@dataclass(frozen=True)
class _Groups:
    """Bootstrap strata: per unit a group code (-1: never resampled) and each group's λ."""

    codes: np.ndarray
    lambdas: np.ndarray


def _groups(probabilities: np.ndarray, strata, fpc: bool) -> _Groups:
    n = len(probabilities)
    codes = np.zeros(n, dtype=np.int64) if strata is None else pd.factorize(np.asarray(strata, dtype=object))[0]
    if fpc:
        codes[probabilities >= _CERTAIN] = -1
    if (codes >= 0).any():
        sizes = np.bincount(codes[codes >= 0])
        # A lone unit's variance cannot be estimated: it keeps its weight, like a certain one.
        codes[(codes >= 0) & (sizes[np.maximum(codes, 0)] < 2)] = -1
    lambdas = np.ones(codes.max() + 1 if n else 0)
    if fpc:
        for group in np.unique(codes[codes >= 0]):
            pis = probabilities[codes == group]
            # A constant π marks a simple random sample, where π is the sampling fraction.
            if np.ptp(pis) <= 1e-12 * pis.max():
                lambdas[group] = np.sqrt(1 - pis[0])
    return _Groups(codes, lambdas)


def _replicate_totals(
    columns: np.ndarray, groups: _Groups, replicates: int, seed: int, domains: np.ndarray, count: int
) -> np.ndarray:
    """Σ_i r_bi·columns_i within each domain for every replicate b (replicates x domains x width).

    r_bi = 1 - λ_h + λ_h·n_h/(n_h - 1)·m_bi, the Rao–Wu rescaling factor: the fixed part is the
    same in every replicate, so only the counts m_bi are drawn, and a block of replicates is
    totalled by one matrix product per domain.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    width = columns.shape[1]
    codes = groups.codes
    resampled = codes >= 0
    if not resampled.any():
        return np.broadcast_to(_domain_sums(columns, domains, count), (replicates, count, width)).copy()
    sizes = np.bincount(codes[resampled], minlength=len(groups.lambdas))
    lam = np.where(resampled, groups.lambdas[np.maximum(codes, 0)], 0.0)
    size = np.where(resampled, sizes[np.maximum(codes, 0)], 2)
    constant = _domain_sums((1 - lam)[:, None] * columns, domains, count)

    # Resampled units in group order, each group contiguous; a draw is a position among them.
    sampled = np.flatnonzero(resampled)[np.argsort(codes[resampled], kind="stable")]
    present = sizes[sizes > 0]
    starts = np.concatenate(([0], np.cumsum(present)[:-1]))
    # One draw column per slot: group g has n_g - 1 of them, each picking among its n_g units.
    # float32 draws are a third cheaper; u·n_g is exact enough while n_g stays below 2**24.
    precision = np.float32 if present.max() < 2**24 else np.float64
    slot_size = np.repeat(present, present - 1).astype(precision)
    slot_start = np.repeat(starts, present - 1).astype(np.intp)
    # For the products, the same units again in domain order: each domain a contiguous slice,
    # so a domain multiplies only its own units (domains cost no more than one column set).
    by_domain = np.argsort(domains[sampled], kind="stable")
    bounds = np.searchsorted(domains[sampled][by_domain], np.arange(count + 1))
    scaled = ((lam * size / (size - 1))[:, None] * columns)[sampled][by_domain]

    rng = np.random.default_rng(seed)
    out = np.empty((replicates, count, width))
    units, draws = len(sampled), len(slot_size)
    # Blocks of ~250,000 cells keep the draws and their counts in cache (one big matrix of
    # draws is memory-bound), but at least 16 replicates, so a product reads the columns once
    # per 16 replicates rather than once per replicate.
    block = min(replicates, max(16, _CHUNK_CELLS // max(units, draws)))
    offsets = (np.arange(block) * units)[:, None]  # each replicate counts into its own row
    for first in range(0, replicates, block):
        rows = min(block, replicates - first)
        uniform = rng.random((rows, draws), dtype=precision)
        uniform *= slot_size  # u < 1, so u·n_g < n_g after rounding too
        picks = uniform.astype(np.intp)
        # Whole numbers added after the cast: a float sum could round up into the next group.
        picks += slot_start
        picks += offsets[:rows]
        counts = np.bincount(picks.ravel(), minlength=rows * units).reshape(rows, units)
        counts = counts.astype(np.float64)  # BLAS needs floats
        if count > 1:
            counts = counts[:, by_domain]
        for domain in range(count):
            low, high = bounds[domain], bounds[domain + 1]
            out[first : first + rows, domain] = counts[:, low:high] @ scaled[low:high]
    out += constant
    return out


def _domain_sums(columns: np.ndarray, domains: np.ndarray, count: int) -> np.ndarray:
    """Column totals within each domain (domains x width)."""
    return np.column_stack([np.bincount(domains, weights=column, minlength=count) for column in columns.T]).reshape(
        count, columns.shape[1]
    )


def _strata(units: pd.DataFrame, stratum: str | None) -> np.ndarray | None:
    if stratum is None or stratum not in units.columns:
        return None
    return units[stratum].astype(object).where(units[stratum].notna(), "").to_numpy()


def _plain(key):
    """numpy scalars as Python ones, so keys serialise and compare as the caller expects."""
    return key.item() if isinstance(key, np.generic) else key
