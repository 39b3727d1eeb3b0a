"""schemathesis against /api/v1/schema/: every operation, as every role, answers as documented.

The schema is read from the app in-process (no server). Each operation runs as admin, owner,
reviewer, rater and PM, each with a token, and as nobody, on a world that has something to find: a guideline with a
published version and a draft, an active judged project with a report, a second active project
where the rater holds a lease. Path ids are drawn from those real objects (and one that does not
exist), so most requests reach the view's logic instead of stopping at 404.

Each example runs in a savepoint that is rolled back: destructive operations (publish, discard,
complete, ...) are exercised, and every example starts from the same world, so a failure replays.
The checks are the contract's: no 5xx, a documented status code, a documented content type and
a body that matches the documented schema.
"""

import zlib

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from raters import engine
from reports import services as report_services
from tests.factories import GuidelineFactory, UserFactory, VersionFactory
from tests.raters.engine_fixtures import active_project
from tests.reports.judged import judged_project

ROLES = ("admin", "owner", "reviewer", "rater", "pm", "anonymous")
# The coverage phase (boundary and invalid values of every field, the same cases for every role)
# runs for the admin, whose requests get past every door to validation; the others are fuzzed.
COVERAGE_ROLES = ("admin",)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MISSING = 987_654_321

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The objects the requests are about, made once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        owner = UserFactory(username="olivia", role="owner")
        guideline = GuidelineFactory(owner=owner, slug="serp")
        published = VersionFactory(guideline=guideline, number=1, published=True)
        VersionFactory(guideline=guideline, number=2, changelog="Clarify grade 2.")
        judged = judged_project(owner=owner, version=published, tasks=6, raters=3)
        job = report_services.report_request(project=judged, created_by=owner)
        snapshot = report_services.report_build_run(job_id=job.pk)
        rater = judged.assignments.order_by("pk").first().rater
        leasing = active_project(owner=owner, version=published, tasks=4, overlap=1, locales=("it-IT",))
        leased = engine.lease_next(rater=rater, project=leasing)
        users = {
            "admin": UserFactory(username="ada", role="admin"),
            "owner": owner,
            "reviewer": UserFactory(username="ruben", role="reviewer"),
            "rater": rater,
            "pm": UserFactory(username="paula", role="pm"),
        }
        tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
        # Each path parameter is drawn from these by the generated value, so the choice replays.
        ids = {
            "project_id": [judged.pk, leasing.pk, MISSING],
            "slug": [guideline.slug, "no-such-guideline"],
            "number": [1, 2, 99],
            "task_id": [*judged.tasks.order_by("pk").values_list("pk", flat=True)[:2], MISSING],
            "assignment_id": [leased.pk, judged.assignments.filter(rater=rater).first().pk, MISSING],
            "snapshot_id": [snapshot.pk, MISSING],
            "job_id": [job.pk, MISSING],
        }
        yield {"tokens": tokens, "ids": ids, "with": [judged.pk, leasing.pk]}
        transaction.set_rollback(True)


def _pick(choices: list, generated) -> object:
    if isinstance(generated, int) and not isinstance(generated, bool):
        return choices[generated % len(choices)]
    return choices[zlib.crc32(repr(generated).encode()) % len(choices)]


@pytest.fixture(scope="module")
def connection_kept_between_requests():
    # The WSGI handler closes the connection after each request, and with it the test's
    # transaction; Django's own test client unhooks the same handler for the same reason.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    # Pool uploads are stored before their import job is queued.
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@hypothesis.settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, role, world, db, media_in_tmp, connection_kept_between_requests):
    if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE and role not in COVERAGE_ROLES:
        return
    for name, generated in list((case.path_parameters or {}).items()):
        if name in world["ids"]:
            case.path_parameters[name] = _pick(world["ids"][name], generated)
    if case.query and "with" in case.query:
        case.query["with"] = _pick(world["with"], case.query["with"])
    with transaction.atomic():
        token = world["tokens"].get(role)
        case.call_and_validate(headers={"Authorization": f"Token {token}"} if token else {}, checks=CHECKS)
        transaction.set_rollback(True)
