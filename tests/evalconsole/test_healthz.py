import pytest

from evalconsole.celery import app as celery_app


def test_healthz_reports_the_database_and_an_in_process_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.fixture
def real_broker(settings):
    """Point Celery at a broker URL for the test, then restore the app's configuration."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def use(url):
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = False

    yield use
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved


def test_healthz_reports_a_reachable_redis_broker(client, db, real_broker):
    import os

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL (make test starts Redis)")
    real_broker(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_answers_503_and_says_why_when_the_broker_is_down(client, db, real_broker):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    real_broker("redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
