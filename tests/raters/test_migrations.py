"""Migrations of the rating tables that carry data forward."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from raters import engine
from raters.models import Assignment
from tests.raters.engine_fixtures import active_project, qualified_rater

pytestmark = pytest.mark.django_db(transaction=True)


def test_leases_taken_before_assignments_held_has_sensitive_get_it_from_their_task(owner, published_version):
    version = published_version
    project = active_project(owner=owner, version=version, tasks=4, sensitive=2, overlap=1)
    raters = [qualified_rater(version, username=f"r{n}") for n in range(4)]
    for rater in raters:
        engine.lease_next(rater=rater, project=project)
    expected = dict(Assignment.objects.values_list("id", "task__has_sensitive"))
    assert sorted(expected.values()) == [False, False, True, True]

    call_command("migrate", "raters", "0004", verbosity=0)  # the column is gone
    call_command("migrate", "raters", verbosity=0)

    assert dict(Assignment.objects.values_list("id", "has_sensitive")) == expected
    # And the sensitive count of today reads it: each rater's own lease.
    counts = {rater.pk: engine.day_counts(rater, timezone.now())[1] for rater in raters}
    by_rater = dict(Assignment.objects.values_list("rater_id", "has_sensitive"))
    assert counts == {rater_id: int(flag) for rater_id, flag in by_rater.items()}


def _index_columns(table):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return sorted(tuple(spec["columns"]) for spec in found.values() if spec["index"] and not spec["primary_key"])


def test_judgments_and_answers_lose_only_the_indexes_a_composite_one_already_leads():
    call_command("migrate", "raters", "0005", verbosity=0)
    before = {table: _index_columns(table) for table in ("raters_judgment", "raters_resultanswer")}
    call_command("migrate", "raters", verbosity=0)
    after = {table: _index_columns(table) for table in ("raters_judgment", "raters_resultanswer")}

    assert {table: sorted(set(before[table]) - set(after[table])) for table in before} == {
        "raters_judgment": [("project_id",), ("rater_id",)],
        "raters_resultanswer": [("serp_id",)],
    }
    assert set(after["raters_judgment"]) >= {("project_id", "created_at"), ("rater_id", "created_at")}
    assert ("serp_id", "doc_id", "question") in after["raters_resultanswer"]
