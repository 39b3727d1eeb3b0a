"""The REST contract for guidelines and versions (DESIGN.md, "REST API v1")."""

import copy

import pytest

from guidelines import services
from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA
from tests.factories import GuidelineFactory, UserFactory, VersionFactory

GUIDELINES = "/api/v1/guidelines/"
SERP = "/api/v1/guidelines/serp/"
VERSIONS = "/api/v1/guidelines/serp/versions/"
V1 = "/api/v1/guidelines/serp/versions/1/"
V2 = "/api/v1/guidelines/serp/versions/2/"
FROZEN = {
    "detail": 'Version 1 of "serp" is published and cannot be changed. Start a new version instead.',
    "code": "version_frozen",
}
TYPES = "ordinal, categorical, multi, boolean, text"
TEXT_ONLY = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}


def row(version):
    """Everything stored for a version, to show that a refused request changed nothing."""
    return GuidelineVersion.objects.values().get(pk=version.pk)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Guidelines -------------------------------------------------------------------------


def test_the_list_shows_each_guideline_with_its_version_numbers(api, owner, draft_version):
    [item] = results(api.as_user(owner).get(GUIDELINES))

    assert item == {
        "slug": "serp",
        "name": "SERP satisfaction",
        "description": "",
        "owner": "olivia",
        "created_at": item["created_at"],
        "latest_version": 2,
        "published_version": 1,
    }


def test_the_list_is_paginated_and_sorted_by_name(api, owner):
    for name in ["Zebra", "Apple", "Mango"]:
        GuidelineFactory(owner=owner, name=name)

    body = api.as_user(owner).get(GUIDELINES).json()

    assert body["count"] == 3
    assert [g["name"] for g in body["results"]] == ["Apple", "Mango", "Zebra"]
    assert body["next"] is None and body["previous"] is None


def test_an_owner_creates_a_guideline_with_a_first_draft(api, owner):
    response = api.as_user(owner).post(
        GUIDELINES, {"slug": "food", "name": "Food queries", "description": "Recipes and restaurants."}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("slug", "name", "description", "owner", "latest_version", "published_version")} == {
        "slug": "food",
        "name": "Food queries",
        "description": "Recipes and restaurants.",
        "owner": "olivia",
        "latest_version": 1,
        "published_version": None,
    }
    version = GuidelineVersion.objects.get(guideline__slug="food")
    assert (version.number, version.status, version.schema) == (1, "draft", STARTER_SCHEMA)


def test_the_slug_is_made_from_the_name_when_left_out(api, owner):
    response = api.as_user(owner).post(GUIDELINES, {"name": "Food queries"}, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == "food-queries"


BAD_GUIDELINE_INPUT = [
    pytest.param({}, {"name": ["This field is required."]}, id="no-name"),
    pytest.param({"name": ""}, {"name": ["This field may not be blank."]}, id="blank-name"),
    pytest.param(
        {"name": "x" * 201}, {"name": ["Ensure this field has no more than 200 characters."]}, id="name-too-long"
    ),
    pytest.param(
        {"name": "Food", "slug": "Food Queries"},
        {"slug": ['"Food Queries" is not a valid slug; use lower-case letters, digits and hyphens (at most 64).']},
        id="bad-slug",
    ),
    pytest.param(
        {"name": "Food", "slug": "f" * 65},
        {"slug": ["Ensure this field has no more than 64 characters."]},
        id="slug-too-long",
    ),
    pytest.param(
        {"name": "SERP", "slug": "serp"},
        {"slug": ['A guideline with slug "serp" already exists.']},
        id="duplicate-slug",
    ),
]


@pytest.mark.parametrize(("data", "errors"), BAD_GUIDELINE_INPUT)
def test_it_refuses_a_bad_guideline(api, owner, guideline, data, errors):
    response = api.as_user(owner).post(GUIDELINES, data, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert Guideline.objects.count() == 1


def test_the_owner_renames_a_guideline(api, owner, guideline):
    response = api.as_user(owner).patch(SERP, {"name": "SERP quality", "description": "All of it."}, format="json")

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"]) == ("SERP quality", "All of it.")
    guideline.refresh_from_db()
    assert guideline.name == "SERP quality"


# --- Versions ---------------------------------------------------------------------------


def test_the_versions_list_is_newest_first_with_the_contract_fields(api, owner, draft_version):
    items = results(api.as_user(owner).get(VERSIONS))

    assert [(v["number"], v["status"]) for v in items] == [(2, "draft"), (1, "published")]
    newest = items[0]
    assert {
        k: newest[k] for k in ("guideline", "number", "status", "body_markdown", "schema", "changelog", "created_by")
    } == {
        "guideline": "serp",
        "number": 2,
        "status": "draft",
        "body_markdown": "# Rate the page\n\nJudge every result.",
        "schema": STARTER_SCHEMA,
        "changelog": "Clarify grade 2.",
        "created_by": "olivia",
    }
    assert newest["published_at"] is None and items[1]["published_at"] is not None


def test_a_new_version_is_a_copy_of_the_latest(api, owner, published_version):
    response = api.as_user(owner).post(VERSIONS, {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["schema"], body["changelog"]) == (2, "draft", STARTER_SCHEMA, "")


def test_a_new_version_takes_the_fields_it_is_given(api, owner, published_version):
    response = api.as_user(owner).post(
        VERSIONS, {"body_markdown": "# v2", "schema": TEXT_ONLY, "changelog": "Comments only."}, format="json"
    )

    assert response.status_code == 201
    assert GuidelineVersion.objects.filter(
        guideline__slug="serp", number=2, body_markdown="# v2", schema=TEXT_ONLY, changelog="Comments only."
    ).exists()


def test_a_second_draft_is_refused_with_409(api, owner, draft_version):
    response = api.as_user(owner).post(VERSIONS, {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": 'Version 2 of "serp" is still a draft: edit or publish it before starting another.',
        "code": "draft_exists",
    }


def test_the_owner_edits_a_draft(api, owner, draft_version):
    response = api.as_user(owner).patch(V2, {"schema": TEXT_ONLY, "changelog": "Fewer questions."}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["schema"], response.json()["changelog"]) == (TEXT_ONLY, "Fewer questions.")
    draft_version.refresh_from_db()
    assert (draft_version.schema, draft_version.changelog) == (TEXT_ONLY, "Fewer questions.")


def test_put_edits_a_draft_too(api, owner, draft_version):
    response = api.as_user(owner).put(V2, {"body_markdown": "# Put"}, format="json")
    assert response.status_code == 200
    draft_version.refresh_from_db()
    assert draft_version.body_markdown == "# Put"


BAD_SCHEMA_INPUT = [
    pytest.param(
        {"result_questions": [{"key": "relevance", "label": "Needs met", "type": "scale"}]},
        ['result_questions[0].type: "scale" is not a question type; use one of ' + TYPES],
        id="unknown-type",
    ),
    pytest.param(
        {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}], "satisfied_threshold": 4},
        ['satisfied_threshold: needs an ordinal page question with key "satisfaction" to apply to'],
        id="threshold-without-its-question",
    ),
    pytest.param([], ["the schema must be a JSON object, got a list"], id="a-list"),
    pytest.param("{not json", ['the schema must be a JSON object, got "{not json"'], id="a-string"),
    pytest.param({}, ["the schema has no questions; add at least one result or page question"], id="empty"),
]


@pytest.mark.parametrize(("schema", "messages"), BAD_SCHEMA_INPUT)
def test_an_invalid_schema_is_refused_with_every_message(api, owner, draft_version, schema, messages):
    before = row(draft_version)

    response = api.as_user(owner).patch(V2, {"schema": schema}, format="json")

    assert response.status_code == 400
    assert response.json() == {"schema": messages}
    assert row(draft_version) == before


def test_an_invalid_schema_is_refused_for_a_new_version_too(api, owner, published_version):
    response = api.as_user(owner).post(VERSIONS, {"schema": {}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"schema": ["the schema has no questions; add at least one result or page question"]}
    assert GuidelineVersion.objects.count() == 1


def test_publishing_freezes_the_draft(api, owner, draft_version):
    response = api.as_user(owner).post(f"{V2}publish/")

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    draft_version.refresh_from_db()
    assert draft_version.status == "published"


def test_publishing_needs_a_changelog_after_the_first_version(api, owner, draft_version):
    services.version_update(version=draft_version, changelog="")

    response = api.as_user(owner).post(f"{V2}publish/")

    assert response.status_code == 400
    assert response.json() == {"changelog": ["Say what changed since version 1 before publishing."]}


def test_publishing_twice_is_a_conflict(api, owner, published_version):
    response = api.as_user(owner).post(f"{V1}publish/")

    assert response.status_code == 409
    assert response.json() == {"detail": 'Version 1 of "serp" is already published.', "code": "not_draft"}


def test_retiring_a_published_version(api, owner, published_version):
    response = api.as_user(owner).post(f"{V1}retire/")

    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert response.json()["retired_at"] is not None


def test_a_draft_cannot_be_retired(api, owner, draft_version):
    response = api.as_user(owner).post(f"{V2}retire/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only a published version can be retired; version 2 is draft.",
        "code": "not_published",
    }


def test_deleting_a_draft_discards_it(api, owner, draft_version):
    response = api.as_user(owner).delete(V2)

    assert response.status_code == 204
    assert list(GuidelineVersion.objects.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize(
    ("method", "data"),
    [
        pytest.param("patch", {"schema": TEXT_ONLY}, id="PATCH-schema"),
        pytest.param("patch", {"body_markdown": "# Sneaky"}, id="PATCH-body"),
        pytest.param("patch", {"changelog": "Rewritten."}, id="PATCH-changelog"),
        pytest.param("put", {"body_markdown": "# Sneaky", "schema": TEXT_ONLY, "changelog": "x"}, id="PUT"),
        pytest.param("delete", None, id="DELETE"),
    ],
)
def test_a_published_version_is_refused_with_409_and_left_unchanged(api, owner, published_version, method, data):
    before = row(published_version)

    response = getattr(api.as_user(owner), method)(V1, data, format="json")

    assert response.status_code == 409
    assert response.json() == FROZEN
    assert row(published_version) == before


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_retired_version_is_refused_too(api, owner, published_version, method):
    services.version_retire(version=published_version)
    before = row(published_version)

    response = getattr(api.as_user(owner), method)(V1, {"body_markdown": "# Sneaky"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": 'Version 1 of "serp" is retired and cannot be changed. Start a new version instead.',
        "code": "version_frozen",
    }
    assert row(published_version) == before


def test_a_published_version_is_refused_even_with_an_invalid_schema(api, owner, published_version):
    response = api.as_user(owner).patch(V1, {"schema": {}}, format="json")
    assert (response.status_code, response.json()) == (409, FROZEN)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        pytest.param("patch", V2, {"changelog": "Clearer."}, id="PATCH"),
        pytest.param("post", f"{V2}publish/", None, id="publish"),
        pytest.param("post", f"{V1}retire/", None, id="retire"),
    ],
)
def test_the_answer_to_a_write_is_the_version_as_stored(api, owner, draft_version, method, path, data):
    client = api.as_user(owner)

    answer = getattr(client, method)(path, data, format="json")

    assert answer.status_code == 200
    number = answer.json()["number"]
    assert answer.json() == client.get(f"{VERSIONS}{number}/").json()


# --- Diff -------------------------------------------------------------------------------


@pytest.fixture
def two_versions(guideline):
    VersionFactory(guideline=guideline, number=1, published=True, body_markdown="# Rules\nGrade 2: partly")
    schema = copy.deepcopy(STARTER_SCHEMA)
    schema["satisfied_threshold"] = 5
    schema["page_questions"].append({"key": "fresh", "label": "Fresh?", "type": "boolean"})
    return VersionFactory(guideline=guideline, number=2, body_markdown="# Rules\nGrade 2: moderately", schema=schema)


def test_the_diff_shows_text_and_schema_changes(api, owner, two_versions):
    response = api.as_user(owner).get("/api/v1/guidelines/serp/diff/?from=1&to=2")

    assert response.status_code == 200
    assert response.json() == {
        "from": 1,
        "to": 2,
        "body": [
            {"op": "equal", "old": 1, "new": 1, "text": "# Rules"},
            {"op": "delete", "old": 2, "new": None, "text": "Grade 2: partly"},
            {"op": "insert", "old": None, "new": 2, "text": "Grade 2: moderately"},
        ],
        "body_unified": "--- v1\n+++ v2\n@@ -1,2 +1,2 @@\n # Rules\n-Grade 2: partly\n+Grade 2: moderately",
        "schema": {
            "questions": [{"section": "page_questions", "key": "fresh", "change": "added", "fields": []}],
            "settings": [{"setting": "satisfied_threshold", "from": 4, "to": 5}],
        },
    }


BAD_DIFF_QUERIES = [
    pytest.param("", {"from": ["This field is required."], "to": ["This field is required."]}, id="nothing"),
    pytest.param("?from=1", {"to": ["This field is required."]}, id="no-to"),
    pytest.param("?from=one&to=2", {"from": ["A valid integer is required."]}, id="from-not-a-number"),
    pytest.param("?from=1&to=2.5", {"to": ["A valid integer is required."]}, id="to-a-fraction"),
    pytest.param("?from=0&to=2", {"from": ["Ensure this value is greater than or equal to 1."]}, id="from-zero"),
    pytest.param("?from=-1&to=2", {"from": ["Ensure this value is greater than or equal to 1."]}, id="from-negative"),
]


@pytest.mark.parametrize(("query", "errors"), BAD_DIFF_QUERIES)
def test_the_diff_refuses_bad_version_numbers_with_400(api, owner, two_versions, query, errors):
    response = api.as_user(owner).get(f"/api/v1/guidelines/serp/diff/{query}")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("query", ["?from=1&to=9", "?from=9&to=1"])
def test_the_diff_of_an_unknown_version_is_404(api, owner, two_versions, query):
    response = api.as_user(owner).get(f"/api/v1/guidelines/serp/diff/{query}")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such version of this guideline."}


def test_a_rater_cannot_diff_against_a_draft(api, rater, two_versions):
    assert api.as_user(rater).get("/api/v1/guidelines/serp/diff/?from=1&to=2").status_code == 404


# --- Who may do what --------------------------------------------------------------------

READERS = ["owner", "other_owner", "reviewer", "pm", "admin_user"]


@pytest.mark.parametrize("persona", ["rater", "pm", "reviewer"])
def test_only_owners_and_admins_create_guidelines(api, request, persona):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).post(GUIDELINES, {"name": "Food"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only project owners and admins can create guidelines."}
    assert not Guideline.objects.exists()


def test_an_admin_creates_a_guideline(api, admin_user):
    assert api.as_user(admin_user).post(GUIDELINES, {"name": "Food"}, format="json").status_code == 201


def test_an_outsider_creating_a_guideline_is_refused(api, outsider):
    assert api.as_user(outsider).post(GUIDELINES, {"name": "Food"}, format="json").status_code == 403


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_every_version_including_drafts(api, request, persona, draft_version):
    client = api.as_user(request.getfixturevalue(persona))

    assert [g["slug"] for g in results(client.get(GUIDELINES))] == ["serp"]
    assert [v["number"] for v in results(client.get(VERSIONS))] == [2, 1]
    assert client.get(V2).status_code == 200


WRITES = [
    pytest.param("patch", SERP, {"name": "Renamed"}, id="rename-guideline"),
    pytest.param("post", VERSIONS, {}, id="new-version"),
    pytest.param("patch", V2, {"body_markdown": "# Sneaky"}, id="PATCH-draft"),
    pytest.param("put", V2, {"body_markdown": "# Sneaky"}, id="PUT-draft"),
    pytest.param("delete", V2, None, id="DELETE-draft"),
    pytest.param("post", f"{V2}publish/", None, id="publish"),
    pytest.param("post", f"{V1}retire/", None, id="retire"),
]


@pytest.mark.parametrize(("method", "path", "data"), WRITES)
@pytest.mark.parametrize("persona", ["other_owner", "reviewer", "pm"])
def test_people_who_can_read_but_not_own_a_guideline_get_403_on_every_write(
    api, request, persona, draft_version, method, path, data
):
    # A new version is refused before the draft would conflict, so drop the draft for that one.
    if path == VERSIONS:
        GuidelineVersion.objects.filter(pk=draft_version.pk).delete()
    before = list(GuidelineVersion.objects.values())

    response = getattr(api.as_user(request.getfixturevalue(persona)), method)(path, data, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the guideline's owner or an admin can change it."}
    assert list(GuidelineVersion.objects.values()) == before
    assert Guideline.objects.get().name == "SERP satisfaction"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        pytest.param("patch", SERP, {"name": "Renamed"}, id="rename-guideline"),
        pytest.param("patch", V1, {"body_markdown": "# Sneaky"}, id="PATCH-published"),
        pytest.param("delete", V1, None, id="DELETE-published"),
        pytest.param("post", f"{V1}retire/", None, id="retire"),
    ],
)
def test_a_rater_gets_403_writing_a_guideline_they_can_see(api, rater, published_version, method, path, data):
    response = getattr(api.as_user(rater), method)(path, data, format="json")

    assert response.status_code == 403
    assert GuidelineVersion.objects.get().status == "published"


@pytest.mark.parametrize(("method", "suffix"), [("patch", ""), ("put", ""), ("delete", ""), ("post", "publish/")])
def test_a_rater_writing_to_a_hidden_draft_learns_no_more_than_for_a_missing_version(
    api, rater, draft_version, method, suffix
):
    client = api.as_user(rater)

    hidden = getattr(client, method)(f"{V2}{suffix}", {}, format="json")
    missing = getattr(client, method)(f"{VERSIONS}9/{suffix}", {}, format="json")

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 403
    assert GuidelineVersion.objects.get(number=2).status == "draft"


def test_an_admin_edits_anyones_draft(api, admin_user, draft_version):
    response = api.as_user(admin_user).patch(V2, {"changelog": "Edited by an admin."}, format="json")
    assert response.status_code == 200


def test_a_rater_sees_only_published_versions(api, rater, owner, draft_version):
    GuidelineFactory(owner=owner, slug="drafts-only")
    VersionFactory(guideline__slug="unrelated", number=1)
    client = api.as_user(rater)

    assert [g["slug"] for g in results(client.get(GUIDELINES))] == ["serp"]
    assert [v["number"] for v in results(client.get(VERSIONS))] == [1]
    assert client.get(V1).status_code == 200
    assert client.get(V2).status_code == 404
    assert client.get("/api/v1/guidelines/drafts-only/").status_code == 404


def test_a_rater_is_not_told_that_a_draft_exists(api, rater, draft_version):
    client = api.as_user(rater)

    [listed] = results(client.get(GUIDELINES))
    detail = client.get(SERP).json()

    # The newest version a rater may open is v1; v2 is a draft they cannot see.
    assert (listed["latest_version"], listed["published_version"]) == (1, 1)
    assert (detail["latest_version"], detail["published_version"]) == (1, 1)


def test_a_rater_still_sees_a_retired_version(api, rater, published_version):
    services.version_retire(version=published_version)
    assert api.as_user(rater).get(V1).json()["status"] == "retired"


@pytest.mark.parametrize("path", [SERP, VERSIONS, V1, V2, "/api/v1/guidelines/serp/diff/?from=1&to=2"])
def test_an_outsider_gets_404_for_anything_in_a_guideline(api, outsider, draft_version, path):
    response = api.as_user(outsider).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such guideline."}


def test_an_outsider_gets_an_empty_list(api, outsider, draft_version):
    assert api.as_user(outsider).get(GUIDELINES).json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", GUIDELINES),
        ("post", GUIDELINES),
        ("get", VERSIONS),
        ("patch", V1),
        ("delete", V1),
        ("post", f"{V1}publish/"),
    ],
)
def test_an_anonymous_caller_is_asked_to_authenticate(api, published_version, method, path):
    response = getattr(api, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(api, published_version):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get(GUIDELINES)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- Tokens -----------------------------------------------------------------------------


def test_a_script_gets_a_token_with_username_and_password_and_uses_it(api, owner, password, guideline):
    response = api.post("/api/v1/auth/token/", {"username": "olivia", "password": password}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert list(response.json()) == ["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [g["slug"] for g in results(api.get(GUIDELINES))] == ["serp"]


def test_asking_twice_gives_the_same_token(api, owner, password):
    first = api.post("/api/v1/auth/token/", {"username": "olivia", "password": password}, format="json").json()
    second = api.post("/api/v1/auth/token/", {"username": "olivia", "password": password}, format="json").json()
    assert first == second


def test_a_wrong_password_gets_no_token(api, owner):
    response = api.post("/api/v1/auth/token/", {"username": "olivia", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_session_auth_works_for_a_signed_in_browser(api, owner, guideline):
    api.force_login(owner)
    assert [g["slug"] for g in results(api.get(GUIDELINES))] == ["serp"]


# --- Query counts -----------------------------------------------------------------------


@pytest.fixture
def many_guidelines(owner, other_owner):
    """Six guidelines by two owners, each with a published version and a draft: an N+1 would show."""
    for n in range(6):
        guideline = GuidelineFactory(owner=owner if n % 2 else other_owner, slug=f"g{n}", name=f"Guideline {n}")
        VersionFactory(guideline=guideline, number=1, published=True)
        VersionFactory(guideline=guideline, number=2, created_by=UserFactory())


@pytest.mark.parametrize("persona", ["owner", "rater"])
def test_the_guideline_list_costs_a_fixed_number_of_queries(
    api, request, django_assert_max_num_queries, many_guidelines, persona
):
    client = api.as_user(request.getfixturevalue(persona))
    # Token and user, roles, count, page.
    with django_assert_max_num_queries(4):
        assert len(results(client.get(GUIDELINES))) == 6


def test_the_version_list_costs_a_fixed_number_of_queries(api, owner, django_assert_max_num_queries, guideline):
    for number in range(1, 8):
        VersionFactory(guideline=guideline, number=number, published=number < 7, created_by=UserFactory())
    client = api.as_user(owner)
    # Token and user, roles, guideline, count, page.
    with django_assert_max_num_queries(5):
        assert len(results(client.get(VERSIONS))) == 7
