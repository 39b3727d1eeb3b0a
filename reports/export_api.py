"""Exports for R&D over the API: every judgment as rows (json/csv/jsonl), consensus labels (json/csv/qrels)."""

import re
from datetime import UTC

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from evalconsole.access import get_project_for_user
from evalconsole.errors import Conflict
from evalconsole.filters import UtcDateTimeField
from evalconsole.pagination import Pagination
from evalconsole.throttles import RATE_LIMITED, ExportThrottle
from reports import exports

CSV_ESCAPING = (
    "CSV cells are escaped against spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, "
    "`@`, a tab or a carriage return gets a leading `'` (so `=HYPERLINK(...)` arrives as `'=HYPERLINK(...)`). "
    "Numbers are never escaped: a preference of -2 stays the number -2.0. Take json/jsonl for the exact text."
)

JUDGMENTS_DESCRIPTION = f"""Every judgment of the project as flat rows, **one row per (judgment, result shown)**:
a judgment of a 10-result page is 10 rows; side by side, the results of both pages (`variant` says which).
Each row carries the result's answers as `result_<key>` columns and the judgment's page answers repeated as
`page_<key>` columns, one column per question of the pinned schema (then of any older version judged here).
A "cannot judge" judgment has its rows too, with `cannot_judge` set to the reason and empty answers.
Count judgments with `judgment_id.nunique()`; page answers once per judgment with `drop_duplicates("judgment_id")`.
Rows are in judgment creation order, then page, then rank.

Columns and their pandas dtypes (`read_csv(..., dtype={{<text columns>: str}}, keep_default_na=False, na_values=[""],
parse_dates=["created_at", "removed_at"])` or `read_json(..., lines=True, dtype=False)`; docs/api.md has the details):
`judgment_id`, `task_id`, `rank`, `guideline_version`, `active_ms` int64; `query_id`, `query`, `locale`,
`category`, `variant`, `doc_id`, `rater`, `cannot_judge` text (empty/null when there is none);
ordinal answers float64 (empty when not answered); boolean answers true/false; multi answers a list
(a JSON list in CSV); categorical and text answers text; `is_gold`, `swapped` (side by side: the second
variant was shown on the left; `page_preference` is already turned to "positive: the second variant is better")
bool; `created_at`, `removed_at` ISO 8601 UTC.

Removed judgments are left out, except in an incremental pull: `since=<ISO 8601>` returns the judgments
created after that moment, and those removed after it with `removed_at` set, so a pipeline can drop them:
`old = old[~old.judgment_id.isin(new.judgment_id)]; rows = pd.concat([old, new]); rows = rows[rows.removed_at.isna()]`.
A judgment is stamped a moment before it commits, so pull from a minute before the newest timestamp you hold.
A timestamp without an offset is UTC.

`format=csv` and `format=jsonl` stream the whole project (no pagination); `format=json` (the default) is
paginated like every list (`page`, `page_size` up to 1000). {CSV_ESCAPING}"""

LABELS_DESCRIPTION = f"""The consensus label per (query_id, doc_id): the median of the raters' answers to the
graded result question (the first ordinal result question of the pinned schema; for an even count the lower
median, so a label is always a grade of the scale), with `raters` (answers counted) and `agreement` (share of
those answers equal to the label). The same labels the report's relevance metrics use; removed judgments are left
out. Sorted by query_id, then doc_id.

`format=json` (the default) is paginated; `format=csv` has the columns `query_id,doc_id,label,raters,agreement`;
`format=qrels` is TREC qrels, `query_id 0 doc_id grade` one per line, read as-is by trec_eval and
`pytrec_eval.parse_qrel`. A project whose guideline has no ordinal result question has no labels (409), and qrels
need ids without whitespace and whole-number grades (409 otherwise). {CSV_ESCAPING}"""

JUDGMENT_FORMATS = ("json", "csv", "jsonl")
LABEL_FORMATS = ("json", "csv", "qrels")
# A "+01:00" offset arrives as " 01:00" when the client did not encode the "+".
_UNENCODED_OFFSET = re.compile(r"^(.+T[\d:.]+) (\d{2}:?\d{2})$")


class FormatIgnoringNegotiation(DefaultContentNegotiation):
    """`format` here picks the export's format, which the view handles; answers and errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def _format(request, allowed: tuple[str, ...]) -> str:
    chosen = request.query_params.get("format", "json")
    if chosen not in allowed:
        raise serializers.ValidationError({"format": [f"Choose {', '.join(allowed[:-1])} or {allowed[-1]}."]})
    return chosen


def _since(request):
    given = request.query_params.get("since")
    if given is None:
        return None
    moment = None
    try:
        moment = parse_datetime(_UNENCODED_OFFSET.sub(r"\1+\2", given.strip()))
        # In UTC: PostgreSQL refuses offsets past 15:59 that Python reads (+19:30 was a 500).
        if moment is not None and timezone.is_aware(moment):
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise serializers.ValidationError(
            {"since": ["Give an ISO 8601 timestamp, e.g. 2026-11-22T07:30:00Z (encode a + offset as %2B)."]}
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class _Moment(UtcDateTimeField):
    # Not %-formatted here (django-filter's copy of this message doubles the %).
    default_error_messages = {
        "invalid": "Give a date or an ISO 8601 timestamp, e.g. 2026-11-01 or 2026-11-01T07:30:00Z "
        "(encode a + offset as %2B)."
    }


class JudgmentFilterForm(forms.Form):
    """The judgments export's filters; a value that cannot be read is a 400 naming its field."""

    locale = forms.CharField(required=False, max_length=35)
    rater = forms.CharField(required=False, max_length=150)
    created_after = _Moment(required=False)
    created_before = _Moment(required=False)


def _judgment_filters(request) -> dict:
    form = JudgmentFilterForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError({field: list(messages) for field, messages in form.errors.items()})
    return form.cleaned_data


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page_output(name: str, row: serializers.Serializer):
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": row,
        },
    )


class JudgmentRowOutput(serializers.Serializer):
    """The fixed columns; `result_<key>` and `page_<key>` columns follow the project's schema."""

    judgment_id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    query_id = serializers.CharField()
    query = serializers.CharField()
    locale = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    variant = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    doc_id = serializers.CharField(allow_null=True)
    cannot_judge = serializers.CharField(allow_null=True)
    rater = serializers.CharField()
    guideline_version = serializers.IntegerField()
    is_gold = serializers.BooleanField()
    swapped = serializers.BooleanField()
    active_ms = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    removed_at = serializers.DateTimeField(allow_null=True)


class LabelOutput(serializers.Serializer):
    query_id = serializers.CharField()
    doc_id = serializers.CharField()
    label = serializers.FloatField()
    raters = serializers.IntegerField()
    agreement = serializers.FloatField()


JudgmentPageOutput = _page_output("JudgmentPage", JudgmentRowOutput(many=True))
LabelPageOutput = _page_output("LabelPage", LabelOutput(many=True))
_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="A bad `format`, `since` or filter, named in the body."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such project, or not one you may read."),
    429: RATE_LIMITED,
}


class JudgmentExportApi(APIView):
    content_negotiation_class = FormatIgnoringNegotiation
    throttle_classes = [ExportThrottle]

    @extend_schema(
        operation_id="projects_judgments_export",
        parameters=[
            OpenApiParameter("format", str, enum=list(JUDGMENT_FORMATS), description="json (default), csv or jsonl"),
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="only judgments created or removed after this (ISO 8601)"
            ),
            OpenApiParameter("locale", str, description="only judgments of tasks in this locale, e.g. it-IT"),
            OpenApiParameter("rater", str, description="only this rater's judgments (username)"),
            OpenApiParameter(
                "created_after", OpenApiTypes.DATETIME, description="judgments made at or after this date or time"
            ),
            OpenApiParameter(
                "created_before", OpenApiTypes.DATETIME, description="judgments made before this date or time"
            ),
            OpenApiParameter("page", int, description="json only: the page number"),
            OpenApiParameter("page_size", int, description="json only: rows per page (at most 1000)"),
        ],
        responses={
            (200, "application/json"): JudgmentPageOutput,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            **_ERRORS,
        },
        description=JUDGMENTS_DESCRIPTION,
    )
    def get(self, request, project_id):
        project = get_project_for_user(request.user, project_id)
        chosen = _format(request, JUDGMENT_FORMATS)
        since = _since(request)
        filters = _judgment_filters(request)
        columns = exports.export_columns(project)
        rows = exports.JudgmentRows(project, columns, since=since, filters=filters)
        if chosen == "json":
            paginator = Pagination()
            page = paginator.paginate_queryset(rows, request, view=self)
            return paginator.get_paginated_response(page)
        name = f"project-{project.pk}-judgments.{chosen}"
        if chosen == "csv":
            body = rows.csv()
            return _attachment(StreamingHttpResponse(body, content_type="text/csv; charset=utf-8"), name)
        body = exports.jsonl_lines(rows.stream())
        return _attachment(StreamingHttpResponse(body, content_type="application/x-ndjson; charset=utf-8"), name)


class LabelExportApi(APIView):
    content_negotiation_class = FormatIgnoringNegotiation
    throttle_classes = [ExportThrottle]

    @extend_schema(
        operation_id="projects_labels_export",
        parameters=[
            OpenApiParameter("format", str, enum=list(LABEL_FORMATS), description="json (default), csv or qrels"),
            OpenApiParameter("page", int, description="json only: the page number"),
            OpenApiParameter("page_size", int, description="json only: labels per page (at most 1000)"),
        ],
        responses={
            (200, "application/json"): LabelPageOutput,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "text/plain"): OpenApiTypes.STR,
            **_ERRORS,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="No graded question, or labels qrels cannot hold."),
        },
        description=LABELS_DESCRIPTION,
    )
    def get(self, request, project_id):
        project = get_project_for_user(request.user, project_id)
        chosen = _format(request, LABEL_FORMATS)
        question = exports.graded_question(project.guideline_version.schema)
        if question is None:
            raise Conflict(
                "This project's guideline has no ordinal result question, so it has no consensus labels.",
                code="no_graded_question",
            )
        labels = exports.consensus_labels(project, question["key"])
        name = f"project-{project.pk}-labels"
        if chosen == "json":
            paginator = Pagination()
            page = paginator.paginate_queryset(exports.label_records(labels), request, view=self)
            return paginator.get_paginated_response(page)
        if chosen == "csv":
            body = exports.csv_lines(list(exports.LABEL_COLUMNS), exports.label_records(labels))
            return _attachment(HttpResponse(body, content_type="text/csv; charset=utf-8"), f"{name}.csv")
        problem = exports.qrels_problem(labels)
        if problem:
            raise Conflict(problem, code="not_qrels")
        body = exports.qrels_lines(labels)
        return _attachment(HttpResponse(body, content_type="text/plain; charset=utf-8"), f"{name}.qrels")
