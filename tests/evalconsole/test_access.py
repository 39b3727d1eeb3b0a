"""The doors in evalconsole.access, persona by persona."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from evalconsole.access import get_guideline_for_user, get_guideline_version_for_user, guidelines_visible_to
from tests.factories import GuidelineFactory, VersionFactory

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
