"""Gold items: an owner marks a task with the answers a careful rater should give."""

import pytest

from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task
from tests.factories import VersionFactory


@pytest.fixture
def task(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    project = EvaluationProject.objects.create(name="Gold", owner=owner, guideline_version=version)
    serp = PoolSerp.objects.create(project=project, query_id="q1", query="pasta", locale="it-IT")
    for rank, doc in enumerate(["v-1", "v-2"], start=1):
        PoolResult.objects.create(serp=serp, rank=rank, doc_id=doc, url=f"https://x.example/{doc}")
    run = SamplingRun.objects.create(project=project, strategy="uniform", size=1, seed=1, created_by=owner)
    return Task.objects.create(
        project=project, sampling_run=run, serp=serp, query_id="q1", locale="it-IT", inclusion_probability=1, overlap=3
    )


def url(task):
    return f"/api/v1/projects/{task.project_id}/tasks/{task.pk}/gold/"


def test_an_owner_marks_a_task_gold_with_partial_expected_answers(api, owner, task):
    answers = {"page": {"satisfaction": 2}, "results": {"v-1": {"relevance": 0}}}
    response = api.as_user(owner).post(url(task), answers, format="json")
    assert response.status_code == 200
    assert response.json()["is_gold"] is True
    assert response.json()["gold_answers"] == answers
    task.refresh_from_db()
    assert task.is_gold and task.gold_answers == answers
    assert api.get(f"/api/v1/projects/{task.project_id}/tasks/", {"is_gold": "true"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({}, {"answers": ["A gold item needs at least one expected answer."]}),
        ({"page": {"satisfaction": 7}}, {"answers": ["page.satisfaction: 7 is not one of 1, 2, 3, 4, 5"]}),
        ({"results": {"v-9": {"relevance": 1}}}, {"answers": ['results["v-9"]: is not a result on this page']}),
    ],
)
def test_gold_answers_that_do_not_fit_the_schema_are_refused(api, owner, task, answers, errors):
    response = api.as_user(owner).post(url(task), answers, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    task.refresh_from_db()
    assert task.is_gold is False


def test_unmarking_gold_forgets_the_answers(api, owner, task):
    api.as_user(owner).post(url(task), {"page": {"satisfaction": 5}}, format="json")
    response = api.delete(url(task))
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.is_gold, task.gold_answers) == (False, None)


@pytest.mark.parametrize(("persona", "status"), [("pm", 403), ("rater", 404), ("other_owner", 404)])
def test_only_the_projects_owner_and_reviewers_mark_gold(api, request, task, persona, status):
    api.as_user(request.getfixturevalue(persona))
    assert api.post(url(task), {"page": {"satisfaction": 5}}, format="json").status_code == status
    task.refresh_from_db()
    assert task.is_gold is False


def test_a_reviewer_curates_gold_items(api, reviewer, task):
    api.as_user(reviewer)
    marked = api.post(url(task), {"page": {"satisfaction": 5}}, format="json")
    unmarked = api.delete(url(task))
    assert (marked.status_code, marked.json()["is_gold"]) == (200, True)
    assert (unmarked.status_code, unmarked.json()["is_gold"]) == (200, False)
