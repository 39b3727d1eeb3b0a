"""Filters on the API's lists: each narrows as a user would expect, several AND together, a bad
value is a 400 naming its field, and no filter shows anyone more than the list already did.

The world: olivia (owner) has "Pasta study" (graded, active, guideline serp, created 1 October)
and "Ranker A/B" (side by side, draft, guideline sbs, created 15 November); oscar (the other owner)
has "Music study" (graded, active, guideline music, created 20 November). Pasta study holds four
tasks and three report snapshots.
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import EvaluationProject, PoolSerp, SamplingRun, Task
from reports.models import ReportSnapshot
from tests.factories import GuidelineFactory, UserFactory, VersionFactory
from tests.projects.factories import ProjectFactory

API = "/api/v1/"
CHOICE = '"{}" is not a valid choice.'
BOOLEAN = "Give true or false."
MOMENT = "Give a date or an ISO 8601 timestamp, e.g. 2026-11-01 or 2026-11-01T07:30:00Z (encode a + offset as %2B)."


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def listed(response, key: str) -> list:
    assert response.status_code == 200, response.content
    page = response.json()
    assert page["count"] == len(page["results"])
    return [row[key] for row in page["results"]]


def created(model, obj, moment: dt.datetime):
    """`created_at` is set on insert; the tests need it at a known moment."""
    model.objects.filter(pk=obj.pk).update(created_at=moment)


@pytest.fixture
def projects(owner, other_owner, published_version):
    sbs = VersionFactory(guideline=GuidelineFactory(owner=owner, slug="sbs"), number=1, published=True)
    music = VersionFactory(guideline=GuidelineFactory(owner=other_owner, slug="music"), number=1, published=True)
    made = {
        "pasta": ProjectFactory(owner=owner, guideline_version=published_version, name="Pasta study", status="active"),
        "ranker": ProjectFactory(
            owner=owner, guideline_version=sbs, name="Ranker A/B", kind="side_by_side", variants=["a", "b"]
        ),
        "music": ProjectFactory(owner=other_owner, guideline_version=music, name="Music study", status="active"),
    }
    created(EvaluationProject, made["pasta"], utc(2026, 10, 1, 9))
    created(EvaluationProject, made["ranker"], utc(2026, 11, 15, 9))
    created(EvaluationProject, made["music"], utc(2026, 11, 20, 9))
    return made


def add_task(project, query_id, *, locale, category, variant, stratum, judgments=0, gold=False, variant_b=None):
    run = SamplingRun.objects.get_or_create(
        project=project, defaults={"strategy": "stratified", "size": 4, "seed": 1, "created_by": project.owner}
    )[0]

    def serp(variant):
        return PoolSerp.objects.create(
            project=project, query_id=query_id, query=query_id, locale=locale, category=category, variant=variant
        )

    return Task.objects.create(
        project=project, sampling_run=run, query_id=query_id, locale=locale, category=category, stratum=stratum,
        serp=serp(variant), serp_b=serp(variant_b) if variant_b else None, inclusion_probability=0.5, overlap=3,
        judgment_count=judgments, is_gold=gold, gold_answers={"page": {"satisfaction": 4}} if gold else None,
    )  # fmt: skip


@pytest.fixture
def tasks(projects):
    pasta = projects["pasta"]
    add_task(pasta, "q1", locale="it-IT", category="food", variant="base", stratum="locale=it-IT", judgments=3)
    add_task(pasta, "q2", locale="it-IT", category="music", variant="base", stratum="locale=it-IT", gold=True)
    add_task(pasta, "q3", locale="de-DE", category="food", variant="new", stratum="locale=de-DE", judgments=1)
    add_task(pasta, "q4", locale="de-DE", category="news", variant="new", stratum="locale=de-DE", judgments=3)
    return pasta


@pytest.fixture
def snapshots(projects):
    pasta = projects["pasta"]
    made = {}
    for day in (1, 2, 3):
        made[day] = ReportSnapshot.objects.create(project=pasta, judgments=day, data={})
        created(ReportSnapshot, made[day], utc(2026, 11, day, 10))
    return pasta, made


# --- Each filter narrows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Music study", "Ranker A/B", "Pasta study"]),
        ("status=active", ["Music study", "Pasta study"]),
        ("status=draft", ["Ranker A/B"]),
        ("status=completed", []),
        ("kind=side_by_side", ["Ranker A/B"]),
        ("kind=graded", ["Music study", "Pasta study"]),
        ("guideline=serp", ["Pasta study"]),
        ("guideline=music", ["Music study"]),
        ("guideline=nothing-like-it", []),
        ("owner=oscar", ["Music study"]),
        ("owner=olivia", ["Ranker A/B", "Pasta study"]),
        ("created_after=2026-11-01", ["Music study", "Ranker A/B"]),
        ("created_before=2026-11-01", ["Pasta study"]),
        ("created_after=2026-11-15&created_before=2026-11-16", ["Ranker A/B"]),
        # At or after, strictly before: the same moment is in one and not the other.
        ("created_after=2026-11-15T09:00:00Z", ["Music study", "Ranker A/B"]),
        ("created_before=2026-11-15T09:00:00Z", ["Pasta study"]),
        ("created_after=2026-11-15T10:00:00%2B01:00", ["Music study", "Ranker A/B"]),
        # An offset PostgreSQL would refuse is read in UTC (2026-11-15 00:30Z).
        ("created_after=2026-11-15T20:00:00%2B19:30", ["Music study", "Ranker A/B"]),
        ("status=active&owner=olivia", ["Pasta study"]),
        ("status=active&kind=side_by_side", []),
        ("kind=graded&created_after=2026-11-01", ["Music study"]),
        ("status=", ["Music study", "Ranker A/B", "Pasta study"]),
    ],
)
def test_the_project_list_filters(api, admin_user, projects, query, names):
    assert listed(api.as_user(admin_user).get(f"{API}projects/?{query}"), "name") == names


@pytest.mark.parametrize(
    ("query", "query_ids"),
    [
        ("", ["q1", "q2", "q3", "q4"]),
        ("locale=de-DE", ["q3", "q4"]),
        ("locale=fr-FR", []),
        ("category=food", ["q1", "q3"]),
        ("variant=new", ["q3", "q4"]),
        ("variant=base", ["q1", "q2"]),
        ("is_gold=true", ["q2"]),
        ("is_gold=false", ["q1", "q3", "q4"]),
        ("is_gold=True", ["q2"]),
        ("is_gold=0", ["q1", "q3", "q4"]),
        ("status=complete", ["q1", "q4"]),
        ("status=open", ["q2", "q3"]),
        ("stratum=locale%3Dde-DE", ["q3", "q4"]),
        ("locale=it-IT&status=open", ["q2"]),
        ("locale=de-DE&variant=base", []),
        ("category=food&status=complete&is_gold=false", ["q1"]),
    ],
)
def test_the_task_list_filters(api, owner, tasks, query, query_ids):
    assert listed(api.as_user(owner).get(f"{API}projects/{tasks.pk}/tasks/?{query}"), "query_id") == query_ids


def test_a_side_by_side_task_is_found_by_either_of_its_variants(api, owner, projects):
    ranker = projects["ranker"]
    add_task(ranker, "q1", locale="it-IT", category="food", variant="a", variant_b="b", stratum="")
    add_task(ranker, "q2", locale="it-IT", category="food", variant="a", variant_b="c", stratum="")

    def found(variant):
        return listed(api.as_user(owner).get(f"{API}projects/{ranker.pk}/tasks/?variant={variant}"), "query_id")

    assert (found("a"), found("b"), found("c"), found("d")) == (["q1", "q2"], ["q1"], ["q2"], [])


@pytest.mark.parametrize(
    ("query", "numbers"),
    [("", [2, 1]), ("status=published", [1]), ("status=draft", [2]), ("status=retired", [])],
)
def test_the_version_list_filters(api, owner, draft_version, query, numbers):
    assert listed(api.as_user(owner).get(f"{API}guidelines/serp/versions/?{query}"), "number") == numbers


@pytest.mark.parametrize(
    ("query", "days"),
    [
        ("", [3, 2, 1]),
        ("created_after=2026-11-02", [3, 2]),
        ("created_before=2026-11-02", [1]),
        ("created_after=2026-11-01T10:00:00Z", [3, 2, 1]),
        ("created_before=2026-11-03T10:00:00Z", [2, 1]),
        ("created_after=2026-11-02T11:00:00%2B01:00", [3, 2]),
        ("created_after=2026-11-02&created_before=2026-11-03", [2]),
        ("created_after=2026-11-04", []),
    ],
)
def test_the_report_list_filters(api, owner, snapshots, query, days):
    project, made = snapshots
    ids = listed(api.as_user(owner).get(f"{API}projects/{project.pk}/reports/?{query}"), "id")
    assert ids == [made[day].pk for day in days]


@pytest.fixture
def people(admin_user, rater, reviewer):
    return {"dora": UserFactory(username="dora", role="rater", locales=["de-DE", "it-IT"])}


@pytest.mark.parametrize(
    ("query", "usernames"),
    [
        ("role=rater", ["dora", "rita"]),
        ("role=reviewer", ["ruben"]),
        ("role=admin", ["ada"]),
        ("locale=it-IT", ["dora", "rita"]),
        ("locale=de-DE", ["dora"]),
        ("locale=it", []),  # a locale the person rates, not a piece of one
        ("role=rater&locale=de-DE", ["dora"]),
        ("role=reviewer&locale=it-IT", []),
    ],
)
def test_the_user_list_filters(api, admin_user, people, query, usernames):
    assert listed(api.as_user(admin_user).get(f"{API}users/?{query}"), "username") == usernames


def test_filters_work_the_same_with_a_session(client_for, pm, projects):
    response = client_for(pm).get(f"{API}projects/", {"owner": "olivia", "status": "active"})

    assert listed(response, "name") == ["Pasta study"]


# --- Bad values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "errors"),
    [
        ("projects/", "status=bogus", {"status": [CHOICE.format("bogus")]}),
        ("projects/", "status=Active", {"status": [CHOICE.format("Active")]}),
        ("projects/", "kind=ranked", {"kind": [CHOICE.format("ranked")]}),
        ("projects/", "created_after=not-a-date", {"created_after": [MOMENT]}),
        ("projects/", "created_before=2026-13-01", {"created_before": [MOMENT]}),
        ("projects/", "created_after=2026-11-31", {"created_after": [MOMENT]}),
        # An unencoded + arrives as a space.
        ("projects/", "created_after=2026-11-01T07:30:00+01:00", {"created_after": [MOMENT]}),
        # Python reads it, but it has no UTC equivalent within the calendar.
        ("projects/", "created_after=9999-12-31T23:00:00-05:00", {"created_after": [MOMENT]}),
        ("projects/", "owner=ol%00ivia", {"owner": ["Null characters are not allowed."]}),
        (
            "projects/",
            "status=bogus&kind=ranked&created_after=soon",
            {"status": [CHOICE.format("bogus")], "kind": [CHOICE.format("ranked")], "created_after": [MOMENT]},
        ),
        ("projects/{pasta}/tasks/", "is_gold=maybe", {"is_gold": [BOOLEAN]}),
        ("projects/{pasta}/tasks/", "is_gold=yes", {"is_gold": [BOOLEAN]}),
        ("projects/{pasta}/tasks/", "status=done", {"status": [CHOICE.format("done")]}),
        ("projects/{pasta}/tasks/", "locale=it%00IT", {"locale": ["Null characters are not allowed."]}),
        (
            "projects/{pasta}/tasks/",
            "is_gold=maybe&status=done",
            {"is_gold": [BOOLEAN], "status": [CHOICE.format("done")]},
        ),
        ("guidelines/serp/versions/", "status=bogus", {"status": [CHOICE.format("bogus")]}),
        ("projects/{pasta}/reports/", "created_after=yesterday", {"created_after": [MOMENT]}),
        ("projects/{pasta}/reports/", "created_before=2026-11-01T25:00:00Z", {"created_before": [MOMENT]}),
        ("users/", "role=raters", {"role": [CHOICE.format("raters")]}),
        ("users/", "locale=it%00IT", {"locale": ["Null characters are not allowed."]}),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_its_field(api, admin_user, projects, path, query, errors):
    response = api.as_user(admin_user).get(API + path.format(pasta=projects["pasta"].pk) + "?" + query)

    assert (response.status_code, response.json()) == (400, errors)


# --- Filters never widen what a role may see -------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "query", "names"),
    [
        # An owner's list is their own projects: naming another's owner or guideline finds nothing.
        ("owner", "owner=oscar", []),
        ("owner", "guideline=music", []),
        ("owner", "status=active", ["Pasta study"]),
        ("other_owner", "owner=olivia", []),
        ("other_owner", "kind=side_by_side", []),
        ("pm", "owner=oscar", ["Music study"]),
        ("reviewer", "status=draft", ["Ranker A/B"]),
        # Raters and people without a role list no projects, whatever they ask.
        ("rater", "", []),
        ("rater", "status=active", []),
        ("rater", "owner=olivia", []),
        ("outsider", "status=active", []),
    ],
)
def test_a_project_filter_never_shows_more_than_the_list_does(api, request, projects, persona, query, names):
    user = request.getfixturevalue(persona)

    assert listed(api.as_user(user).get(f"{API}projects/?{query}"), "name") == names


@pytest.mark.parametrize("persona", ["other_owner", "rater", "outsider"])
@pytest.mark.parametrize("query", ["", "status=open", "is_gold=true", "is_gold=maybe"])
def test_the_tasks_of_a_project_one_may_not_see_stay_hidden_whatever_the_filter(api, request, tasks, persona, query):
    user = request.getfixturevalue(persona)

    assert api.as_user(user).get(f"{API}projects/{tasks.pk}/tasks/?{query}").status_code == 404


@pytest.mark.parametrize("query", ["", "created_after=2026-11-01", "created_after=never"])
def test_the_reports_of_another_owners_project_stay_hidden_whatever_the_filter(api, other_owner, snapshots, query):
    project, _ = snapshots

    assert api.as_user(other_owner).get(f"{API}projects/{project.pk}/reports/?{query}").status_code == 404


@pytest.mark.parametrize("query", ["", "status=draft", "status=published"])
def test_a_rater_never_finds_a_draft_version_by_filtering(api, rater, draft_version, query):
    numbers = listed(api.as_user(rater).get(f"{API}guidelines/serp/versions/?{query}"), "number")

    assert numbers == ([] if query == "status=draft" else [1])


@pytest.mark.parametrize("persona", ["owner", "rater", "reviewer", "pm"])
def test_only_admins_list_people_whatever_the_filter(api, request, people, persona):
    user = request.getfixturevalue(persona)

    assert api.as_user(user).get(f"{API}users/?role=rater&locale=it-IT").status_code == 403


# --- The schema ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/api/v1/projects/", {"status", "kind", "guideline", "owner", "created_after", "created_before"}),
        ("/api/v1/projects/{project_id}/tasks/", {"locale", "category", "variant", "is_gold", "status", "stratum"}),
        ("/api/v1/guidelines/{slug}/versions/", {"status"}),
        ("/api/v1/projects/{project_id}/reports/", {"created_after", "created_before"}),
        ("/api/v1/users/", {"role", "locale"}),
    ],
)
def test_every_filter_is_a_query_parameter_in_the_schema(db, path, filters):
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    operation = json.loads(out.getvalue())["paths"][path]["get"]

    parameters = {parameter["name"]: parameter for parameter in operation["parameters"] if parameter["in"] == "query"}
    assert filters <= set(parameters), path
    assert "400" in operation["responses"]


# --- Cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("projects/", "status=active&kind=graded&guideline=serp&owner=olivia&created_after=2026-09-01"),
        ("projects/{pasta}/tasks/", "locale=it-IT&category=food&variant=base&is_gold=false&status=complete"),
        ("projects/{pasta}/reports/", "created_after=2026-11-01&created_before=2026-12-01"),
        ("guidelines/serp/versions/", "status=published"),
        ("users/", "role=rater&locale=it-IT"),
    ],
)
def test_a_filter_is_part_of_the_list_query_not_a_query_of_its_own(
    api, admin_user, tasks, snapshots, people, path, query
):
    api.as_user(admin_user)
    url = API + path.format(pasta=tasks.pk)
    counts = []
    for given in ("", query):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{url}?{given}")
        assert response.status_code == 200
        assert response.json()["count"] >= 1  # rows found, so their prefetches ran too
        counts.append(len(queries))

    assert counts[0] == counts[1]
