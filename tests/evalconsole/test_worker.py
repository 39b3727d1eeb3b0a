"""A real Celery worker process, on the real Redis broker, runs our tasks against the test database."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from evalconsole.celery import app as celery_app
from tests.workers import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    with running_worker() as queue:
        yield queue


def wait_for(condition, *, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_clears_expired_sessions_and_keeps_live_ones(worker):
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + timedelta(days=1))

    celery_app.send_task("evalconsole.tasks.clear_expired_sessions", queue=worker)

    assert wait_for(lambda: not Session.objects.filter(session_key="expired").exists()), "the worker never ran the task"
    assert Session.objects.filter(session_key="live").exists()


def test_the_app_sends_only_json_over_the_broker():
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_acks_late is True
