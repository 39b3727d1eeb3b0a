"""evalconsole.connections: the health check's SELECT 1 is skipped right after a clean request."""

import time

import pytest
from django.core.signals import request_finished, request_started
from django.db import ProgrammingError, connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checks(monkeypatch):
    """How many health checks ran (each is a SELECT 1 round trip); the real check still runs."""
    made = []
    wrapper = type(connections["default"])
    real = wrapper.is_usable

    def counted(self):
        made.append(self.alias)
        return real(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return made


@pytest.fixture
def persistent(settings):
    if connection.vendor != "postgresql":
        pytest.skip("health checks guard connections to a server; SQLite's is a file")
    assert connection.health_check_enabled, "CONN_HEALTH_CHECKS is on in settings"
    settings.DB_HEALTH_CHECK_AFTER_MS = 1000
    connection.ensure_connection()
    yield connection
    connection.close()


def test_a_connection_opened_since_the_last_request_is_checked(persistent, checks):
    a_request()
    connection.close()  # closed outside a request (a worker, a management command)
    connection.ensure_connection()

    a_request()

    assert checks == ["default", "default"]


def a_request(sql="SELECT 1"):
    """What a request does to the connection: the signals around it, and one query inside."""
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchone()
    request_finished.send(sender=None)


def test_back_to_back_requests_skip_the_check(persistent, checks):
    a_request()
    a_request()
    a_request()

    assert checks == ["default"]  # only the first, on a connection no request had ended yet
    assert connection.connection is not None


def test_a_connection_idle_past_the_window_is_checked_before_use(persistent, checks, settings):
    a_request()
    a_request()
    raw, at = connection.released
    connection.released = (raw, at - 1.5)  # idle for longer than the window

    a_request()

    assert checks == ["default", "default"]


def test_with_a_window_of_zero_every_request_is_checked(persistent, checks, settings):
    settings.DB_HEALTH_CHECK_AFTER_MS = 0
    a_request()
    a_request()

    assert checks == ["default", "default"]


def test_a_request_that_saw_a_database_error_has_its_connection_checked_as_it_ends(persistent, checks):
    a_request()
    checks.clear()
    request_started.send(sender=None)
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert checks == []
    request_finished.send(sender=None)

    assert checks == ["default"]  # Django's check of a connection that saw an error
    a_request("SELECT 42")  # just checked: used without another
    assert checks == ["default"]


def test_a_server_side_disconnect_after_the_window_costs_no_failed_request(persistent, checks):
    a_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):  # the backend exits asynchronously
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
    finally:
        other.close()
    connection.released = (connection.connection, time.monotonic() - 5)

    a_request("SELECT 42")  # the check finds the dead connection and opens a new one

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
