"""Judgments and consensus labels as flat rows for R&D: selected in batches, written as CSV/JSONL/qrels.

Rows are one per (judgment, result shown): a judgment of a 10-result SERP makes 10 rows, each with
that result's answers and the judgment's page answers repeated, so the rows load straight into a
DataFrame. Nothing here holds a project in memory: the base rows come from a server-side cursor
(PostgreSQL) and each batch fetches only its own result answers. On PostgreSQL the CSV is written by
the database (COPY, a batch of judgments at a time), byte for byte what the Python writer makes.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from guidelines.models import GuidelineVersion
from raters.models import Judgment, ResultAnswer
from reports.consensus import median_consensus
from reports.tables import FORMULA_PREFIXES, safe_csv_text

BATCH = 2000  # base rows per server-side fetch (and per answers query)

FIXED_COLUMNS = (
    "judgment_id", "task_id", "query_id", "query", "locale", "category", "variant", "rank", "doc_id",
)  # fmt: skip
TRAILING_COLUMNS = (
    "cannot_judge", "rater", "guideline_version", "is_gold", "swapped", "active_ms", "created_at", "removed_at",
)  # fmt: skip

_BASE_SELECT = """
    SELECT j.id, j.task_id, t.query_id, s.query, t.locale, t.category, COALESCE(rs.variant, s.variant),
           pr.rank, pr.doc_id, pr.serp_id, CAST(j.page AS text), j.cannot_judge, u.username, v.number,
           j.is_gold, asg.swapped, j.active_ms, j.created_at, j.removed_at
"""
_BASE_FROM = """
    FROM raters_judgment j
    JOIN projects_task t ON t.id = j.task_id
    JOIN projects_poolserp s ON s.id = t.serp_id
    JOIN auth_user u ON u.id = j.rater_id
    JOIN guidelines_guidelineversion v ON v.id = j.guideline_version_id
    JOIN raters_assignment asg ON asg.id = j.assignment_id
    LEFT JOIN projects_poolresult pr ON pr.serp_id IN (t.serp_id, t.serp_b_id)
    LEFT JOIN projects_poolserp rs ON rs.id = pr.serp_id
    WHERE j.project_id = %(project)s AND {changed}
"""
# The first page (the task's serp) before the second (side by side), each in rank order.
_BASE_ORDER = " ORDER BY j.created_at, j.id, CASE WHEN pr.serp_id = t.serp_id THEN 0 ELSE 1 END, pr.rank"
_EVERY_LIVE = "j.removed_at IS NULL"
# An incremental pull also names the judgments removed since, so the puller can drop them.
_CHANGED_SINCE = "(j.created_at > %(since)s OR j.removed_at > %(since)s)"
# Filters on the judgments (the view reads and checks the values): each narrows, none widens.
JUDGMENT_FILTERS = {
    "locale": (
        "j.task_id IN (SELECT ft.id FROM projects_task ft WHERE ft.project_id = %(project)s AND ft.locale = %(locale)s)"
    ),
    "rater": "j.rater_id IN (SELECT fu.id FROM auth_user fu WHERE fu.username = %(rater)s)",
    "created_after": "j.created_at >= %(created_after)s",
    "created_before": "j.created_at < %(created_before)s",
}


@dataclass(frozen=True)
class Question:
    key: str
    type: str

    def cast(self, value):
        """A stored answer as its schema type says: ordinal a float, boolean a bool, multi a list."""
        if value is None or value == "":
            return None
        if self.type == "ordinal":
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        if self.type == "boolean":
            return bool(value)
        if self.type == "multi":
            return [str(choice) for choice in value] if isinstance(value, list) else [str(value)]
        return str(value)


@dataclass(frozen=True)
class Columns:
    """The export's columns for a project: fixed ones around one per schema question."""

    result_questions: tuple[Question, ...]
    page_questions: tuple[Question, ...]

    @property
    def names(self) -> list[str]:
        return [
            *FIXED_COLUMNS,
            *(f"result_{q.key}" for q in self.result_questions),
            *(f"page_{q.key}" for q in self.page_questions),
            *TRAILING_COLUMNS,
        ]


def export_columns(project) -> Columns:
    """Every question of the pinned schema, then any only older versions judged here had."""
    used = Exists(Judgment.objects.filter(project=project, guideline_version=OuterRef("pk")))
    versions = sorted(
        GuidelineVersion.objects.filter(Q(pk=project.guideline_version_id) | used).only("pk", "number", "schema"),
        key=lambda version: (version.pk != project.guideline_version_id, -version.number),
    )
    found = {"result_questions": {}, "page_questions": {}}
    for version in versions:
        for part, questions in found.items():
            for question in (version.schema or {}).get(part) or []:
                if isinstance(question, dict) and question.get("key") and question["key"] not in questions:
                    questions[question["key"]] = Question(str(question["key"]), str(question.get("type", "text")))
    return Columns(tuple(found["result_questions"].values()), tuple(found["page_questions"].values()))


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands back text
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Always with microseconds: one stamp without them (a whole second) would leave pandas'
    # read_csv(parse_dates=...) unable to infer one format, and the column would stay text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class JudgmentRows:
    """A project's export rows, as a sequence a paginator can count and slice, or a stream."""

    def __init__(self, project, columns: Columns, *, since: datetime | None = None, filters: dict | None = None):
        """`filters`: any of JUDGMENT_FILTERS' keys with its value (None or absent: no filter)."""
        self.project = project
        self.columns = columns
        given = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
        self.params = {"project": project.pk, "since": since, **given}
        # Every condition reads the judgment alone, so the COPY path's key query takes them as they are.
        self.condition = " AND ".join(
            [_CHANGED_SINCE if since else _EVERY_LIVE, *(JUDGMENT_FILTERS[key] for key in given)]
        )
        self.where = _BASE_FROM.format(changed=self.condition)

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) " + self.where, self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop = window.start or 0, window.stop
        sql = _BASE_SELECT + self.where + _BASE_ORDER + " LIMIT %(limit)s OFFSET %(offset)s"
        with connection.cursor() as cursor:
            cursor.execute(sql, {**self.params, "limit": max(stop - start, 0), "offset": start})
            return list(self._rows(cursor.fetchall()))

    def __len__(self) -> int:
        return self.count()

    def stream(self) -> Iterator[dict]:
        """Every row, fetched BATCH at a time from a server-side cursor, in one read transaction.

        Inside a transaction the cursor is not WITH HOLD, so PostgreSQL hands rows over as it finds
        them rather than materialising the whole result first.
        """
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(_BASE_SELECT + self.where + _BASE_ORDER, self.params)
            while batch := cursor.fetchmany(BATCH):
                yield from self._rows(batch)

    def csv(self) -> Iterator[str | bytes]:
        """The CSV: on PostgreSQL written by the database itself (COPY), a batch of judgments at a time.

        The keys come from a server-side cursor in judgment order; each batch is one COPY whose SQL
        joins, pivots the result answers and escapes every cell as `csv_converters` does, so Python
        only passes the bytes on. Elsewhere (SQLite) the rows go through `csv_lines`.
        """
        if connection.vendor != "postgresql":
            yield from csv_lines(self.columns.names, self.stream(), converters=csv_converters(self.columns))
            return
        yield csv_header(self.columns.names)
        copy_sql, params = _copy_sql(self.columns)
        keys_sql = f"SELECT j.id FROM raters_judgment j WHERE j.project_id = %(project)s AND {self.condition}"  # noqa: S608
        outermost = not connection.in_atomic_block
        with transaction.atomic(), connection.chunked_cursor() as keys, connection.cursor() as cursor:
            if outermost:  # every batch reads the snapshot the keys came from, as one query would
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Each COPY is a small join of cached rows that the planner overrates: JIT compiling it cost
            # more than running it, parallel workers are processes started per batch, hash joins read
            # whole tables where 2,000 index lookups do, and its sort fits in 32 MB.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), "
                "set_config('random_page_cost', '1.1', true), set_config('work_mem', '32MB', true)"
            )
            keys.execute(keys_sql + " ORDER BY j.created_at, j.id", self.params)
            while batch := keys.fetchmany(COPY_JUDGMENTS):
                chunk = io.BytesIO()
                statement = cursor.mogrify(copy_sql, {**params, "ids": [row[0] for row in batch]})
                cursor.copy_expert(statement.decode(), chunk)
                yield chunk.getvalue()

    def _rows(self, batch: list[tuple]) -> Iterator[dict]:
        answers = self._answers({row[0] for row in batch})
        names = self.columns.names
        page_of = (None, {})
        for row in batch:
            (judgment_id, task_id, query_id, query, locale, category, variant, rank, doc_id, serp_id, page,
             cannot_judge, rater, version, is_gold, swapped, active_ms, created_at, removed_at) = row  # fmt: skip
            if page_of[0] != judgment_id:  # rows of a judgment come together: parse its page once
                parsed = json.loads(page) if page else {}
                page_of = (judgment_id, parsed if isinstance(parsed, dict) else {})
            given = answers.get((judgment_id, serp_id, doc_id), {})
            values = [
                judgment_id, task_id, query_id, query, locale, category or None, variant or None, rank, doc_id,
                *(q.cast(given.get(q.key)) for q in self.columns.result_questions),
                *(q.cast(page_of[1].get(q.key)) for q in self.columns.page_questions),
                cannot_judge or None, rater, version, bool(is_gold), bool(swapped), active_ms,
                _iso(created_at), _iso(removed_at),
            ]  # fmt: skip
            yield dict(zip(names, values, strict=True))

    def _answers(self, judgment_ids: set) -> dict:
        """{(judgment, serp, doc): {question: value}}; a multi answer's choices gathered in a list."""
        kinds = {q.key: q.type for q in self.columns.result_questions}
        answers: dict = {}
        rows = (
            ResultAnswer.objects.filter(judgment_id__in=judgment_ids)
            .order_by("pk")
            .values_list("judgment_id", "serp_id", "doc_id", "question", "value", "text")
        )
        for judgment_id, serp_id, doc_id, question, value, text in rows:
            given = answers.setdefault((judgment_id, serp_id, doc_id), {})
            kind = kinds.get(question)
            if kind == "multi":
                given.setdefault(question, []).append(text)
            elif kind in ("ordinal", "boolean"):
                given[question] = value
            else:
                given[question] = text
        return answers


# --- Writing --------------------------------------------------------------------------------


def csv_cell(value):
    """A cell as R&D's pandas and a spreadsheet should read it: text that would start a formula
    gets a leading ' (numbers stay numbers, so -2.0 is not touched); lists are JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return safe_csv_text(json.dumps(value, ensure_ascii=False))
    return safe_csv_text(str(value))


def _as_is(value):
    return value  # numbers, and timestamps (which start with a digit); csv writes None as ""


def _text(value):
    return safe_csv_text(value) if value else ""


def csv_converters(columns: Columns) -> list:
    """One cell function per judgments column: csv_cell's rules, without asking every cell its type."""
    by_type = {"ordinal": _as_is}
    fixed = {"judgment_id": _as_is, "task_id": _as_is, "rank": _as_is, "guideline_version": _as_is,
             "active_ms": _as_is, "created_at": _as_is, "removed_at": _as_is}  # fmt: skip
    questions = {f"result_{q.key}": q for q in columns.result_questions}
    questions |= {f"page_{q.key}": q for q in columns.page_questions}
    converters = []
    for name in columns.names:
        if name in questions:
            converters.append(by_type.get(questions[name].type, csv_cell))
        else:
            converters.append(fixed.get(name, csv_cell if name in ("is_gold", "swapped") else _text))
    return converters


# --- The same CSV, written by PostgreSQL -----------------------------------------------------
# COPY ... WITH (FORMAT csv) quotes a cell as Python's csv module does (a delimiter, a quote or a
# newline in it; a carriage return too, which Python's writer leaves bare and pandas then reads as
# the end of a row), writes NULL as an empty cell and '' as "", so every empty cell is made NULL.

COPY_JUDGMENTS = 2000  # judgments per COPY: ~20,000 rows of a 10-result page, a few MB per chunk
_FORMULA_STARTS = ", ".join(f"chr({ord(prefix)})" for prefix in FORMULA_PREFIXES)
_ISO = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""  # _iso's stamp


def _sql_text(expr: str) -> str:
    """`_text` in SQL: empty is NULL, and text that would start a formula gets a leading quote."""
    return f"(CASE WHEN left({expr}, 1) IN ({_FORMULA_STARTS}) THEN '''' || {expr} ELSE NULLIF({expr}, '') END)"


def _sql_float(expr: str) -> str:
    """A float8 as Python writes it: 3.0 (PostgreSQL writes 3), -0.0, nan, inf; 0.5 and 1e-05 alike."""
    return (
        f"(CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} = 'NaN' THEN 'nan' WHEN {expr} = 'Infinity' THEN 'inf' "
        f"WHEN {expr} = '-Infinity' THEN '-inf' WHEN {expr} = trunc({expr}) AND abs({expr}) < 1e16 THEN "
        f"CASE WHEN {expr} = 0 AND {expr}::text = '-0' THEN '-0.0' ELSE trunc({expr})::bigint::text || '.0' END "
        f"ELSE {expr}::text END)"
    )


def _sql_bool(expr: str) -> str:
    return f"(CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN 'true' ELSE 'false' END)"


def _sql_json_str(expr: str) -> str:
    """Python's str() of a JSON value that is not an object or a list (which a validated answer never is)."""
    return (
        f"(CASE jsonb_typeof({expr}) WHEN 'string' THEN {expr} #>> '{{}}' WHEN 'boolean' THEN "
        f"CASE WHEN {expr} = 'true' THEN 'True' ELSE 'False' END WHEN 'null' THEN 'None' ELSE {expr}::text END)"
    )


def _sql_page_cell(question: Question, expr: str) -> str:
    """Question.cast, then the column's converter, of a page answer (jsonb; NULL when missing)."""
    kind = f"jsonb_typeof({expr})"
    text = f"({expr} #>> '{{}}')"
    if question.type == "ordinal":
        return f"(CASE WHEN {kind} = 'number' THEN {_sql_float(f'({expr})::float8')} END)"
    if question.type == "boolean":  # Python's bool() of the value; "" counts as no answer
        return (
            f"(CASE {kind} WHEN 'boolean' THEN {expr}::text "
            f"WHEN 'number' THEN CASE WHEN ({expr})::numeric = 0 THEN 'false' ELSE 'true' END "
            f"WHEN 'string' THEN CASE WHEN {text} = '' THEN NULL ELSE 'true' END "
            f"WHEN 'array' THEN CASE WHEN jsonb_array_length({expr}) = 0 THEN 'false' ELSE 'true' END "
            f"WHEN 'object' THEN CASE WHEN {expr} = '{{}}' THEN 'false' ELSE 'true' END END)"
        )
    # A missing key or a JSON null is no answer: jsonb_typeof is NULL or 'null', and no branch below matches.
    if question.type == "multi":  # a JSON list, which starts with [ and so is never escaped
        elements = f"jsonb_array_elements({expr}) WITH ORDINALITY AS x(e, n)"
        return (
            f"(CASE {kind} WHEN 'array' THEN (SELECT COALESCE(json_agg({_sql_json_str('e')} ORDER BY n), '[]')::text "  # noqa: S608
            f"FROM {elements}) "
            f"WHEN 'string' THEN CASE WHEN {text} = '' THEN NULL ELSE json_build_array({text})::text END "
            f"WHEN 'number' THEN json_build_array({_sql_json_str(expr)})::text "
            f"WHEN 'boolean' THEN json_build_array({_sql_json_str(expr)})::text "
            f"WHEN 'object' THEN json_build_array({_sql_json_str(expr)})::text END)"
        )
    other = _sql_text(_sql_json_str(expr))
    return f"(CASE {kind} WHEN 'string' THEN {_sql_text(text)} WHEN 'number' THEN {other} " + (
        f"WHEN 'boolean' THEN {other} END)"
    )


def _sql_result_cell(question: Question, column: str) -> tuple[str, str]:
    """(aggregate over a result's answers, its cell): the last answer by id wins; a multi's choices in order."""
    param = f"%({column})s"
    if question.type == "multi":
        return f"json_agg(a.text ORDER BY a.id) FILTER (WHERE a.question = {param})", f"ans.{column}::text"
    if question.type in ("ordinal", "boolean"):
        last = f"(array_agg(a.value ORDER BY a.id DESC) FILTER (WHERE a.question = {param}))[1]"
        cell = _sql_float(f"ans.{column}") if question.type == "ordinal" else _sql_bool(f"ans.{column} <> 0")
        return last, cell
    return f"(array_agg(a.text ORDER BY a.id DESC) FILTER (WHERE a.question = {param}))[1]", _sql_text(f"ans.{column}")


def _copy_sql(columns: Columns) -> tuple[str, dict]:
    """The COPY of a batch of judgments (%(ids)s), and its parameters: the question keys."""
    params, aggregates, result_cells, page_cells = {}, [], [], []
    for number, question in enumerate(columns.result_questions):
        params[f"r{number}"] = question.key
        aggregate, cell = _sql_result_cell(question, f"r{number}")
        aggregates.append(f", {aggregate} AS r{number}")
        result_cells.append(f", {cell}")
    for number, question in enumerate(columns.page_questions):
        params[f"p{number}"] = question.key
        page_cells.append(f", {_sql_page_cell(question, f'(j.page -> %(p{number})s)')} AS p{number}")
    pages = "".join(f", js.p{number}" for number in range(len(page_cells)))
    sql = f"""
    COPY (
        WITH js AS MATERIALIZED (
            SELECT j.id, j.task_id, j.created_at, t.serp_id AS serp_a, t.serp_b_id AS serp_b,
                   {_sql_text("s.variant")} AS variant_a, {_sql_text("sb.variant")} AS variant_b,
                   {_sql_text("t.query_id")} AS query_id, {_sql_text("s.query")} AS query,
                   {_sql_text("t.locale")} AS locale, {_sql_text("t.category")} AS category{"".join(page_cells)},
                   {_sql_text("j.cannot_judge")} AS cannot_judge, {_sql_text("u.username")} AS rater,
                   v.number AS version, {_sql_bool("j.is_gold")} AS is_gold,
                   (CASE WHEN asg.swapped THEN 'true' ELSE 'false' END) AS swapped, j.active_ms,
                   {_ISO.format("j.created_at")} AS created, {_ISO.format("j.removed_at")} AS removed
            FROM raters_judgment j
            JOIN projects_task t ON t.id = j.task_id
            JOIN projects_poolserp s ON s.id = t.serp_id
            LEFT JOIN projects_poolserp sb ON sb.id = t.serp_b_id
            JOIN auth_user u ON u.id = j.rater_id
            JOIN guidelines_guidelineversion v ON v.id = j.guideline_version_id
            JOIN raters_assignment asg ON asg.id = j.assignment_id
            WHERE j.id = ANY(%(ids)s)
        ), ans AS (
            SELECT a.judgment_id, a.serp_id, a.doc_id{"".join(aggregates)}
            FROM raters_resultanswer a WHERE a.judgment_id = ANY(%(ids)s)
            GROUP BY a.judgment_id, a.serp_id, a.doc_id
        )
        SELECT js.id, js.task_id, js.query_id, js.query, js.locale, js.category,
               CASE WHEN pr.serp_id = js.serp_b THEN js.variant_b ELSE js.variant_a END, pr.rank,
               {_sql_text("pr.doc_id")}{"".join(result_cells)}{pages},
               js.cannot_judge, js.rater, js.version, js.is_gold, js.swapped, js.active_ms, js.created, js.removed
        FROM js
        LEFT JOIN projects_poolresult pr ON pr.serp_id IN (js.serp_a, js.serp_b)
        LEFT JOIN ans ON ans.judgment_id = js.id AND ans.serp_id = pr.serp_id AND ans.doc_id = pr.doc_id
        ORDER BY js.created_at, js.id, CASE WHEN pr.serp_id = js.serp_a THEN 0 ELSE 1 END, pr.rank
    ) TO STDOUT WITH (FORMAT csv)
    """  # noqa: S608 - the SQL is made here; the question keys and ids are parameters
    return sql, params


def csv_header(header: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([safe_csv_text(name) for name in header])
    return buffer.getvalue()


def csv_lines(header: list[str], rows: Iterable[dict], *, converters: list | None = None) -> Iterator[str]:
    """The CSV text, a few thousand rows per chunk (one chunk per row would cost more than the rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_csv_text(name) for name in header])
    # Only the cells that need it are converted: most columns go to the writer as they are.
    convert = [(i, cell) for i, cell in enumerate(converters or [csv_cell] * len(header)) if cell is not _as_is]
    for number, row in enumerate(rows, start=1):
        cells = list(row.values())
        for i, cell in convert:
            cells[i] = cell(cells[i])
        writer.writerow(cells)
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    chunk = []
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    for row in rows:
        chunk.append(encode(row))
        if len(chunk) >= BATCH:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


# --- Consensus labels -----------------------------------------------------------------------

LABEL_COLUMNS = ("query_id", "doc_id", "label", "raters", "agreement")


def graded_question(schema: dict | None) -> dict | None:
    """The result question labels come from: the first ordinal one (as the report's relevance)."""
    questions = (schema or {}).get("result_questions") or []
    return next((q for q in questions if isinstance(q, dict) and q.get("type") == "ordinal"), None)


def consensus_labels(project, question_key: str) -> pd.DataFrame:
    """Median consensus per (query_id, doc_id) over the project's live judgments, sorted by both.

    The database counts answers per (query, doc, value), so only those counts travel; they are
    expanded to one vote per answer for `median_consensus`, the report's one definition.
    """
    sql = """
        SELECT t.query_id, a.doc_id, a.value, COUNT(*)
        FROM raters_resultanswer a
        JOIN raters_judgment j ON j.id = a.judgment_id
        JOIN projects_task t ON t.id = j.task_id
        WHERE j.project_id = %(project)s AND j.removed_at IS NULL AND a.question = %(question)s
          AND a.value IS NOT NULL
        GROUP BY t.query_id, a.doc_id, a.value
        ORDER BY t.query_id, a.doc_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"project": project.pk, "question": question_key})
        counted = pd.DataFrame(cursor.fetchall(), columns=["query_id", "doc_id", "value", "count"])
    if not len(counted):
        return pd.DataFrame({column: [] for column in LABEL_COLUMNS})
    pairs = pd.MultiIndex.from_frame(counted[["query_id", "doc_id"]])
    codes, items = pd.factorize(pairs)
    repeat = counted["count"].to_numpy(dtype=np.int64)
    votes = pd.DataFrame(
        {
            "item": np.repeat(codes, repeat),
            "rater": np.zeros(int(repeat.sum()), dtype=np.int8),  # the median needs no rater
            "value": np.repeat(counted["value"].to_numpy(dtype=float), repeat),
        }
    )
    labels = median_consensus(votes)
    keys = items.take(labels.index.to_numpy())
    return pd.DataFrame(
        {
            "query_id": keys.get_level_values(0),
            "doc_id": keys.get_level_values(1),
            "label": labels["label"].to_numpy(),
            "raters": labels["raters"].to_numpy(),
            "agreement": labels["agreement"].to_numpy().round(4),
        }
    )


def label_records(labels: pd.DataFrame) -> list[dict]:
    """Rows for JSON and CSV: a whole-number label (as scales are) written as an int."""
    return [
        {
            "query_id": query_id,
            "doc_id": doc_id,
            "label": int(label) if float(label).is_integer() else float(label),
            "raters": int(raters),
            "agreement": float(agreement),
        }
        for query_id, doc_id, label, raters, agreement in labels.itertuples(index=False)
    ]


def qrels_problem(labels: pd.DataFrame) -> str | None:
    """Why these labels cannot be TREC qrels (ids are whitespace-separated, grades integers), or None."""
    if not len(labels):
        return None
    for column in ("query_id", "doc_id"):
        spaced = labels[column][labels[column].str.contains(r"\s", regex=True)]
        if len(spaced):
            return f'qrels separate fields by spaces, and {column} "{spaced.iloc[0]}" has whitespace in it.'
    fractional = labels["label"][labels["label"] % 1 != 0]
    if len(fractional):
        return f"qrels grades are integers, and this scale has the label {fractional.iloc[0]:g}."
    return None


def qrels_lines(labels: pd.DataFrame) -> Iterator[str]:
    for query_id, doc_id, label in labels[["query_id", "doc_id", "label"]].itertuples(index=False):
        yield f"{query_id} 0 {doc_id} {int(label)}\n"
