"""Satisfaction: the mean page score and the share of SERPs that satisfy, weighted by the design.

Pure computation (STYLE.md point 4): pandas only, nothing from Django.

A SERP's page score is the mean over its raters, leaving out "cannot judge" answers (they are
counted elsewhere, not scored). The SERP, not the rating, is the unit: raters of one SERP see
the same page, so their scores are not independent draws, and the intervals resample SERPs.

"Share satisfied" is per SERP consensus (``"unit": "serp"`` in the output): a SERP counts as
satisfying when its page score (the mean of its raters) reaches the schema's
``satisfied_threshold``. It answers "what share of result pages are good?", which is what a PM
reads it as; a share of ratings would mix that with how much raters disagree.
"""

from collections.abc import Hashable

import numpy as np
import pandas as pd

from reports import estimators

WEIGHTINGS = ("uniform", "stratified", "traffic_weighted")
UNIT = "serp"


def page_scores(
    judgments: pd.DataFrame,
    *,
    satisfied_threshold: float,
    score: str = "satisfaction",
    unit: str = "task_id",
) -> pd.DataFrame:
    """Per SERP: ``score`` (mean over raters who judged), ``satisfied`` (1.0/0.0, NaN when no
    score) and ``raters`` (how many scored it), indexed by ``unit``.

    ``judgments``: one row per rater judgment with ``unit``, ``score`` (numeric; NaN when not
    answered) and optionally ``cannot_judge`` (a reason; empty or missing when answered).
    A SERP whose every rater said "cannot judge" keeps a row with a NaN score.
    """
    values = pd.to_numeric(judgments[score], errors="coerce")
    if "cannot_judge" in judgments:
        values = values.where(judgments["cannot_judge"].fillna("").astype(str).eq(""))
    grouped = values.groupby(judgments[unit], sort=True)
    scores = pd.DataFrame({"score": grouped.mean(), "raters": grouped.count()})
    scores["satisfied"] = (scores["score"] >= satisfied_threshold).astype(float).where(scores["score"].notna())
    scores.index.name = unit
    return scores


def satisfaction(
    units: pd.DataFrame,
    *,
    strategy: str,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict:
    """The report's satisfaction block for one row per SERP (``score``, ``satisfied``, the design).

    Returns {"mean", "ci95", "share_satisfied", "share_satisfied_ci95", "serps", "weighting",
    "unit"}; figures are None when no SERP has a score.
    """
    figures = estimators.estimate_columns(
        units, ["score", "satisfied"], **_options(strategy, probability, stratum, replicates, seed)
    )
    return _block(figures, units["score"].notna().sum(), strategy)


def satisfaction_by_segment(
    units: pd.DataFrame,
    segment: str,
    *,
    strategy: str,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict[Hashable, dict]:
    """{segment value: the same block as ``satisfaction``}, each segment a domain of the design."""
    by_segment = estimators.estimate_by_segment(
        units, ["score", "satisfied"], segment, **_options(strategy, probability, stratum, replicates, seed)
    )
    labels = units[segment].astype(object).where(units[segment].notna(), "")
    scored = units["score"].notna().groupby(labels).sum()
    return {key: _block(figures, scored.get(key, 0), strategy) for key, figures in by_segment.items()}


def _options(strategy: str, probability: str, stratum: str | None, replicates: int, seed: int) -> dict:
    if strategy not in WEIGHTINGS:
        raise ValueError(f"Unknown sampling strategy {strategy!r}; expected one of {', '.join(WEIGHTINGS)}.")
    # Only a stratified sample has strata to resample within; elsewhere the column is blank.
    return {
        "probability": probability,
        "stratum": stratum if strategy == "stratified" else None,
        "replicates": replicates,
        "seed": seed,
    }


def _block(figures: dict, serps: int | np.integer, strategy: str) -> dict:
    score, satisfied = figures["score"], figures["satisfied"]
    return {
        "mean": score["mean"],
        "ci95": score["ci95"],
        "share_satisfied": satisfied["mean"],
        "share_satisfied_ci95": satisfied["ci95"],
        "serps": int(serps),
        "weighting": strategy,
        "unit": UNIT,
    }
