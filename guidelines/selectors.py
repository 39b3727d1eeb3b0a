from django.db.models import Count, Max, Q, QuerySet

from evalconsole.access import guidelines_visible_to, versions_visible_to, visible_versions_q
from guidelines.models import Guideline, GuidelineVersion

Status = GuidelineVersion.Status


def guideline_list(*, user) -> QuerySet[Guideline]:
    """Guidelines this person may see, with their version numbers counted in one query."""
    # Count only the versions this person may see: a rater must not learn of a draft.
    visible = visible_versions_q(user, prefix="versions__")
    return (
        guidelines_visible_to(user)
        .select_related("owner")
        .annotate(
            version_count=Count("versions", filter=visible),
            latest_number=Max("versions__number", filter=visible),
            published_number=Max("versions__number", filter=visible & Q(versions__status=Status.PUBLISHED)),
            draft_number=Max("versions__number", filter=visible & Q(versions__status=Status.DRAFT)),
        )
        .order_by("name")
    )


def version_list(*, user, guideline: Guideline) -> QuerySet[GuidelineVersion]:
    return (
        versions_visible_to(user)
        .filter(guideline=guideline)
        .select_related("guideline", "created_by")
        .order_by("-number")
    )


def published_versions() -> QuerySet[GuidelineVersion]:
    """Versions a new project may pin."""
    return GuidelineVersion.objects.filter(status=Status.PUBLISHED).select_related("guideline")
