"""Rate limits on sign-ins (the token endpoint and the login pages; per address, per username tried)
and on exports (per person).

Each test sets its rates with the `settings` fixture (the rest of the suite runs without limits) and
counts in a cache of its own, cleared first; the throttles' clock is the only thing faked.
"""

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from tests.raters.engine_fixtures import active_project
from tests.reports.judged import judged_project

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
START = 1_800_000_000.0


class Clock:
    """Stands in for time.time in the throttles: a request's moment is whatever the test says."""

    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(SimpleRateThrottle, "timer", clock)
    return clock


@pytest.fixture
def limits(settings, clock):
    """`limits(auth="3/minute")`: those rates, every other scope unlimited, and an empty count."""
    # In memory: the suite's Redis is shared with other runs and with Celery, so it is never cleared.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttles"}}
    cache.clear()

    def set_rates(**rates):
        every = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) | rates
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": every}

    return set_rates


@pytest.fixture
def project(owner, published_version):
    return active_project(owner=owner, version=published_version, tasks=1)


def token(api, username, *, password="wrong", address="10.0.0.1"):
    return api.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


# --- The request after the limit ----------------------------------------------------------------


def token_from_one_address(api, project, i):
    return token(api, f"nobody{i}")  # a new username each time: only the address repeats


def token_for_one_username(api, project, i):
    return token(api, "olivia", address=f"10.0.0.{i + 1}")  # a new address each time


def judgments_export(api, project, i):
    return api.as_user(project.owner).get(f"/api/v1/projects/{project.pk}/judgments/?format=csv")


def judgments_then_labels(api, project, i):
    kind = "judgments" if i % 2 == 0 else "labels"
    return api.as_user(project.owner).get(f"/api/v1/projects/{project.pk}/{kind}/")


LIMITS = [
    pytest.param(
        {"auth": "3/minute"}, token_from_one_address, 3, 60,
        "Too many sign-in attempts from your address: the limit is 3 per minute. Try again in 60 seconds.",
        id="token-per-address",
    ),
    pytest.param(
        {"auth_username": "2/hour"}, token_for_one_username, 2, 3600,
        "Too many sign-in attempts for this username: the limit is 2 per hour. Try again in 3600 seconds.",
        id="token-per-username",
    ),
    pytest.param(
        {"exports": "4/minute"}, judgments_export, 4, 60,
        "Too many export requests from your account: the limit is 4 per minute. Try again in 60 seconds.",
        id="judgments-export",
    ),
    pytest.param(
        {"exports": "3/second"}, judgments_then_labels, 3, 1,
        "Too many export requests from your account: the limit is 3 per second. Try again in 1 second.",
        id="judgments-and-labels-share-one-count",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rates", "send", "allowed", "wait", "message"), LIMITS)
def test_the_request_after_the_limit_gets_429_saying_which_limit_and_when_to_retry(
    api, limits, project, rates, send, allowed, wait, message
):
    limits(**rates)

    answered = [send(api, project, i).status_code for i in range(allowed)]
    refused = send(api, project, allowed)

    assert 429 not in answered
    assert refused.status_code == 429
    assert refused.json() == {"detail": message, "code": "throttled", "retry_after": wait}
    assert refused["Retry-After"] == str(wait)


def test_retry_after_counts_down_to_when_the_oldest_request_leaves_the_window(api, limits, project, clock):
    limits(exports="2/minute")
    assert judgments_export(api, project, 0).status_code == 200
    clock.now += 20
    assert judgments_export(api, project, 1).status_code == 200

    clock.now += 10
    refused = judgments_export(api, project, 2)
    assert (refused.status_code, refused["Retry-After"], refused.json()["retry_after"]) == (429, "30", 30)

    clock.now += 30
    assert judgments_export(api, project, 3).status_code == 200


# --- Everyone and everything else ---------------------------------------------------------------


def test_a_limited_address_leaves_other_addresses_alone(api, limits, owner, password):
    limits(auth="1/minute")

    assert token(api, "olivia").status_code == 400
    assert token(api, "olivia", password=password).status_code == 429
    assert token(api, "olivia", password=password, address="10.0.0.2").status_code == 200


def test_a_limited_username_leaves_other_usernames_alone(api, limits, owner, pm, password):
    limits(auth_username="1/minute")

    assert token(api, "olivia").status_code == 400
    assert token(api, "olivia", password=password, address="10.0.0.2").status_code == 429
    assert token(api, "paula", password=password).status_code == 200


def test_the_username_limit_counts_one_account_however_its_name_is_spaced_or_cased(api, limits, owner):
    limits(auth_username="2/minute")

    assert [token(api, name).status_code for name in ("olivia", " OLIVIA ", "Olivia")] == [400, 400, 429]


def test_a_request_the_address_limit_refuses_is_not_counted_against_the_username(api, limits, owner):
    limits(auth="1/minute", auth_username="2/minute")

    assert token(api, "olivia").status_code == 400
    assert token(api, "olivia").status_code == 429  # the address's limit
    # Had the refused request counted, the username would be at its limit already.
    assert token(api, "olivia", address="10.0.0.2").status_code == 400
    assert token(api, "olivia", address="10.0.0.3").status_code == 429


def test_a_request_the_username_limit_refuses_is_given_back_to_the_address(api, limits, owner):
    limits(auth="2/minute", auth_username="1/minute")

    assert token(api, "olivia", address="10.0.0.2").status_code == 400
    assert token(api, "olivia").status_code == 429  # the username's limit; the password was never tried
    # Had it stayed counted, the address would be at its limit after one more.
    assert [token(api, name).status_code for name in ("paula", "nobody", "anybody")] == [400, 400, 429]


def test_only_failed_sign_ins_stay_counted(api, client, limits, owner, password):
    limits(auth="2/minute", auth_username="2/minute")

    assert {token(api, "olivia", password=password).status_code for _ in range(5)} == {200}
    for _ in range(5):
        assert sign_in_page(client, "/login/", "olivia", password=password).status_code == 302
        client.logout()
    assert [token(api, "olivia").status_code for _ in range(3)] == [400, 400, 429]


@pytest.mark.parametrize(
    "body",
    [["olivia"], {"username": ["olivia"], "password": "x"}, {"password": "x"}],
    ids=["a-list", "a-list-as-username", "no-username"],
)
def test_a_body_without_a_username_is_refused_by_the_serializer_and_counted_by_address(api, limits, body):
    limits(auth="1/minute", auth_username="1/minute")

    first = api.post(TOKEN, body, format="json")
    second = api.post(TOKEN, body, format="json")

    assert (first.status_code, second.status_code) == (400, 429)


def test_one_persons_export_limit_leaves_other_people_and_other_routes_alone(api, limits, project, pm, password):
    limits(exports="1/minute", auth="10/minute", auth_username="10/minute")
    owner = project.owner

    assert judgments_export(api, project, 0).status_code == 200
    assert judgments_export(api, project, 1).status_code == 429
    assert api.as_user(owner).get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert api.as_user(owner).get(f"/api/v1/projects/{project.pk}/reports/").status_code == 200
    assert api.as_user(pm).get(f"/api/v1/projects/{project.pk}/labels/?format=qrels").status_code == 200
    api.credentials()
    assert token(api, "olivia", password=password).status_code == 200


def test_a_refused_export_reads_no_rows(api, limits, owner, published_version, django_assert_max_num_queries):
    project = judged_project(owner=owner, version=published_version, tasks=2, results=2, raters=2)
    limits(exports="1/minute")
    client = api.as_user(owner)
    client.get(f"/api/v1/projects/{project.pk}/labels/")

    with django_assert_max_num_queries(2) as queries:  # the token and the person's roles
        assert client.get(f"/api/v1/projects/{project.pk}/judgments/?format=csv").status_code == 429
    assert not any("raters_judgment" in query["sql"] for query in queries.captured_queries)


# --- The login pages ----------------------------------------------------------------------------


def sign_in_page(client, url, username, *, password="wrong", address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_a_login_page_over_the_limit_answers_429_with_the_message_and_retry_after(client, limits, owner, url):
    limits(auth_username="2/minute")

    answered = [sign_in_page(client, url, "olivia", address=f"10.0.0.{i}").status_code for i in (1, 2)]
    refused = sign_in_page(client, url, "olivia", address="10.0.0.3")

    assert answered == [200, 200]  # the form again, with its error
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    assert "Too many sign-in attempts for this username: the limit is 2 per minute. Try again in 60 seconds." in (
        refused.content.decode()
    )


def test_the_token_endpoint_and_both_login_pages_share_one_count(api, client, limits, owner, password):
    limits(auth_username="3/minute")

    assert token(api, "olivia").status_code == 400
    assert sign_in_page(client, "/admin/login/", "olivia").status_code == 200
    assert sign_in_page(client, "/login/", "olivia").status_code == 200
    assert token(api, "olivia", password=password).status_code == 429
    assert sign_in_page(client, "/login/", "olivia", password=password).status_code == 429


def test_opening_the_login_page_is_not_an_attempt(client, limits, db):
    limits(auth="1/minute")

    assert {client.get("/login/").status_code for _ in range(3)} == {200}
    assert sign_in_page(client, "/login/", "olivia").status_code == 200


# --- The rest of the suite ----------------------------------------------------------------------


def test_without_limits_set_by_a_test_a_script_may_ask_for_a_token_as_often_as_it_likes(api, owner, password):
    assert {token(api, "olivia", password=password).status_code for _ in range(30)} == {200}
