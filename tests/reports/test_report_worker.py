"""The aggregation job in real Celery worker processes, on PostgreSQL and Redis."""

import signal
import time
from datetime import timedelta

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from evalconsole import jobs
from evalconsole.models import Job
from reports.models import ReportSnapshot
from reports.tasks import run_report
from tests.factories import VersionFactory
from tests.reports.judged import judged_project
from tests.workers import worker_process

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A worker that may take over a dead one's job quickly: the message comes back after 2 s
# unacknowledged, and a job running for more than 4 s (the time limit) counts as abandoned.
QUICK_TAKEOVER = {"CELERY_VISIBILITY_TIMEOUT": 2, "CELERY_TIME_LIMIT": 4, "CELERY_SOFT_TIME_LIMIT": 3}


def wait_for(condition, *, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def project(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    return judged_project(owner=owner, version=version, tasks=6, raters=2)


def test_a_worker_runs_the_report_job_and_stores_one_snapshot(project, owner):
    with worker_process() as (queue, _worker):
        job = jobs.job_create(kind="report", created_by=owner, params={"project": project.pk})
        run_report.apply_async((job.pk,), queue=queue)

        assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished), "the worker never finished the job"

    job.refresh_from_db()
    snapshot = ReportSnapshot.objects.get(project=project)
    assert job.status == "succeeded" and job.result == {"snapshot": snapshot.pk}
    assert snapshot.judgments == 12
    assert snapshot.data["overall"]["serps"] == 6


def test_a_message_for_a_job_another_worker_holds_comes_back_and_runs_once_the_holder_is_overdue(project, owner):
    # As when the broker hands a dead worker's message to a new one before the job looks abandoned.
    job = jobs.job_create(kind="report", created_by=owner, params={"project": project.pk})
    held_since = timezone.now()
    Job.objects.filter(pk=job.pk).update(status="running", started_at=held_since)

    with worker_process(**QUICK_TAKEOVER) as (queue, _worker):
        run_report.apply_async((job.pk,), queue=queue)
        assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished), "the held job was dropped, never retried"

    job.refresh_from_db()
    assert job.status == "succeeded" and job.started_at >= held_since + timedelta(seconds=4)
    assert ReportSnapshot.objects.filter(project=project).count() == 1


def test_a_worker_killed_mid_job_leaves_nothing_and_the_next_worker_makes_exactly_one_snapshot(project, owner):
    # Hold the judgments table so the first worker is caught mid-job, after it claimed the job.
    blocker = psycopg2.connect(**connection.get_connection_params())
    blocker.cursor().execute("LOCK TABLE raters_judgment IN ACCESS EXCLUSIVE MODE")
    try:
        with worker_process(**QUICK_TAKEOVER) as (queue, first):
            job = jobs.job_create(kind="report", created_by=owner, params={"project": project.pk})
            run_report.apply_async((job.pk,), queue=queue)
            assert wait_for(lambda: Job.objects.get(pk=job.pk).status == "running"), "no worker claimed the job"
            time.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    assert ReportSnapshot.objects.count() == 0
    assert Job.objects.get(pk=job.pk).status == "running"

    with worker_process(queue=queue, **QUICK_TAKEOVER):
        assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished), "the second worker never finished the job"
        # The message may come back once more; the claim and the unique snapshot keep it to one.
        time.sleep(3)

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert ReportSnapshot.objects.filter(project=project).count() == 1
    assert job.result == {"snapshot": ReportSnapshot.objects.get().pk}
