"""evalconsole.postgresql: the health check's SELECT 1 is skipped on a connection used moments ago."""

import time

import pytest
from django.db import ProgrammingError, close_old_connections, connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checks(monkeypatch):
    """How many health checks ran (each a SELECT 1 round trip); the real check still runs."""
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
    assert type(connections["default"]).__module__ == "evalconsole.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    settings.DB_HEALTH_CHECK_AFTER_MS = 1000
    connection.close()
    yield connection
    connection.close()


def a_request(sql="SELECT 1"):
    """What a request does to the connection: Django's checks as it starts and ends, a query inside."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchone()
    close_old_connections()


def age(seconds):
    connection.used_at -= seconds


def test_back_to_back_requests_skip_the_check(persistent, checks):
    a_request()  # opens a new connection: healthy by definition
    a_request()
    a_request()

    assert checks == []
    assert connection.connection is not None


def test_a_connection_idle_past_the_window_is_checked_before_use(persistent, checks):
    a_request()
    age(1.5)

    a_request()

    assert checks == ["default"]


def test_with_a_window_of_zero_every_request_is_checked(persistent, checks, settings):
    a_request()
    settings.DB_HEALTH_CHECK_AFTER_MS = 0

    a_request()
    a_request()

    assert checks == ["default", "default"]


def test_a_request_that_saw_a_database_error_has_its_connection_checked_as_it_ends(persistent, checks):
    a_request()
    close_old_connections()
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert checks == []
    close_old_connections()

    assert checks == ["default"]  # Django's own check of a connection that saw an error
    a_request("SELECT 42")  # just checked and used: no second check
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
    age(5)

    a_request("SELECT 42")  # the check finds the dead connection, and a new one is opened

    assert checks == ["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
