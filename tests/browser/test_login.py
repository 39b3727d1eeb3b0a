"""Logging in through the real form: every role lands on its own home."""

import re

import pytest
from playwright.sync_api import expect

# serialized_rollback: the flush after each live-server test would otherwise drop the role
# groups that a data migration created, and the next test could not give anyone a role.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOMES = [
    ("rater", "/console/", "My queue"),
    ("reviewer", "/review/", "Review"),
    ("owner", "/projects/", "Projects"),
    ("pm", "/dashboards/", "Dashboards"),
    ("admin_user", "/admin/", "Site administration"),
]


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(("persona", "home", "heading"), HOMES)
def test_each_role_logs_in_and_lands_on_its_own_home(request, page, live_server, password, persona, home, heading):
    user = request.getfixturevalue(persona)

    log_in(page, live_server, user.username, password)

    expect(page).to_have_url(f"{live_server.url}{home}")
    expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()


def test_the_admin_lands_in_the_django_admin(page, live_server, admin_user, password):
    log_in(page, live_server, admin_user.username, password)

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Django administration")).to_be_visible()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


@pytest.mark.parametrize("persona", ["rater", "reviewer", "owner", "pm"])
def test_the_top_bar_says_who_is_signed_in(request, page, live_server, password, persona):
    user = request.getfixturevalue(persona)

    log_in(page, live_server, user.username, password)

    expect(page.get_by_test_id("signed-in-as")).to_have_text(f"{user.username} · {persona}")


def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(page, live_server, rater):
    log_in(page, live_server, rater.username, "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("That username and password do not match. Try again.")
    expect(page).to_have_url(re.compile(r"/login/$"))
    # The username is kept so only the password needs typing again.
    expect(page.get_by_label("Username")).to_have_value(rater.username)
    expect(page.get_by_label("Password")).to_have_value("")


def test_an_unknown_username_shows_the_same_error(page, live_server, password, db):
    log_in(page, live_server, "nobody-here", password)

    expect(page.get_by_role("alert")).to_have_text("That username and password do not match. Try again.")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_logging_out_returns_to_the_login_page(page, live_server, sign_in, rater):
    sign_in(rater)
    expect(page).to_have_url(f"{live_server.url}/console/")

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)


def test_an_admin_logging_out_of_the_django_admin_returns_to_the_login_page(page, live_server, sign_in, admin_user):
    sign_in(admin_user)
    expect(page).to_have_url(f"{live_server.url}/admin/")

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_after_logging_out_the_console_asks_for_a_login_again(page, live_server, sign_in, rater):
    sign_in(rater)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")

    page.goto(f"{live_server.url}/console/")

    expect(page).to_have_url(f"{live_server.url}/login/?next=/console/")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_logging_in_from_a_deep_link_returns_to_it(page, live_server, password, owner):
    page.goto(f"{live_server.url}/guidelines/new/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))

    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/guidelines/new/")
    expect(page.get_by_role("heading", level=1, name="New guideline")).to_be_visible()
