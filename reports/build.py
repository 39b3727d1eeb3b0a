"""From a project's judgments to the report JSON of DESIGN.md (pure: pandas in, dict out).

The unit of every estimate is the SERP task: page scores are averaged over its raters first,
then tasks are weighted by the sampling design (1 / inclusion probability) and resampled for
intervals. Gold tasks are QA items, not a sample of traffic: they count for rater accuracy,
never in the estimates. "Cannot judge" answers are counted, not scored.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from reports import agreement, consensus, estimators, operations, relevance, sbs

SEGMENTS = ("locale", "category", "variant", "guideline_version")
CUTOFF = 10
EXAMPLES = 5


@dataclass(frozen=True)
class ReportContext:
    """What a report needs to know about its project besides the judgments."""

    project_id: int
    kind: str  # graded | side_by_side
    variants: list
    schema: dict
    guideline_version: int
    cost_per_judgment: float
    deadline: datetime | None
    now: datetime


@dataclass(frozen=True)
class Questions:
    """Which schema questions play which part in a report."""

    score: dict | None  # the page's ordinal satisfaction scale
    pain: dict | None  # the page's multi question of pain points
    comment: dict | None  # the page's free text
    preference: dict | None  # side by side: -3 (left much better) .. +3
    grade: dict | None  # the result question graded for relevance
    page_scales: list  # page questions agreement is measured on
    result_scales: list  # result questions agreement is measured on

    @classmethod
    def of(cls, schema: dict) -> "Questions":
        page = schema.get("page_questions", [])
        results = schema.get("result_questions", [])
        ordinal_page = [q for q in page if q["type"] == "ordinal" and q["key"] != "preference"]
        fallback = ordinal_page[0] if ordinal_page else None
        return cls(
            score=next((q for q in ordinal_page if q["key"] == "satisfaction"), fallback),
            pain=next((q for q in page if q["type"] == "multi"), None),
            comment=next((q for q in page if q["type"] == "text"), None),
            preference=next((q for q in page if q["key"] == "preference"), None),
            grade=next((q for q in results if q["type"] == "ordinal"), None),
            page_scales=[q for q in page if q["type"] in ("ordinal", "categorical", "boolean")],
            result_scales=[q for q in results if q["type"] in ("ordinal", "categorical", "boolean")],
        )


def _level(question: dict) -> str:
    return "ordinal" if question["type"] == "ordinal" else "nominal"


def _max_grade(question: dict) -> float:
    return float(max(option["value"] for option in question["options"]))


# --- Per-task units -------------------------------------------------------------------------


def _judgments(frames, questions: Questions) -> pd.DataFrame:
    """Judgments with their task's design columns; gold tasks' judgments are flagged, not dropped."""
    tasks = frames.tasks.rename(columns={"is_gold": "gold_task"})
    tasks["query_code"] = pd.factorize(tasks["query_id"])[0]
    judged = frames.judgments.merge(
        tasks[["task_id", "query_id", "query_code", "query", "locale", "category", "variant", "stratum",
               "inclusion_probability", "gold_task", "serp_id", "serp_b_id"]],
        on="task_id", how="inner",
    )  # fmt: skip
    judged["answered"] = judged["cannot_judge"].fillna("").eq("")
    # Categories, not strings: these columns are copied onto every per-result answer.
    for column in ("rater", "locale", "category", "variant"):
        judged[column] = judged[column].fillna("").astype(str).astype("category")
    for question in (questions.score, questions.preference):
        if question is not None and question["key"] in judged:
            judged[question["key"]] = pd.to_numeric(judged[question["key"]], errors="coerce")
    return judged


def _task_units(judged: pd.DataFrame, questions: Questions, pains: list[str], metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per sampled (non-gold) task with at least one judgment: its design and its page figures."""
    sample = judged[~judged["gold_task"]]
    design = sample.groupby("task_id").agg(
        query_id=("query_id", "first"), locale=("locale", "first"), category=("category", "first"),
        variant=("variant", "first"), stratum=("stratum", "first"),
        inclusion_probability=("inclusion_probability", "first"), judgments=("judgment_id", "size"),
    )  # fmt: skip
    answered = sample[sample["answered"]]
    by_task = answered.groupby("task_id")
    if questions.score is not None and questions.score["key"] in answered:
        design["score"] = by_task[questions.score["key"]].mean()
    if questions.preference is not None and questions.preference["key"] in answered:
        design["preference"] = by_task[questions.preference["key"]].mean()
    if questions.pain is not None and questions.pain["key"] in answered:
        tags = answered[["task_id", questions.pain["key"]]].explode(questions.pain["key"]).dropna()
        tagged = pd.crosstab(tags["task_id"], tags[questions.pain["key"]])
        raters = by_task.size()
        for pain in pains:
            count = tagged[pain] if pain in tagged else pd.Series(0, index=raters.index)
            design[f"pain:{pain}"] = count.reindex(raters.index, fill_value=0) / raters
    if len(metrics):
        design = design.join(metrics, on="task_id")
    design["weight"] = 1.0 / design["inclusion_probability"].clip(lower=1e-12)
    return design.reset_index()


# --- Relevance ------------------------------------------------------------------------------


def _grade_answers(frames, judged: pd.DataFrame, questions: Questions) -> pd.DataFrame:
    """Every rater's grade of every result: item (query, doc) as one integer code, rater, value."""
    if questions.grade is None or not len(frames.result_answers):
        return pd.DataFrame(columns=["item", "judgment_id", "rater", "value", *SEGMENTS[:3], "version"])
    answers = frames.result_answers  # already the graded question's only
    # Positions rather than a merge: a join of ten million rows held several copies of them at once.
    by_judgment = judged.set_index("judgment_id")
    at = by_judgment.index.get_indexer(answers["judgment_id"])
    docs = _documents(frames)
    doc_codes = docs.get_indexer(answers["doc_key"])
    # An answer about a document no page showed cannot be placed (the submit checks; data may not).
    keep = (at >= 0) & (doc_codes >= 0)
    judgment_ids, values = answers["judgment_id"].to_numpy(), answers["value"].to_numpy()
    if not keep.all():
        at, doc_codes, judgment_ids, values = at[keep], doc_codes[keep], judgment_ids[keep], values[keep]
    # Item codes computed in place: each temporary here is 80 MB at ten million answers.
    items = by_judgment["query_code"].to_numpy().astype(np.int64)[at]
    items *= len(docs)
    items += doc_codes
    grades = {"item": items, "judgment_id": judgment_ids, "value": values}
    for column in ("rater", "locale", "category", "variant", "version"):
        grades[column] = _take(by_judgment[column], at)
    return pd.DataFrame(grades, copy=False)[
        ["item", "judgment_id", "rater", "value", "locale", "category", "variant", "version"]
    ]


def _take(column: pd.Series, at: np.ndarray):
    """column's values at positions `at`; a categorical stays one (codes taken, no strings made)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(column.cat.codes.to_numpy()[at], dtype=column.dtype)
    return column.to_numpy()[at]


def _documents(frames) -> pd.Index:
    """Every document shown in the project, the alphabet of the (query, doc) item codes.

    On PostgreSQL documents come as the database's 64-bit hash of their id: two ids sharing a hash
    would only matter under the same query, among a few dozen documents (odds near 1e-17).
    """
    return pd.Index(pd.unique(frames.serp_results["doc_key"]))


def _item_codes(query_codes, doc_codes, docs: pd.Index):
    """(query, doc) as one int64: the same document under the same query shares its label.

    Integers, not joined strings: hashing ten million strings was most of the consensus time.
    """
    return query_codes.astype(np.int64) * len(docs) + doc_codes.astype(np.int64)


def _relevance_by_task(frames, judged: pd.DataFrame, grades: pd.DataFrame, questions: Questions, schema: dict):
    """Consensus labels per (query, doc), then nDCG/P/ERR@10 of each sampled task's SERP."""
    if not len(grades):
        return pd.DataFrame(), pd.Series(dtype=float)
    labels = consensus.consensus(grades[["item", "rater", "value"]], method="median")["label"]
    tasks = frames.tasks[~frames.tasks["is_gold"] & frames.tasks["serp_b_id"].isna()]
    shown = frames.serp_results.merge(
        judged.drop_duplicates("task_id")[["task_id", "serp_id", "query_code"]], on="serp_id", how="inner"
    )
    shown = shown[shown["task_id"].isin(tasks["task_id"])]
    docs = _documents(frames)
    items = _item_codes(shown["query_code"], pd.Series(docs.get_indexer(shown["doc_key"]), index=shown.index), docs)
    shown = shown.assign(grade=labels.reindex(items.to_numpy()).to_numpy(dtype=float))
    metrics = relevance.serp_metrics(
        shown.rename(columns={"task_id": "serp"})[["serp", "rank", "grade"]],
        k=CUTOFF,
        relevant_threshold=float(schema.get("relevant_threshold", 2)),
        max_grade=_max_grade(questions.grade),
    )
    metrics.index.name = "task_id"
    return metrics, labels


# --- Agreement ------------------------------------------------------------------------------


def _page_answers_long(judged: pd.DataFrame, question: dict) -> pd.DataFrame:
    key = question["key"]
    if key not in judged:
        return pd.DataFrame(columns=["unit", "rater", "value"])
    answered = judged[judged["answered"] & judged[key].notna()]
    return pd.DataFrame({"unit": answered["task_id"], "rater": answered["rater"], "value": answered[key]})


def _agreement(judged: pd.DataFrame, grades: pd.DataFrame, questions: Questions) -> dict:
    """Krippendorff's alpha per question, at the level its type calls for."""
    figures = {}
    for question in questions.result_scales:
        if questions.grade is not None and question["key"] == questions.grade["key"]:
            rows = _unit_answers(grades)
        else:
            continue  # only the graded result question is read in bulk
        figures[question["key"]] = _alpha_figure(rows, question)
    for question in questions.page_scales:
        figures[question["key"]] = _alpha_figure(_page_answers_long(judged, question), question)
    return figures


def _unit_answers(grades: pd.DataFrame) -> pd.DataFrame:
    """The grades as the agreement functions read them (unit, rater, value): the same columns, not a
    renamed copy of ten million rows."""
    return pd.DataFrame({"unit": grades["item"], "rater": grades["rater"], "value": grades["value"]}, copy=False)


def _alpha_figure(rows: pd.DataFrame, question: dict) -> dict:
    level = _level(question)
    alpha = agreement.krippendorff_alpha(rows, level=level) if len(rows) else float("nan")
    return {"krippendorff_alpha": _number(alpha, 3), "level": level}


def _number(value, digits: int = 4):
    """A figure for JSON: rounded, and None for NaN/inf (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


# --- Raters and operations -------------------------------------------------------------------


def _gold_correct(judged: pd.DataFrame, frames, grades: pd.DataFrame) -> pd.Series:
    """Per judgment of a gold task: whether every answer the gold item fixes was given exactly."""
    gold = frames.tasks.loc[frames.tasks["is_gold"], ["task_id", "gold_answers"]]
    expected = dict(zip(gold["task_id"], gold["gold_answers"], strict=True))
    on_gold = judged[judged["task_id"].isin(expected)]
    if not len(on_gold):
        return pd.Series(dtype=bool)
    result_answers = {}
    for row in frames.gold_answers.itertuples(index=False):
        result_answers.setdefault(row.judgment_id, {})[row.doc_id] = row.value
    correct = {}
    for row in on_gold.to_dict("records"):
        answers = expected[row["task_id"]] or {}
        ok = row["answered"]
        for key, value in (answers.get("page") or {}).items():
            ok = ok and _same(row.get(key), value)
        given = result_answers.get(row["judgment_id"], {})
        for doc_id, doc_answers in (answers.get("results") or {}).items():
            for value in doc_answers.values():
                ok = ok and _same(given.get(doc_id), value)
        correct[row["judgment_id"]] = bool(ok)
    return pd.Series(correct, dtype=bool)


def _same(given, expected) -> bool:
    if isinstance(expected, list):
        return isinstance(given, list) and sorted(map(str, given)) == sorted(map(str, expected))
    try:
        return float(given) == float(expected)
    except (TypeError, ValueError):
        return given == expected


def _daily(judged: pd.DataFrame, cost_per_judgment: float) -> list[dict]:
    # floor, not strftime: formatting a million timestamps took seconds.
    days = judged["created_at"].dt.floor("D").value_counts().sort_index()
    cumulative = days.cumsum()
    return [
        {"day": f"{day:%Y-%m-%d}", "judgments": int(count), "cumulative": int(cumulative[day]),
         "cost": round(float(cumulative[day]) * cost_per_judgment, 2)}
        for day, count in days.items()
    ]  # fmt: skip


# --- Sections and the report -----------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """What every section of one report shares."""

    context: ReportContext
    questions: Questions
    pains: list
    weighting: str


def _indicators(units: pd.DataFrame, run: _Run) -> pd.DataFrame:
    """Per-unit 0/1 columns for the shares: satisfied, and tagged with each pain point.

    A SERP counts as satisfying when its raters' mean score reaches the threshold, and as
    tagged when at least half of its raters tagged it (a lone rater's tag is an opinion).
    """
    schema = run.context.schema
    if "score" in units:
        threshold = float(schema.get("satisfied_threshold", np.inf))
        units["satisfied"] = np.where(units["score"].isna(), np.nan, (units["score"] >= threshold).astype(float))
    for pain in run.pains:
        if f"pain:{pain}" in units:
            column = units[f"pain:{pain}"]
            units[f"tagged:{pain}"] = np.where(column.isna(), np.nan, (column >= 0.5).astype(float))
    return units


def _figure_columns(units: pd.DataFrame, run: _Run) -> list[str]:
    wanted = ["score", "satisfied", "preference", f"ndcg@{CUTOFF}", f"p@{CUTOFF}", f"err@{CUTOFF}"]
    wanted += [f"tagged:{pain}" for pain in run.pains]
    return [column for column in wanted if column in units]


def _section(figures: dict, units: pd.DataFrame, judged: pd.DataFrame, grades: pd.DataFrame, run: _Run) -> dict:
    """The figures of one slice of the project (overall, or one locale, category, ...)."""
    section = {"serps": int(units["judgments"].gt(0).sum()), "judgments": int(len(judged))}
    section["satisfaction"] = None
    if "score" in figures and figures["score"]["mean"] is not None:
        share = figures["satisfied"]
        section["satisfaction"] = {
            "mean": _number(figures["score"]["mean"]),
            "ci95": _pair(figures["score"]["ci95"]),
            "share_satisfied": _number(share["mean"]),
            "share_satisfied_ci95": _pair(share["ci95"]),
            "weighting": run.weighting,
        }
    section["relevance"] = None
    if f"ndcg@{CUTOFF}" in figures and figures[f"ndcg@{CUTOFF}"]["mean"] is not None:
        section["relevance"] = {"consensus": "median"} | {
            name: {"mean": _number(figures[name]["mean"]), "ci95": _pair(figures[name]["ci95"])}
            for name in (f"ndcg@{CUTOFF}", f"p@{CUTOFF}", f"err@{CUTOFF}")
        }
    section["pain_points"] = _pain_section(figures, units, judged, run)
    section["agreement"] = _agreement(judged, grades, run.questions)
    section["side_by_side"] = _side_by_side(figures, units, run) if "preference" in figures else None
    reasons = judged.loc[~judged["answered"], "cannot_judge"].value_counts()
    section["cannot_judge"] = {str(reason): int(count) for reason, count in reasons.items()}
    return section


def _significant(value: float | None) -> float | None:
    """A p-value to six significant digits (a tiny one must not round to 0)."""
    return None if value is None else float(f"{value:.6g}")


def _pair(interval) -> list:
    return [_number(interval[0]), _number(interval[1])]


def _pain_section(figures: dict, units: pd.DataFrame, judged: pd.DataFrame, run: _Run) -> dict:
    """Share of SERPs with each pain point, in Pareto order, with example queries and comments."""
    shares = {pain: figures[f"tagged:{pain}"] for pain in run.pains if f"tagged:{pain}" in figures}
    ordered = sorted(shares, key=lambda pain: (-(shares[pain]["mean"] or 0.0), pain))
    comment_key = run.questions.comment["key"] if run.questions.comment else None
    pain_key = run.questions.pain["key"] if run.questions.pain else None
    section = {}
    for pain in ordered:
        tagged_tasks = units.loc[units[f"tagged:{pain}"] == 1, "task_id"]
        examples = []
        if pain_key in judged and len(tagged_tasks):
            rows = judged[judged["task_id"].isin(tagged_tasks)]
            rows = rows[rows[pain_key].map(lambda tags, pain=pain: isinstance(tags, list) and pain in tags)]
            if comment_key in rows:
                # One example per query, the one with the longest comment (most to learn from).
                rows = rows.assign(_said=rows[comment_key].map(lambda text: len(text) if isinstance(text, str) else 0))
                rows = rows.sort_values(["_said", "judgment_id"], ascending=[False, True])
            for row in rows.drop_duplicates("query_id").sort_values("query_id").head(EXAMPLES).to_dict("records"):
                comment = row.get(comment_key) if comment_key else ""
                comment = comment if isinstance(comment, str) else ""
                examples.append({"query_id": row["query_id"], "query": row["query"], "comment": comment})
        section[pain] = {
            "share": _number(shares[pain]["mean"]),
            "ci95": _pair(shares[pain]["ci95"]),
            "serps": int(len(tagged_tasks)),
            "examples": examples,
        }
    return section


def _side_by_side(figures: dict, units: pd.DataFrame, run: _Run) -> dict | None:
    """Wins, ties and losses of the second variant over the first, per SERP pair, and the sign test."""
    preference = units["preference"].dropna()
    if not len(preference):
        return None
    wins, losses = int((preference > 0).sum()), int((preference < 0).sum())
    variants = run.context.variants
    return {
        "wins": wins,
        "ties": int((preference == 0).sum()),
        "losses": losses,
        "favoured_if_positive": variants[1] if len(variants) > 1 else None,
        "mean_preference": _number(figures["preference"]["mean"]),
        "ci95": _pair(figures["preference"]["ci95"]),
        "p_value": _significant(sbs.sign_test(wins, losses)),
        "test": "sign",
    }


def _sections_by(segment: str, units, judged, grades, columns, run: _Run) -> dict:
    """One section per value of `segment`; intervals treat each value as a domain of the whole design."""
    if segment == "variant" and (
        run.context.kind == "side_by_side" or not len(units) or not units["variant"].astype(str).str.len().any()
    ):
        return {}  # side by side, the variants are the comparison itself, not segments
    if not len(units):
        return {}
    figures = estimators.estimate_by_segment(units, columns, segment) if columns else {}
    # Split each frame once by the segment (a boolean mask per value over ten million grades adds up).
    judged_by = dict(iter(judged.groupby(segment, observed=True, sort=False)))
    grades_by = dict(iter(grades.groupby(segment, observed=True, sort=False))) if len(grades) else {}
    return {
        str(key): _section(
            figures.get(key, {}),
            part,
            judged_by.get(key, judged.iloc[:0]),
            grades_by.get(key, grades.iloc[:0]),
            run,
        )
        for key, part in sorted(units.groupby(segment, observed=True, sort=False), key=lambda item: str(item[0]))
    }


def _figures_for(judged: pd.DataFrame, frames, run: _Run):
    """Units, grade answers and their estimates for a set of judgments."""
    grades = _grade_answers(frames, judged, run.questions)
    metrics, labels = _relevance_by_task(frames, judged, grades, run.questions, run.context.schema)
    units = _indicators(_task_units(judged, run.questions, run.pains, metrics), run)
    columns = _figure_columns(units, run)
    figures = estimators.estimate_columns(units, columns) if columns and len(units) else {}
    return units, grades, labels, columns, figures


def build_report(frames, context: ReportContext, progress: Callable[[float], None] = lambda fraction: None):
    """The report JSON (DESIGN.md) and the per-query figures kept for run comparisons."""
    questions = Questions.of(context.schema)
    pains = [option["value"] for option in questions.pain["options"]] if questions.pain else []
    strategies = sorted(set(frames.tasks["strategy"].dropna()))
    run = _Run(context, questions, pains, strategies[0] if len(strategies) == 1 else "mixed")

    judged = _judgments(frames, questions)
    units, grades, labels, columns, figures = _figures_for(judged, frames, run)
    progress(0.4)
    sample = judged[~judged["gold_task"]]
    segments = {
        segment: _sections_by(segment, units, sample, grades, columns, run)
        for segment in ("locale", "category", "variant")
    }
    overall = _section(figures, units, sample, grades, run)
    versions = sorted(judged["version"].unique())
    segments["guideline_version"] = {}
    for version in versions:
        if len(versions) == 1:
            # Every judgment under one version: that segment is the whole project.
            segments["guideline_version"][str(version)] = overall
            continue
        subset = judged[judged["version"] == version]
        v_units, v_grades, _, _, v_figures = _figures_for(subset, frames, run)
        segments["guideline_version"][str(version)] = _section(
            v_figures, v_units, subset[~subset["gold_task"]], v_grades, run
        )
    progress(0.8)
    data = {
        "guideline_version": context.guideline_version,
        "judgments": int(len(judged)),
        "kind": context.kind,
        "methods": {
            "consensus": "median of raters per (query, doc); even counts take the lower median",
            "ndcg": relevance.NDCG_VARIANT,
            "p": relevance.P_VARIANT,
            "err": relevance.ERR_VARIANT,
            "ci": "95% percentile interval, Rao-Wu rescaling bootstrap over SERPs within strata, "
            f"{estimators.REPLICATES} replicates",
            "weighting": f"Hajek ratio, weights 1 / inclusion probability ({run.weighting} sample)",
            "units": "a SERP task; page scores averaged over its raters first; gold tasks left out",
        },
        "overall": overall,
        "segments": segments,
        "raters": _raters(judged, frames, grades, labels),
        "operations": _operations(judged, frames, units, context),
    }
    per_query = _per_query(units)
    progress(1.0)
    return data, per_query


def _per_query(units: pd.DataFrame) -> dict:
    """Per-query figures, column-wise, for comparing two runs over the same queries."""
    figures = ("score", "satisfied", "preference", f"ndcg@{CUTOFF}", f"p@{CUTOFF}", f"err@{CUTOFF}")
    keep = [column for column in figures if column in units]
    table = {"query_id": units["query_id"].tolist(), "locale": units["locale"].tolist()}
    for column in ("inclusion_probability", *keep):
        table[column] = [_number(value, 9) for value in units[column]]
    return table


def _raters(judged: pd.DataFrame, frames, grades: pd.DataFrame, labels: pd.Series) -> list[dict]:
    """Per rater: volume, time, gold accuracy, and agreement with the consensus grades."""
    correct = _gold_correct(judged, frames, grades)
    marked = judged.assign(
        gold_correct=judged["judgment_id"].map(correct).astype("boolean"), rater=judged["rater"].astype(str)
    )
    agreeing = None
    if len(grades) and len(labels):
        agreeing = agreement.rater_agreement(_unit_answers(grades), labels, level="ordinal")["agreement_with_consensus"]
    gold_counts = marked["gold_correct"].notna().groupby(marked["rater"]).sum()
    rows = operations.raters(marked, agreement=agreeing)
    for row in rows:
        row["gold_judgments"] = int(gold_counts.get(row["rater"], 0))
        row["gold_accuracy"] = _number(row["gold_accuracy"], 3)
        row["agreement_with_consensus"] = _number(row["agreement_with_consensus"], 3)
        row["median_active_s"] = _number(row["median_active_s"], 1)
    return rows


def _operations(judged: pd.DataFrame, frames, units: pd.DataFrame, context: ReportContext) -> dict:
    """Throughput, time, cost, progress and the forecast against the deadline."""
    tasks = frames.tasks
    target = int(tasks.loc[~tasks["is_gold"], "overlap"].sum())
    gold_done = int(judged["gold_task"].sum())
    # Every judgment is paid for, gold included; progress is the sampled tasks' overlap, so the
    # gold judgments made count as required too (they never hold the project back).
    figures = operations.operations(
        judged, tasks=target + gold_done, overlap=1, cost_per_judgment=context.cost_per_judgment,
        now=context.now, deadline=context.deadline, serps=len(units),
    )  # fmt: skip
    return {
        "judgments_per_hour": _number(figures["judgments_per_hour"], 1),
        "judgments_per_hour_24h": _number(figures["judgments_per_hour_24h"], 1),
        "median_active_s": _number(figures["median_active_s"], 1),
        "cost": figures["cost"],
        "cost_per_serp": figures["cost_per_serp"],
        "progress": _number(figures["progress"], 4),
        "judgments_target": target,
        "forecast_done": figures["forecast_done"],
        "deadline": context.deadline.isoformat() if context.deadline else None,
        "on_track": figures["meets_deadline"],
        "daily": _daily(judged, context.cost_per_judgment),
    }
