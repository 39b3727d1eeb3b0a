"""A real Celery worker process, on the real Redis broker, runs our tasks against the test database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from evalconsole.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs the PostgreSQL and Redis that make test starts")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    test_db = {**dj_database_url.parse(os.environ["DATABASE_URL"]), "NAME": connection.settings_dict["NAME"]}
    database_url = (
        f"postgres://{test_db['USER']}:{test_db['PASSWORD']}@{test_db['HOST']}:{test_db['PORT']}/{test_db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_EAGER": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "evalconsole", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    yield queue
    process.terminate()
    output, _ = process.communicate(timeout=30)
    assert "pickle" not in output.lower(), output


def wait_for(condition, *, seconds=30):
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
