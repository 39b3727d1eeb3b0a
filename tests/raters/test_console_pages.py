"""The rater console's pages, without a browser: the console page and the task fragment console.js swaps in.

Personas: rita (a rater qualified for the guideline) works the queue; sam is another rater;
olivia (owner), paula (PM), ruben (reviewer) and otto (no role) are not raters and never see a console.
"""

import re

import pytest
from django.db import connection

from projects.models import EvaluationProject, PoolResult
from raters import engine, services
from raters.models import Assignment, RaterProfile, SensitiveReveal
from tests.browser.console_data import console_project
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import answers_for, qualified_rater
from tests.raters.helpers_sbs import SIDE_BY_SIDE_SCHEMA, side_by_side_project

# Pinned query counts. A change here is a decision: say in the commit why the console needs more.
# Most of each count is the engine's lease, one statement on PostgreSQL, three on SQLite (see
# test_rating_api).
CONSOLE_PAGE_QUERIES = 12 if connection.vendor == "postgresql" else 15
CONSOLE_PAGE_RESUMED_QUERIES = 10
TASK_FRAGMENT_QUERIES = 12 if connection.vendor == "postgresql" else 15

XSS = {
    "query": '<script>alert("query")</script>',
    "title": '<img src=x onerror=alert("title")>',
    "snippet": '"><svg onload=alert("snippet")>',
    "media_type": "<b>video</b>",
    "doc_id": '"><i>doc</i>',
}


def page_url(project):
    return f"/console/projects/{project.pk}/"


def task_url(project):
    return f"/console/projects/{project.pk}/task/"


def reveal_url(assignment_id):
    return f"/api/v1/assignments/{assignment_id}/reveal/"


@pytest.fixture
def version(published_version):
    return published_version


@pytest.fixture
def project(owner, version):
    return console_project(owner=owner, version=version, tasks=3, results=3, overlap=2)


@pytest.fixture
def rita(version):
    return qualified_rater(version, username="rita", quota=5)


@pytest.fixture
def sam(version):
    return qualified_rater(version, username="sam")


def submit(assignment):
    return services.judgment_submit(
        assignment=Assignment.objects.select_related("task", "project__guideline_version").get(pk=assignment.pk),
        submission_id=f"00000000-0000-4000-8000-{assignment.pk:012d}",
        active_ms=1000,
        **answers_for(assignment),
    )


def text(response) -> str:
    return response.content.decode()


# --- What a rater sees ------------------------------------------------------------------------


def test_the_console_page_shows_the_next_task_with_its_controls_and_progress(client_for, rita, project):
    response = client_for(rita).get(page_url(project))

    assert response.status_code == 200
    assignment = Assignment.objects.get(rater=rita)
    html = text(response)
    assert f'data-assignment="{assignment.pk}"' in html
    assert html.count('<li class="serp-result') == 3
    assert html.count('class="result-rating"') == 3
    assert 'name="page-satisfaction"' in html
    assert "Guideline: SERP satisfaction · v1" in html
    # Quota left counts the task on screen as still to do.
    assert re.search(r'data-testid="done-today">0<', html)
    assert re.search(r'data-testid="quota-left">5<', html)
    assert re.search(r'data-testid="lease-left">(10:00|9:5\d)<', html)


def test_reopening_the_console_shows_the_task_already_leased_not_a_new_one(client_for, rita, project):
    client = client_for(rita)
    first = client.get(page_url(project))
    again = client.get(page_url(project))
    fragment = client.get(task_url(project))

    assignment = Assignment.objects.get(rater=rita)
    for response in (first, again, fragment):
        assert f'data-assignment="{assignment.pk}"' in text(response)


def test_the_fragment_is_just_the_task_panel(client_for, rita, project):
    response = client_for(rita).get(task_url(project))

    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<section class="console-task"')
    assert "<html" not in html and "<dialog" not in html


def test_after_a_judgment_the_progress_counts_it(client_for, rita, project):
    client = client_for(rita)
    client.get(task_url(project))
    submit(Assignment.objects.get(rater=rita))

    html = text(client.get(task_url(project)))

    assert re.search(r'data-testid="done-today">1<', html)
    assert re.search(r'data-testid="quota-left">4<', html)


def test_pool_text_is_escaped_in_the_fragment(client_for, rita, owner, version):
    project = console_project(
        owner=owner, version=version, tasks=1, results=1, serp_fields={"query": XSS["query"]},
        title=XSS["title"], snippet=XSS["snippet"], media_type=XSS["media_type"],
    )  # fmt: skip
    PoolResult.objects.filter(serp__project=project).update(doc_id=XSS["doc_id"])

    html = text(client_for(rita).get(task_url(project)))

    for raw in XSS.values():
        assert raw not in html
    assert "&lt;script&gt;alert(&quot;query&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&quot;title&quot;)&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(&quot;snippet&quot;)&gt;" in html
    assert 'data-doc="&quot;&gt;&lt;i&gt;doc&lt;/i&gt;"' in html


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example/", "ftp://files.example/"],
)
def test_a_link_that_is_not_http_is_not_drawn(client_for, rita, owner, version, url):
    project = console_project(owner=owner, version=version, tasks=1, results=1, thumbnail_url=url)
    PoolResult.objects.filter(serp__project=project).update(url=url)

    html = text(client_for(rita).get(task_url(project)))

    assert "<a " not in html.split('class="sop"')[0]
    assert "<img" not in html
    assert "no link (not http/https)" in html


def test_http_links_open_away_from_the_console_without_a_referrer(client_for, rita, project):
    html = text(client_for(rita).get(task_url(project)))

    links = re.findall(r'<a class="serp-title" href="([^"]*)" target="_blank" rel="noopener noreferrer">', html)
    assert links == [f"https://videos.example/q-0/{rank}" for rank in (1, 2, 3)]


def test_a_sensitive_result_is_hidden_from_eyes_keyboard_and_screen_readers_until_revealed(
    client_for, rita, owner, version
):
    project = console_project(owner=owner, version=version, tasks=1, results=2, sensitive=(2,))

    html = text(client_for(rita).get(task_url(project)))

    sensitive = html[html.index('class="serp-result sensitive"') :]
    sensitive = sensitive[: sensitive.index("</li>")]
    assert '<div class="serp-text" inert aria-hidden="true">' in sensitive
    assert "inert>" in sensitive.split('<div class="serp-text"')[0]  # the thumbnail
    assert "Show sensitive result" in sensitive
    legend = re.search(r'<legend class="visually-hidden">([^<]*)</legend>', sensitive).group(1)
    assert legend == "Result 2 (sensitive)"


def test_a_side_by_side_task_never_names_the_variants(client_for, owner, guideline):
    version = VersionFactory(guideline=guideline, schema=SIDE_BY_SIDE_SCHEMA, published=True)
    project = side_by_side_project(owner=owner, version=version, tasks=1)
    rita = qualified_rater(version, username="rita")

    html = text(client_for(rita).get(page_url(project)))

    assert 'data-testid="side-left">Left<' in html and 'data-testid="side-right">Right<' in html
    assert "baseline" not in html and "experiment" not in html
    # The preference scale is picked by position: the keys are shown, and said to screen readers.
    assert '<div class="keys-by-position">' in html
    assert "Keys 1 to 7 choose these options in order." in html


def test_a_scale_picked_by_value_shows_no_key_caps(client_for, rita, project):
    html = text(client_for(rita).get(task_url(project)))

    # Relevance 0-4 and satisfaction 1-5: the digit is the grade. Pain points: the n-th tag.
    assert html.count('<div class="keys-by-position">') == 1
    assert "Keys 1 to 4 choose these options in order." in html


# --- When there is no task ----------------------------------------------------------------------


def test_an_empty_queue_is_a_204_fragment_and_a_thank_you_on_the_page(client_for, rita, sam, project):
    for someone in (sam, qualified_rater(project.guideline_version, username="sue")):
        for _ in range(3):
            submit(engine.lease_next(rater=someone, project=project))

    client = client_for(rita)
    fragment = client.get(task_url(project))
    page = client.get(page_url(project))

    assert fragment.status_code == 204
    assert fragment.content == b""
    assert page.status_code == 200
    assert "Nothing left here for you" in text(page)
    assert 'id="task"' not in text(page)


def pause(rater, project):
    EvaluationProject.objects.filter(pk=project.pk).update(status=EvaluationProject.Status.PAUSED)


def unqualify(rater, project):
    rater.rater_profile.qualifications.clear()


def other_locale(rater, project):
    RaterProfile.objects.filter(user=rater).update(locales=["de-DE"])


def quota_used(rater, project):
    RaterProfile.objects.filter(user=rater).update(daily_quota=1)
    submit(engine.lease_next(rater=rater, project=project))


def no_profile(rater, project):
    RaterProfile.objects.filter(user=rater).delete()


@pytest.mark.parametrize(
    ("make_unavailable", "message"),
    [
        (pause, '"Video search, Italy" is paused, not open for rating.'),
        (unqualify, 'You are not qualified for the guideline "SERP satisfaction".'),
        (no_profile, 'You are not qualified for the guideline "SERP satisfaction".'),
        (other_locale, '"Video search, Italy" needs raters for it-IT.'),
        (quota_used, "You have reached today's quota of 1 task."),
    ],
    ids=["paused", "not-qualified", "no-profile", "other-locale", "quota-reached"],
)
def test_an_unavailable_console_says_why(client_for, rita, project, make_unavailable, message):
    make_unavailable(rita, project)
    client = client_for(rita)

    page = client.get(page_url(project))
    fragment = client.get(task_url(project))

    assert page.status_code == 200
    assert "No task for you here right now" in text(page)
    assert message.replace('"', "&quot;").replace("'", "&#x27;") in text(page)
    assert 'id="task"' not in text(page)
    assert (fragment.status_code, text(fragment)) == (409, message)
    assert fragment["Content-Type"] == "text/plain; charset=utf-8"
    assert not Assignment.objects.filter(rater=rita, status=Assignment.Status.LEASED).exists()


# --- Who may open a console -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "pm", "outsider", "reviewer"])
def test_people_who_are_not_raters_cannot_open_a_console(client_for, request, project, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(page_url(project)).status_code == 404
    assert client.get(task_url(project)).status_code == 404
    assert not Assignment.objects.exists()


def test_a_console_of_a_project_that_does_not_exist_is_a_404(client_for, rita):
    assert client_for(rita).get("/console/projects/999999/").status_code == 404
    assert client_for(rita).get("/console/projects/999999/task/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    for url in (page_url(project), task_url(project)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_console_is_never_cached(client_for, rita, project):
    client = client_for(rita)
    for url in (page_url(project), task_url(project)):
        assert "no-store" in client.get(url)["Cache-Control"]


# --- Revealing a sensitive result ------------------------------------------------------------


@pytest.fixture
def sensitive_lease(owner, version, rita):
    project = console_project(owner=owner, version=version, tasks=1, results=2, sensitive=(2,))
    return engine.lease_next(rater=rita, project=project)


def test_revealing_a_result_on_your_own_task_is_logged(api, rita, sensitive_lease):
    response = api.as_user(rita).post(reveal_url(sensitive_lease.pk), {"doc_id": "q-0-v-2"}, format="json")

    assert response.status_code == 201
    assert response.json()["doc_id"] == "q-0-v-2"
    reveal = SensitiveReveal.objects.get()
    assert (reveal.assignment_id, reveal.doc_id) == (sensitive_lease.pk, "q-0-v-2")


def test_a_reveal_sent_again_is_logged_once(api, rita, sensitive_lease):
    client = api.as_user(rita)
    first = client.post(reveal_url(sensitive_lease.pk), {"doc_id": "q-0-v-2"}, format="json")

    again = client.post(reveal_url(sensitive_lease.pk), {"doc_id": "q-0-v-2"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert SensitiveReveal.objects.count() == 1


def test_revealing_on_another_raters_task_is_a_404_and_logs_nothing(api, sam, sensitive_lease):
    response = api.as_user(sam).post(reveal_url(sensitive_lease.pk), {"doc_id": "q-0-v-2"}, format="json")

    assert response.status_code == 404
    assert not SensitiveReveal.objects.exists()


def test_revealing_a_result_that_is_not_on_the_task_is_refused(api, rita, sensitive_lease):
    response = api.as_user(rita).post(reveal_url(sensitive_lease.pk), {"doc_id": "q-9-v-1"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"doc_id": ["This result is not on your task."]}
    assert not SensitiveReveal.objects.exists()


def test_revealing_a_result_that_is_not_sensitive_is_refused(api, rita, sensitive_lease):
    response = api.as_user(rita).post(reveal_url(sensitive_lease.pk), {"doc_id": "q-0-v-1"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"doc_id": ["This result is not sensitive, so there is nothing to reveal."]}
    assert not SensitiveReveal.objects.exists()


# --- Query counts -------------------------------------------------------------------------------


def test_the_console_page_runs_a_fixed_number_of_queries(client_for, rita, project, django_assert_max_num_queries):
    client = client_for(rita)
    with django_assert_max_num_queries(CONSOLE_PAGE_QUERIES):
        assert client.get(page_url(project)).status_code == 200
    with django_assert_max_num_queries(CONSOLE_PAGE_RESUMED_QUERIES):
        assert client.get(page_url(project)).status_code == 200


def test_the_task_fragment_runs_a_fixed_number_of_queries(client_for, rita, project, django_assert_max_num_queries):
    client = client_for(rita)
    with django_assert_max_num_queries(TASK_FRAGMENT_QUERIES):
        assert client.get(task_url(project)).status_code == 200


def test_the_console_costs_the_same_for_a_long_page_and_a_big_queue(
    client_for, rita, owner, version, django_assert_max_num_queries
):
    project = console_project(owner=owner, version=version, tasks=300, results=10)
    client = client_for(rita)
    with django_assert_max_num_queries(TASK_FRAGMENT_QUERIES):
        assert client.get(task_url(project)).status_code == 200
