"""pandas reads the exports directly with the options and dtypes docs/api.md documents.

The first tests read what the API client fetched, with the page's read options; the last one runs
the page's own Python examples, as written, against a live server.
"""

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from projects.models import PoolResult, PoolSerp, Task
from raters import engine, services
from raters.models import Judgment, ResultAnswer
from reports.models import ReportSnapshot
from tests.factories import UserFactory, VersionFactory
from tests.raters.engine_fixtures import qualified_rater
from tests.reports.judged import LOCALES, answers, grade_of, judged_project, satisfaction_of
from tests.reports.test_exports import COLUMNS, judgments_url, labels_url, text_of

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"

# docs/api.md, "2. Pull judgments": the read options its examples use.
TEXT = ["query_id", "query", "locale", "category", "variant", "doc_id", "cannot_judge", "rater", "page_comment"]
READ_CSV = {
    "dtype": dict.fromkeys(TEXT, str), "keep_default_na": False, "na_values": [""],
    "parse_dates": ["created_at", "removed_at"],
}  # fmt: skip
READ_JSONL = {"lines": True, "dtype": False}

# docs/api.md, "Columns and dtypes", for the starter schema (relevance; satisfaction, pain points, comment).
DTYPES = {
    "judgment_id": "int64", "task_id": "int64", "query_id": "object", "query": "object", "locale": "object",
    "category": "object", "variant": "object", "rank": "int64", "doc_id": "object", "result_relevance": "float64",
    "page_satisfaction": "float64", "page_pain_points": "object", "page_comment": "object", "cannot_judge": "object",
    "rater": "object", "guideline_version": "int64", "is_gold": "bool", "swapped": "bool", "active_ms": "int64",
    "created_at": "datetime64[ns, UTC]", "removed_at": "datetime64[ns, UTC]",
}  # fmt: skip


@pytest.fixture
def version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True)


@pytest.fixture
def project(owner, version):
    # As in test_exports: 4 tasks x 2 results x 3 raters; judge0 could not judge q0.
    return judged_project(owner=owner, version=version, tasks=4, results=2, raters=3, cannot_judge_every=4)


def read_csv(text: str) -> pd.DataFrame:
    rows = pd.read_csv(io.StringIO(text), **READ_CSV)
    rows["removed_at"] = pd.to_datetime(rows["removed_at"], utc=True)
    return rows


def read_jsonl(text: str) -> pd.DataFrame:
    return pd.read_json(io.StringIO(text), **READ_JSONL)


def pulled(api, project, chosen):
    text = text_of(api.get(judgments_url(project, f"?format={chosen}")))
    return read_csv(text) if chosen == "csv" else read_jsonl(text)


def one(rows, *, rater, query_id, rank):
    return rows[(rows["rater"] == rater) & (rows["query_id"] == query_id) & (rows["rank"] == rank)].iloc[0]


# --- Judgments ----------------------------------------------------------------------------------


def test_the_csv_reads_with_every_documented_dtype_and_the_values_a_person_would_check(api, owner, project):
    rows = pulled(api.as_user(owner), project, "csv")

    assert list(rows.columns) == COLUMNS and len(rows) == 24
    assert rows.dtypes.astype(str).to_dict() == DTYPES
    row = one(rows, rater="judge1", query_id="q3", rank=2)
    assert (row["rank"], row["result_relevance"], row["page_satisfaction"]) == (
        2,
        float(grade_of(2, 3)),
        float(satisfaction_of(3, 1)),
    )
    assert isinstance(row["rank"], np.integer) and isinstance(row["result_relevance"], np.floating)
    assert (json.loads(row["page_pain_points"]), row["page_comment"]) == (["outdated"], "comment 3/1")
    # As the page says: multi answers to lists, the two rows without an answer left out.
    pains = rows["page_pain_points"].dropna().map(json.loads)
    assert len(pains) == 22 and pains.map(type).eq(list).all()
    stored = Judgment.objects.get(pk=row["judgment_id"]).created_at
    assert row["created_at"] == pd.Timestamp(stored) and str(row["created_at"].tz) == "UTC"
    assert pd.isna(row["removed_at"]) and pd.isna(row["variant"]) and pd.isna(row["cannot_judge"])


def test_the_jsonl_reads_with_the_documented_dtypes_and_lists_as_lists(api, owner, project):
    rows = pulled(api.as_user(owner), project, "jsonl")

    assert list(rows.columns) == COLUMNS and len(rows) == 24
    # A column null in every row (no variants in this pool, nothing removed) reads as NaN / NaT, as documented.
    assert rows.dtypes.astype(str).to_dict() == DTYPES | {"variant": "float64", "removed_at": "datetime64[ns]"}
    row = one(rows, rater="judge1", query_id="q3", rank=2)
    assert (row["rank"], row["result_relevance"], row["page_satisfaction"]) == (
        2,
        float(grade_of(2, 3)),
        float(satisfaction_of(3, 1)),
    )
    assert (row["page_pain_points"], row["page_comment"]) == (["outdated"], "comment 3/1")
    assert row["created_at"] == pd.Timestamp(Judgment.objects.get(pk=row["judgment_id"]).created_at)
    assert rows["variant"].isna().all() and rows["removed_at"].isna().all()


@pytest.mark.parametrize("chosen", ["csv", "jsonl"])
def test_a_cannot_judge_judgment_reads_as_its_reason_with_missing_answers(api, owner, project, chosen):
    rows = pulled(api.as_user(owner), project, chosen)

    unjudged = rows[rows["cannot_judge"].notna()]
    assert unjudged[["rater", "query_id", "rank", "cannot_judge"]].values.tolist() == [
        ["judge0", "q0", 1, "did_not_load"], ["judge0", "q0", 2, "did_not_load"],
    ]  # fmt: skip
    assert unjudged[["result_relevance", "page_satisfaction", "page_pain_points"]].isna().all().all()
    # Every other row has no reason: NaN, not an empty or a "None" string.
    assert rows["cannot_judge"].isna().sum() == len(rows) - 2


@pytest.mark.parametrize("chosen", ["csv", "jsonl"])
def test_text_that_looks_like_a_number_or_like_missing_stays_text(api, owner, project, chosen):
    task = Task.objects.get(project=project, query_id="q2")
    PoolSerp.objects.filter(pk=task.serp_id).update(query_id="007", query="nan")
    Task.objects.filter(pk=task.pk).update(query_id="007")
    PoolResult.objects.filter(serp_id=task.serp_id, rank=1).update(doc_id="0123")
    ResultAnswer.objects.filter(judgment__task=task, doc_id="q2-d1").update(doc_id="0123")
    for judgment in Judgment.objects.filter(task=task):
        Judgment.objects.filter(pk=judgment.pk).update(page={**judgment.page, "comment": "12"})

    rows = pulled(api.as_user(owner), project, chosen)

    renamed = rows[rows["query_id"] == "007"]
    assert len(renamed) == 6 and set(renamed["query"]) == {"nan"} and set(renamed["page_comment"]) == {"12"}
    assert set(renamed.loc[renamed["rank"] == 1, "doc_id"]) == {"0123"}
    assert set(renamed.loc[renamed["rank"] == 1, "result_relevance"]) == {float(grade_of(1, 2))}


@pytest.mark.parametrize("chosen", ["csv", "jsonl"])
def test_a_judgment_made_on_a_whole_second_still_reads_as_a_timestamp(api, owner, project, chosen):
    whole = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)
    first = Judgment.objects.filter(project=project).order_by("created_at").first()
    Judgment.objects.filter(pk=first.pk).update(created_at=whole)

    rows = pulled(api.as_user(owner), project, chosen)

    assert str(rows["created_at"].dtype) == "datetime64[ns, UTC]"
    assert set(rows.loc[rows["judgment_id"] == first.pk, "created_at"]) == {pd.Timestamp(whole)}


@pytest.mark.parametrize("chosen", ["csv", "jsonl"])
def test_since_reads_only_the_changes_and_names_a_removal_with_its_utc_time(api, owner, project, chosen):
    before = timezone.now() - timedelta(days=1)
    Judgment.objects.filter(project=project).update(created_at=before - timedelta(days=1))
    Judgment.objects.filter(project=project, task__query_id="q3").update(created_at=before + timedelta(hours=1))
    removed = Judgment.objects.get(project=project, task__query_id="q1", rater__username="judge2")
    Judgment.objects.filter(pk=removed.pk).update(removed_at=before + timedelta(hours=2))
    client = api.as_user(owner)

    text = text_of(client.get(judgments_url(project), {"format": chosen, "since": before.isoformat()}))
    changes = read_csv(text) if chosen == "csv" else read_jsonl(text)

    assert str(changes["removed_at"].dtype) == "datetime64[ns, UTC]"
    assert sorted(set(changes["query_id"])) == ["q1", "q3"] and len(changes) == 8
    gone = changes[changes["removed_at"].notna()]
    assert set(gone["judgment_id"]) == {removed.pk}
    assert set(gone["removed_at"]) == {pd.Timestamp(before + timedelta(hours=2))}
    assert (changes["created_at"] > pd.Timestamp(before)).sum() == 6


# --- Labels and qrels ---------------------------------------------------------------------------


def test_labels_and_qrels_read_with_the_documented_dtypes_and_agree(api, owner, project):
    client = api.as_user(owner)
    ids = {"query_id": str, "doc_id": str}

    labels = pd.read_csv(
        io.StringIO(client.get(labels_url(project, "?format=csv")).content.decode()),
        dtype=ids, keep_default_na=False, na_values=[""],
    )  # fmt: skip
    qrels = pd.read_csv(
        io.StringIO(client.get(labels_url(project, "?format=qrels")).content.decode()),
        sep=" ", names=["query_id", "iteration", "doc_id", "grade"], dtype=ids, keep_default_na=False,
    )  # fmt: skip

    assert labels.dtypes.astype(str).to_dict() == {
        "query_id": "object", "doc_id": "object", "label": "int64", "raters": "int64", "agreement": "float64",
    }  # fmt: skip
    assert qrels.dtypes.astype(str).to_dict() == {
        "query_id": "object", "iteration": "int64", "doc_id": "object", "grade": "int64",
    }  # fmt: skip
    assert labels[["query_id", "doc_id", "label"]].equals(
        qrels.rename(columns={"grade": "label"})[["query_id", "doc_id", "label"]]
    )
    assert labels.iloc[0].tolist() == ["q0", "q0-d1", grade_of(1, 0), 2, 1.0]
    assert set(qrels["iteration"]) == {0}


# --- The page's own examples --------------------------------------------------------------------


def python_examples(heading: str) -> list[str]:
    """The ```python blocks of the docs/api.md section whose heading starts with `heading`."""
    section = DOCS.read_text().split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.django_db(transaction=True)
def test_the_pages_python_examples_run_as_written_against_a_live_server(
    live_server, api, project, version, password, monkeypatch, tmp_path
):
    owner = project.owner
    UserFactory(username="me", role="pm")
    monkeypatch.setenv("EVAL_PASSWORD", password)
    page = {"EVAL": f"{live_server.url}/api/v1", "PROJECT": project.pk}

    # 1. A token; 2. the first pull.
    exec(python_examples("1.")[0], page)
    first_pull, later = python_examples("2.")
    exec(first_pull, page)
    assert page["rows"].dtypes.astype(str).to_dict() == DTYPES and len(page["rows"]) == 24

    # A fourth rater judges q1, and one of q2's judgments is removed; then the incremental pull.
    Task.objects.filter(project=project, query_id="q1").update(overlap=4)
    newcomer = qualified_rater(version, username="judge9", locales=LOCALES)
    assignment = engine.lease_next(rater=newcomer, project=project)
    services.judgment_submit(
        assignment=assignment,
        submission_id=uuid.uuid4(),
        active_ms=5000,
        **answers(1, 0, 2, 0),
    )
    removed = Judgment.objects.get(project=project, task__query_id="q2", rater__username="judge2")
    Judgment.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    exec(later, page)

    rows = page["rows"]
    everything = read_csv(text_of(api.as_user(owner).get(judgments_url(project, "?format=csv"))))
    key = ["judgment_id", "rank"]
    assert sorted(map(tuple, rows[key].values.tolist())) == sorted(map(tuple, everything[key].values.tolist()))
    assert len(rows) == 24 and rows["judgment_id"].nunique() == 12
    assert removed.pk not in set(rows["judgment_id"]) and set(rows.loc[rows["rater"] == "judge9", "query_id"]) == {"q1"}
    assert one(rows, rater="judge9", query_id="q1", rank=1)["page_satisfaction"] == satisfaction_of(1, 0)
    assert str(rows["created_at"].dtype) == "datetime64[ns, UTC]"

    # 3. Qrels into pytrec_eval, labels and qrels into pandas (the page downloads the qrels with curl first).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "project-7.qrels").write_bytes(api.get(labels_url(project, "?format=qrels")).content)
    exec(python_examples("3.")[0], page)
    assert set(page["qrel"]) == {"q0", "q1", "q2", "q3"}
    assert page["labels"]["label"].tolist() == page["qrels"]["grade"].tolist() and len(page["labels"]) == 8

    # 4. A report, by locale.
    assert api.post(f"/api/v1/projects/{project.pk}/reports/").status_code == 202
    assert ReportSnapshot.objects.filter(project=project).exists()
    exec(python_examples("4.")[0], page)
    by_locale = page["by_locale"]
    assert by_locale.index.tolist() == ["de-DE", "it-IT"]
    assert by_locale["serps"].tolist() == [2, 2]
    assert by_locale["satisfaction.mean"].dtype == "float64" and len(by_locale["satisfaction.ci95"].iloc[0]) == 2
    assert set(page["raters"].index) == {"judge0", "judge1", "judge2", "judge9"}
