"""Who gets what from every API route: one table, one test per (route, method, persona).

The personas, as DESIGN.md names them:
- admin: staff; does anything, but rates nothing (assignments belong to their rater);
- owner: "olivia", owns project A ("Pasta study"), its baseline run and the "serp" guideline;
- other_owner: "oscar", owns project B ("Music study") and its guideline, and nothing of A's;
- reviewer, pm: read every project; a PM never writes, a reviewer only curates gold items;
- rater: "rita", rates A (judged one task, holds the lease on another);
- rater_elsewhere: "ravi", rates B only (qualified for B's guideline, not A's);
- anonymous: no credentials.

The policy in a line each: raters see only their own assignments and never a judgment; PMs and
reviewers read every project, PMs never write, reviewers write only gold items (QA curates gold);
owners manage their own projects and cannot tell another owner's from one that does not exist
(404); someone who may see an object but not change it gets 403; anonymous callers get 401 with
`WWW-Authenticate: Token`. Guidelines are shared: every owner, reviewer and PM reads every
guideline (raters the published versions), only its owner writes.
The schema and its docs page are public, and anyone may ask for a token.

Every write that should succeed is sent with a valid body, so a status here is about who asks.
A route added without a row makes `test_every_api_route_is_in_the_matrix` fail.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from evalconsole import jobs
from guidelines.models import GuidelineVersion
from projects.models import EvaluationProject, Task
from raters import engine, services
from raters.models import Assignment, Judgment, SensitiveReveal
from reports.models import ReportSnapshot
from tests.factories import PASSWORD, GuidelineFactory, VersionFactory
from tests.projects.factories import ProjectFactory, serp_with_results
from tests.raters.engine_fixtures import active_project, answers_for, qualified_rater

PERSONAS = ("admin", "owner", "other_owner", "reviewer", "rater", "rater_elsewhere", "pm", "anonymous")

# (route under /api/v1/, method) -> the status each persona gets, in the order of PERSONAS.
# Unless a call below says otherwise, ids are project A's: its guideline "serp" at version 1
# (published; writes to a version go to version 2, a draft), A's first task, rita's leased
# assignment, the owner's job on A, A's report snapshot.
# fmt: off
MATRIX = {
    #                                                            admin owner other review rater r-else pm  anon
    ("auth/token/", "POST"):                                     (200,  200,  200,  200,  200,  200,  200, 400),
    ("schema/", "GET"):                                          (200,  200,  200,  200,  200,  200,  200, 200),
    ("docs/", "GET"):                                            (200,  200,  200,  200,  200,  200,  200, 200),
    ("jobs/<int:job_id>/", "GET"):                               (200,  200,  404,  200,  404,  404,  200, 401),
    # Guidelines: shared reading, owner writes; raters see published versions only.
    ("guidelines/", "GET"):                                      (200,  200,  200,  200,  200,  200,  200, 401),
    ("guidelines/", "POST"):                                     (201,  201,  201,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/", "GET"):                          (200,  200,  200,  200,  200,  200,  200, 401),
    ("guidelines/<slug:slug>/", "PATCH"):                        (200,  200,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/diff/", "GET"):                     (200,  200,  200,  200,  404,  404,  200, 401),
    ("guidelines/<slug:slug>/versions/", "GET"):                 (200,  200,  200,  200,  200,  200,  200, 401),
    ("guidelines/<slug:slug>/versions/", "POST"):                (201,  201,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/versions/<int:number>/", "GET"):    (200,  200,  200,  200,  200,  200,  200, 401),
    # Writes to the draft (version 2): whoever may read the guideline but not write it gets 403
    # before the version is looked up, so a rater learns nothing of drafts from the answer.
    ("guidelines/<slug:slug>/versions/<int:number>/", "PATCH"):  (200,  200,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/versions/<int:number>/", "PUT"):    (200,  200,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/versions/<int:number>/", "DELETE"): (204,  204,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/versions/<int:number>/publish/", "POST"):
                                                                 (200,  200,  403,  403,  403,  403,  403, 401),
    ("guidelines/<slug:slug>/versions/<int:number>/retire/", "POST"):
                                                                 (200,  200,  403,  403,  403,  403,  403, 401),
    # Projects: the owner manages, staff read, another owner and raters cannot tell A exists.
    ("projects/", "GET"):                                        (200,  200,  200,  200,  200,  200,  200, 401),
    ("projects/", "POST"):                                       (201,  201,  201,  403,  403,  403,  403, 401),
    ("projects/<int:project_id>/", "GET"):                       (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/", "PATCH"):                     (200,  200,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/activate/", "POST"):             (200,  200,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/pause/", "POST"):                (200,  200,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/complete/", "POST"):             (200,  200,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/pool/", "GET"):                  (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/pool/", "POST"):                 (202,  202,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/sample/", "POST"):               (201,  201,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/tasks/", "GET"):                 (200,  200,  404,  200,  404,  404,  200, 401),
    # QA reviewers curate gold items (DESIGN.md), on every project they read.
    ("projects/<int:project_id>/tasks/<int:task_id>/gold/", "POST"):
                                                                 (200,  200,  404,  200,  404,  404,  403, 401),
    ("projects/<int:project_id>/tasks/<int:task_id>/gold/", "DELETE"):
                                                                 (200,  200,  404,  200,  404,  404,  403, 401),
    # People: admins only.
    ("users/", "GET"):                                           (200,  403,  403,  403,  403,  403,  403, 401),
    ("users/", "POST"):                                          (201,  403,  403,  403,  403,  403,  403, 401),
    # Rating: only raters reach a project's queue, and only its rater an assignment. Ravi may see
    # that A exists but is told he is not qualified for it (409, from the engine).
    ("projects/<int:project_id>/next/", "POST"):                 (404,  404,  404,  404,  200,  409,  404, 401),
    ("assignments/<int:assignment_id>/submit/", "POST"):         (404,  404,  404,  404,  201,  404,  404, 401),
    ("assignments/<int:assignment_id>/skip/", "POST"):           (404,  404,  404,  404,  200,  404,  404, 401),
    ("assignments/<int:assignment_id>/reveal/", "POST"):         (404,  404,  404,  404,  201,  404,  404, 401),
    # Reports and exports: read like the project; starting an aggregation is a write.
    ("projects/<int:project_id>/reports/", "GET"):               (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/reports/", "POST"):              (202,  202,  404,  403,  404,  404,  403, 401),
    ("projects/<int:project_id>/reports/latest/", "GET"):        (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/reports/compare/", "GET"):       (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/reports/<int:snapshot_id>/", "GET"):
                                                                 (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/judgments/", "GET"):             (200,  200,  404,  200,  404,  404,  200, 401),
    ("projects/<int:project_id>/labels/", "GET"):                (200,  200,  404,  200,  404,  404,  200, 401),
}
# fmt: on


# --- The world every cell starts from -----------------------------------------------------


@dataclass
class World:
    people: dict
    project: EvaluationProject
    baseline: EvaluationProject
    other_project: EvaluationProject
    draft: GuidelineVersion
    task: Task
    other_task: Task
    assignment: Assignment
    other_assignment: Assignment
    job: object
    other_job: object
    snapshot: ReportSnapshot
    other_snapshot: ReportSnapshot


def _judged_one_and_holding_another(rater, project) -> Assignment:
    first = engine.lease_next(rater=rater, project=project)
    services.judgment_submit(assignment=first, submission_id=uuid.uuid4(), active_ms=20_000, **answers_for(first))
    return engine.lease_next(rater=rater, project=project)


def _snapshot(project, scores) -> ReportSnapshot:
    per_query = {"query_id": [f"q-{n}" for n in range(len(scores))], "score": scores}
    return ReportSnapshot.objects.create(project=project, judgments=1, data={"overall": {}}, per_query=per_query)


@pytest.fixture
def world(settings, tmp_path, admin_user, owner, other_owner, reviewer, rater, pm, published_version, draft_version):
    settings.MEDIA_ROOT = tmp_path / "media"  # pool uploads land in this test's own directory
    project = active_project(
        owner=owner, version=published_version, tasks=4, overlap=1, sensitive=4, name="Pasta study"
    )
    serp_with_results(project=project, query_id="not-sampled-yet", results=1)  # so sampling can add a task
    baseline = active_project(owner=owner, version=published_version, tasks=3, overlap=1, name="Pasta study, last run")
    other_version = VersionFactory(
        guideline=GuidelineFactory(owner=other_owner, slug="music", name="Music search"), number=1, published=True
    )
    other_project = active_project(
        owner=other_owner, version=other_version, tasks=4, overlap=1, sensitive=4, name="Music study"
    )
    rater.rater_profile.qualifications.add(published_version.guideline)
    ravi = qualified_rater(other_version, username="ravi")
    assignment = _judged_one_and_holding_another(rater, project)
    other_assignment = _judged_one_and_holding_another(ravi, other_project)
    _snapshot(baseline, [3.0, 3.0, 4.0])
    return World(
        people={
            "admin": admin_user,
            "owner": owner,
            "other_owner": other_owner,
            "reviewer": reviewer,
            "rater": rater,
            "rater_elsewhere": ravi,
            "pm": pm,
            "anonymous": None,
        },
        project=project,
        baseline=baseline,
        other_project=other_project,
        draft=draft_version,
        task=project.tasks.order_by("pk").first(),
        other_task=other_project.tasks.order_by("pk").first(),
        assignment=assignment,
        other_assignment=other_assignment,
        job=jobs.job_create(kind="report", created_by=owner, params={"project": project.pk}),
        other_job=jobs.job_create(kind="report", created_by=other_owner, params={"project": other_project.pk}),
        snapshot=_snapshot(project, [4.0, 3.0, 5.0]),
        other_snapshot=_snapshot(other_project, [2.0, 2.0, 2.0]),
    )


# --- How each route is called ---------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What a request to a route carries, besides the default ids of project A."""

    body: Callable | None = None  # (world, user) -> data
    ids: dict = field(default_factory=dict)  # placeholder -> (world) -> id
    query: Callable | None = None  # (world) -> "?..."
    prepare: Callable | None = None  # (world) -> None: the state the write needs
    multipart: bool = False


def _pool_file(world, user):
    line = (
        b'{"query_id": "q-new", "query": "pasta al forno", "locale": "it-IT", "category": "food", "traffic": 5, '
        b'"results": [{"rank": 1, "doc_id": "v-new", "title": "Forno", "url": "https://video.example/v-new"}]}\n'
    )
    return {"file": SimpleUploadedFile("pool.jsonl", line, content_type="application/octet-stream")}


def _no_draft(world):
    # A guideline takes a new version only when its latest is not a draft.
    GuidelineVersion.objects.filter(pk=world.draft.pk).update(
        status=GuidelineVersion.Status.PUBLISHED, published_at=timezone.now()
    )


def _paused(world):
    EvaluationProject.objects.filter(pk=world.project.pk).update(status=EvaluationProject.Status.PAUSED)


_THE_DRAFT = {"number": lambda world: world.draft.number}

CALLS = {
    ("auth/token/", "POST"): Call(
        body=lambda world, user: {"username": user.username, "password": PASSWORD} if user else {}
    ),
    ("guidelines/", "POST"): Call(body=lambda world, user: {"name": "Image search"}),
    ("guidelines/<slug:slug>/", "PATCH"): Call(body=lambda world, user: {"description": "For video search."}),
    ("guidelines/<slug:slug>/diff/", "GET"): Call(query=lambda world: f"?from=1&to={world.draft.number}"),
    ("guidelines/<slug:slug>/versions/", "POST"): Call(
        body=lambda world, user: {"changelog": "Examples for grade 3."}, prepare=_no_draft
    ),
    ("guidelines/<slug:slug>/versions/<int:number>/", "PATCH"): Call(
        body=lambda world, user: {"changelog": "Clarify grades 2 and 3."}, ids=_THE_DRAFT
    ),
    ("guidelines/<slug:slug>/versions/<int:number>/", "PUT"): Call(
        body=lambda world, user: {"changelog": "Clarify grades 2 and 3."}, ids=_THE_DRAFT
    ),
    ("guidelines/<slug:slug>/versions/<int:number>/", "DELETE"): Call(ids=_THE_DRAFT),
    ("guidelines/<slug:slug>/versions/<int:number>/publish/", "POST"): Call(ids=_THE_DRAFT),
    ("projects/", "POST"): Call(
        body=lambda world, user: {"name": "Pasta, next run", "guideline": "serp", "guideline_version": 1}
    ),
    ("projects/<int:project_id>/", "PATCH"): Call(body=lambda world, user: {"name": "Pasta, Italy"}),
    ("projects/<int:project_id>/activate/", "POST"): Call(prepare=_paused),
    ("projects/<int:project_id>/pool/", "POST"): Call(body=_pool_file, multipart=True),
    ("projects/<int:project_id>/sample/", "POST"): Call(
        body=lambda world, user: {"strategy": "uniform", "size": 1, "mode": "add", "seed": 7}
    ),
    ("projects/<int:project_id>/tasks/<int:task_id>/gold/", "POST"): Call(
        body=lambda world, user: {"page": {"satisfaction": 4}}
    ),
    ("users/", "POST"): Call(
        body=lambda world, user: {"username": "vera", "password": "a-long-vendor-password", "role": "rater"}
    ),
    ("assignments/<int:assignment_id>/submit/", "POST"): Call(
        body=lambda world, user: {
            "submission_id": str(uuid.uuid4()),
            "active_ms": 30_000,
            **answers_for(world.assignment),
        }
    ),
    ("assignments/<int:assignment_id>/skip/", "POST"): Call(body=lambda world, user: {"reason": "Too slow to load."}),
    ("assignments/<int:assignment_id>/reveal/", "POST"): Call(
        body=lambda world, user: {"doc_id": f"d-{world.assignment.task.query_id}"}
    ),
    ("projects/<int:project_id>/reports/compare/", "GET"): Call(query=lambda world: f"?with={world.baseline.pk}"),
}


def _default_ids(world) -> dict:
    return {
        "project_id": world.project.pk,
        "slug": world.project.guideline_version.guideline.slug,
        "number": world.project.guideline_version.number,
        "job_id": world.job.pk,
        "task_id": world.task.pk,
        "assignment_id": world.assignment.pk,
        "snapshot_id": world.snapshot.pk,
    }


def url_of(route: str, ids: dict) -> str:
    return "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(ids[match.group(1)]), route)


def call(api, world, persona: str, route: str, method: str, **ids):
    """Send `persona`'s request to `route`; `ids` replace the default ids (another project's, say)."""
    spec = CALLS.get((route, "GET" if method == "HEAD" else method), Call())
    if spec.prepare:
        spec.prepare(world)
    user = world.people[persona]
    client = api.as_user(user) if user else api
    filled = _default_ids(world) | {name: pick(world) for name, pick in spec.ids.items()} | ids
    url = url_of(route, filled) + (spec.query(world) if spec.query else "")
    data = spec.body(world, user) if spec.body else None
    send = getattr(client, method.lower())
    if data is None:
        return send(url)
    return send(url, data, format="multipart" if spec.multipart else "json")


# --- The matrix -----------------------------------------------------------------------------


def api_routes() -> set[tuple[str, str]]:
    """Every (route, method) the URL resolver serves under /api/v1/."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    served = set()
    for route, view in walk(api.url_patterns, ""):
        cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
        if cls is None:  # a function view: its methods cannot be read, so it must be listed as ANY
            served.add((route, "ANY"))
            continue
        served |= {
            (route, method.upper()) for method in ("get", "post", "put", "patch", "delete") if hasattr(cls, method)
        }
    return served


def test_every_api_route_is_in_the_matrix():
    served = api_routes()

    assert sorted(served - MATRIX.keys()) == [], "routes without a row in MATRIX: say who may call them"
    assert sorted(MATRIX.keys() - served) == [], "rows in MATRIX for routes that no longer exist"


CELLS = [
    pytest.param(route, method, persona, expected, id=f"{method} {route} as {persona}")
    for (route, method), statuses in MATRIX.items()
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(("route", "method", "persona", "expected"), CELLS)
def test_each_persona_gets_the_status_the_policy_gives_it(api, world, route, method, persona, expected):
    response = call(api, world, persona, route, method)

    assert response.status_code == expected, getattr(response, "data", None)
    if expected == 401:
        # Told how to authenticate, as RFC 9110 asks of a 401 (DRF offers the first scheme: Token).
        assert response["WWW-Authenticate"] == "Token"


def test_a_rater_reads_published_versions_and_never_a_draft(api, world):
    route = "guidelines/<slug:slug>/versions/"

    listed = call(api, world, "rater", route, "GET")
    draft = call(api, world, "rater", route + "<int:number>/", "GET", number=world.draft.number)

    assert [version["number"] for version in listed.json()["results"]] == [1]
    assert (draft.status_code, draft.json()) == (404, {"detail": "No such version of this guideline."})


# --- A rater never reads another rater's work ----------------------------------------------

RATING_ROUTES = [
    "assignments/<int:assignment_id>/submit/",
    "assignments/<int:assignment_id>/skip/",
    "assignments/<int:assignment_id>/reveal/",
]


@pytest.mark.parametrize("route", RATING_ROUTES)
@pytest.mark.parametrize(("persona", "whose"), [("rater", "other_assignment"), ("rater_elsewhere", "assignment")])
def test_a_rater_cannot_touch_another_raters_assignment(api, world, route, persona, whose):
    theirs = getattr(world, whose)
    before = (Judgment.objects.count(), SensitiveReveal.objects.count())

    response = call(api, world, persona, route, "POST", assignment_id=theirs.pk)

    assert (response.status_code, response.json()) == (404, {"detail": "No such assignment."})
    theirs.refresh_from_db()
    assert theirs.status == Assignment.Status.LEASED
    assert (Judgment.objects.count(), SensitiveReveal.objects.count()) == before


READING_ROUTES = [
    "projects/<int:project_id>/judgments/",
    "projects/<int:project_id>/judgments/?format=csv",
    "projects/<int:project_id>/judgments/?format=jsonl&since=2020-01-01T00:00:00Z",
    "projects/<int:project_id>/labels/",
    "projects/<int:project_id>/labels/?format=qrels",
    "projects/<int:project_id>/reports/",
    "projects/<int:project_id>/reports/latest/",
    "projects/<int:project_id>/tasks/",
    "projects/<int:project_id>/pool/",
]


@pytest.mark.parametrize("route", READING_ROUTES)
@pytest.mark.parametrize("persona", ["rater", "rater_elsewhere"])
@pytest.mark.parametrize("which", ["project", "other_project"])
def test_no_rater_reads_judgments_or_figures_of_any_project_even_one_they_judged(api, world, route, persona, which):
    ids = _default_ids(world) | {"project_id": getattr(world, which).pk}

    response = api.as_user(world.people[persona]).get(url_of(route, ids))

    assert (response.status_code, response.json()) == (404, {"detail": "No such project."})


@pytest.mark.parametrize("persona", ["rater", "rater_elsewhere"])
def test_a_rater_sees_no_project_and_no_job(api, world, persona):
    projects = call(api, world, persona, "projects/", "GET")
    jobs_seen = [
        call(api, world, persona, "jobs/<int:job_id>/", "GET", job_id=job.pk) for job in (world.job, world.other_job)
    ]

    assert (projects.status_code, projects.json()["results"]) == (200, [])
    assert [response.status_code for response in jobs_seen] == [404, 404]


def test_a_raters_submission_comes_back_to_them_alone(api, world):
    """The one judgment a rater reads (the answer to their own submit) is their own."""
    response = call(api, world, "rater", "assignments/<int:assignment_id>/submit/", "POST")

    judgment = Judgment.objects.get(pk=response.json()["id"])
    assert response.status_code == 201
    assert (judgment.rater, judgment.assignment_id) == (world.people["rater"], world.assignment.pk)


# --- Ids from another project ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "owner"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_task_of_another_project_is_not_found_through_this_ones_route(api, world, persona, method):
    route = "projects/<int:project_id>/tasks/<int:task_id>/gold/"

    response = call(api, world, persona, route, method, task_id=world.other_task.pk)

    assert (response.status_code, response.json()) == (404, {"detail": "No such task in this project."})
    world.other_task.refresh_from_db()
    assert world.other_task.is_gold is False


@pytest.mark.parametrize("persona", ["admin", "owner", "reviewer", "pm"])
def test_a_report_of_another_project_is_not_found_through_this_ones_route(api, world, persona):
    route = "projects/<int:project_id>/reports/<int:snapshot_id>/"

    response = call(api, world, persona, route, "GET", snapshot_id=world.other_snapshot.pk)

    assert (response.status_code, response.json()) == (404, {"detail": "No such report for this project."})


def test_an_owner_cannot_compare_with_another_owners_project(api, world):
    route = "projects/<int:project_id>/reports/compare/"
    url = url_of(route, _default_ids(world)) + f"?with={world.other_project.pk}"

    response = api.as_user(world.people["owner"]).get(url)

    assert (response.status_code, response.json()) == (404, {"detail": "No such project."})


@pytest.mark.parametrize(("persona", "expected"), [("owner", 404), ("other_owner", 200), ("admin", 200)])
def test_a_job_of_another_owners_project_is_not_found(api, world, persona, expected):
    response = call(api, world, persona, "jobs/<int:job_id>/", "GET", job_id=world.other_job.pk)

    assert response.status_code == expected


def test_another_owner_does_not_see_the_project_in_their_list(api, world):
    response = call(api, world, "other_owner", "projects/", "GET")

    assert [project["id"] for project in response.json()["results"]] == [world.other_project.pk]


@pytest.mark.parametrize("persona", ["rater", "rater_elsewhere"])
def test_a_draft_project_is_not_found_by_raters_not_even_its_name(api, world, persona):
    """A project not yet opened to raters is the owner's business: vendors' raters must not learn of it."""
    secret = ProjectFactory(
        owner=world.people["other_owner"], name="Secret launch", guideline_version=world.project.guideline_version
    )

    response = call(api, world, persona, "projects/<int:project_id>/next/", "POST", project_id=secret.pk)

    assert (response.status_code, response.json()) == (404, {"detail": "No such project."})


def test_another_raters_submission_id_never_brings_back_their_judgment(api, world):
    """Retries are answered with the judgment a submission_id made; someone else's is refused, not shown."""
    theirs = Judgment.objects.get(rater=world.people["rater_elsewhere"])
    url = url_of("assignments/<int:assignment_id>/submit/", _default_ids(world))
    client = api.as_user(world.people["rater"])
    answers = {"active_ms": 30_000, **answers_for(world.assignment)}

    while_leased = client.post(url, {"submission_id": str(theirs.submission_id), **answers}, format="json")
    own = client.post(url, {"submission_id": str(uuid.uuid4()), **answers}, format="json")
    after_submitting = client.post(url, {"submission_id": str(theirs.submission_id), **answers}, format="json")

    assert (while_leased.status_code, while_leased.json()["code"]) == (409, "submission_id_reused")
    assert own.status_code == 201
    assert (after_submitting.status_code, after_submitting.json()["code"]) == (409, "submission_id_reused")


# --- Sessions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 200), ("other_owner", 404), ("pm", 200), ("rater", 404)],
)
def test_a_browser_session_gets_what_a_token_gets(world, persona, expected):
    browser = APIClient()
    browser.force_login(world.people[persona])

    response = browser.get(url_of("projects/<int:project_id>/judgments/", _default_ids(world)))

    assert response.status_code == expected


def test_a_session_write_needs_the_csrf_token(world):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(world.people["owner"])
    url = url_of("projects/<int:project_id>/pause/", _default_ids(world))

    forged = browser.post(url)
    browser.cookies["csrftoken"] = secret = "a" * 32  # what a page of ours would have set
    real = browser.post(url, HTTP_X_CSRFTOKEN=secret)

    assert (forged.status_code, forged.json()["detail"]) == (403, "CSRF Failed: CSRF cookie not set.")
    assert real.status_code == 200


# --- Tokens follow the person as they are now ------------------------------------------------


def test_a_deactivated_persons_token_stops_working(api, world):
    owner = world.people["owner"]
    api.as_user(owner)
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)

    response = api.get(url_of("projects/<int:project_id>/", _default_ids(world)))

    assert (response.status_code, response.json()) == (401, {"detail": "User inactive or deleted."})


def test_a_role_taken_away_is_gone_from_the_next_request(api, world):
    reviewer = world.people["reviewer"]
    api.as_user(reviewer)
    url = url_of("projects/<int:project_id>/judgments/", _default_ids(world))
    before = api.get(url)

    reviewer.groups.clear()
    after = api.get(url)

    assert (before.status_code, after.status_code) == (200, 404)


def test_a_made_up_token_is_refused(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = api.get("/api/v1/projects/")

    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})


# --- OPTIONS and HEAD, which every route answers too -------------------------------------------

PUBLIC = {"auth/token/", "schema/", "docs/"}
ROUTES = sorted({route for route, _ in MATRIX})
# The Swagger UI page is a page to read: OPTIONS is not among its methods.
OPTIONS_STATUS = {"docs/": 405}


@pytest.mark.parametrize("route", ROUTES)
def test_options_asks_anonymous_callers_to_authenticate_and_tells_a_rater_nothing_about_ids(api, world, route):
    anonymous = api.options(url_of(route, _default_ids(world)))
    rater = api.as_user(world.people["rater_elsewhere"])
    real = rater.options(url_of(route, _default_ids(world)))
    made_up = rater.options(url_of(route, dict.fromkeys(_default_ids(world), 999_999)))

    assert anonymous.status_code == OPTIONS_STATUS.get(route, 200 if route in PUBLIC else 401)
    assert real.status_code == made_up.status_code


READS = [
    pytest.param(route, persona, id=f"HEAD {route} as {persona}")
    for route, method in MATRIX
    if method == "GET" and route not in PUBLIC
    for persona in ("owner", "other_owner", "rater", "anonymous")
]


@pytest.mark.parametrize(("route", "persona"), READS)
def test_head_answers_as_get_does(api, world, route, persona):
    get = call(api, world, persona, route, "GET")
    head = call(api, world, persona, route, "HEAD")

    assert head.status_code == get.status_code
