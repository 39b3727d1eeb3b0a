"""evalconsole.rows: prepared statements on PostgreSQL, planned once per connection."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from evalconsole import rows

pytestmark = pytest.mark.django_db

COUNT = "SELECT COUNT(*) FROM auth_group WHERE name = %s"
INSERT = "INSERT INTO auth_group (name) VALUES (%(name)s)"


def run(sql, params):
    with CaptureQueriesContext(connection) as sent, connection.cursor() as cursor:
        rows.execute(cursor, sql, params)
        found = cursor.fetchone() if cursor.description else None
    return found, [query["sql"] for query in sent.captured_queries]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")


def test_a_statement_is_prepared_once_then_executed_with_each_call_s_values(postgresql):
    Group.objects.create(name="team-a")

    first, sent_first = run(COUNT, ["team-a"])
    second, sent_second = run(COUNT, ["nobody"])

    assert (first, second) == ((1,), (0,))
    assert len(sent_first) == len(sent_second) == 1  # PREPARE rides with the first EXECUTE
    assert sent_first[0].startswith("PREPARE ec_") and "EXECUTE" in sent_first[0]
    assert sent_second[0].startswith("EXECUTE ec_")


def test_named_placeholders_become_one_parameter_each_even_when_repeated(postgresql):
    found, _ = run("SELECT %(a)s::int + %(b)s::int + %(a)s::int", {"a": 1, "b": 10})

    assert found == (12,)


def test_a_failed_execute_keeps_its_prepared_statement_for_the_next_call(postgresql):
    Group.objects.create(name="team-b")

    with pytest.raises(IntegrityError), transaction.atomic():
        run(INSERT, {"name": "team-b"})  # PREPARE succeeds, EXECUTE breaks the unique name
    _, sent = run(INSERT, {"name": "team-c"})

    assert sent[0].startswith("EXECUTE ec_")  # not PREPAREd twice ("already exists" would fail)
    assert Group.objects.filter(name="team-c").exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(postgresql):
    run(COUNT, ["x"])
    connection.close()

    _, sent = run(COUNT, ["x"])

    assert sent[0].startswith("PREPARE ec_")


def test_with_prepared_statements_off_the_sql_goes_as_it_is(settings):
    settings.DB_PREPARED_STATEMENTS = False
    Group.objects.create(name="team-d")

    found, sent = run(COUNT, ["team-d"])

    assert found == (1,)
    assert "PREPARE" not in sent[0] and "EXECUTE" not in sent[0]


def plans_of(sql):
    """(generic, custom) plans PostgreSQL has made for the prepared statement of `sql` on this connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [rows._as_prepared(sql)[0]]
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_every_call_of_a_statement_runs_its_one_generic_plan_instead_of_planning_again(postgresql):
    connection.close()  # a connection of its own: the statement is prepared here
    for name in ("a", "b", "c", "d", "e", "f", "g"):
        run(COUNT, [name])

    assert plans_of(COUNT) == (7, 0)


@pytest.mark.django_db(transaction=True)
def test_with_prepared_statements_off_the_connection_leaves_plan_choice_to_postgresql(postgresql, settings):
    settings.DB_PREPARED_STATEMENTS = False  # e.g. behind PgBouncer, which refuses startup options
    connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone() == ("auto",)
    finally:
        connection.close()  # the next test connects with the setting back on
