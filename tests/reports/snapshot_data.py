"""Hand-made report snapshots, shaped as the aggregation job writes them, for the dashboard tests.

`snapshot_data()` is a plausible graded project over three locales and three categories;
`kind="side_by_side"` adds the side-by-side figures; `nulls=True` blanks the figures a small
segment would lack; `hostile=True` puts script and formula payloads wherever pool or rater text
reaches the report (queries, comments, locale, category, pain point and rater names).
"""

import copy

XSS_LOCALE = "<img src=x onerror=alert('locale')>"
XSS_CATEGORY = "<script>alert('category')</script>"
XSS_QUERY = "<img src=x onerror=alert('query')>"
XSS_COMMENT = '<script>alert("comment")</script><a href="javascript:alert(1)">x</a>'
XSS_PAIN = "<svg onload=alert('pain')>"
XSS_RATER = "<b onmouseover=alert('rater')>rater</b>"
FORMULA_RATER = '=HYPERLINK("https://evil.example","r")'
FORMULA_CATEGORY = "@SUM(1+1)"

METHODS = {
    "consensus": "median",
    "ndcg": "trec_eval ndcg_cut: gain = grade, log2(rank + 1) discount, ideal from the judged results",
    "ci": "bootstrap over SERPs, 2,000 resamples, percentile",
    "weighting": "stratified",
}


def _interval(centre, half, *, share=True):
    low, high = centre - half, centre + half
    if share:
        low, high = max(0.0, low), min(1.0, high)
    return [round(low, 4), round(high, 4)]


def section(serps, *, mean=3.7, share=0.62, ndcg=0.81, pains=None, alpha=0.67, sbs=None):
    """One SECTION of the report; every argument None blanks that figure."""
    judgments = serps * 3
    out = {
        "serps": serps,
        "judgments": judgments,
        "satisfaction": None,
        "relevance": None,
        "pain_points": {},
        "agreement": {
            "relevance": {"krippendorff_alpha": alpha, "level": "ordinal"},
            "satisfaction": {
                "krippendorff_alpha": None if alpha is None else round(alpha - 0.09, 3),
                "level": "ordinal",
            },
        },
        "side_by_side": None,
        "cannot_judge": {"did_not_load": max(1, serps // 100), "foreign_language": max(0, serps // 250)},
    }
    if mean is not None:
        out["satisfaction"] = {
            "mean": mean,
            "ci95": _interval(mean, 0.07, share=False),
            "share_satisfied": share,
            "share_satisfied_ci95": None if share is None else _interval(share, 0.03),
            "weighting": "stratified",
        }
    if ndcg is not None:
        out["relevance"] = {
            "consensus": "median",
            "ndcg@10": {"mean": ndcg, "ci95": _interval(ndcg, 0.01)},
            "p@10": {"mean": round(ndcg - 0.17, 4), "ci95": _interval(ndcg - 0.17, 0.02)},
            "err@10": {"mean": round(ndcg - 0.26, 4), "ci95": _interval(ndcg - 0.26, 0.02)},
        }
    for key, share_ in (pains or {}).items():
        out["pain_points"][key] = {
            "share": share_,
            "ci95": None if share_ is None else _interval(share_, 0.02),
            "examples": [{"query": "pasta carbonara", "comment": "Top result is from 2019."}],
        }
    out["side_by_side"] = sbs
    return out


def _sbs(wins, ties, losses, mean, p):
    return {
        "wins": wins, "ties": ties, "losses": losses, "mean_preference": mean,
        "ci95": None if mean is None else _interval(mean, 0.26, share=False), "p_value": p, "test": "sign",
    }  # fmt: skip


def snapshot_data(*, kind="graded", nulls=False, hostile=False):
    locales = ["it-IT", "de-DE", "es-ES"] + ([XSS_LOCALE] if hostile else [])
    categories = ["food", "music", "sport"] + ([XSS_CATEGORY, FORMULA_CATEGORY] if hostile else [])
    pains = {"irrelevant_top": 0.18, "outdated": 0.12, "duplicates": 0.07, "wrong_language": 0.03}
    if hostile:
        pains[XSS_PAIN] = 0.01
    sbs = kind == "side_by_side"

    overall = section(1000, pains=pains, sbs=_sbs(60, 20, 40, 0.31, 0.057) if sbs else None)
    overall["pain_points"]["outdated"]["examples"] = [
        {"query": "world cup 2026 schedule", "comment": "Shows the 2022 schedule first."},
        {"query": "iphone price", "comment": "Prices from two models ago."},
    ]
    if hostile:
        overall["pain_points"]["outdated"]["examples"].append({"query": XSS_QUERY, "comment": XSS_COMMENT})

    by_locale = {}
    for n, locale in enumerate(locales):
        small = nulls and n == len(locales) - 1
        by_locale[locale] = section(
            4 if small else 300 + 40 * n,
            mean=None if small else round(3.5 + 0.15 * n, 2),
            share=None if small else round(0.55 + 0.05 * n, 3),
            ndcg=None if small else round(0.78 + 0.03 * n, 3),
            alpha=None if small else round(0.6 + 0.08 * n, 3),
            pains={"outdated": None if small else 0.1 + 0.02 * n},
            sbs=(_sbs(20 + n, 7, 13 - n, None if small else round(0.2 + 0.1 * n, 2), None if small else 0.2)
                 if sbs else None),
        )  # fmt: skip
    by_category = {
        category: section(250 + 30 * n, mean=round(3.4 + 0.2 * n, 2), share=round(0.5 + 0.06 * n, 3),
                          ndcg=round(0.75 + 0.04 * n, 3), sbs=_sbs(15, 5, 10, 0.25, 0.1) if sbs else None)
        for n, category in enumerate(categories)
    }  # fmt: skip
    raters = [
        {"rater": "r-anna", "judgments": 1200, "gold_judgments": 60, "gold_accuracy": 0.92,
         "agreement_with_consensus": 0.81, "median_active_s": 41.0},
        {"rater": "r-bruno", "judgments": 950, "gold_judgments": 48, "gold_accuracy": 0.85,
         "agreement_with_consensus": 0.77, "median_active_s": 36.5},
        {"rater": "r-chen", "judgments": 850, "gold_judgments": 0, "gold_accuracy": None,
         "agreement_with_consensus": None if nulls else 0.7, "median_active_s": 52.0},
    ]  # fmt: skip
    if hostile:
        raters += [
            {"rater": XSS_RATER, "judgments": 10, "gold_judgments": 1, "gold_accuracy": 1.0,
             "agreement_with_consensus": 0.5, "median_active_s": 20.0},
            {"rater": FORMULA_RATER, "judgments": 5, "gold_judgments": 0, "gold_accuracy": None,
             "agreement_with_consensus": 0.4, "median_active_s": 18.0},
        ]  # fmt: skip
    daily = []
    cumulative = 0
    for day, count in (("2026-11-16", 600), ("2026-11-17", 800), ("2026-11-18", 700), ("2026-11-19", 900)):
        cumulative += count
        daily.append({"day": day, "judgments": count, "cumulative": cumulative, "cost": round(cumulative * 0.5, 2)})
    data = {
        "guideline_version": 2,
        "judgments": 3000,
        "kind": kind,
        "methods": copy.deepcopy(METHODS),
        "overall": overall,
        "segments": {
            "locale": by_locale,
            "category": by_category,
            "variant": {"": section(1000)} if not sbs else {},
            "guideline_version": {"2": section(1000)},
        },
        "raters": raters,
        "operations": {
            "judgments_per_hour": 310.0,
            "judgments_per_hour_24h": None if nulls else 280.0,
            "median_active_s": 38.0,
            "cost": 1500.0,
            "cost_per_serp": 1.5,
            "progress": 0.75,
            "judgments_target": 4000,
            "forecast_done": None if nulls else "2026-11-21T18:00:00+00:00",
            "deadline": "2026-11-23T00:00:00+00:00",
            "on_track": None if nulls else True,
            "daily": daily,
        },
    }
    return data
