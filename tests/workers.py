"""A real Celery worker process for tests about workers, on the Redis and test database of make test."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import pytest
from django.db import connection

from evalconsole.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_worker(**env):
    """Start a worker on a queue of its own and send this process's tasks there (not in-process)."""
    with worker_process(**env) as (queue, _process):
        yield queue


@contextmanager
def worker_process(*, queue: str | None = None, **env):
    """A worker process on `queue` (a new one if None), as (queue, Popen); extra settings as env vars."""
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs the PostgreSQL and Redis that make test starts")
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    db = {**dj_database_url.parse(os.environ["DATABASE_URL"]), "NAME": connection.settings_dict["NAME"]}
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_EAGER": "false",
        **{key: str(value) for key, value in env.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "evalconsole", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    try:
        yield queue, process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        if process.poll() is None:
            process.terminate()
        output, _ = process.communicate(timeout=30)
        assert "pickle" not in output.lower(), output
