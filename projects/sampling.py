"""Probability samples of sampling units from a pool frame, reproducible from a seed.

Pure computation (STYLE.md point 4): numpy and pandas only, nothing from Django or the project.

The frame has one row per sampling unit (a SERP, or a query with its variants), a unique
integer column ``unit`` and any pool fields (``locale``, ``category``, ``traffic``, ...).
Every strategy returns each selected unit with its first-order inclusion probability π, so
reports can weight estimates by 1/π (Horvitz–Thompson) whatever the design was:

- ``uniform``: simple random sampling without replacement; π = n/N for every unit.
- ``stratified``: strata are the combinations of the given fields, labelled
  ``"locale=it-IT|category=food"`` (fields in the order given; a missing value reads as
  ``field=``). Stratum sizes n_h are allocated, then each stratum is a simple random sample:
  π = n_h/N_h.

  * ``proportional``: n_h ∝ N_h, rounded by the largest-remainder method so the n_h sum to n.
    Each n_h is within 1 of its exact share n·N_h/N, so a stratum whose share is below 1 may
    get 0 units: it is then absent from the sample, its units have π = 0 and no estimate
    covers it. Use ``equal`` allocation (or merge tiny strata) when every stratum must appear.
  * ``equal``: n split as evenly as possible; a stratum smaller than its share is taken whole
    and the surplus goes to the strata that still have room, so allocations of strata with
    room differ by at most 1.

  Leftover units from rounding go deterministically (largest remainder, then the larger
  stratum, then the first label) so π is a fixed property of the design, not of the seed.
  Fields in ``strata`` are ignored by the other strategies.
- ``traffic_weighted``: probability proportional to the weight field, without replacement,
  exactly n units. π_i = n·x_i/Σx; units whose π would reach 1 are taken with certainty and π
  is recomputed for the rest. The draw is randomized systematic PPS, which achieves exactly
  these π. Units with weight 0 have π = 0 and are never selected.

The frame is sorted by ``unit`` before anything random happens, so the same frame in any row
order, with the same arguments and seed, gives the identical sample.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

STRATEGIES = ("uniform", "stratified", "traffic_weighted")
ALLOCATIONS = ("proportional", "equal")

# A unit whose PPS probability is within this of 1 is taken with certainty: its interval on
# the systematic line would be ~1 wide, and float rounding could then let it catch two points.
_CERTAINTY_TOLERANCE = 1e-9


class SamplingError(ValueError):
    """Bad sampling input; the message is shown to the user as-is, beside `field`."""

    def __init__(self, message: str, *, field: str = "size"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class _Design:
    units: np.ndarray  # sorted ascending
    probabilities: np.ndarray  # π per unit, aligned with units
    stratum_codes: np.ndarray | None  # per unit, for stratified designs
    stratum_labels: np.ndarray | None  # per stratum
    allocation: np.ndarray | None  # n_h per stratum


def inclusion_probabilities(
    frame: pd.DataFrame,
    *,
    strategy: str,
    size: int,
    strata: Sequence[str] = (),
    allocation: str = "proportional",
    weight_column: str = "traffic",
) -> pd.DataFrame:
    """π for every unit of the frame, selected or not, under the design ``draw_sample`` uses.

    Returns ``unit``, ``inclusion_probability`` (in [0, 1]; 0 for a unit that cannot be drawn)
    and ``stratum``, one row per unit, sorted by ``unit``. The probabilities sum to ``size``.
    """
    design = _design(
        frame, strategy=strategy, size=size, strata=strata, allocation=allocation, weight_column=weight_column
    )
    return _result(design, np.arange(len(design.units)))


def draw_sample(
    frame: pd.DataFrame,
    *,
    strategy: str,
    size: int,
    seed: int,
    strata: Sequence[str] = (),
    allocation: str = "proportional",
    weight_column: str = "traffic",
) -> pd.DataFrame:
    """Draw ``size`` units; see the module docstring for the designs.

    Returns ``unit`` (int), ``inclusion_probability`` (float in (0, 1]) and ``stratum`` (str;
    "" when not stratified), one row per selected unit, sorted by ``unit``.
    """
    _check_seed(seed)
    design = _design(
        frame, strategy=strategy, size=size, strata=strata, allocation=allocation, weight_column=weight_column
    )
    rng = np.random.default_rng(seed)
    if strategy == "uniform":
        chosen = rng.choice(len(design.units), size=size, replace=False)
    elif strategy == "stratified":
        chosen = _stratified_draw(design.stratum_codes, design.allocation, rng)
    else:
        chosen = _systematic_pps_draw(design.probabilities, rng)
    return _result(design, np.sort(chosen))


# --- Designs ----------------------------------------------------------------------------


def _design(frame, *, strategy, size, strata, allocation, weight_column) -> _Design:
    if strategy not in STRATEGIES:
        raise SamplingError(
            f"Unknown sampling strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}.", field="strategy"
        )
    if allocation not in ALLOCATIONS:
        raise SamplingError(
            f"Unknown allocation {allocation!r}; choose one of: {', '.join(ALLOCATIONS)}.", field="allocation"
        )
    if isinstance(size, bool) or not isinstance(size, Integral):
        raise SamplingError(f"The sample size must be a whole number, got {size!r}.")
    if size < 1:
        raise SamplingError(f"The sample size must be at least 1, got {size}.")
    units, order = _sorted_units(frame)
    if size > len(units):
        raise SamplingError(f"The sample asks for {size} units but the pool has {len(units)}.")

    if strategy == "uniform":
        return _Design(units, np.full(len(units), size / len(units)), None, None, None)
    if strategy == "stratified":
        codes, labels = _strata(frame, strata, order)
        population = np.bincount(codes, minlength=len(labels))
        allocated = _allocate(population, size, allocation)
        return _Design(units, (allocated / population)[codes], codes, labels, allocated)
    weights = _weights(frame, weight_column, order, units)
    positive = int(np.count_nonzero(weights))
    if positive < size:
        raise SamplingError(
            f"The sample asks for {size} units but only {positive} {_units(positive)} "
            f"{'has' if positive == 1 else 'have'} a positive {weight_column!r}."
        )
    return _Design(units, _pps_probabilities(weights, size), None, None, None)


def _sorted_units(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The unit ids in ascending order, and the row positions that put the frame in that order."""
    if len(frame) == 0:
        raise SamplingError("The pool is empty: there is nothing to sample.")
    if "unit" not in frame.columns:
        raise SamplingError("The pool has no 'unit' column.")
    column = frame["unit"]
    if not pd.api.types.is_integer_dtype(column.dtype) or column.isna().any():
        raise SamplingError("The 'unit' column must hold a whole number for every unit.")
    values = column.to_numpy(dtype=np.int64)
    order = np.argsort(values, kind="stable")
    units = values[order]
    repeated = units[1:][units[1:] == units[:-1]]
    if len(repeated):
        shown = ", ".join(str(u) for u in np.unique(repeated)[:5])
        raise SamplingError(f"The pool has duplicate units: {shown}.")
    return units, order


def _strata(frame: pd.DataFrame, strata: Sequence[str], order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, a stratum code; per code, its label. Codes follow the labels' sort order."""
    fields = (strata,) if isinstance(strata, str) else tuple(strata)
    if not fields:
        raise SamplingError("Stratified sampling needs at least one stratum field.", field="strata")
    for field in fields:
        if field not in frame.columns:
            raise SamplingError(f"Stratum field {field!r} is not in the pool.", field="strata")
        if fields.count(field) > 1:
            raise SamplingError(f"Stratum field {field!r} is given more than once.", field="strata")

    combined = np.zeros(len(order), dtype=np.int64)
    per_field = []
    for field in fields:
        codes, texts = _text_codes(frame[field])
        codes = codes[order]
        per_field.append((field, codes, texts))
        # Mixed-radix code, re-compacted after each field so it never overflows.
        combined, _ = pd.factorize(combined * len(texts) + codes, sort=True)
    _, first = np.unique(combined, return_index=True)
    labels = np.array(
        ["|".join(f"{field}={texts[codes[row]]}" for field, codes, texts in per_field) for row in first],
        dtype=object,
    )
    return combined.astype(np.int64), labels


def _text_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a field's values as text (missing -> ""), sorted; values that read alike merge."""
    raw_codes, raw_values = pd.factorize(column)
    # A missing value gets raw code -1, which indexes the trailing "".
    texts = np.array([str(value) for value in raw_values] + [""], dtype=object)
    text_codes, text_values = pd.factorize(texts, sort=True)
    return text_codes[raw_codes], np.asarray(text_values, dtype=object)


def _allocate(population: np.ndarray, size: int, allocation: str) -> np.ndarray:
    """n_h per stratum: shares ∝ N_h (proportional) or 1 (equal), capped at N_h, summing to size.

    Integer arithmetic throughout, so remainders compare exactly and ties break the same way
    on every machine.
    """
    population = population.astype(np.int64)
    weights = population if allocation == "proportional" else np.ones_like(population)
    allocated = np.zeros_like(population)
    room = np.ones(len(population), dtype=bool)
    remaining = size
    # A stratum whose share reaches N_h is taken whole; the others share what is left. Shares
    # only grow as strata drop out, so this ends in at most one pass per stratum.
    while room.any():
        total = weights[room].sum()
        full = room & (remaining * weights >= population * total)
        if not full.any():
            break
        allocated[full] = population[full]
        remaining -= int(population[full].sum())
        room &= ~full
    if room.any():
        open_strata = np.flatnonzero(room)
        floors, remainders = np.divmod(remaining * weights[open_strata], weights[open_strata].sum())
        allocated[open_strata] = floors
        leftover = remaining - int(floors.sum())
        by_claim = np.lexsort((open_strata, -population[open_strata], -remainders))
        allocated[open_strata[by_claim[:leftover]]] += 1
    return allocated


def _weights(frame: pd.DataFrame, column: str, order: np.ndarray, units: np.ndarray) -> np.ndarray:
    if column not in frame.columns:
        raise SamplingError(f"Weight field {column!r} is not in the pool.", field="strategy")
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        raise SamplingError(f"Weight field {column!r} must be numeric.", field="strategy")
    if not pd.api.types.is_numeric_dtype(series.dtype):
        # Object columns are fine when they hold numbers (Decimal from the database, None for missing).
        numbers = pd.to_numeric(series, errors="coerce")
        if (numbers.isna() & series.notna()).any():
            raise SamplingError(f"Weight field {column!r} must be numeric.", field="strategy")
        series = numbers
    weights = series.to_numpy(dtype=np.float64, na_value=np.nan)[order]
    for bad, problem in ((~np.isfinite(weights), "missing or infinite"), (weights < 0, "negative")):
        count = int(np.count_nonzero(bad))
        if count:
            first = units[np.argmax(bad)]
            raise SamplingError(
                f"Weight field {column!r} is {problem} for {count} {_units(count)} (first: unit {first}).",
                field="strategy",
            )
    return weights


def _pps_probabilities(weights: np.ndarray, size: int) -> np.ndarray:
    """π_i = m·x_i / Σx over the units not taken with certainty, m = size - #certain.

    Equivalent to "cap every π above 1, recompute, repeat", without the repeat: with weights
    sorted descending, taking the k largest with certainty is consistent exactly when the
    (k+1)-th would get π < 1, that condition is monotone in k, and the repeat stops at its
    smallest k.
    """
    by_weight = np.argsort(-weights, kind="stable")
    ranked = weights[by_weight]
    tail = np.cumsum(ranked[::-1])[::-1]  # tail[k] = Σ of all but the k largest
    k = np.arange(size)
    consistent = (size - k) * ranked[:size] < (1 - _CERTAINTY_TOLERANCE) * tail[:size]
    certain = int(np.argmax(consistent)) if consistent.any() else size
    probabilities = np.zeros(len(weights))
    if certain < size:
        probabilities = (size - certain) * weights / tail[certain]
    probabilities[by_weight[:certain]] = 1.0
    return probabilities


# --- Draws --------------------------------------------------------------------------------


def _stratified_draw(codes: np.ndarray, allocated: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Simple random samples of n_h per stratum in one pass: shuffle within strata, keep the first n_h."""
    keys = rng.random(len(codes))
    order = np.lexsort((keys, codes))
    starts = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=len(allocated)))[:-1]))
    position = np.empty(len(codes), dtype=np.int64)
    position[order] = np.arange(len(codes)) - starts[codes[order]]
    return np.flatnonzero(position < allocated[codes])


def _systematic_pps_draw(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomized systematic PPS: certain units, plus one unit per point u, u+1, ... on the
    line of the others' π laid end to end in random order. Each unit's interval is its π
    long and shorter than 1, so it catches a point with probability exactly π and never two.
    """
    certain = np.flatnonzero(probabilities == 1.0)
    candidates = np.flatnonzero((probabilities > 0) & (probabilities < 1.0))
    points = round(probabilities[candidates].sum())
    shuffled = candidates[rng.permutation(len(candidates))]
    ends = np.cumsum(probabilities[shuffled])
    if points:
        # Pin the line's end to an exact integer so u + points - 1 < end despite rounding.
        ends *= points / ends[-1]
        ends[-1] = points
    start = rng.random()
    hit = np.searchsorted(ends, start + np.arange(points), side="right")
    return np.concatenate((certain, shuffled[hit]))


# --- Helpers ------------------------------------------------------------------------------


def _result(design: _Design, rows: np.ndarray) -> pd.DataFrame:
    if design.stratum_codes is None:
        stratum = np.full(len(rows), "", dtype=object)
    else:
        stratum = design.stratum_labels[design.stratum_codes[rows]]
    return pd.DataFrame(
        {"unit": design.units[rows], "inclusion_probability": design.probabilities[rows], "stratum": stratum}
    )


def _check_seed(seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise SamplingError(f"The seed must be a non-negative whole number, got {seed!r}.", field="seed")


def _units(count: int) -> str:
    return "unit" if count == 1 else "units"
