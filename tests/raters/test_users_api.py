"""`/api/v1/users/`: admins onboard people with a role, locales and a daily quota."""

import pytest
from django.contrib.auth import get_user_model

from raters.models import RaterProfile

User = get_user_model()
URL = "/api/v1/users/"
GOOD = {"username": "giulia", "password": "a-long-secret-9", "role": "rater", "locales": ["it-IT"], "daily_quota": 150}


def test_an_admin_creates_a_rater_with_locales_and_quota(api, admin_user):
    response = api.as_user(admin_user).post(URL, GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in ("username", "role", "locales", "daily_quota")} == {
        "username": "giulia", "role": "rater", "locales": ["it-IT"], "daily_quota": 150,
    }  # fmt: skip
    assert "password" not in body
    giulia = User.objects.get(username="giulia")
    assert giulia.check_password("a-long-secret-9")
    assert list(giulia.groups.values_list("name", flat=True)) == ["rater"]


def test_the_new_person_can_get_a_token_and_log_in(api, admin_user):
    api.as_user(admin_user).post(URL, GOOD, format="json")
    api.credentials()
    response = api.post("/api/v1/auth/token/", {"username": "giulia", "password": "a-long-secret-9"}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"role": "boss"}, {"role": ['"boss" is not a valid choice.']}),
        ({"locales": ["italian"]}, {"locales": ['"italian" is not a locale tag like it-IT, pt-BR or zh-Hant-TW']}),
        ({"locales": ["it-IT", "it-IT"]}, {"locales": ["A locale is listed twice."]}),
        ({"locales": ["it-it"]}, {"locales": ['"it-it" is not a locale tag like it-IT, pt-BR or zh-Hant-TW']}),
        ({"daily_quota": -1}, {"daily_quota": ["Ensure this value is greater than or equal to 0."]}),
        ({"daily_quota": 10_001}, {"daily_quota": ["Ensure this value is less than or equal to 10000."]}),
        ({"password": "short"}, {"password": ["This password is too short. It must contain at least 8 characters."]}),
        ({"password": "password"}, {"password": ["This password is too common."]}),
        ({"username": "has space"}, {"username": ["This value does not match the required pattern."]}),
        ({"username": ""}, {"username": ["This field may not be blank."]}),
    ],
)
def test_a_bad_person_is_refused_field_by_field_and_nothing_is_created(api, admin_user, change, errors):
    before = User.objects.count()
    response = api.as_user(admin_user).post(URL, {**GOOD, **change}, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert User.objects.count() == before


def test_a_taken_username_is_refused(api, admin_user, rater):
    response = api.as_user(admin_user).post(URL, {**GOOD, "username": rater.username}, format="json")
    assert response.status_code == 400
    assert response.json() == {"username": [f'The username "{rater.username}" is taken.']}


def test_a_vendor_list_is_onboarded_all_at_once(api, admin_user):
    people = [{**GOOD, "username": f"vendor-{n}"} for n in range(5)]
    response = api.as_user(admin_user).post(URL, people, format="json")
    assert response.status_code == 201
    assert [person["username"] for person in response.json()] == [f"vendor-{n}" for n in range(5)]
    assert RaterProfile.objects.filter(user__username__startswith="vendor-", locales=["it-IT"]).count() == 5


def test_one_bad_person_in_a_vendor_list_means_nobody_is_created(api, admin_user, rater):
    people = [
        {**GOOD, "username": "vendor-0"},
        {**GOOD, "username": rater.username},
        {**GOOD, "username": "vendor-0"},
        {**GOOD, "username": "vendor-3", "locales": ["xx_YY"]},
    ]
    response = api.as_user(admin_user).post(URL, people, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "people[1].username": [f'The username "{rater.username}" is taken.'],
        "people[2].username": ['"vendor-0" appears twice in this request.'],
        "people[3].locales": ['"xx_YY" is not a locale tag like it-IT, pt-BR or zh-Hant-TW'],
    }
    assert not User.objects.filter(username__startswith="vendor-").exists()


def test_admins_list_people_with_their_roles_and_filter_by_role(
    api, admin_user, rater, pm, django_assert_max_num_queries
):
    for n in range(5):
        api.as_user(admin_user).post(URL, {**GOOD, "username": f"r{n}"}, format="json")
    with django_assert_max_num_queries(6):
        response = api.get(URL)
    assert response.status_code == 200
    roles = {person["username"]: person["role"] for person in response.json()["results"]}
    assert roles["ada"] == "admin" and roles["rita"] == "rater" and roles["paula"] == "pm"
    only_raters = api.get(URL, {"role": "rater"}).json()["results"]
    assert {person["role"] for person in only_raters} == {"rater"}
    assert len(only_raters) == 6


def test_an_unknown_role_filter_is_refused_rather_than_listing_everyone(api, admin_user):
    # Found by schemathesis: ?role=AAA listed every person.
    response = api.as_user(admin_user).get(URL, {"role": "raters"})

    assert (response.status_code, response.json()) == (400, {"role": ['"raters" is not a valid choice.']})


@pytest.mark.parametrize("persona", ["owner", "rater", "reviewer", "pm", "outsider"])
def test_only_admins_may_see_or_create_people(api, request, persona):
    user = request.getfixturevalue(persona)
    api.as_user(user)
    assert api.get(URL).status_code == 403
    assert api.post(URL, GOOD, format="json").status_code == 403
    assert not User.objects.filter(username="giulia").exists()


def test_anonymous_callers_are_asked_to_authenticate(api, db):
    assert api.get(URL).status_code == 401


def test_a_rater_is_onboarded_with_the_guidelines_they_are_qualified_for(api, admin_user, published_version):
    response = api.as_user(admin_user).post(URL, {**GOOD, "qualifications": ["serp"]}, format="json")
    assert response.status_code == 201
    assert response.json()["qualifications"] == ["serp"]
    profile = RaterProfile.objects.get(user__username="giulia")
    assert list(profile.qualifications.values_list("slug", flat=True)) == ["serp"]


def test_a_qualification_for_an_unknown_guideline_is_refused(api, admin_user):
    response = api.as_user(admin_user).post(URL, {**GOOD, "qualifications": ["nope"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"qualifications": ['There is no guideline "nope".']}
    assert not User.objects.filter(username="giulia").exists()
