"""On PostgreSQL the judgments CSV is written by the database (COPY): the same bytes Python's writer makes."""

import copy
import io
from datetime import UTC, datetime

import pandas as pd
import pytest
from django.contrib.auth import get_user_model

from guidelines.schema import STARTER_SCHEMA
from projects.models import PoolResult, PoolSerp
from raters.models import Judgment, ResultAnswer
from reports import exports
from tests.factories import VersionFactory
from tests.reports.judged import judged_project
from tests.reports.test_exports import judgments_url, text_of

pytestmark = pytest.mark.django_db

# Cells a spreadsheet would run, that the CSV must quote, and that are just awkward.
NASTY = ["=1+1", "+1 555", "-fast", "@SUM(A1)", "\tcmd", 'say "hi"', "a,b", "two\nlines", "ünïcödé 日本 🙂",
         " lead", "'quoted", "\\.", "back\\slash", "plain = fine", '=HYPERLINK("http://x","y")']  # fmt: skip
SCHEMA = copy.deepcopy(STARTER_SCHEMA)
SCHEMA["result_questions"] += [
    {"key": "useful", "label": "Useful", "type": "boolean"},
    {"key": "issues", "label": "Issues", "type": "multi", "options": [{"value": "spam", "label": "Spam"}]},
    {"key": "why", "label": "Why", "type": "text"},
]
SCHEMA["page_questions"] += [
    {"key": "flag", "label": "Flag", "type": "boolean"},
    {"key": "topic", "label": "Topic", "type": "categorical", "options": [{"value": "a", "label": "A"}]},
]
# Page answers of every JSON type each kind of question may meet, stored as they are.
SATISFACTION = [3, 2.5, -0.0, 1e-05, 1e15, 12345, "", None, "x", True, -3]
PAINS = [["=a", 'q"uote', "日本", "line\nbreak"], [], "single", "", None, [1, 2.5, True, None], "-x", 7]
COMMENTS = [*NASTY, 7, -3, 2.5, True, None, ""]
FLAGS = [True, False, 0, 1, "", "yes", [], [1], {}, {"a": 1}, None, 0.0, -2]
RELEVANCE = [2.0, 2.5, -0.0, 1e-05, None, float("nan"), 4.0, 1e15, -1.5]


def as_text(chunks) -> str:
    return "".join(chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in chunks)


def both_ways(project, since=None) -> tuple[str, str]:
    """(the CSV as COPY writes it, as csv_lines writes it)."""
    columns = exports.export_columns(project)
    rows = exports.JudgmentRows(project, columns, since=since)
    by_python = as_text(exports.csv_lines(columns.names, rows.stream(), converters=exports.csv_converters(columns)))
    return as_text(rows.csv()), by_python


@pytest.fixture
def nasty_project(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True, schema=SCHEMA)
    project = judged_project(owner=owner, version=version, tasks=4, results=3, raters=3, cannot_judge_every=4)
    for n, serp in enumerate(PoolSerp.objects.filter(project=project).order_by("pk")):
        PoolSerp.objects.filter(pk=serp.pk).update(query=NASTY[n], category=NASTY[-1 - n], variant="")
    for n, result in enumerate(PoolResult.objects.filter(serp__project=project).order_by("pk")):
        nasty = NASTY[n % len(NASTY)] + result.doc_id
        ResultAnswer.objects.filter(serp_id=result.serp_id, doc_id=result.doc_id).update(doc_id=nasty)
        PoolResult.objects.filter(pk=result.pk).update(doc_id=nasty)
    get_user_model().objects.filter(username="judge1").update(username="=judge1")
    extra = []
    for n, answer in enumerate(ResultAnswer.objects.filter(judgment__project=project).order_by("pk")):
        ResultAnswer.objects.filter(pk=answer.pk).update(value=RELEVANCE[n % len(RELEVANCE)])
        at = {"judgment_id": answer.judgment_id, "serp_id": answer.serp_id, "doc_id": answer.doc_id}
        extra += [
            ResultAnswer(**at, question="useful", value=[1.0, 0.0, None, 2.5][n % 4]),
            ResultAnswer(**at, question="issues", text=NASTY[n % len(NASTY)]),
            ResultAnswer(**at, question="issues", text="spam"),
            ResultAnswer(**at, question="why", text="first, then overwritten"),
            ResultAnswer(**at, question="why", text=NASTY[(n + 3) % len(NASTY)] if n % 5 else ""),
        ]
    ResultAnswer.objects.bulk_create(extra)
    for n, judgment in enumerate(Judgment.objects.filter(project=project).order_by("pk")):
        page = {
            "satisfaction": SATISFACTION[n % len(SATISFACTION)],
            "pain_points": PAINS[n % len(PAINS)],
            "comment": COMMENTS[n % len(COMMENTS)],
            "flag": FLAGS[n % len(FLAGS)],
            "topic": NASTY[(n + 5) % len(NASTY)] if n % 3 else 3,
        }
        if n % 4 == 1:
            del page["flag"]
        changes = {"page": page}
        if n == 2:
            changes["cannot_judge"] = "=not judged"
        if n == 3:  # a whole second: the stamp still carries its microseconds
            changes["created_at"] = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)
        Judgment.objects.filter(pk=judgment.pk).update(**changes)
    return project


def test_copy_writes_the_bytes_the_python_writer_writes_for_every_kind_of_nasty_cell(nasty_project, monkeypatch):
    monkeypatch.setattr(exports, "COPY_JUDGMENTS", 5)  # several batches, in order across their edges

    by_copy, by_python = both_ways(nasty_project)

    assert by_copy == by_python
    assert len(pd.read_csv(io.StringIO(by_copy))) == 12 * 3
    for cell in (
        "'=1+1",
        "'@SUM(A1)",
        '"say ""hi"""',
        '"two\nlines"',
        "'=judge1",
        "'=not judged",
        "nan",
        "1e-05",
        "1000000000000000.0",
    ):
        assert cell in by_copy
    assert "2026-11-22T07:30:00.000000Z" in by_copy
    assert '"[""1"", ""2.5"", ""True"", ""None""]"' in by_copy  # str() of each choice, as Question.cast does


def test_an_incremental_pull_names_the_removed_judgments_either_way(nasty_project):
    judgments = Judgment.objects.filter(project=nasty_project).order_by("pk")
    judgments.update(created_at=datetime(2026, 11, 1, tzinfo=UTC))
    Judgment.objects.filter(pk=judgments[1].pk).update(removed_at=datetime(2026, 11, 3, tzinfo=UTC))
    Judgment.objects.filter(pk=judgments[4].pk).update(created_at=datetime(2026, 11, 4, tzinfo=UTC))

    by_copy, by_python = both_ways(nasty_project, since=datetime(2026, 11, 2, tzinfo=UTC))

    assert by_copy == by_python
    assert set(pd.read_csv(io.StringIO(by_copy)).judgment_id) == {judgments[1].pk, judgments[4].pk}
    assert "2026-11-03T00:00:00.000000Z" in by_copy


def test_a_project_without_judgments_is_its_header_either_way(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True, schema=SCHEMA)
    project = judged_project(owner=owner, version=version, tasks=2, results=2, raters=1)
    Judgment.objects.filter(project=project).update(removed_at=datetime(2026, 1, 1, tzinfo=UTC))

    by_copy, by_python = both_ways(project)

    assert by_copy == by_python and by_copy.count("\n") == 1


def test_a_carriage_return_in_a_cell_is_quoted_so_pandas_reads_the_row_whole(api, owner, nasty_project):
    # Python's writer leaves a lone CR bare, and pandas then ends the row there; COPY quotes it.
    judgment = Judgment.objects.filter(project=nasty_project).order_by("pk").first()
    Judgment.objects.filter(pk=judgment.pk).update(page={**judgment.page, "comment": "\rcmd", "topic": "a\rb"})

    text = text_of(api.as_user(owner).get(judgments_url(nasty_project, "?format=csv")))

    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert len(frame) == 12 * 3
    mine = frame[frame.judgment_id == judgment.pk]
    assert set(mine.page_comment) == {"'\rcmd"} and set(mine.page_topic) == {"a\rb"}
