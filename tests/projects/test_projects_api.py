"""The REST contract for projects, their pool, sampling, tasks and import jobs (DESIGN.md, "REST API v1")."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evalconsole import jobs
from evalconsole.models import Job
from projects import services
from projects.models import EvaluationProject, PoolSerp, Task
from tests.projects.conftest import VARIANTS
from tests.projects.factories import PoolSerpFactory, ProjectFactory, serp_with_results

PROJECTS = "/api/v1/projects/"
PROJECT_FIELDS = {
    "id", "name", "owner", "guideline", "guideline_version", "kind", "variants", "overlap", "locales",
    "lease_minutes", "gold_rate", "cost_per_judgment", "deadline", "priority", "status", "created_at", "tasks",
}  # fmt: skip
TASK_FIELDS = {
    "id", "query_id", "locale", "category", "variants", "stratum", "inclusion_probability", "priority", "overlap",
    "is_gold", "judgments", "status",
}  # fmt: skip
JOB_FIELDS = {"id", "kind", "status", "progress", "errors", "result", "created_at", "started_at", "finished_at"}


def url(project, suffix=""):
    return f"{PROJECTS}{project.pk}/{suffix}"


def job_url(job_id):
    return f"/api/v1/jobs/{job_id}/"


def body(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def jsonl(*records) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def pool_line(query_id, locale="it-IT", category="food", results=2, **fields) -> dict:
    links = [
        {"rank": rank, "doc_id": f"{query_id}-{rank}", "url": f"https://video.example/{query_id}/{rank}"}
        for rank in range(1, results + 1)
    ]
    return {"query_id": query_id, "query": "pasta", "locale": locale, "category": category, "results": links, **fields}


@pytest.fixture
def pooled_project(project):
    """Olivia's project with 6 SERPs: 4 Italian food, 2 German music."""
    for n in range(4):
        serp_with_results(project=project, query_id=f"it-{n}", locale="it-IT", category="food", results=2)
    for n in range(2):
        serp_with_results(project=project, query_id=f"de-{n}", locale="de-DE", category="music", results=1)
    return project


@pytest.fixture
def sampled_project(pooled_project, owner):
    """Proportional to 4 and 2 SERPs, a sample of 4 takes 3 Italian tasks and 1 German one."""
    services.tasks_sample(
        project=pooled_project, created_by=owner, strategy="stratified", strata=["locale"], size=4, seed=1
    )
    return pooled_project


# --- Projects -------------------------------------------------------------------------------


def test_a_project_reads_as_the_contract_says(api, owner, sampled_project):
    item = body(api.as_user(owner).get(url(sampled_project)))

    assert set(item) == PROJECT_FIELDS
    assert item == {
        "id": sampled_project.pk,
        "name": "Pasta study",
        "owner": "olivia",
        "guideline": "serp",
        "guideline_version": 1,
        "kind": "graded",
        "variants": [],
        "overlap": 3,
        "locales": ["it-IT", "de-DE"],
        "lease_minutes": 10,
        "gold_rate": 0.0,
        "cost_per_judgment": "0.0000",
        "deadline": None,
        "priority": 0,
        "status": "draft",
        "created_at": item["created_at"],
        "tasks": 4,
    }


def test_the_list_is_paginated_newest_first(api, owner, published_version):
    for name in ["First", "Second", "Third"]:
        ProjectFactory(owner=owner, guideline_version=published_version, name=name)

    page = body(api.as_user(owner).get(PROJECTS))

    assert page["count"] == 3
    assert [p["name"] for p in page["results"]] == ["Third", "Second", "First"]
    assert set(page["results"][0]) == PROJECT_FIELDS


def test_an_owner_creates_a_project(api, owner, published_version):
    response = api.as_user(owner).post(
        PROJECTS,
        {
            "name": "Pasta study",
            "guideline": "serp",
            "guideline_version": 1,
            "overlap": 5,
            "locales": ["it-IT"],
            "lease_minutes": 15,
            "gold_rate": 0.1,
            "cost_per_judgment": "0.25",
            "priority": 2,
        },
        format="json",
    )

    created = body(response, 201)
    assert {k: created[k] for k in ("name", "owner", "guideline", "guideline_version", "kind", "status", "tasks")} == {
        "name": "Pasta study",
        "owner": "olivia",
        "guideline": "serp",
        "guideline_version": 1,
        "kind": "graded",
        "status": "draft",
        "tasks": 0,
    }
    assert (created["overlap"], created["locales"], created["gold_rate"], created["cost_per_judgment"]) == (
        5,
        ["it-IT"],
        0.1,
        "0.2500",
    )
    assert EvaluationProject.objects.get(pk=created["id"]).owner == owner


def test_an_owner_creates_a_side_by_side_project(api, owner, sbs_version):
    response = api.as_user(owner).post(
        PROJECTS,
        {"name": "A/B", "guideline": "sbs", "guideline_version": 1, "kind": "side_by_side", "variants": VARIANTS},
        format="json",
    )

    assert (body(response, 201)["kind"], body(response, 201)["variants"]) == ("side_by_side", VARIANTS)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(
            {"guideline_version": 2},
            {"guideline_version": ['Version 2 of "serp" is draft; a project can only use a published version.']},
            id="draft-version",
        ),
        pytest.param(
            {"overlap": 0}, {"overlap": ["Use a whole number from 1 to 50 judgments per task."]}, id="overlap-0"
        ),
        pytest.param(
            {"gold_rate": 0.6},
            {"gold_rate": ["The gold rate is a share from 0 to 0.5 of each rater's tasks."]},
            id="gold-rate",
        ),
        pytest.param(
            {"locales": ["it_IT"]},
            {"locales": ['"it_IT" is not a locale tag like it-IT, pt-BR or zh-Hant-TW']},
            id="locale",
        ),
        pytest.param({"kind": "pairwise"}, {"kind": ['"pairwise" is not a valid choice.']}, id="kind"),
        pytest.param({"name": ""}, {"name": ["This field may not be blank."]}, id="blank-name"),
    ],
)
def test_creating_a_project_with_bad_settings_says_what_is_wrong(
    api, owner, published_version, draft_version, payload, expected
):
    data = {"name": "Pasta study", "guideline": "serp", "guideline_version": 1, **payload}

    assert body(api.as_user(owner).post(PROJECTS, data, format="json"), 400) == expected
    assert not EvaluationProject.objects.exists()


@pytest.mark.parametrize(("slug", "number"), [("no-such-guideline", 1), ("serp", 9)])
def test_creating_a_project_on_an_unknown_guideline_is_a_400_naming_the_field(
    api, owner, published_version, slug, number
):
    response = api.as_user(owner).post(
        PROJECTS, {"name": "Pasta study", "guideline": slug, "guideline_version": number}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) <= {"guideline", "guideline_version"}


def test_an_owner_changes_a_draft(api, owner, project):
    response = api.as_user(owner).patch(url(project), {"overlap": 5, "name": "Renamed"}, format="json")

    assert {k: body(response)[k] for k in ("overlap", "name")} == {"overlap": 5, "name": "Renamed"}
    project.refresh_from_db()
    assert (project.overlap, project.name) == (5, "Renamed")


def test_a_draft_moves_to_another_guideline_version(api, owner, project, sbs_version):
    response = api.as_user(owner).patch(
        url(project),
        {"guideline": "sbs", "guideline_version": 1, "kind": "side_by_side", "variants": VARIANTS},
        format="json",
    )

    changed = body(response)
    assert (changed["guideline"], changed["guideline_version"], changed["kind"]) == ("sbs", 1, "side_by_side")


def test_an_active_project_refuses_a_design_change_with_409(api, owner, sampled_project):
    services.project_transition(project=sampled_project, action="activate")

    response = api.as_user(owner).patch(url(sampled_project), {"overlap": 5}, format="json")

    assert body(response, 409) == {
        "detail": '"Pasta study" is active: overlap can change only while it is a draft.',
        "code": "project_not_draft",
    }


def test_the_status_moves_through_activate_pause_complete(api, owner, sampled_project):
    client = api.as_user(owner)

    assert body(client.post(url(sampled_project, "activate/")))["status"] == "active"
    assert body(client.post(url(sampled_project, "pause/")))["status"] == "paused"
    assert body(client.post(url(sampled_project, "activate/")))["status"] == "active"
    assert body(client.post(url(sampled_project, "complete/")))["status"] == "completed"
    assert body(client.post(url(sampled_project, "activate/")), 409) == {
        "detail": '"Pasta study" is completed; it can be active only when it is draft or paused.',
        "code": "bad_transition",
    }


def test_a_project_without_tasks_is_not_activated(api, owner, pooled_project):
    response = api.as_user(owner).post(url(pooled_project, "activate/"))

    assert body(response, 409) == {
        "detail": '"Pasta study" has no tasks yet: sample the pool before activating.',
        "code": "no_tasks",
    }


# --- Pool and jobs ------------------------------------------------------------------------


def post_pool(client, project, data: bytes, capture, name="pool.jsonl"):
    with capture(execute=True):
        return client.post(url(project, "pool/"), {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_a_pool_upload_answers_202_with_a_job_to_follow(
    api, owner, project, private_media, django_capture_on_commit_callbacks
):
    client = api.as_user(owner)

    response = post_pool(
        client, project, jsonl(pool_line("q-1"), pool_line("q-2", "de-DE")), django_capture_on_commit_callbacks
    )

    accepted = body(response, 202)
    assert set(accepted) == JOB_FIELDS
    assert (accepted["kind"], accepted["status"], accepted["progress"], accepted["errors"]) == (
        "pool_import",
        "queued",
        0.0,
        [],
    )
    done = body(client.get(job_url(accepted["id"])))
    assert (done["status"], done["progress"], done["errors"], done["result"]) == (
        "succeeded",
        1.0,
        [],
        {"serps": 2, "results": 4},
    )
    assert done["finished_at"] is not None
    assert PoolSerp.objects.filter(project=project).count() == 2


def test_a_failed_import_lists_each_problem_with_its_line_and_field(
    api, owner, project, private_media, django_capture_on_commit_callbacks
):
    client = api.as_user(owner)
    data = jsonl(pool_line("q-1"), pool_line("q-2", locale="it_IT"), pool_line("q-1"))

    job = body(post_pool(client, project, data, django_capture_on_commit_callbacks), 202)

    failed = body(client.get(job_url(job["id"])))
    assert (failed["status"], failed["result"]) == ("failed", {"more_problems": False})
    assert failed["errors"] == [
        {"line": 2, "field": "locale", "message": '"it_IT" is not a locale tag like it-IT, pt-BR or zh-Hant-TW'},
        {"line": 3, "field": "query_id", "message": 'query_id "q-1" is already at line 1'},
    ]
    assert not PoolSerp.objects.exists()


def test_a_running_job_shows_its_progress(api, owner, project):
    job = jobs.job_create(kind="pool_import", created_by=owner, params={"project": project.pk})
    Job.objects.filter(pk=job.pk).update(status="running")
    jobs.job_progress(job=job, fraction=0.42)

    shown = body(api.as_user(owner).get(job_url(job.pk)))

    assert (shown["status"], shown["progress"]) == ("running", 0.42)


def test_a_pool_upload_without_a_file_says_how_to_send_one(api, owner, project):
    response = api.as_user(owner).post(url(project, "pool/"), {}, format="multipart")

    assert body(response, 400) == {"file": ["Attach the pool file as multipart field `file`."]}


def test_a_pool_upload_over_the_limit_is_refused_at_once(
    api, owner, project, settings, private_media, django_capture_on_commit_callbacks
):
    settings.POOL_MAX_UPLOAD_BYTES = 100

    response = post_pool(api.as_user(owner), project, b"x" * 150, django_capture_on_commit_callbacks)

    assert body(response, 400) == {"file": ["The file is 150 bytes; the limit is 100 bytes."]}
    assert not Job.objects.exists()


def test_a_completed_project_refuses_a_pool_upload_with_409(
    api, owner, project, private_media, django_capture_on_commit_callbacks
):
    EvaluationProject.objects.filter(pk=project.pk).update(status="completed")

    response = post_pool(api.as_user(owner), project, jsonl(pool_line("q-1")), django_capture_on_commit_callbacks)

    assert body(response, 409) == {
        "detail": '"Pasta study" is completed; its pool no longer changes.',
        "code": "project_completed",
    }


def test_the_pool_summary_counts_serps_results_and_segments(api, owner, pooled_project):
    summary = body(api.as_user(owner).get(url(pooled_project, "pool/")))

    assert summary == {
        "serps": 6,
        "results": 10,
        "locale": {"it-IT": 4, "de-DE": 2},
        "category": {"food": 4, "music": 2},
        "variant": {"": 6},
    }


def test_the_pool_summary_counts_side_by_side_variants(api, owner, sbs_project):
    for n in range(3):
        for variant in VARIANTS:
            serp_with_results(project=sbs_project, query_id=f"q-{n}", variant=variant, results=1)

    summary = body(api.as_user(owner).get(url(sbs_project, "pool/")))

    assert (summary["serps"], summary["results"], summary["variant"]) == (6, 6, {"baseline": 3, "experiment": 3})


def test_an_empty_pool_summary_is_all_zeros(api, owner, project):
    assert body(api.as_user(owner).get(url(project, "pool/"))) == {
        "serps": 0,
        "results": 0,
        "locale": {},
        "category": {},
        "variant": {},
    }


# --- Sampling and tasks ---------------------------------------------------------------------


def test_sampling_over_the_api_makes_tasks(api, owner, pooled_project):
    response = api.as_user(owner).post(
        url(pooled_project, "sample/"),
        {"strategy": "stratified", "strata": ["locale"], "allocation": "equal", "size": 4, "seed": 7},
        format="json",
    )

    run = body(response, 201)
    assert {k: v for k, v in run.items() if k not in ("id", "created_at")} == {
        "strategy": "stratified",
        "size": 4,
        "strata": ["locale"],
        "allocation": "equal",
        "seed": 7,
        "mode": "replace",
        "tasks_made": 4,
    }
    assert Task.objects.filter(project=pooled_project).count() == 4


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(
            {"strategy": "random", "size": 2}, {"strategy": ['"random" is not a valid choice.']}, id="strategy"
        ),  # fmt: skip
        pytest.param(
            {"strategy": "uniform", "size": 0},
            {"size": ["Ensure this value is greater than or equal to 1."]},
            id="size-0",
        ),
        pytest.param(
            {"strategy": "uniform", "size": 7},
            {"size": ["The sample asks for 7 units but the pool has 6."]},
            id="too-big",
        ),
        pytest.param(
            {"strategy": "stratified", "size": 2, "strata": ["url"]},
            {"strata": ['"url" is not a pool field to stratify by; use locale, category, variant.']},
            id="strata",
        ),
    ],
)
def test_bad_sampling_options_are_400_with_the_reason(api, owner, pooled_project, payload, expected):
    response = api.as_user(owner).post(url(pooled_project, "sample/"), payload, format="json")

    assert body(response, 400) == expected
    assert not Task.objects.exists()


def test_a_redraw_of_an_active_project_is_409_but_adding_works(api, owner, sampled_project):
    services.project_transition(project=sampled_project, action="activate")
    client = api.as_user(owner)

    refused = client.post(url(sampled_project, "sample/"), {"strategy": "uniform", "size": 1}, format="json")
    added = client.post(
        url(sampled_project, "sample/"), {"strategy": "uniform", "size": 1, "mode": "add"}, format="json"
    )

    assert body(refused, 409)["code"] == "project_not_draft"
    assert body(added, 201)["tasks_made"] == 1
    assert Task.objects.filter(project=sampled_project).count() == 5


def test_the_task_list_shows_each_task_as_the_contract_says(api, owner, sampled_project):
    task = Task.objects.filter(project=sampled_project, locale="de-DE").first()
    Task.objects.filter(pk=task.pk).update(judgment_count=3)

    tasks = body(api.as_user(owner).get(url(sampled_project, "tasks/")))["results"]

    assert len(tasks) == 4
    assert all(set(t) == TASK_FIELDS for t in tasks)
    shown = next(t for t in tasks if t["id"] == task.pk)
    assert shown == {
        "id": task.pk,
        "query_id": task.query_id,
        "locale": "de-DE",
        "category": "music",
        "variants": [],
        "stratum": "locale=de-DE",
        "inclusion_probability": 0.5,
        "priority": 0,
        "overlap": 3,
        "is_gold": False,
        "judgments": 3,
        "status": "complete",
    }


def test_side_by_side_tasks_name_both_variants(api, owner, sbs_project):
    for n in range(2):
        for variant in VARIANTS:
            serp_with_results(project=sbs_project, query_id=f"q-{n}", variant=variant, results=1)
    services.tasks_sample(project=sbs_project, created_by=owner, strategy="uniform", size=2, seed=1)

    tasks = body(api.as_user(owner).get(url(sbs_project, "tasks/")))["results"]

    assert [t["variants"] for t in tasks] == [VARIANTS, VARIANTS]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"it-IT": 3, "de-DE": 1}),
        ("locale=it-IT", {"it-IT": 3}),
        ("locale=de-DE", {"de-DE": 1}),
        ("locale=fr-FR", {}),
        ("category=music", {"de-DE": 1}),
        ("is_gold=true", {"it-IT": 1}),
        ("is_gold=false", {"it-IT": 2, "de-DE": 1}),
        ("is_gold=true&locale=de-DE", {}),
        ("stratum=locale%3Dit-IT", {"it-IT": 3}),
    ],
)
def test_the_task_list_filters(api, owner, sampled_project, query, expected):
    gold = Task.objects.filter(project=sampled_project, locale="it-IT").first()
    Task.objects.filter(pk=gold.pk).update(is_gold=True, gold_answers={"satisfaction": 4})

    tasks = body(api.as_user(owner).get(url(sampled_project, f"tasks/?{query}")))["results"]

    counts = {}
    for task in tasks:
        counts[task["locale"]] = counts.get(task["locale"], 0) + 1
    assert counts == expected


def test_a_task_filter_with_a_bad_value_is_refused(api, owner, sampled_project):
    response = api.as_user(owner).get(url(sampled_project, "tasks/?is_gold=maybe"))

    assert response.status_code == 400
    assert set(response.json()) == {"is_gold"}


# --- Who may do what ------------------------------------------------------------------------

# persona -> what they get on Olivia's project: read, write
PROJECT_DOOR = [
    ("owner", 200, "ok"),
    ("admin_user", 200, "ok"),
    ("pm", 200, 403),
    ("reviewer", 200, 403),
    ("other_owner", 404, 404),
    ("rater", 404, 404),
    ("outsider", 404, 404),
]


@pytest.mark.parametrize(("persona", "reads", "writes"), PROJECT_DOOR)
def test_who_reads_a_project(api, request, sampled_project, persona, reads, writes):
    client = api.as_user(request.getfixturevalue(persona))

    for suffix in ("", "pool/", "tasks/"):
        assert client.get(url(sampled_project, suffix)).status_code == reads, suffix
    listed = [p["id"] for p in client.get(PROJECTS).json()["results"]]
    assert listed == ([sampled_project.pk] if reads == 200 else [])


@pytest.mark.parametrize(("persona", "reads", "writes"), PROJECT_DOOR)
def test_who_changes_a_project(
    api, request, sampled_project, private_media, django_capture_on_commit_callbacks, persona, reads, writes
):
    client = api.as_user(request.getfixturevalue(persona))
    calls = {
        "patch": lambda: client.patch(url(sampled_project), {"priority": 5}, format="json"),
        "sample": lambda: client.post(
            url(sampled_project, "sample/"), {"strategy": "uniform", "size": 2, "seed": 1}, format="json"
        ),
        "pool": lambda: post_pool(
            client, sampled_project, jsonl(pool_line("q-new")), django_capture_on_commit_callbacks
        ),
        "activate": lambda: client.post(url(sampled_project, "activate/")),
        "pause": lambda: client.post(url(sampled_project, "pause/")),
        "complete": lambda: client.post(url(sampled_project, "complete/")),
    }
    allowed = {"patch": 200, "sample": 201, "pool": 202, "activate": 200, "pause": 200, "complete": 200}

    for name, call in calls.items():
        expected = allowed[name] if writes == "ok" else writes
        assert call().status_code == expected, name

    project = EvaluationProject.objects.get(pk=sampled_project.pk)
    if writes == "ok":
        assert (project.status, project.priority) == ("completed", 5)
        assert PoolSerp.objects.filter(project=project, query_id="q-new").exists()
    else:
        assert (project.status, project.priority) == ("draft", 0)
        assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 201),
        ("admin_user", 201),
        ("pm", 403),
        ("reviewer", 403),
        ("rater", 403),
        ("outsider", 403),
    ],
)
def test_only_owners_and_admins_create_projects(api, request, published_version, persona, status):
    response = api.as_user(request.getfixturevalue(persona)).post(
        PROJECTS, {"name": "New", "guideline": "serp", "guideline_version": 1}, format="json"
    )

    assert response.status_code == status
    if status == 403:
        assert response.json() == {"detail": "Only project owners and admins can create projects."}


def test_another_owner_cannot_learn_a_project_exists(api, other_owner, project):
    response = api.as_user(other_owner).patch(url(project), {"name": "Mine now"}, format="json")

    assert body(response, 404) == {"detail": "No such project."}


def test_anonymous_requests_are_refused(api, project):
    assert api.get(PROJECTS).status_code == 401
    assert api.get(url(project)).status_code == 401


def test_an_unknown_project_is_404(api, owner):
    assert api.as_user(owner).get(f"{PROJECTS}999999/").status_code == 404


# persona -> sees Olivia's import job
JOB_DOOR = [
    ("owner", 200),
    ("admin_user", 200),
    ("pm", 200),
    ("reviewer", 200),
    ("other_owner", 404),
    ("rater", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize(("persona", "status"), JOB_DOOR)
def test_who_sees_an_import_job(api, request, owner, project, persona, status):
    job = jobs.job_create(kind="pool_import", created_by=owner, params={"project": project.pk})

    response = api.as_user(request.getfixturevalue(persona)).get(job_url(job.pk))

    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "No such job."}


def test_whoever_started_a_job_sees_it(api, other_owner, project):
    job = jobs.job_create(kind="pool_import", created_by=other_owner, params={"project": project.pk})

    assert api.as_user(other_owner).get(job_url(job.pk)).status_code == 200


def test_a_job_without_a_project_is_seen_by_its_creator_and_admins_only(api, owner, pm, admin_user):
    job = jobs.job_create(kind="report", created_by=owner, params={})

    assert [api.as_user(user).get(job_url(job.pk)).status_code for user in (owner, admin_user, pm)] == [200, 200, 404]


def test_an_unknown_job_is_404(api, admin_user):
    assert api.as_user(admin_user).get(job_url(999999)).status_code == 404


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "pm", "admin_user"])
def test_the_project_list_costs_a_fixed_number_of_queries(
    api, request, owner, published_version, django_assert_max_num_queries, persona
):
    for n in range(6):
        project = ProjectFactory(owner=owner, guideline_version=published_version)
        PoolSerpFactory.create_batch(3, project=project)
        if n % 2:
            services.tasks_sample(project=project, created_by=owner, strategy="uniform", size=2, seed=n)
    client = api.as_user(request.getfixturevalue(persona))

    with django_assert_max_num_queries(4):
        page = body(client.get(PROJECTS))

    assert page["count"] == 6
    assert sorted(p["tasks"] for p in page["results"]) == [0, 0, 0, 2, 2, 2]


def test_the_task_list_costs_a_fixed_number_of_queries(api, owner, project, sbs_project, django_assert_max_num_queries):
    PoolSerpFactory.create_batch(40, project=project)
    services.tasks_sample(project=project, created_by=owner, strategy="uniform", size=30, seed=1)
    for n in range(10):
        for variant in VARIANTS:
            PoolSerpFactory(project=sbs_project, query_id=f"q-{n}", variant=variant)
    services.tasks_sample(project=sbs_project, created_by=owner, strategy="uniform", size=10, seed=1)
    client = api.as_user(owner)

    for target, count in ((project, 30), (sbs_project, 10)):
        with django_assert_max_num_queries(5):
            page = body(client.get(url(target, "tasks/")))
        assert page["count"] == count
