"""The back office: a published version is read-only in the admin too; drafts are edited there."""

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA
from raters.admin import ReadOnlyAdmin

TEXT_ONLY = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}


def change_url(version):
    return f"/admin/guidelines/guidelineversion/{version.pk}/change/"


def change_form(version, **changes) -> dict:
    """What the admin change form posts for a version, with the stored values unless changed."""
    data = {
        "guideline": version.guideline_id,
        "number": version.number,
        "body_markdown": version.body_markdown,
        "schema": json.dumps(version.schema),
        "changelog": version.changelog,
        "created_by": version.created_by_id,
        "_save": "Save",
    }
    return {**data, **changes}


def row(version):
    return GuidelineVersion.objects.values().get(pk=version.pk)


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


# --- Published versions are read-only ---------------------------------------------------


def test_a_published_version_opens_read_only(admin_client, published_version):
    response = admin_client.get(change_url(published_version))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert '<textarea name="body_markdown"' not in page


@pytest.mark.parametrize("status", ["published", "retired"])
def test_saving_a_frozen_version_in_the_admin_is_refused(admin_client, published_version, status):
    if status == "retired":
        admin_client.post(
            "/admin/guidelines/guidelineversion/",
            {"action": "retire_selected", "_selected_action": [published_version.pk]},
        )
        published_version.refresh_from_db()
        assert published_version.status == status
    before = row(published_version)

    response = admin_client.post(
        change_url(published_version),
        change_form(published_version, body_markdown="# Sneaky", schema=json.dumps(TEXT_ONLY), changelog="Rewritten."),
    )

    assert response.status_code == 403
    assert row(published_version) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_delete_view_refuses_a_published_version(admin_client, published_version, method):
    response = getattr(admin_client, method)(
        f"/admin/guidelines/guidelineversion/{published_version.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert GuidelineVersion.objects.filter(pk=published_version.pk).exists()


def test_the_bulk_delete_action_keeps_a_published_version(admin_client, published_version, draft_version):
    response = admin_client.post(
        "/admin/guidelines/guidelineversion/",
        {"action": "delete_selected", "_selected_action": [published_version.pk, draft_version.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert "<h1>Cannot delete guideline versions</h1>" in response.content.decode()
    assert GuidelineVersion.objects.count() == 2


# --- Drafts are edited through the services --------------------------------------------


def test_a_draft_is_edited_through_the_admin(admin_client, draft_version):
    response = admin_client.post(
        change_url(draft_version),
        change_form(
            draft_version, body_markdown="# By the admin", schema=json.dumps(TEXT_ONLY), changelog="Admin edit."
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    draft_version.refresh_from_db()
    assert (draft_version.body_markdown, draft_version.schema, draft_version.changelog, draft_version.status) == (
        "# By the admin",
        TEXT_ONLY,
        "Admin edit.",
        "draft",
    )


def test_whatever_the_draft_form_lets_the_admin_change_is_saved(admin_client, draft_version, other_owner):
    editable = set(admin_client.get(change_url(draft_version)).context["adminform"].form.fields)
    submitted = {"number": 7, "created_by": other_owner.pk}

    admin_client.post(change_url(draft_version), change_form(draft_version, **submitted))

    draft_version.refresh_from_db()
    stored = {"number": draft_version.number, "created_by": draft_version.created_by_id}
    # Either a field is read-only or the admin's "changed successfully" is true.
    assert [name for name in submitted if name in editable and stored[name] != submitted[name]] == []


def test_the_draft_change_form_has_a_save_button(admin_client, draft_version):
    response = admin_client.get(change_url(draft_version))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    assert 'name="_save"' in response.content.decode()


def test_a_bad_schema_in_the_admin_form_shows_the_path_messages(admin_client, draft_version):
    before = row(draft_version)
    options = [{"value": "high", "label": "High"}, {"value": 1, "label": "Low"}]
    bad = {"result_questions": [{"key": "relevance", "label": "Needs met", "type": "ordinal", "options": options}]}

    response = admin_client.post(change_url(draft_version), change_form(draft_version, schema=json.dumps(bad)))

    assert response.status_code == 200
    messages = ['result_questions[0].options[0].value: ordinal values must be numbers, got "high"']
    assert response.context["adminform"].form.errors["schema"] == messages
    assert "result_questions[0].options[0].value: ordinal values must be numbers, got &quot;high&quot;" in (
        response.content.decode()
    )
    assert row(draft_version) == before


def test_broken_json_in_the_admin_form_is_refused(admin_client, draft_version):
    before = row(draft_version)

    response = admin_client.post(change_url(draft_version), change_form(draft_version, schema="{oops"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["schema"] == ["Enter a valid JSON."]
    assert row(draft_version) == before


def test_the_publish_action_freezes_a_draft(admin_client, draft_version):
    admin_client.post(
        "/admin/guidelines/guidelineversion/", {"action": "publish_selected", "_selected_action": [draft_version.pk]}
    )

    draft_version.refresh_from_db()
    assert draft_version.status == "published"
    assert draft_version.published_at is not None


def test_the_publish_action_reports_why_a_draft_cannot_be_published(admin_client, draft_version):
    GuidelineVersion.objects.filter(pk=draft_version.pk).update(changelog="")

    response = admin_client.post(
        "/admin/guidelines/guidelineversion/",
        {"action": "publish_selected", "_selected_action": [draft_version.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "serp v2 (draft): Say what changed since version 1 before publishing."
    ]
    draft_version.refresh_from_db()
    assert draft_version.status == "draft"


def test_the_retire_action_reports_a_draft_it_cannot_retire(admin_client, draft_version):
    response = admin_client.post(
        "/admin/guidelines/guidelineversion/",
        {"action": "retire_selected", "_selected_action": [draft_version.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "serp v2 (draft): Only a published version can be retired; version 2 is draft."
    ]


def test_the_guideline_page_shows_its_versions_read_only(admin_client, guideline, draft_version):
    response = admin_client.get(f"/admin/guidelines/guideline/{guideline.pk}/change/")

    assert response.status_code == 200
    [versions] = response.context["inline_admin_formsets"]
    assert [form.original.number for form in versions] == [2, 1]
    assert versions.has_add_permission is False


def test_renaming_a_guideline_in_the_admin_leaves_its_versions_alone(admin_client, guideline, draft_version):
    before = list(GuidelineVersion.objects.values())
    data = {
        "slug": "serp",
        "name": "SERP quality",
        "description": "",
        "owner": guideline.owner_id,
        "versions-TOTAL_FORMS": "2",
        "versions-INITIAL_FORMS": "2",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": draft_version.pk,
        "versions-0-guideline": guideline.pk,
        "versions-1-id": GuidelineVersion.objects.get(number=1).pk,
        "versions-1-guideline": guideline.pk,
        "_save": "Save",
    }

    response = admin_client.post(f"/admin/guidelines/guideline/{guideline.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Guideline.objects.get().name == "SERP quality"
    assert list(GuidelineVersion.objects.values()) == before


# --- Every model of ours opens in the admin ---------------------------------------------

OUR_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__.split(".")[0] in ("guidelines", "raters")
    and not isinstance(model_admin, ReadOnlyAdmin)
)
WORK_RECORDS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ReadOnlyAdmin)
)


def test_the_admin_knows_our_models():
    assert {("guidelines", "guideline"), ("guidelines", "guidelineversion"), ("raters", "raterprofile")} <= set(
        OUR_MODELS
    )


@pytest.mark.parametrize(("app_label", "model_name"), OUR_MODELS, ids=[".".join(m) for m in OUR_MODELS])
def test_every_admin_page_of_our_models_loads(admin_client, rater, draft_version, app_label, model_name):
    model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app_label, model_name))
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, "the fixtures should give every model at least one row"

    pages = [
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        reverse(f"admin:{app_label}_{model_name}_changelist") + "?q=serp",
        reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]),
        reverse(f"admin:{app_label}_{model_name}_add"),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_the_admin_index_lists_guidelines_and_raters(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "/admin/guidelines/guidelineversion/" in page
    assert "/admin/raters/raterprofile/" in page


def test_a_version_added_in_the_admin_with_a_bad_schema_is_refused(admin_client, guideline, owner):
    response = admin_client.post(
        "/admin/guidelines/guidelineversion/add/",
        {
            "guideline": guideline.pk,
            "number": 1,
            "body_markdown": "# Rules",
            "schema": json.dumps({"page_questions": []}),
            "changelog": "",
            "created_by": owner.pk,
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["schema"] == [
        "the schema has no questions; add at least one result or page question"
    ]
    assert not GuidelineVersion.objects.exists()


def test_a_version_added_in_the_admin_starts_as_a_draft(admin_client, guideline, owner):
    response = admin_client.post(
        "/admin/guidelines/guidelineversion/add/",
        {
            "guideline": guideline.pk,
            "number": 1,
            "body_markdown": "# Rules",
            "schema": json.dumps(STARTER_SCHEMA),
            "changelog": "",
            "created_by": owner.pk,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert GuidelineVersion.objects.get().status == "draft"


@pytest.mark.parametrize(("app_label", "model_name"), WORK_RECORDS, ids=[".".join(m) for m in WORK_RECORDS])
def test_work_records_are_listed_but_never_added_by_hand(admin_client, app_label, model_name):
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
