"""Pain points: the share of SERPs with each problem, in Pareto order, with examples for R&D.

Pure computation (STYLE.md point 4): pandas only, nothing from Django.

A SERP counts as tagged with a pain point when at least half of the raters who judged it
tagged it (``rule="half"``, the default): one rater's stray tag should not make a page "have"
the problem, and half, not a strict majority, keeps a 1-of-2 split in. ``rule="any"`` counts a
page when any rater tagged it, for recall-minded reviews. The share is then a design-weighted
mean of that 0/1 per SERP, with a bootstrap interval from ``estimators``.

Pareto order: descending share (ties by name); ``cumulative_share`` is the running sum of the
shares over their total, the line of a Pareto chart (a SERP can have several pain points, so
shares themselves may sum past 1).
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports import estimators

RULES = ("half", "any")
PREFIX = "pain:"


def rater_shares(
    judgments: pd.DataFrame,
    *,
    pains: Sequence[str],
    tags: str = "pain_points",
    unit: str = "task_id",
    prefix: str = PREFIX,
) -> pd.DataFrame:
    """Per SERP, the share of its answering raters who tagged each pain point (``prefix + pain``).

    ``judgments``: one row per rater judgment with ``unit``, ``rater``, ``tags`` (a list of pain
    point values, or empty) and optionally ``cannot_judge``. A SERP nobody could judge is left
    out.
    """
    answered = judgments
    if "cannot_judge" in judgments:
        answered = judgments[judgments["cannot_judge"].fillna("").astype(str).eq("")]
    raters = answered.groupby(unit, sort=True).size()
    exploded = answered[[unit, "rater", tags]].explode(tags)
    exploded = exploded[exploded[tags].isin(list(pains))]
    # One rater listing a tag twice still counts once.
    counts = exploded.drop_duplicates().groupby([unit, tags]).size().unstack(fill_value=0)
    counts = counts.reindex(index=raters.index, columns=list(pains), fill_value=0)
    shares = counts.div(raters, axis=0).astype(float)
    shares.columns = [prefix + pain for pain in pains]
    return shares


def tagged(shares: pd.Series | pd.DataFrame, rule: str = "half") -> pd.Series | pd.DataFrame:
    """1.0 where a SERP counts as tagged under ``rule``, 0.0 where not, NaN where unknown."""
    if rule not in RULES:
        raise ValueError(f"Unknown tagging rule {rule!r}; expected one of {', '.join(RULES)}.")
    # A share is k/n; the small tolerance keeps exactly one half from falling below 0.5.
    flags = shares >= 0.5 - 1e-9 if rule == "half" else shares > 0
    return flags.astype(float).where(shares.notna())


def pain_points(
    units: pd.DataFrame,
    *,
    pains: Sequence[str],
    strategy: str,
    rule: str = "half",
    examples: dict[str, list] | None = None,
    prefix: str = PREFIX,
    probability: str = "inclusion_probability",
    stratum: str | None = "stratum",
    replicates: int = estimators.REPLICATES,
    seed: int = estimators.SEED,
) -> dict[str, dict]:
    """{pain: {"share", "ci95", "cumulative_share", "tagged_when", "examples"}} in Pareto order.

    ``units``: one row per SERP with the design columns and ``prefix + pain`` shares of raters
    (from ``rater_shares``). ``examples`` from ``example_queries``; [] where not given.
    """
    columns = [prefix + pain for pain in pains]
    frame = units.drop(columns=columns).join(tagged(units[columns], rule))
    figures = estimators.estimate_columns(
        frame,
        columns,
        probability=probability,
        # Only a stratified sample has strata to resample within.
        stratum=stratum if strategy == "stratified" else None,
        replicates=replicates,
        seed=seed,
    )
    return _pareto({pain: figures[prefix + pain] for pain in pains}, rule=rule, examples=examples or {})


def _pareto(figures: dict[str, dict], *, rule: str, examples: dict[str, list]) -> dict[str, dict]:
    order = sorted(figures, key=lambda pain: (-(figures[pain]["mean"] or 0.0), pain))
    shares = np.array([figures[pain]["mean"] or 0.0 for pain in order])
    total = shares.sum()
    cumulative = np.cumsum(shares) / total if total > 0 else np.zeros(len(shares))
    return {
        pain: {
            "share": figures[pain]["mean"],
            "ci95": figures[pain]["ci95"],
            "cumulative_share": float(running),
            "tagged_when": rule,
            "examples": examples.get(pain, []),
        }
        for pain, running in zip(order, cumulative, strict=True)
    }


def example_queries(
    judgments: pd.DataFrame,
    units: pd.DataFrame,
    *,
    pains: Sequence[str],
    rule: str = "half",
    limit: int = 5,
    tags: str = "pain_points",
    comment: str = "comment",
    unit: str = "task_id",
    prefix: str = PREFIX,
) -> dict[str, list[dict]]:
    """{pain: at most ``limit`` of [{"query_id", "query", "comments"}]} for R&D to look at.

    SERPs tagged under ``rule`` come first where most of their raters agreed, then by
    ``query_id``, so the same data always gives the same examples. ``comments`` are the
    non-empty comments of the raters who tagged that pain point, in rater order.
    ``units`` needs ``unit``, ``query_id`` and the ``prefix + pain`` shares; ``query`` (the
    text) is used when present.
    """
    answered = judgments
    if "cannot_judge" in judgments:
        answered = judgments[judgments["cannot_judge"].fillna("").astype(str).eq("")]
    by_unit = units.set_index(unit) if unit in units.columns else units
    found: dict[str, list[dict]] = {}
    for pain in pains:
        share = by_unit[prefix + pain]
        chosen = by_unit[tagged(share, rule) == 1.0].assign(_share=share)
        chosen = chosen.reset_index().sort_values(["_share", "query_id", unit], ascending=[False, True, True])
        rows = []
        for record in chosen.head(limit).to_dict("records"):
            mine = answered[answered[unit] == record[unit]]
            mine = mine[mine[tags].map(lambda values, pain=pain: _has(values, pain))]
            texts = mine.sort_values("rater")[comment] if comment in mine else pd.Series(dtype=object)
            rows.append(
                {
                    "query_id": record["query_id"],
                    "query": record.get("query"),
                    "comments": [str(text) for text in texts if isinstance(text, str) and text.strip()],
                }
            )
        found[pain] = rows
    return found


def _has(values, pain: str) -> bool:
    return isinstance(values, list | tuple | set | np.ndarray) and pain in list(values)
