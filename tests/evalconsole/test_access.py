"""The doors in evalconsole.access, persona by persona."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from evalconsole.access import (
    get_guideline_for_user,
    get_guideline_version_for_user,
    get_project_for_rater,
    get_task_for_user,
    guidelines_visible_to,
)
from tests.factories import GuidelineFactory, VersionFactory
from tests.projects.factories import ProjectFactory
from tests.raters.engine_fixtures import active_project

# persona -> (reads the guideline, writes it, reads its draft)
GUIDELINE_DOOR = [
    ("owner", True, True, True),
    ("other_owner", True, False, True),
    ("admin_user", True, True, True),
    ("pm", True, False, True),
    ("reviewer", True, False, True),
    ("rater", True, False, False),
    ("outsider", False, False, False),
]


def _outcome(call):
    try:
        call()
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


@pytest.mark.parametrize(("persona", "reads", "writes", "reads_draft"), GUIDELINE_DOOR)
def test_the_guideline_door_opens_by_persona(request, draft_version, persona, reads, writes, reads_draft):
    user = request.getfixturevalue(persona)
    slug = draft_version.guideline.slug
    assert _outcome(lambda: get_guideline_for_user(user, slug)) == ("ok" if reads else "404")
    assert _outcome(lambda: get_guideline_for_user(user, slug, write=True)) == (
        "ok" if writes else ("403" if reads else "404")
    )
    assert _outcome(lambda: get_guideline_version_for_user(user, slug, 1)) == ("ok" if reads else "404")
    assert _outcome(lambda: get_guideline_version_for_user(user, slug, 2)) == ("ok" if reads_draft else "404")


def test_a_rater_does_not_learn_of_a_guideline_that_was_never_published(rater, owner):
    unpublished = VersionFactory(guideline=GuidelineFactory(owner=owner, slug="secret-plan"), number=1)
    assert list(guidelines_visible_to(rater)) == []
    with pytest.raises(Http404):
        get_guideline_for_user(rater, unpublished.guideline.slug)


def test_an_unknown_slug_is_a_404_for_everyone(admin_user):
    with pytest.raises(Http404):
        get_guideline_for_user(admin_user, "no-such-guideline")


# persona -> what the task door says to a gold curation (write=True)
GOLD_CURATORS = [
    ("owner", "ok"),
    ("admin_user", "ok"),
    ("reviewer", "ok"),
    ("pm", "403"),
    ("other_owner", "404"),
    ("rater", "404"),
    ("outsider", "404"),
]


@pytest.mark.parametrize(("persona", "outcome"), GOLD_CURATORS)
def test_gold_items_are_curated_by_the_owner_admins_and_reviewers(request, owner, published_version, persona, outcome):
    project = active_project(owner=owner, version=published_version, tasks=1)
    task = project.tasks.get()
    user = request.getfixturevalue(persona)

    assert _outcome(lambda: get_task_for_user(user, project.pk, task.pk, write=True)) == outcome


@pytest.mark.parametrize("status", ["draft", "active", "paused", "completed"])
def test_a_rater_reaches_any_project_but_a_draft(owner, rater, published_version, status):
    project = ProjectFactory(owner=owner, guideline_version=published_version, status=status)

    assert _outcome(lambda: get_project_for_rater(rater, project.pk)) == ("404" if status == "draft" else "ok")
