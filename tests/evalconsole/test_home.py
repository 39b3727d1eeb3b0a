import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

HOMES = [
    ("rater", "/console/"),
    ("reviewer", "/review/"),
    ("owner", "/projects/"),
    ("pm", "/dashboards/"),
    ("admin", "/admin/"),
]


@pytest.mark.parametrize(("role", "home"), HOMES)
def test_each_role_lands_on_its_own_home(client, db, role, home):
    user = UserFactory(role=role)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_a_person_with_several_roles_lands_on_the_most_senior_home(client, db):
    user = UserFactory(role="rater")
    user.groups.add(Group.objects.get_or_create(name="owner")[0])
    client.force_login(user)
    assert client.get("/")["Location"] == "/projects/"


def test_an_account_without_a_role_is_told_to_ask_an_admin(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 403
    assert b"Ask an admin" in response.content


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/console/", "/review/", "/dashboards/"])
def test_a_role_home_refuses_people_without_that_role(client, outsider, path):
    client.force_login(outsider)
    assert client.get(path).status_code == 403
