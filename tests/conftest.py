"""Shared fixtures: personas, factories and the browser.

Personas follow STYLE.md: an owner and another owner, a rater, a reviewer, a PM, an admin
and an outsider (an account with no role).
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import PASSWORD, GuidelineFactory, UserFactory, VersionFactory


@pytest.fixture(scope="session", autouse=True)
def no_stray_connections_at_the_end(django_db_setup, django_db_blocker):
    """End other sessions on the test database (server threads, workers) so it can be dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a login; the tests are about access, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    # Tests sign in and export far faster than people do; tests/evalconsole/test_throttles.py sets its own rates.
    rates = {scope: None for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(username="olivia", role="owner")


@pytest.fixture
def other_owner(db):
    return UserFactory(username="oscar", role="owner")


@pytest.fixture
def rater(db):
    return UserFactory(username="rita", role="rater", locales=["it-IT"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="ruben", role="reviewer")


@pytest.fixture
def pm(db):
    return UserFactory(username="paula", role="pm")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", role="admin")


@pytest.fixture
def outsider(db):
    return UserFactory(username="otto")


@pytest.fixture
def guideline(owner):
    return GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")


@pytest.fixture
def published_version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True)


@pytest.fixture
def draft_version(guideline, published_version):
    return VersionFactory(guideline=guideline, number=2, changelog="Clarify grade 2.")


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs it in with a token, as R&D scripts do."""

    class Client(APIClient):
        def as_user(self, user):
            from rest_framework.authtoken.models import Token

            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return self

    return Client()


@pytest.fixture
def client_for(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
