"""Exports for R&D: judgments as rows (json/csv/jsonl), consensus labels (json/csv/qrels), who may pull them."""

import copy
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import pytrec_eval
from django.http import StreamingHttpResponse
from django.utils import timezone

from guidelines.schema import STARTER_SCHEMA
from projects.models import PoolResult
from raters import engine, services
from raters.models import Assignment, Judgment
from reports.exports import csv_cell
from reports.models import ReportSnapshot
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import active_project, qualified_rater
from tests.raters.helpers_sbs import SIDE_BY_SIDE_SCHEMA, side_by_side_project
from tests.reports.judged import grade_of, judged_project, satisfaction_of

pytestmark = pytest.mark.django_db

COLUMNS = [
    "judgment_id", "task_id", "query_id", "query", "locale", "category", "variant", "rank", "doc_id",
    "result_relevance", "page_satisfaction", "page_pain_points", "page_comment",
    "cannot_judge", "rater", "guideline_version", "is_gold", "swapped", "active_ms", "created_at", "removed_at",
]  # fmt: skip
IDS = {"query_id": str, "doc_id": str}


@pytest.fixture
def version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True)


@pytest.fixture
def project(owner, version):
    # 4 tasks x 2 results x 3 raters; judge0 could not judge q0.
    return judged_project(owner=owner, version=version, tasks=4, results=2, raters=3, cannot_judge_every=4)


def judgments_url(project, query=""):
    return f"/api/v1/projects/{project.pk}/judgments/{query}"


def labels_url(project, query=""):
    return f"/api/v1/projects/{project.pk}/labels/{query}"


def text_of(response) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def row_of(rows, *, rater, query_id, rank):
    return next(r for r in rows if (r["rater"], r["query_id"], r["rank"]) == (rater, query_id, rank))


# --- Judgments --------------------------------------------------------------------------------


def test_the_json_export_has_a_row_per_judgment_and_result_with_every_answer(api, owner, project):
    body = api.as_user(owner).get(judgments_url(project, "?page_size=1000")).json()

    assert body["count"] == 24 and body["next"] is None
    rows = body["results"]
    assert list(rows[0]) == COLUMNS
    assert len({r["judgment_id"] for r in rows}) == 12
    row = row_of(rows, rater="judge2", query_id="q1", rank=2)
    assert row | {"judgment_id": 0, "task_id": 0, "created_at": ""} == {
        "judgment_id": 0, "task_id": 0, "query_id": "q1", "query": "query number 1", "locale": "de-DE",
        "category": "travel", "variant": None, "rank": 2, "doc_id": "q1-d2",
        "result_relevance": float(grade_of(2, 1)), "page_satisfaction": float(satisfaction_of(1, 2)),
        "page_pain_points": [], "page_comment": None, "cannot_judge": None, "rater": "judge2",
        "guideline_version": 1, "is_gold": False, "swapped": False, "active_ms": 22_000, "created_at": "",
        "removed_at": None,
    }  # fmt: skip
    assert row["created_at"].endswith("Z")
    pained = row_of(rows, rater="judge1", query_id="q3", rank=1)
    assert (pained["page_pain_points"], pained["page_comment"]) == (["outdated"], "comment 3/1")


def test_a_cannot_judge_judgment_has_its_rows_with_the_reason_and_no_answers(api, owner, project):
    rows = api.as_user(owner).get(judgments_url(project, "?page_size=1000")).json()["results"]

    unjudged = [r for r in rows if r["rater"] == "judge0" and r["query_id"] == "q0"]
    assert [(r["rank"], r["doc_id"], r["cannot_judge"]) for r in unjudged] == [
        (1, "q0-d1", "did_not_load"), (2, "q0-d2", "did_not_load"),
    ]  # fmt: skip
    assert {(r["result_relevance"], r["page_satisfaction"], r["page_pain_points"]) for r in unjudged} == {
        (None, None, None)
    }


def test_the_json_export_is_paginated_in_judgment_order(api, owner, project):
    client = api.as_user(owner)

    first = client.get(judgments_url(project, "?page_size=5")).json()
    second = client.get(first["next"]).json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (24, 5, 5)
    everything = client.get(judgments_url(project, "?page_size=1000")).json()["results"]
    assert first["results"] + second["results"] == everything[:10]
    assert [r["rank"] for r in everything[:4]] == [1, 2, 1, 2]


@pytest.mark.parametrize("chosen", ["csv", "jsonl"])
def test_csv_and_jsonl_are_streamed_as_attachments(api, owner, project, chosen):
    response = api.as_user(owner).get(judgments_url(project, f"?format={chosen}"))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == f'attachment; filename="project-{project.pk}-judgments.{chosen}"'
    assert response["Content-Type"].startswith("text/csv" if chosen == "csv" else "application/x-ndjson")


def test_pandas_reads_the_csv_with_the_documented_dtypes(api, owner, project):
    text = text_of(api.as_user(owner).get(judgments_url(project, "?format=csv")))

    frame = pd.read_csv(io.StringIO(text), parse_dates=["created_at", "removed_at"], dtype=IDS)

    assert list(frame.columns) == COLUMNS and len(frame) == 24
    dtypes = frame.dtypes.astype(str).to_dict()
    assert {c: dtypes[c] for c in ("judgment_id", "task_id", "rank", "guideline_version", "active_ms")} == {
        c: "int64" for c in ("judgment_id", "task_id", "rank", "guideline_version", "active_ms")
    }
    assert (dtypes["result_relevance"], dtypes["page_satisfaction"]) == ("float64", "float64")
    assert (dtypes["is_gold"], dtypes["swapped"], dtypes["created_at"]) == ("bool", "bool", "datetime64[ns, UTC]")
    row = frame[(frame.rater == "judge1") & (frame.query_id == "q3") & (frame["rank"] == 1)].iloc[0]
    assert (row.result_relevance, row.page_satisfaction) == (grade_of(1, 3), satisfaction_of(3, 1))
    assert json.loads(row.page_pain_points) == ["outdated"]
    assert frame.cannot_judge.dropna().tolist() == ["did_not_load", "did_not_load"]


def test_pandas_reads_the_jsonl_with_the_documented_dtypes(api, owner, project):
    text = text_of(api.as_user(owner).get(judgments_url(project, "?format=jsonl")))

    frame = pd.read_json(io.StringIO(text), lines=True, dtype=IDS)

    assert list(frame.columns) == COLUMNS and len(frame) == 24
    dtypes = frame.dtypes.astype(str).to_dict()
    assert (dtypes["judgment_id"], dtypes["rank"], dtypes["active_ms"]) == ("int64", "int64", "int64")
    assert (dtypes["result_relevance"], dtypes["page_satisfaction"]) == ("float64", "float64")
    assert (dtypes["is_gold"], dtypes["created_at"]) == ("bool", "datetime64[ns, UTC]")
    row = frame[(frame.rater == "judge1") & (frame.query_id == "q3") & (frame["rank"] == 1)].iloc[0]
    assert row.page_pain_points == ["outdated"]


def test_the_three_formats_hold_the_same_rows(api, owner, project):
    client = api.as_user(owner)

    as_json = pd.DataFrame(client.get(judgments_url(project, "?page_size=1000")).json()["results"])
    as_jsonl = pd.read_json(io.StringIO(text_of(client.get(judgments_url(project, "?format=jsonl")))), lines=True)
    as_csv = pd.read_csv(io.StringIO(text_of(client.get(judgments_url(project, "?format=csv")))))

    key = ["judgment_id", "rank", "doc_id", "result_relevance", "page_satisfaction", "rater"]
    assert as_json[key].equals(as_jsonl[key]) and as_json[key].equals(as_csv[key])


def test_since_returns_only_the_judgments_made_after_it(api, owner, project):
    earlier = timezone.now() - timedelta(days=2)
    old = Judgment.objects.filter(project=project, task__query_id__in=["q0", "q1"])
    old.update(created_at=earlier)
    since = (earlier + timedelta(hours=1)).isoformat().replace("+00:00", "Z")

    body = api.as_user(owner).get(judgments_url(project), {"since": since, "page_size": 1000}).json()

    assert body["count"] == 12
    assert {r["query_id"] for r in body["results"]} == {"q2", "q3"}


def test_a_removed_judgment_is_left_out_but_named_in_a_pull_since_before_its_removal(api, owner, project):
    client = api.as_user(owner)
    before = timezone.now()
    Judgment.objects.update(created_at=before - timedelta(days=1))
    removed = Judgment.objects.get(project=project, rater__username="judge2", task__query_id="q2")
    Judgment.objects.filter(pk=removed.pk).update(removed_at=before + timedelta(seconds=1))

    everything = client.get(judgments_url(project, "?page_size=1000")).json()
    changes = client.get(judgments_url(project), {"since": before.isoformat(), "format": "jsonl"})

    assert everything["count"] == 22
    assert removed.pk not in {r["judgment_id"] for r in everything["results"]}
    rows = [json.loads(line) for line in text_of(changes).splitlines()]
    assert [(r["judgment_id"], r["rank"]) for r in rows] == [(removed.pk, 1), (removed.pk, 2)]
    assert all(r["removed_at"] is not None for r in rows)


def test_since_with_an_unencoded_plus_offset_is_still_read(api, owner, project):
    later = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")

    response = api.as_user(owner).get(judgments_url(project, f"?since={later}+00:00"))

    assert response.status_code == 200 and response.json()["count"] == 0


def test_since_with_an_offset_postgresql_cannot_hold_is_read_in_utc(api, owner, project):
    # Found by schemathesis: +19:30 is a valid offset to Python, a 500 from PostgreSQL.
    response = api.as_user(owner).get(judgments_url(project, "?since=2000-01-01T00:00:00%2B19:30"))

    assert response.status_code == 200 and response.json()["count"] > 0


def test_since_without_an_offset_is_read_as_utc(api, owner, project):
    later = (timezone.now() + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    response = api.as_user(owner).get(judgments_url(project, f"?since={later}"))

    assert response.status_code == 200 and response.json()["count"] == 0


# --- Filters ----------------------------------------------------------------------------------


def _pulled(client, project, chosen: str, query: dict) -> pd.DataFrame:
    if chosen == "json":
        return pd.DataFrame(client.get(judgments_url(project), {**query, "page_size": 1000}).json()["results"])
    body = text_of(client.get(judgments_url(project), {**query, "format": chosen}))
    if not body.strip():
        return pd.DataFrame()
    if chosen == "csv":
        return pd.read_csv(io.StringIO(body), keep_default_na=False, na_values=[""])
    return pd.read_json(io.StringIO(body), lines=True, dtype=False)


FILTERS = {
    "one rater": ({"rater": "judge1"}, {"q0", "q1", "q2", "q3"}, {"judge1"}),
    "one locale": ({"locale": "de-DE"}, {"q1", "q3"}, {"judge0", "judge1", "judge2"}),
    "both": ({"locale": "it-IT", "rater": "judge2"}, {"q0", "q2"}, {"judge2"}),
    "created before the pull of q0 and q1 was moved back": ({"created_before": "2026-01-02"}, {"q0", "q1"}, None),
    "created on or after": ({"created_after": "2026-01-02T00:00:00Z"}, {"q2", "q3"}, None),
    "nobody by that name": ({"rater": "nobody"}, set(), set()),
}


@pytest.mark.parametrize("chosen", ["json", "csv", "jsonl"])
@pytest.mark.parametrize(("query", "queries", "raters"), FILTERS.values(), ids=FILTERS.keys())
def test_filters_narrow_the_judgments_in_every_format(api, owner, project, chosen, query, queries, raters):
    Judgment.objects.filter(project=project, task__query_id__in=["q0", "q1"]).update(
        created_at=datetime(2026, 1, 1, 12, tzinfo=UTC)
    )

    rows = _pulled(api.as_user(owner), project, chosen, query)

    def found(column):
        return set(rows[column]) if len(rows) else set()

    assert found("query_id") == queries
    if raters is not None:
        assert found("rater") == raters
    # Each judgment keeps all of its rows: 2 results per page.
    assert len(rows) == 2 * len(found("judgment_id"))


FILTER_DATE_ERROR = [
    "Give a date or an ISO 8601 timestamp, e.g. 2026-11-01 or 2026-11-01T07:30:00Z (encode a + offset as %2B)."
]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("?created_after=yesterday", {"created_after": FILTER_DATE_ERROR}),
        ("?format=csv&created_before=2026-13-01", {"created_before": FILTER_DATE_ERROR}),
        ("?locale=" + "x" * 36, {"locale": ["Ensure this value has at most 35 characters (it has 36)."]}),
    ],
)
def test_a_filter_that_cannot_be_read_is_a_400_naming_it(api, owner, project, query, error):
    response = api.as_user(owner).get(judgments_url(project, query))

    assert (response.status_code, response.json()) == (400, error)


SINCE_ERROR = {"since": ["Give an ISO 8601 timestamp, e.g. 2026-11-22T07:30:00Z (encode a + offset as %2B)."]}


@pytest.mark.parametrize(
    "query, error",
    [
        ("?format=xml", {"format": ["Choose json, csv or jsonl."]}),
        ("?format=qrels", {"format": ["Choose json, csv or jsonl."]}),
        ("?format=", {"format": ["Choose json, csv or jsonl."]}),
        ("?since=yesterday", SINCE_ERROR),
        ("?since=2026-13-01T00:00:00Z", SINCE_ERROR),
        ("?since=", SINCE_ERROR),
        ("?format=csv&since=1700000000", SINCE_ERROR),
        ("?since=0001-01-01T00:00:00%2B19:30", SINCE_ERROR),
    ],
)
def test_the_judgments_export_rejects_bad_input(api, owner, project, query, error):
    response = api.as_user(owner).get(judgments_url(project, query))

    assert (response.status_code, response.json()) == (400, error)


# --- Formula escaping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-fast", "'-fast"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain = fine", "plain = fine"),
        (-2.0, -2.0),
        (-3, -3),
        (True, "true"),
        (None, ""),
        (["=a", "b"], '["=a", "b"]'),
    ],
)
def test_csv_cells_that_would_start_a_formula_get_a_quote_and_numbers_stay_numbers(value, cell):
    assert csv_cell(value) == cell


def test_a_comment_that_is_a_formula_is_escaped_in_csv_and_exact_in_jsonl(api, owner, project):
    formula = '=HYPERLINK("http://evil.example","click")'
    target = Judgment.objects.get(project=project, rater__username="judge1", task__query_id="q3")
    Judgment.objects.filter(pk=target.pk).update(page={**target.page, "comment": formula})
    client = api.as_user(owner)

    as_csv = pd.read_csv(io.StringIO(text_of(client.get(judgments_url(project, "?format=csv")))))
    as_jsonl = pd.read_json(io.StringIO(text_of(client.get(judgments_url(project, "?format=jsonl")))), lines=True)

    assert set(as_csv[as_csv.judgment_id == target.pk].page_comment) == {"'" + formula}
    assert set(as_jsonl[as_jsonl.judgment_id == target.pk].page_comment) == {formula}


# --- Labels -----------------------------------------------------------------------------------


def test_labels_are_the_median_grade_per_query_and_doc_with_raters_and_agreement(api, owner, project):
    body = api.as_user(owner).get(labels_url(project)).json()

    assert body["count"] == 8
    assert body["results"][:3] == [
        {"query_id": "q0", "doc_id": "q0-d1", "label": grade_of(1, 0), "raters": 2, "agreement": 1.0},
        {"query_id": "q0", "doc_id": "q0-d2", "label": grade_of(2, 0), "raters": 2, "agreement": 1.0},
        {"query_id": "q1", "doc_id": "q1-d1", "label": grade_of(1, 1), "raters": 3, "agreement": 1.0},
    ]


def test_a_split_vote_takes_the_lower_median_and_says_how_many_agreed(api, owner, project):
    answers = project.judgments.get(rater__username="judge0", task__query_id="q1").result_answers
    answers.filter(doc_id="q1-d1").update(value=4)  # judges 1 and 2 said grade_of(1, 1) = 3

    rows = api.as_user(owner).get(labels_url(project, "?format=csv")).content.decode().splitlines()

    assert rows[0] == "query_id,doc_id,label,raters,agreement"
    assert "q1,q1-d1,3,3,0.6667" in rows


def test_qrels_are_read_by_pytrec_eval_and_score_the_ideal_ranking_as_perfect(api, owner, project):
    response = api.as_user(owner).get(labels_url(project, "?format=qrels"))

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert text.splitlines()[:2] == [f"q0 0 q0-d1 {grade_of(1, 0)}", f"q0 0 q0-d2 {grade_of(2, 0)}"]
    qrel = pytrec_eval.parse_qrel(io.StringIO(text))
    ideal = {query: {doc: float(grade) for doc, grade in docs.items()} for query, docs in qrel.items()}
    scores = pytrec_eval.RelevanceEvaluator(qrel, {"ndcg"}).evaluate(ideal)
    assert set(scores) == {"q0", "q1", "q2", "q3"}
    assert {round(s["ndcg"], 6) for s in scores.values()} == {1.0}


@pytest.mark.parametrize("query", ["?format=xml", "?format=jsonl"])
def test_the_labels_export_rejects_an_unknown_format(api, owner, project, query):
    response = api.as_user(owner).get(labels_url(project, query))

    assert (response.status_code, response.json()) == (400, {"format": ["Choose json, csv or qrels."]})


def test_a_guideline_without_an_ordinal_result_question_has_no_labels(api, owner, guideline):
    schema = copy.deepcopy(STARTER_SCHEMA) | {"result_questions": []}
    version = VersionFactory(guideline=guideline, number=3, published=True, schema=schema)
    project = active_project(owner=owner, version=version, tasks=1)

    response = api.as_user(owner).get(labels_url(project))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "This project's guideline has no ordinal result question, so it has no consensus labels.",
            "code": "no_graded_question",
        },
    )


def test_qrels_refuse_a_doc_id_with_a_space_in_it(api, owner, project):
    judged = project.judgments.get(rater__username="judge1", task__query_id="q0")
    judged.result_answers.filter(doc_id="q0-d2").update(doc_id="q0 d2")

    response = api.as_user(owner).get(labels_url(project, "?format=qrels"))

    assert (response.status_code, response.json()) == (
        409,
        {"detail": 'qrels separate fields by spaces, and doc_id "q0 d2" has whitespace in it.', "code": "not_qrels"},
    )


# --- Who may pull -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [judgments_url, labels_url])
@pytest.mark.parametrize(
    "persona, expected",
    [
        ("admin_user", 200), ("pm", 200), ("reviewer", 200), ("owner", 200),
        ("other_owner", 404), ("rater", 404), ("outsider", 404),
    ],
)  # fmt: skip
def test_exports_are_read_by_staff_and_the_owner_and_hidden_from_everyone_else(
    request, api, project, url, persona, expected
):
    response = api.as_user(request.getfixturevalue(persona)).get(url(project, "?format=csv"))

    assert response.status_code == expected


@pytest.mark.parametrize("url", [judgments_url, labels_url])
def test_a_rater_who_judged_the_project_cannot_read_its_judgments(api, project, url):
    judge = project.judgments.first().rater

    response = api.as_user(judge).get(url(project, "?format=jsonl"))

    assert (response.status_code, response.json()) == (404, {"detail": "No such project."})


@pytest.mark.parametrize("url", [judgments_url, labels_url])
def test_anonymous_callers_are_asked_to_authenticate(api, project, url):
    assert api.get(url(project)).status_code == 401


def test_a_signed_in_session_reads_the_export_too(client, pm, project):
    client.force_login(pm)

    response = client.get(judgments_url(project, "?format=csv"))

    assert response.status_code == 200 and len(text_of(response).splitlines()) == 25


# --- Query counts -----------------------------------------------------------------------------


# Token, role, project, schemas, then the rows: count, page, its answers (json); the cursor and one answers
# query per 2,000 rows, in a savepoint here (csv/jsonl); the counted grades (labels).


def test_the_json_export_takes_a_fixed_number_of_queries(api, owner, project, django_assert_max_num_queries):
    client = api.as_user(owner)
    with django_assert_max_num_queries(7):
        assert client.get(judgments_url(project, "?page_size=1000")).status_code == 200


def test_the_csv_export_takes_a_fixed_number_of_queries(api, owner, project, django_assert_max_num_queries):
    client = api.as_user(owner)
    with django_assert_max_num_queries(8):
        assert len(text_of(client.get(judgments_url(project, "?format=csv"))).splitlines()) == 25


def test_the_labels_export_takes_a_fixed_number_of_queries(api, owner, project, django_assert_max_num_queries):
    client = api.as_user(owner)
    with django_assert_max_num_queries(4):
        assert client.get(labels_url(project, "?format=qrels")).status_code == 200


# --- Side by side -----------------------------------------------------------------------------


@pytest.fixture
def side_by_side(owner, guideline):
    version = VersionFactory(guideline=guideline, number=2, published=True, schema=copy.deepcopy(SIDE_BY_SIDE_SCHEMA))
    project = side_by_side_project(owner=owner, version=version, tasks=4, overlap=1)
    rater = qualified_rater(version, username="sbs0")
    while (assignment := engine.lease_next(rater=rater, project=project)) is not None:
        services.judgment_submit(
            assignment=assignment, submission_id=uuid.uuid4(), active_ms=9000, page={"preference": -2}, results={}
        )
    return project


def test_a_side_by_side_judgment_has_the_rows_of_both_pages_and_its_preference_as_a_number(api, owner, side_by_side):
    text = text_of(api.as_user(owner).get(judgments_url(side_by_side, "?format=csv")))

    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == [*COLUMNS[:9], "page_preference", "page_comment", *COLUMNS[13:]]
    assert len(frame) == 16 and frame.judgment_id.nunique() == 4
    first = frame[frame.judgment_id == frame.judgment_id.iloc[0]]
    assert list(zip(first.variant, first["rank"], strict=True)) == [
        ("baseline", 1), ("baseline", 2), ("experiment", 1), ("experiment", 2),
    ]  # fmt: skip
    assert frame.page_preference.dtype == "float64"
    swapped = dict(Assignment.objects.filter(project=side_by_side).values_list("judgment__pk", "swapped"))
    by_judgment = frame.drop_duplicates("judgment_id").set_index("judgment_id")
    # Stored in favour of the second variant: "left is better" (-2) reads +2 when the pages were swapped.
    assert by_judgment.page_preference.to_dict() == {pk: 2.0 if s else -2.0 for pk, s in swapped.items()}
    assert by_judgment.swapped.to_dict() == swapped
    assert "'-2" not in text


def test_a_side_by_side_project_has_no_labels(api, owner, side_by_side):
    response = api.as_user(owner).get(labels_url(side_by_side, "?format=qrels"))

    assert (response.status_code, response.json()["code"]) == (409, "no_graded_question")


# --- Edges ------------------------------------------------------------------------------------


def test_a_project_without_judgments_exports_empty_files_with_their_headers(api, owner, version):
    project = active_project(owner=owner, version=version, tasks=2)
    client = api.as_user(owner)

    assert client.get(judgments_url(project)).json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert text_of(client.get(judgments_url(project, "?format=csv"))) == ",".join(COLUMNS) + "\n"
    assert text_of(client.get(judgments_url(project, "?format=jsonl"))) == ""
    assert client.get(labels_url(project)).json()["count"] == 0
    assert client.get(labels_url(project, "?format=csv")).content.decode() == "query_id,doc_id,label,raters,agreement\n"
    assert client.get(labels_url(project, "?format=qrels")).content == b""


def test_the_csv_response_starts_before_any_row_is_read(api, owner, project, django_assert_max_num_queries):
    client = api.as_user(owner)

    # The view answers with the stream unread: rows are fetched as the client reads them.
    with django_assert_max_num_queries(4) as queries:
        response = client.get(judgments_url(project, "?format=csv"))
    assert not any("raters_judgment j" in query["sql"] for query in queries.captured_queries)
    assert len(text_of(response).splitlines()) == 25


def test_qrels_and_the_stored_ranks_give_pytrec_eval_the_reports_ndcg_at_10(
    api, owner, version, django_capture_on_commit_callbacks
):
    project = judged_project(owner=owner, version=version, tasks=6, results=12, raters=3, name="Pipeline")
    client = api.as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/projects/{project.pk}/reports/").status_code == 202
    per_query = ReportSnapshot.objects.get(project=project).per_query

    qrel = pytrec_eval.parse_qrel(io.StringIO(client.get(labels_url(project, "?format=qrels")).content.decode()))
    ranks = PoolResult.objects.filter(serp__project=project).values_list("serp__query_id", "doc_id", "rank")
    run = {}
    for query_id, doc_id, rank in ranks:
        run.setdefault(query_id, {})[doc_id] = 1.0 / rank
    scores = pytrec_eval.RelevanceEvaluator(qrel, {"ndcg_cut.10"}).evaluate(run)

    reported = dict(zip(per_query["query_id"], per_query["ndcg@10"], strict=True))
    assert set(scores) == set(reported) and len(reported) == 6
    assert {q: round(s["ndcg_cut_10"], 6) for q, s in scores.items()} == {q: round(v, 6) for q, v in reported.items()}
