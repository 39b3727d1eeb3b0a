"""Writes for guidelines and versions: drafts change, published versions never do."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from evalconsole.errors import Conflict
from guidelines import services
from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA
from tests.factories import VersionFactory

Status = GuidelineVersion.Status


def messages_of(raised: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return raised.value.message_dict


def not_a_slug(slug: str) -> dict[str, list[str]]:
    return {"slug": [f'"{slug}" is not a valid slug; use lower-case letters, digits and hyphens (at most 64).']}


NO_NAME = {"name": ["A guideline needs a name."], "slug": ["A guideline needs a slug (letters, digits, hyphens)."]}


# --- guideline_create -------------------------------------------------------------------


def test_a_new_guideline_starts_with_a_first_draft_holding_the_starter_schema(owner):
    guideline = services.guideline_create(owner=owner, name="SERP satisfaction", description="Short videos.")

    assert (guideline.slug, guideline.name, guideline.description, guideline.owner) == (
        "serp-satisfaction",
        "SERP satisfaction",
        "Short videos.",
        owner,
    )
    [version] = guideline.versions.all()
    assert (version.number, version.status, version.created_by) == (1, Status.DRAFT, owner)
    assert version.schema == STARTER_SCHEMA
    assert version.body_markdown == services.STARTER_BODY
    assert version.published_at is None


def test_the_starter_schema_is_a_copy_so_editing_one_guideline_leaves_the_next_alone(owner):
    first = services.guideline_create(owner=owner, name="First").versions.get()
    services.version_update(version=first, schema={"page_questions": [{"key": "c", "label": "C", "type": "text"}]})

    second = services.guideline_create(owner=owner, name="Second").versions.get()
    assert second.schema == STARTER_SCHEMA


def test_it_keeps_a_slug_the_owner_chose(owner):
    assert services.guideline_create(owner=owner, name="SERP satisfaction", slug="serp").slug == "serp"


def test_it_trims_the_name(owner):
    assert services.guideline_create(owner=owner, name="  Spaced out  ").name == "Spaced out"


def test_it_makes_a_valid_slug_from_a_long_name(owner):
    # The 64th character of the slugified name is a hyphen; the made-up slug must still be valid.
    name = "a" * 63 + " b" + "c" * 20
    guideline = services.guideline_create(owner=owner, name=name)
    assert guideline.slug == "a" * 63


BAD_GUIDELINES = [
    pytest.param({"name": ""}, NO_NAME, id="no-name"),
    pytest.param({"name": "   "}, NO_NAME, id="blank-name"),
    pytest.param({"name": "SERP", "slug": "Serp"}, not_a_slug("Serp"), id="slug-with-capitals"),
    pytest.param({"name": "SERP", "slug": "serp sat"}, not_a_slug("serp sat"), id="slug-with-a-space"),
    pytest.param({"name": "SERP", "slug": "serp/v2"}, not_a_slug("serp/v2"), id="slug-with-a-slash"),
    pytest.param({"name": "SERP", "slug": "-serp"}, not_a_slug("-serp"), id="slug-starting-with-a-hyphen"),
    pytest.param({"name": "SERP", "slug": "s" * 65}, not_a_slug("s" * 65), id="slug-too-long"),
    pytest.param({"name": "日本語"}, {"slug": [NO_NAME["slug"][0]]}, id="name-that-makes-no-slug"),
]


@pytest.mark.parametrize(("fields", "errors"), BAD_GUIDELINES)
def test_it_refuses_a_bad_guideline_with_messages_beside_each_field(owner, fields, errors):
    with pytest.raises(ValidationError) as error:
        services.guideline_create(owner=owner, **fields)
    assert messages_of(error) == errors
    assert not Guideline.objects.exists()


def test_it_refuses_a_slug_that_is_taken(owner, other_owner, guideline):
    with pytest.raises(ValidationError) as error:
        services.guideline_create(owner=other_owner, name="Another", slug="serp")
    assert messages_of(error) == {"slug": ['A guideline with slug "serp" already exists.']}
    assert Guideline.objects.count() == 1


def test_it_refuses_a_taken_slug_made_from_the_name(owner):
    services.guideline_create(owner=owner, name="Food queries")
    with pytest.raises(ValidationError) as error:
        services.guideline_create(owner=owner, name="Food  Queries")
    assert messages_of(error) == {"slug": ['A guideline with slug "food-queries" already exists.']}


# --- version_create ---------------------------------------------------------------------


def test_a_new_version_is_a_numbered_copy_of_the_latest(guideline, published_version, other_owner):
    published_version_schema = copy.deepcopy(published_version.schema)

    version = services.version_create(guideline=guideline, created_by=other_owner)

    assert (version.number, version.status, version.created_by) == (2, Status.DRAFT, other_owner)
    assert version.body_markdown == published_version.body_markdown
    assert version.schema == published_version_schema
    assert version.changelog == ""
    assert version.published_at is None


def test_a_new_version_copies_the_latest_even_when_that_is_retired(guideline, owner):
    VersionFactory(guideline=guideline, number=1, published=True, body_markdown="one")
    retired = VersionFactory(guideline=guideline, number=2, published=True, body_markdown="two")
    services.version_retire(version=retired)

    version = services.version_create(guideline=guideline, created_by=owner)
    assert (version.number, version.body_markdown) == (3, "two")


def test_a_new_version_takes_the_fields_it_is_given(guideline, published_version, owner):
    schema = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}
    version = services.version_create(
        guideline=guideline, created_by=owner, body_markdown="# New", schema=schema, changelog="Simpler."
    )
    assert (version.body_markdown, version.schema, version.changelog) == ("# New", schema, "Simpler.")


def test_editing_the_copy_leaves_the_published_version_alone(guideline, published_version, owner):
    version = services.version_create(guideline=guideline, created_by=owner)
    schema = copy.deepcopy(version.schema)
    schema["satisfied_threshold"] = 5
    services.version_update(version=version, schema=schema)

    published_version.refresh_from_db()
    assert published_version.schema == STARTER_SCHEMA


def test_the_first_version_of_an_empty_guideline_starts_from_the_starter(guideline, owner):
    version = services.version_create(guideline=guideline, created_by=owner)
    assert (version.number, version.schema, version.body_markdown) == (1, STARTER_SCHEMA, services.STARTER_BODY)


def test_it_refuses_a_second_draft(guideline, draft_version, owner):
    with pytest.raises(Conflict) as error:
        services.version_create(guideline=guideline, created_by=owner)
    assert error.value.message == ('Version 2 of "serp" is still a draft: edit or publish it before starting another.')
    assert error.value.code == "draft_exists"
    assert guideline.versions.count() == 2


def test_it_refuses_a_new_version_with_a_bad_schema(guideline, published_version, owner):
    with pytest.raises(ValidationError) as error:
        services.version_create(guideline=guideline, created_by=owner, schema={"result_questions": "x"})
    assert messages_of(error) == {"schema": ['result_questions: must be a list of questions, got "x"']}
    assert guideline.versions.count() == 1


# --- version_update ---------------------------------------------------------------------


def test_a_draft_can_be_edited(draft_version):
    schema = {"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}
    services.version_update(version=draft_version, body_markdown="# New", schema=schema, changelog="Smaller.")

    draft_version.refresh_from_db()
    assert (draft_version.body_markdown, draft_version.schema, draft_version.changelog) == ("# New", schema, "Smaller.")


def test_fields_not_given_are_left_as_they_were(draft_version):
    services.version_update(version=draft_version, changelog="Only this.")
    draft_version.refresh_from_db()
    assert (draft_version.body_markdown, draft_version.schema, draft_version.changelog) == (
        "# Rate the page\n\nJudge every result.",
        STARTER_SCHEMA,
        "Only this.",
    )


def test_windows_line_endings_are_stored_as_plain_newlines(guideline, published_version, owner):
    version = services.version_create(guideline=guideline, created_by=owner, body_markdown="a\r\nb", changelog="c\rd")
    services.version_update(version=version, body_markdown="# A\r\n\r\nB\r\n")

    version.refresh_from_db()
    assert (version.body_markdown, version.changelog) == ("# A\n\nB\n", "c\nd")


def test_it_refuses_a_bad_schema_with_a_message_per_problem(draft_version):
    schema = {"result_questions": [{"key": "Relevance", "label": "", "type": "ordinal", "options": []}]}
    with pytest.raises(ValidationError) as error:
        services.version_update(version=draft_version, schema=schema)
    assert messages_of(error) == {
        "schema": [
            'result_questions[0].key: "Relevance" is not a valid key; use lower-case letters, digits and '
            "underscores, starting with a letter, at most 40 characters",
            "result_questions[0].label: must not be empty",
            "result_questions[0].options: must not be empty",
        ]
    }
    draft_version.refresh_from_db()
    assert draft_version.schema == STARTER_SCHEMA


@pytest.mark.parametrize("status", ["published", "retired"])
def test_it_refuses_to_change_a_version_that_is_no_longer_a_draft(guideline, status):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    if status == "retired":
        services.version_retire(version=version)

    with pytest.raises(Conflict) as error:
        services.version_update(version=version, body_markdown="# Sneaky edit")

    assert error.value.message == (
        f'Version 1 of "serp" is {status} and cannot be changed. Start a new version instead.'
    )
    assert error.value.code == "version_frozen"
    version.refresh_from_db()
    assert version.body_markdown == "# Rate the page\n\nJudge every result."


def test_it_refuses_a_frozen_version_before_looking_at_the_schema(published_version):
    with pytest.raises(Conflict):
        services.version_update(version=published_version, schema="not even a schema")


def test_it_refuses_to_save_a_draft_that_was_published_meanwhile(draft_version):
    stale = GuidelineVersion.objects.get(pk=draft_version.pk)
    services.version_publish(version=draft_version)

    with pytest.raises(Conflict) as error:
        services.version_update(version=stale, body_markdown="# Too late")

    assert error.value.message == (
        'Version 2 of "serp" is published and cannot be changed. Start a new version instead.'
    )
    draft_version.refresh_from_db()
    assert draft_version.body_markdown == "# Rate the page\n\nJudge every result."


# --- version_publish --------------------------------------------------------------------


def test_publishing_freezes_a_draft_and_stamps_the_time(draft_version):
    services.version_publish(version=draft_version)

    draft_version.refresh_from_db()
    assert draft_version.status == Status.PUBLISHED
    assert draft_version.published_at is not None


def test_the_first_version_needs_no_changelog(guideline, owner):
    version = services.guideline_create(owner=owner, name="Fresh").versions.get()
    services.version_update(version=version, changelog="")
    services.version_publish(version=version)
    assert version.status == Status.PUBLISHED


def test_a_later_version_needs_a_changelog_before_publishing(draft_version):
    services.version_update(version=draft_version, changelog="  ")

    with pytest.raises(ValidationError) as error:
        services.version_publish(version=draft_version)

    assert messages_of(error) == {"changelog": ["Say what changed since version 1 before publishing."]}
    draft_version.refresh_from_db()
    assert (draft_version.status, draft_version.published_at) == (Status.DRAFT, None)


def test_it_refuses_to_publish_without_sop_text_or_with_a_bad_schema(guideline, published_version):
    # Written straight to the table: the services would not let a bad schema in.
    version = VersionFactory(guideline=guideline, number=2, body_markdown=" ", changelog="", schema={"x": 1})

    with pytest.raises(ValidationError) as error:
        services.version_publish(version=version)

    assert messages_of(error) == {
        "schema": [
            "x: unknown setting; expected one of cannot_judge_reasons, page_questions, relevant_threshold, "
            "result_questions, satisfied_threshold",
            "the schema has no questions; add at least one result or page question",
        ],
        "body_markdown": ["A published guideline needs its SOP text."],
        "changelog": ["Say what changed since version 1 before publishing."],
    }


def test_it_refuses_to_publish_a_version_twice(published_version):
    with pytest.raises(Conflict) as error:
        services.version_publish(version=published_version)
    assert (error.value.message, error.value.code) == ('Version 1 of "serp" is already published.', "not_draft")


def test_publishing_a_stale_draft_that_was_published_meanwhile_is_refused(draft_version):
    stale = GuidelineVersion.objects.get(pk=draft_version.pk)
    services.version_publish(version=draft_version)
    with pytest.raises(Conflict) as error:
        services.version_publish(version=stale)
    assert error.value.message == 'Version 2 of "serp" was published meanwhile.'


# --- version_retire and version_discard -------------------------------------------------


def test_retiring_a_published_version_stamps_the_time_and_keeps_the_content(published_version):
    services.version_retire(version=published_version)

    published_version.refresh_from_db()
    assert published_version.status == Status.RETIRED
    assert published_version.retired_at is not None
    assert published_version.schema == STARTER_SCHEMA


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_only_a_published_version_can_be_retired(guideline, status):
    version = VersionFactory(guideline=guideline, number=1, published=status == "retired")
    if status == "retired":
        services.version_retire(version=version)

    with pytest.raises(Conflict) as error:
        services.version_retire(version=version)

    assert (error.value.message, error.value.code) == (
        f"Only a published version can be retired; version 1 is {status}.",
        "not_published",
    )


def test_a_draft_can_be_discarded(guideline, draft_version):
    services.version_discard(version=draft_version)
    assert list(guideline.versions.values_list("number", flat=True)) == [1]


def test_after_discarding_a_draft_the_next_one_takes_its_number(guideline, draft_version, owner):
    services.version_discard(version=draft_version)
    assert services.version_create(guideline=guideline, created_by=owner).number == 2


@pytest.mark.parametrize("status", ["published", "retired"])
def test_only_a_draft_can_be_discarded(guideline, status):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    if status == "retired":
        services.version_retire(version=version)

    with pytest.raises(Conflict) as error:
        services.version_discard(version=version)

    assert error.value.message == f'Version 1 of "serp" is {status} and cannot be changed. Start a new version instead.'
    assert GuidelineVersion.objects.filter(pk=version.pk).exists()


# --- The database trigger: the last line of defence -------------------------------------

RAW_CHANGES = [
    pytest.param({"schema": {"page_questions": [{"key": "c", "label": "C", "type": "text"}]}}, id="schema"),
    pytest.param({"body_markdown": "# Rewritten"}, id="body"),
    pytest.param({"changelog": "Rewritten history."}, id="changelog"),
    pytest.param({"number": 7}, id="number"),
    pytest.param({"published_at": None, "status": "draft"}, id="back-to-draft"),
]


@pytest.mark.parametrize("changes", RAW_CHANGES)
@pytest.mark.parametrize("status", ["published", "retired"])
def test_the_database_refuses_a_raw_update_of_a_frozen_version(guideline, status, changes):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    if status == "retired":
        services.version_retire(version=version)
    before = GuidelineVersion.objects.values().get(pk=version.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        GuidelineVersion.objects.filter(pk=version.pk).update(**changes)

    assert GuidelineVersion.objects.values().get(pk=version.pk) == before


def test_the_database_refuses_a_save_of_a_published_version_from_the_shell(published_version):
    published_version.schema = {"page_questions": [{"key": "c", "label": "C", "type": "text"}]}
    with pytest.raises(DatabaseError), transaction.atomic():
        published_version.save()

    published_version.refresh_from_db()
    assert published_version.schema == STARTER_SCHEMA


def test_the_database_lets_a_published_version_be_retired_and_a_draft_be_edited(published_version, draft_version):
    GuidelineVersion.objects.filter(pk=draft_version.pk).update(body_markdown="# Still a draft")
    services.version_retire(version=published_version)

    draft_version.refresh_from_db()
    published_version.refresh_from_db()
    assert draft_version.body_markdown == "# Still a draft"
    assert published_version.status == Status.RETIRED


@pytest.mark.django_db(transaction=True)
def test_the_refused_update_is_rolled_back_when_it_is_committed_for_real(published_version):
    with pytest.raises(DatabaseError):
        GuidelineVersion.objects.filter(pk=published_version.pk).update(changelog="Rewritten history.")

    assert GuidelineVersion.objects.get(pk=published_version.pk).changelog == "First version."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL only")
@pytest.mark.parametrize("status", ["published", "retired"])
def test_the_database_refuses_to_delete_a_frozen_version(guideline, status):
    version = VersionFactory(guideline=guideline, number=1, published=True)
    if status == "retired":
        services.version_retire(version=version)

    with pytest.raises(DatabaseError), transaction.atomic():
        GuidelineVersion.objects.filter(pk=version.pk).delete()

    assert GuidelineVersion.objects.filter(pk=version.pk).exists()


def test_the_database_lets_a_draft_be_deleted(draft_version):
    GuidelineVersion.objects.filter(pk=draft_version.pk).delete()
    assert not GuidelineVersion.objects.filter(pk=draft_version.pk).exists()
