"""Reads for reports: a project's judgments in bulk as DataFrames, and its snapshots.

Reports read millions of rows, so nothing here goes row by row through the ORM: PostgreSQL
streams each query with COPY ... TO STDOUT into pandas' C parser; SQLite (the embedded
default, small data) goes through read_sql.
"""

import json
import tempfile
from dataclasses import dataclass

import pandas as pd
from django.db import connection
from django.http import Http404

from reports.models import ReportSnapshot

TASKS_SQL = """
    SELECT t.id AS task_id, t.query_id, s.query, t.locale, t.category, t.stratum, t.inclusion_probability,
           t.is_gold, t.gold_answers, t.overlap, t.serp_id, t.serp_b_id,
           s.variant AS variant, r.strategy AS strategy
    FROM projects_task t
    JOIN projects_poolserp s ON s.id = t.serp_id
    JOIN projects_samplingrun r ON r.id = t.sampling_run_id
    WHERE t.project_id = %(project)s
"""

JUDGMENTS_SQL = """
    SELECT j.id AS judgment_id, j.task_id, u.username AS rater, v.number AS version, j.is_gold,
           j.cannot_judge, j.active_ms, j.created_at, j.page
    FROM raters_judgment j
    JOIN auth_user u ON u.id = j.rater_id
    JOIN guidelines_guidelineversion v ON v.id = j.guideline_version_id
    WHERE j.project_id = %(project)s AND j.removed_at IS NULL
"""

# {doc_key}: a number standing for the document id where the database can hash it (parsing ten
# million id strings into pandas cost more than the rest of the report), else the id itself.
RESULT_ANSWERS_SQL = """
    SELECT a.judgment_id, {doc_key} AS doc_key, a.value
    FROM raters_resultanswer a
    JOIN raters_judgment j ON j.id = a.judgment_id
    WHERE j.project_id = %(project)s AND j.removed_at IS NULL AND a.question = %(question)s AND a.value IS NOT NULL
"""

# The few answers on gold tasks, with their document ids, to score against the gold item.
GOLD_ANSWERS_SQL = """
    SELECT a.judgment_id, a.doc_id, a.value
    FROM raters_resultanswer a
    JOIN raters_judgment j ON j.id = a.judgment_id
    JOIN projects_task t ON t.id = j.task_id
    WHERE j.project_id = %(project)s AND j.removed_at IS NULL AND t.is_gold AND a.question = %(question)s
"""

SERP_RESULTS_SQL = """
    SELECT r.serp_id, r.rank, {doc_key} AS doc_key
    FROM projects_poolresult r
    WHERE r.serp_id IN (SELECT serp_id FROM projects_task WHERE project_id = %(project)s)
       OR r.serp_id IN (SELECT serp_b_id FROM projects_task WHERE project_id = %(project)s AND serp_b_id IS NOT NULL)
"""

_DTYPES = {
    "tasks": {
        "query_id": str,
        "query": str,
        "locale": str,
        "category": str,
        "stratum": str,
        "variant": str,
        "strategy": str,
    },  # fmt: skip
    "judgments": {"rater": str, "cannot_judge": str, "page": str},
    "result_answers": {},
    "gold_answers": {"doc_id": str},
    "serp_results": {},
}


@dataclass
class ProjectFrames:
    """Everything a report reads, one DataFrame per kind (column names as in the SQL above)."""

    tasks: pd.DataFrame
    judgments: pd.DataFrame  # + one column per page question key, parsed from the stored JSON
    result_answers: pd.DataFrame  # the graded result question's answers only: judgment_id, doc_key, value
    gold_answers: pd.DataFrame  # the same on gold tasks, with doc_id
    serp_results: pd.DataFrame


def _read(sql: str, project_id: int, dtypes: dict, **more) -> pd.DataFrame:
    params = {"project": int(project_id), **more}
    if connection.vendor == "postgresql":
        # Spooled through a temporary file: ten million rows of CSV would otherwise sit in memory
        # next to the frame parsed from them.
        with tempfile.TemporaryFile() as buffer:
            with connection.cursor() as cursor:
                query = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
            buffer.seek(0)
            frame = pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values={"value": [""]})
        for column in frame.columns:
            # COPY writes booleans as t/f.
            if column in ("is_gold",):
                frame[column] = frame[column].eq("t")
        return frame
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        frame = pd.DataFrame(cursor.fetchall(), columns=[column[0] for column in cursor.description])
    for column, dtype in dtypes.items():
        if column in frame:
            frame[column] = frame[column].fillna("").astype(dtype)
    if "is_gold" in frame:
        frame["is_gold"] = frame["is_gold"].astype(bool)
    return frame


def _page_answers(judgments: pd.DataFrame) -> pd.DataFrame:
    """The stored page JSON as one column per question key (lists stay lists)."""
    pages = pd.DataFrame.from_records([json.loads(page) if page else {} for page in judgments["page"]])
    pages.index = judgments.index
    clashes = [column for column in pages.columns if column in judgments.columns]
    pages = pages.rename(columns={column: f"page_{column}" for column in clashes})
    return judgments.drop(columns=["page"]).join(pages)


def project_frames(project_id: int, *, grade_question: str | None) -> ProjectFrames:
    """`grade_question`: the result question read for relevance (None: no per-result answers)."""
    tasks = _read(TASKS_SQL, project_id, _DTYPES["tasks"])
    tasks["gold_answers"] = [json.loads(value) if value else None for value in tasks["gold_answers"]]
    judgments = _page_answers(_read(JUDGMENTS_SQL, project_id, _DTYPES["judgments"]))
    judgments["created_at"] = pd.to_datetime(judgments["created_at"], utc=True, format="ISO8601")
    doc_key = "hashtextextended({}, 0)" if connection.vendor == "postgresql" else "{}"
    question = grade_question or ""
    result_answers = _read(
        RESULT_ANSWERS_SQL.format(doc_key=doc_key.format("a.doc_id")), project_id, {}, question=question
    )
    result_answers["value"] = pd.to_numeric(result_answers["value"], errors="coerce")
    gold_answers = _read(GOLD_ANSWERS_SQL, project_id, _DTYPES["gold_answers"], question=question)
    gold_answers["value"] = pd.to_numeric(gold_answers["value"], errors="coerce")
    serp_results = _read(SERP_RESULTS_SQL.format(doc_key=doc_key.format("r.doc_id")), project_id, {})
    for frame, column in ((tasks, "serp_b_id"),):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype("Int64")
    return ProjectFrames(
        tasks=tasks, judgments=judgments, result_answers=result_answers, gold_answers=gold_answers,
        serp_results=serp_results,
    )  # fmt: skip


def latest_snapshot(project) -> ReportSnapshot | None:
    return ReportSnapshot.objects.filter(project=project).order_by("-created_at", "-pk").first()


def snapshot_of(project, snapshot_id) -> ReportSnapshot:
    try:
        return ReportSnapshot.objects.get(project=project, pk=snapshot_id)
    except (ReportSnapshot.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report for this project.") from None


def snapshots_of(project):
    return ReportSnapshot.objects.filter(project=project).order_by("-created_at", "-pk").defer("data", "per_query")


COMPARED = ("score", "satisfied", "ndcg@10", "p@10", "err@10", "preference")


def per_query_frame(snapshot: ReportSnapshot) -> pd.DataFrame:
    """A snapshot's per-query figures, one row per query (a query's SERP tasks averaged)."""
    frame = pd.DataFrame(snapshot.per_query or {"query_id": []})
    figures = [column for column in COMPARED if column in frame]
    return frame.groupby("query_id", as_index=False)[figures].mean() if len(frame) else frame
