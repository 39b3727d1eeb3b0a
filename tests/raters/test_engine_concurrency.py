"""The engine under real concurrency on PostgreSQL: threads, each with its own connection and transactions."""

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from projects.models import Task
from raters import engine, services
from raters.models import Assignment, Judgment
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import active_project, answers_for, qualified_rater

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL (make test starts one)")


def work_the_queue(rater, project, errors, judged):
    try:
        while (assignment := engine.lease_next(rater=rater, project=project)) is not None:
            assignment = Assignment.objects.select_related("task__project__guideline_version", "task__serp").get(
                pk=assignment.pk
            )
            services.judgment_submit(
                assignment=assignment, submission_id=uuid.uuid4(), active_ms=1000, **answers_for(assignment)
            )
            judged[rater.pk] += 1
    except Exception as error:  # noqa: BLE001 - any failure in a thread must fail the test
        errors.append(repr(error))
    finally:
        connections.close_all()


def test_fifty_raters_on_a_thousand_tasks_at_overlap_three_make_exactly_three_thousand_judgments(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    project = active_project(owner=owner, version=version, tasks=1000, overlap=3)
    raters = [qualified_rater(version, username=f"r{n:02d}") for n in range(50)]
    errors, judged = [], Counter()

    threads = [threading.Thread(target=work_the_queue, args=(r, project, errors, judged)) for r in raters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    assert errors == []
    assert Judgment.objects.filter(project=project).count() == 3000
    per_task = Judgment.objects.filter(project=project).values("task").annotate(n=Count("id"))
    assert {row["n"] for row in per_task} == {3}
    per_pair = Judgment.objects.values("task", "rater").annotate(n=Count("id")).filter(n__gt=1)
    assert list(per_pair) == []
    assert set(Task.objects.filter(project=project).values_list("judgment_count", "lease_count")) == {(3, 0)}
    assert sum(judged.values()) == 3000
    # Everyone got work: the queue did not hand everything to the fastest threads.
    assert len(judged) == 50


def test_a_lease_that_expired_is_handed_out_again(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    project = active_project(owner=owner, version=version, tasks=1, overlap=1, lease_minutes=10)
    first, second = qualified_rater(version, username="first"), qualified_rater(version, username="second")
    lease = engine.lease_next(rater=first, project=project)
    assert engine.lease_next(rater=second, project=project) is None

    later = timezone.now() + timedelta(minutes=11)
    again = engine.lease_next(rater=second, project=project, now=later)

    assert again is not None and again.task_id == lease.task_id
    lease.refresh_from_db()
    assert lease.status == "expired"
    assert Task.objects.get(pk=lease.task_id).lease_count == 1


def test_the_beat_job_returns_expired_leases_for_every_project(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    project = active_project(owner=owner, version=version, tasks=3, overlap=1)
    rater = qualified_rater(version)
    lease = engine.lease_next(rater=rater, project=project, now=timezone.now() - timedelta(hours=1))

    from raters.tasks import expire_leases

    assert expire_leases() == 1
    lease.refresh_from_db()
    assert lease.status == "expired"
    assert Task.objects.get(pk=lease.task_id).lease_count == 0


def test_a_double_submit_at_the_same_moment_makes_one_judgment(owner, guideline):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    project = active_project(owner=owner, version=version, tasks=1, overlap=1)
    rater = qualified_rater(version)
    lease = engine.lease_next(rater=rater, project=project)
    submission_id, outcomes, barrier = uuid.uuid4(), [], threading.Barrier(2)

    def submit():
        try:
            assignment = Assignment.objects.select_related("task__project__guideline_version", "task__serp").get(
                pk=lease.pk
            )
            barrier.wait()
            outcomes.append(
                services.judgment_submit(
                    assignment=assignment, submission_id=submission_id, active_ms=500, **answers_for(assignment)
                )[0].pk
            )
        except Exception as error:  # noqa: BLE001
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Judgment.objects.count() == 1
    judgment = Judgment.objects.get()
    assert outcomes == [judgment.pk, judgment.pk]
    assert Task.objects.get(pk=lease.task_id).judgment_count == 1
