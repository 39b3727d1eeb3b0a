"""Side by side: which variant raters prefer, by how much, and whether it is more than chance.

Pure computation (STYLE.md point 4): pandas and scipy only, nothing from Django.

Preferences arrive de-randomised: positive means the project's second variant is better,
whichever side it was shown on. The unit is the SERP pair (a task): its raters' preferences are
averaged first, so a pair judged by five raters does not count five times.

- wins / ties / losses: pairs whose mean preference is above / at / below zero (counts of
  pairs, unweighted: they describe what raters saw);
- mean preference: design-weighted Hájek mean over pairs with a bootstrap interval
  (``estimators``), so it estimates the whole query population;
- p-value: two-sided exact sign test on wins against losses, ties dropped (``"test": "sign"``).
  It asks only "is the second variant preferred more often than not?", makes no assumption
  about the preference scale's spacing, and is exact at any number of pairs.
"""

from collections.abc import Hashable

import pandas as pd
from scipy.stats import binomtest

from reports import estimators

TEST = "sign"
# A pair mean within this of 0 is a tie (means of small integers are exact, but stay safe).
_TIE = 1e-9


def pair_preferences(judgments: pd.DataFrame, *, preference: str = "preference", unit: str = "task_id") -> pd.DataFrame:
    """Per pair: ``preference`` (mean over raters who answered) and ``raters``, indexed by ``unit``."""
    values = pd.to_numeric(judgments[preference], errors="coerce")
    if "cannot_judge" in judgments:
        values = values.where(judgments["cannot_judge"].fillna("").astype(str).eq(""))
    grouped = values.groupby(judgments[unit], sort=True)
    pairs = pd.DataFrame({"preference": grouped.mean(), "raters": grouped.count()})
    pairs.index.name = unit
    return pairs


def sign_test(wins: int, losses: int) -> float | None:
    """Two-sided exact binomial p-value of wins vs losses at 1/2; None with no untied pair."""
    if wins + losses == 0:
        return None
    return float(binomtest(int(wins), int(wins + losses), 0.5, alternative="two-sided").pvalue)


def side_by_side(
    units: pd.DataFrame,
    *,
    strategy: str,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict:
    """{"wins", "ties", "losses", "mean_preference", "ci95", "p_value", "test", "pairs"}.

    ``units``: one row per pair with ``preference`` (NaN when nobody could judge it) and the
    design columns.
    """
    figure = estimators.estimate(units, "preference", **_options(strategy, probability, stratum, replicates, seed))
    return _block(units["preference"], figure)


def side_by_side_by_segment(
    units: pd.DataFrame,
    segment: str,
    *,
    strategy: str,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict[Hashable, dict]:
    """{segment value: the ``side_by_side`` block of its pairs}, keys sorted, missing as "".

    Intervals treat each segment as a domain of the whole design (``estimators``).
    """
    figures = estimators.estimate_by_segment(
        units, ["preference"], segment, **_options(strategy, probability, stratum, replicates, seed)
    )
    labels = units[segment].astype(object).where(units[segment].notna(), "")
    return {key: _block(units.loc[labels == key, "preference"], by["preference"]) for key, by in figures.items()}


def _options(strategy: str, probability: str, stratum: str | None, replicates: int, seed: int) -> dict:
    # Only a stratified sample has strata to resample within.
    stratum = stratum if strategy == "stratified" else None
    return {"probability": probability, "stratum": stratum, "replicates": replicates, "seed": seed}


def _block(preferences: pd.Series, figure: dict) -> dict:
    scored = preferences.dropna()
    wins = int((scored > _TIE).sum())
    losses = int((scored < -_TIE).sum())
    return {
        "wins": wins,
        "ties": int(len(scored)) - wins - losses,
        "losses": losses,
        "mean_preference": figure["mean"],
        "ci95": figure["ci95"],
        "p_value": sign_test(wins, losses),
        "test": TEST,
        "pairs": int(len(scored)),
    }
