"""The owner's pages: write a guideline, edit its draft with a live preview, publish, compare."""

import html
import json
import re

import pytest

from guidelines import services
from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA
from tests.factories import GuidelineFactory, UserFactory, VersionFactory

TEXT_ONLY = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}


def text(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html.unescape(response.content.decode())


def errors_beside(response, field: str) -> list[str]:
    """The messages shown under one form field."""
    match = re.search(
        rf'<ul class="errorlist" role="alert" data-field="{field}">(.*?)</ul>', response.content.decode(), re.S
    )
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def problems_listed(response) -> list[str]:
    match = re.search(r'data-testid="schema-problems">.*?<ul>(.*?)</ul>', response.content.decode(), re.S)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def edit_form(version, **changes) -> dict:
    """What the edit form posts, with the version's current values unless changed."""
    data = {
        "body_markdown": version.body_markdown,
        "schema": json.dumps(version.schema, indent=2),
        "changelog": version.changelog,
    }
    return {**data, **changes}


def row(version):
    return GuidelineVersion.objects.values().get(pk=version.pk)


# --- The list and the create form -------------------------------------------------------


def test_the_list_shows_each_guideline_with_its_published_and_draft_versions(client_for, owner, draft_version):
    response = client_for(owner).get("/guidelines/")

    assert response.status_code == 200
    page = text(response)
    assert "SERP satisfaction" in page
    assert '<a href="/guidelines/serp/v2/edit/">v2</a>' in page
    assert "<td>v1</td>" in page
    assert "New guideline" in page


def test_the_list_offers_no_create_button_to_a_pm(client_for, pm, draft_version):
    page = text(client_for(pm).get("/guidelines/"))
    assert "SERP satisfaction" in page
    assert "New guideline" not in page


def test_the_list_costs_a_fixed_number_of_queries(client_for, owner, other_owner, django_assert_max_num_queries):
    for n in range(6):
        guideline = GuidelineFactory(owner=owner if n % 2 else other_owner, slug=f"g{n}", name=f"Guideline {n}")
        VersionFactory(guideline=guideline, number=1, published=True)
        VersionFactory(guideline=guideline, number=2, created_by=UserFactory())
    client = client_for(owner)

    # Session, user, roles, guidelines.
    with django_assert_max_num_queries(4):
        response = client.get("/guidelines/")
    assert text(response).count("/edit/") == 6


def test_an_empty_list_invites_the_owner_to_start_one(client_for, owner):
    assert "No guidelines yet. Start one with" in text(client_for(owner).get("/guidelines/"))


def test_the_create_form_makes_a_guideline_and_opens_its_first_draft(client_for, owner):
    client = client_for(owner)
    assert client.get("/guidelines/new/").status_code == 200

    response = client.post("/guidelines/new/", {"name": "Food queries", "slug": "", "description": "Recipes."})

    assert response.status_code == 302
    assert response["Location"] == "/guidelines/food-queries/v1/edit/"
    guideline = Guideline.objects.get(slug="food-queries")
    assert (guideline.owner, guideline.description) == (owner, "Recipes.")
    assert "Created Food queries. Version 1 is a draft" in text(client.get(response["Location"]))


BAD_CREATE_FORMS = [
    pytest.param({"name": "", "slug": "food"}, "name", ["This field is required."], id="no-name"),
    pytest.param(
        {"name": "Food", "slug": "Food Queries"},
        "slug",
        ['"Food Queries" is not a valid slug; use lower-case letters, digits and hyphens (at most 64).'],
        id="bad-slug",
    ),
    pytest.param(
        {"name": "SERP", "slug": "serp"}, "slug", ['A guideline with slug "serp" already exists.'], id="taken-slug"
    ),
    pytest.param(
        {"name": "Food", "slug": "f" * 65},
        "slug",
        ["Ensure this value has at most 64 characters (it has 65)."],
        id="slug-too-long",
    ),
]


@pytest.mark.parametrize(("data", "field", "messages"), BAD_CREATE_FORMS)
def test_the_create_form_shows_each_error_beside_its_field(client_for, owner, guideline, data, field, messages):
    response = client_for(owner).post("/guidelines/new/", data)

    assert response.status_code == 200
    assert errors_beside(response, field) == messages
    assert Guideline.objects.count() == 1


def test_the_create_form_keeps_what_was_typed_for_the_author_to_fix(client_for, owner, guideline):
    response = client_for(owner).post("/guidelines/new/", {"name": "Food", "slug": "Bad Slug", "description": "Kept."})

    page = response.content.decode()
    assert 'name="name" value="Food"' in page
    assert 'name="slug" value="Bad Slug"' in page
    assert "Kept.</textarea>" in page


# --- Reading a guideline ----------------------------------------------------------------


def test_the_detail_page_lists_versions_with_what_the_owner_can_do(client_for, owner, draft_version):
    page = text(client_for(owner).get("/guidelines/serp/"))

    assert '<a href="/guidelines/serp/v2/">v2</a>' in page
    assert '<a href="/guidelines/serp/v1/">v1</a>' in page
    assert 'href="/guidelines/serp/v2/edit/">Edit draft</a>' in page
    assert 'action="/guidelines/serp/v1/retire/"' in page
    # A draft is open, so no second one is offered.
    assert 'action="/guidelines/serp/versions/new/"' not in page


def test_the_detail_page_offers_a_new_version_when_there_is_no_draft(client_for, owner, published_version):
    assert 'action="/guidelines/serp/versions/new/"' in text(client_for(owner).get("/guidelines/serp/"))


def test_another_owner_reads_the_detail_page_without_edit_buttons(client_for, other_owner, draft_version):
    page = text(client_for(other_owner).get("/guidelines/serp/"))
    assert "v2" in page
    assert "Edit draft" not in page
    assert "/retire/" not in page


def test_the_version_page_shows_the_rendered_sop_and_the_rating_controls(client_for, owner, guideline):
    VersionFactory(
        guideline=guideline, number=1, published=True, body_markdown="# Purpose\n\n<script>alert(1)</script>Rate."
    )

    response = client_for(owner).get("/guidelines/serp/v1/")

    assert response.status_code == 200
    page = text(response)
    assert "<h2>Purpose</h2>" in page
    assert "alert(1)" not in page
    assert 'data-testid="version-status">Published</span>' in page
    assert "this version can no longer change" in page
    assert 'data-question="relevance" data-type="ordinal"' in page
    assert "Edit draft" not in page


def test_a_rater_reads_a_published_version_but_not_a_draft(client_for, rater, draft_version):
    client = client_for(rater)
    assert client.get("/guidelines/serp/v1/").status_code == 200
    assert client.get("/guidelines/serp/v2/").status_code == 404
    assert "v2" not in text(client.get("/guidelines/serp/")).split('data-testid="versions"')[1]


def test_a_raters_list_neither_links_to_nor_counts_a_draft(client_for, rater, draft_version):
    page = text(client_for(rater).get("/guidelines/"))

    assert "SERP satisfaction" in page
    assert "/guidelines/serp/v2/" not in page
    assert "<td>2</td>" not in page


# --- Editing a draft --------------------------------------------------------------------


def test_the_edit_page_shows_the_draft_in_a_form_with_a_preview(client_for, owner, draft_version):
    response = client_for(owner).get("/guidelines/serp/v2/edit/")

    assert response.status_code == 200
    page = text(response)
    assert '<h1>Version 2 <span class="badge draft">Draft</span></h1>' in page
    assert '"satisfied_threshold": 4' in page
    assert 'data-preview-url="/guidelines/preview/"' in page
    assert 'data-testid="sop-preview"><h2>Rate the page</h2>' in page


def test_saving_the_draft_stores_it_and_comes_back_to_the_editor(client_for, owner, draft_version):
    client = client_for(owner)

    response = client.post(
        "/guidelines/serp/v2/edit/",
        edit_form(draft_version, body_markdown="# New rules", schema=json.dumps(TEXT_ONLY), changelog="Comments only."),
    )

    assert response.status_code == 302
    assert response["Location"] == "/guidelines/serp/v2/edit/"
    draft_version.refresh_from_db()
    assert (draft_version.body_markdown, draft_version.schema, draft_version.changelog) == (
        "# New rules",
        TEXT_ONLY,
        "Comments only.",
    )
    assert "Saved draft version 2." in text(client.get(response["Location"]))


def test_a_bad_schema_is_shown_beside_the_field_and_not_saved(client_for, owner, draft_version):
    before = row(draft_version)
    bad = {
        "result_questions": [{"key": "relevance", "label": "Needs met", "type": "ordinal", "options": []}],
        "colour": 1,
    }

    response = client_for(owner).post("/guidelines/serp/v2/edit/", edit_form(draft_version, schema=json.dumps(bad)))

    assert response.status_code == 200
    assert errors_beside(response, "schema") == [
        "colour: unknown setting; expected one of cannot_judge_reasons, page_questions, relevant_threshold, "
        "result_questions, satisfied_threshold",
        "result_questions[0].options: must not be empty",
    ]
    assert row(draft_version) == before


def test_after_a_refused_save_the_preview_shows_what_was_typed(client_for, owner, draft_version):
    bad = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text", "options": []}]}

    response = client_for(owner).post("/guidelines/serp/v2/edit/", edit_form(draft_version, schema=json.dumps(bad)))

    assert problems_listed(response) == ["page_questions[0].options: text questions take no options"]
    assert 'data-testid="rating-controls"' not in text(response)


def test_the_editor_stores_what_a_browser_sends_with_plain_line_endings(client_for, owner, draft_version):
    client_for(owner).post(
        "/guidelines/serp/v2/edit/", edit_form(draft_version, body_markdown="# A\r\n\r\nB", changelog="x\r\ny")
    )

    draft_version.refresh_from_db()
    assert (draft_version.body_markdown, draft_version.changelog) == ("# A\n\nB", "x\ny")


def test_broken_json_is_shown_beside_the_field_with_its_line_and_column(client_for, owner, draft_version):
    before = row(draft_version)

    response = client_for(owner).post(
        "/guidelines/serp/v2/edit/", edit_form(draft_version, schema='{\n  "page_questions": [\n    oops\n  ]\n}')
    )

    assert response.status_code == 200
    assert errors_beside(response, "schema") == ["The schema is not valid JSON: Expecting value at line 3, column 5."]
    assert row(draft_version) == before


def test_the_edit_page_of_a_published_version_answers_409_with_the_reason(client_for, owner, published_version):
    response = client_for(owner).get("/guidelines/serp/v1/edit/")

    assert response.status_code == 409
    assert (
        'data-testid="conflict">Version 1 of "serp" is published and cannot be changed. Start a new version instead.'
        in (text(response))
    )


@pytest.mark.parametrize("status", ["published", "retired"])
def test_posting_to_the_edit_page_of_a_frozen_version_changes_nothing(client_for, owner, published_version, status):
    if status == "retired":
        services.version_retire(version=published_version)
    before = row(published_version)

    response = client_for(owner).post(
        "/guidelines/serp/v1/edit/",
        edit_form(published_version, body_markdown="# Sneaky", schema=json.dumps(TEXT_ONLY), changelog="Rewritten."),
    )

    assert response.status_code == 409
    assert f'Version 1 of "serp" is {status} and cannot be changed.' in text(response)
    assert row(published_version) == before


# --- The live preview -------------------------------------------------------------------


def test_the_preview_renders_the_sop_and_the_rating_controls(client_for, owner):
    response = client_for(owner).post(
        "/guidelines/preview/",
        {"body_markdown": "## Grades\n\n<img src=x onerror=alert(1)>", "schema": json.dumps(STARTER_SCHEMA)},
    )

    assert response.status_code == 200
    fragment = text(response)
    assert fragment.lstrip().startswith('<div class="preview" data-testid="preview">')
    assert "<html" not in fragment
    assert "<h3>Grades</h3>" in fragment
    assert "onerror" not in fragment
    assert 'data-question="satisfaction"' in fragment
    assert problems_listed(response) == []


def test_the_preview_lists_the_problems_of_a_bad_schema(client_for, owner):
    bad = {"page_questions": [{"key": "Comment", "label": "Comment", "type": "text"}], "satisfied_threshold": 4}

    response = client_for(owner).post("/guidelines/preview/", {"body_markdown": "", "schema": json.dumps(bad)})

    assert response.status_code == 200
    assert problems_listed(response) == [
        'page_questions[0].key: "Comment" is not a valid key; use lower-case letters, digits and underscores, '
        "starting with a letter, at most 40 characters",
        'satisfied_threshold: needs an ordinal page question with key "satisfaction" to apply to',
    ]
    assert 'data-testid="rating-controls"' not in text(response)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        pytest.param(
            '{"page_questions": [}',
            "The schema is not valid JSON: Expecting value at line 1, column 21.",
            id="one-line",
        ),
        pytest.param(
            '{\n  "a": 1\n  "b": 2\n}',
            "The schema is not valid JSON: Expecting ',' delimiter at line 3, column 3.",
            id="missing-comma",
        ),
        pytest.param(
            "{'a': 1}",
            "The schema is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2.",
            id="single-quotes",
        ),
    ],
)
def test_the_preview_says_where_the_json_is_broken(client_for, owner, schema, message):
    response = client_for(owner).post("/guidelines/preview/", {"body_markdown": "", "schema": schema})

    assert response.status_code == 200
    assert problems_listed(response) == [message]


# --- Publishing, new versions, retiring, discarding -------------------------------------


def test_publishing_a_draft_freezes_it_and_shows_the_version(client_for, owner, draft_version):
    client = client_for(owner)

    response = client.post("/guidelines/serp/v2/publish/")

    assert response.status_code == 302
    assert response["Location"] == "/guidelines/serp/v2/"
    draft_version.refresh_from_db()
    assert draft_version.status == "published"
    assert "Published version 2. It can no longer change." in text(client.get(response["Location"]))


def test_publishing_without_a_changelog_goes_back_to_the_editor_with_the_reason(client_for, owner, draft_version):
    services.version_update(version=draft_version, changelog="")
    client = client_for(owner)

    response = client.post("/guidelines/serp/v2/publish/")

    assert response["Location"] == "/guidelines/serp/v2/edit/"
    assert "Say what changed since version 1 before publishing." in text(client.get(response["Location"]))
    draft_version.refresh_from_db()
    assert draft_version.status == "draft"


def test_publishing_a_published_version_again_is_a_409_page(client_for, owner, published_version):
    response = client_for(owner).post("/guidelines/serp/v1/publish/")
    assert response.status_code == 409
    assert 'Version 1 of "serp" is already published.' in text(response)


def test_a_new_version_copies_the_latest_and_opens_the_editor(client_for, owner, published_version):
    response = client_for(owner).post("/guidelines/serp/versions/new/")

    assert response.status_code == 302
    assert response["Location"] == "/guidelines/serp/v2/edit/"
    assert GuidelineVersion.objects.get(number=2).schema == published_version.schema


def test_a_second_draft_is_refused_with_a_409_page(client_for, owner, draft_version):
    response = client_for(owner).post("/guidelines/serp/versions/new/")
    assert response.status_code == 409
    assert 'Version 2 of "serp" is still a draft: edit or publish it before starting another.' in text(response)


def test_retiring_and_discarding_from_the_detail_page(client_for, owner, draft_version):
    client = client_for(owner)

    assert client.post("/guidelines/serp/v1/retire/")["Location"] == "/guidelines/serp/"
    assert client.post("/guidelines/serp/v2/discard/")["Location"] == "/guidelines/serp/"

    assert list(GuidelineVersion.objects.values_list("number", "status")) == [(1, "retired")]


def test_discarding_a_published_version_is_a_409_page(client_for, owner, published_version):
    response = client_for(owner).post("/guidelines/serp/v1/discard/")
    assert response.status_code == 409
    assert GuidelineVersion.objects.filter(pk=published_version.pk).exists()


@pytest.mark.parametrize(
    "path", ["/guidelines/serp/versions/new/", "/guidelines/serp/v2/publish/", "/guidelines/serp/v1/retire/"]
)
def test_state_changes_need_a_post(client_for, owner, draft_version, path):
    assert client_for(owner).get(path).status_code == 405


# --- Comparing versions -----------------------------------------------------------------


def test_the_diff_page_compares_the_two_newest_versions_by_default(client_for, owner, guideline):
    VersionFactory(guideline=guideline, number=1, published=True, body_markdown="# Rules\nGrade 2: partly")
    schema = {**STARTER_SCHEMA, "satisfied_threshold": 5}
    VersionFactory(
        guideline=guideline,
        number=2,
        body_markdown="# Rules\nGrade 2: moderately",
        schema=schema,
        changelog="Stricter.",
    )

    response = client_for(owner).get("/guidelines/serp/diff/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Version 1 → version 2</h1>" in page
    assert "<strong>Changed</strong> <code>satisfied_threshold</code>: <del>4</del> → <ins>5</ins>" in page
    assert '<tr class="delete"><td class="num">2</td><td class="num"></td>' in page
    assert '<tr class="insert"><td class="num"></td><td class="num">2</td>' in page
    assert "Grade 2: moderately" in page


def test_the_diff_page_compares_the_versions_asked_for(client_for, owner, guideline):
    for number in (1, 2):
        VersionFactory(guideline=guideline, number=number, published=True, body_markdown=f"v{number}")
    VersionFactory(guideline=guideline, number=3, body_markdown="v3")

    page = text(client_for(owner).get("/guidelines/serp/diff/?from=1&to=3"))

    assert "<h1>Version 1 → version 3</h1>" in page
    assert 'data-testid="schema-unchanged"' in page


def test_the_diff_page_with_one_version_says_there_is_nothing_to_compare(client_for, owner, published_version):
    assert "There is only one version so far; nothing to compare." in text(
        client_for(owner).get("/guidelines/serp/diff/")
    )


@pytest.mark.parametrize("query", ["?from=1&to=9", "?from=x&to=2"])
def test_the_diff_page_of_an_unknown_version_is_404(client_for, owner, draft_version, query):
    assert client_for(owner).get(f"/guidelines/serp/diff/{query}").status_code == 404


# --- Who may do what --------------------------------------------------------------------

CREATE = [("get", "/guidelines/new/"), ("post", "/guidelines/new/"), ("post", "/guidelines/preview/")]
WRITES = [
    ("get", "/guidelines/serp/v2/edit/"),
    ("post", "/guidelines/serp/v2/edit/"),
    ("post", "/guidelines/serp/v2/publish/"),
    ("post", "/guidelines/serp/v2/discard/"),
    ("post", "/guidelines/serp/v1/retire/"),
]


@pytest.mark.parametrize(("method", "path"), CREATE)
@pytest.mark.parametrize("persona", ["rater", "pm", "reviewer", "outsider"])
def test_only_owners_and_admins_create_guidelines_or_use_the_preview(client_for, request, persona, method, path):
    response = getattr(client_for(request.getfixturevalue(persona)), method)(
        path, {"name": "Food", "schema": json.dumps(TEXT_ONLY)}
    )
    assert response.status_code == 403
    assert not Guideline.objects.exists()


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("persona", ["rater", "pm", "reviewer", "other_owner"])
def test_people_who_see_a_guideline_but_do_not_own_it_get_403_on_every_write(
    client_for, request, persona, draft_version, method, path
):
    before = list(GuidelineVersion.objects.values())

    response = getattr(client_for(request.getfixturevalue(persona)), method)(
        path, edit_form(draft_version, body_markdown="# Sneaky")
    )

    assert response.status_code == 403
    assert "Only the guideline's owner or an admin can change it." in text(response)
    assert list(GuidelineVersion.objects.values()) == before


def test_another_owner_cannot_start_a_new_version(client_for, other_owner, published_version):
    assert client_for(other_owner).post("/guidelines/serp/versions/new/").status_code == 403
    assert GuidelineVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/guidelines/serp/"),
        ("get", "/guidelines/serp/v1/"),
        ("get", "/guidelines/serp/diff/"),
        ("post", "/guidelines/serp/versions/new/"),
        *WRITES,
    ],
)
def test_an_outsider_gets_404_for_anything_in_a_guideline(client_for, outsider, draft_version, method, path):
    before = list(GuidelineVersion.objects.values())

    response = getattr(client_for(outsider), method)(path, edit_form(draft_version))

    assert response.status_code == 404
    assert list(GuidelineVersion.objects.values()) == before


def test_an_outsider_sees_an_empty_list(client_for, outsider, draft_version):
    response = client_for(outsider).get("/guidelines/")
    assert response.status_code == 200
    assert "SERP satisfaction" not in text(response)
    assert "No guidelines yet." in text(response)


def test_an_admin_edits_anyones_draft(client_for, admin_user, draft_version):
    response = client_for(admin_user).post("/guidelines/serp/v2/edit/", edit_form(draft_version, changelog="By ada."))
    assert response.status_code == 302
    draft_version.refresh_from_db()
    assert draft_version.changelog == "By ada."


@pytest.mark.parametrize("path", ["/guidelines/", "/guidelines/new/", "/guidelines/serp/", "/guidelines/serp/v1/edit/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, published_version, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"
