"""API tokens: the person and their roles come in one query, with DRF's checks and messages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from evalconsole.authentication import TokenWithRolesAuthentication
from evalconsole.roles import Role, roles_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def authenticate(key):
    return TokenWithRolesAuthentication().authenticate_credentials(key)


@pytest.mark.parametrize(
    ("role", "extra_groups", "expected"),
    [
        ("rater", [], {Role.RATER}),
        ("owner", [], {Role.OWNER}),
        ("pm", [], {Role.PM}),
        ("rater", ["reviewer"], {Role.RATER, Role.REVIEWER}),
        ("admin", [], {Role.ADMIN}),
        (None, ["not-a-role"], set()),
    ],
)
def test_a_token_brings_its_person_and_their_roles_in_one_query(
    role, extra_groups, expected, django_assert_num_queries
):
    person = UserFactory(role=role) if role else UserFactory()
    for name in extra_groups:
        person.groups.add(Group.objects.get_or_create(name=name)[0])
    key = Token.objects.create(user=person).key

    with django_assert_num_queries(1):
        user, token = authenticate(key)
        assert roles_of(user) == expected

    stored = get_user_model().objects.get(pk=person.pk)
    assert (user.pk, user.username, user.is_staff, user.date_joined) == (
        stored.pk, stored.username, stored.is_staff, stored.date_joined
    )  # fmt: skip
    assert (token.key, token.user) == (key, user)
    assert token.created == Token.objects.get(key=key).created


def test_a_token_of_a_deactivated_person_is_refused_as_drf_does():
    person = UserFactory(role="rater", is_active=False)
    key = Token.objects.create(user=person).key

    with pytest.raises(exceptions.AuthenticationFailed, match="User inactive or deleted."):
        authenticate(key)


@pytest.mark.parametrize("key", ["not-a-real-token", "", "x" * 40, "' OR '1'='1"])
def test_an_unknown_token_is_refused(key):
    Token.objects.create(user=UserFactory(role="rater"))

    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid token."):
        authenticate(key)


def test_the_api_answers_401_to_a_bad_token_and_serves_a_good_one(api):
    person = UserFactory(role="pm")
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert api.get("/api/v1/projects/").status_code == 401

    api.as_user(person)
    assert api.get("/api/v1/projects/").status_code == 200
