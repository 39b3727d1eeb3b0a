from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from evalconsole.roles import GROUP_ROLES, Role
from projects.models import PoolResult

User = get_user_model()


def user_list(*, role: str | None = None) -> QuerySet:
    people = (
        User.objects.select_related("rater_profile")
        .prefetch_related("groups", "rater_profile__qualifications")
        .order_by("username")
    )
    if role == Role.ADMIN:
        people = people.filter(is_staff=True)
    elif role in GROUP_ROLES:
        people = people.filter(groups__name=role)
    return people


def assignment_pages(*, assignment) -> list[tuple[dict, list]]:
    """The page(s) of an assignment as the rater sees them: left then right when side by side."""
    task = assignment.task
    serps = [task.serp] if task.serp_b is None else [task.serp, task.serp_b]
    if assignment.swapped:
        serps.reverse()
    sides = [None] if len(serps) == 1 else ["left", "right"]
    results = {serp.pk: [] for serp in serps}
    for result in PoolResult.objects.filter(serp__in=serps).order_by("serp_id", "rank"):
        results[result.serp_id].append(result)
    return [
        (
            {
                "side": side,
                "query_id": serp.query_id,
                "query": serp.query,
                "locale": serp.locale,
                "variant": serp.variant,
            },
            results[serp.pk],
        )
        for side, serp in zip(sides, serps, strict=True)
    ]
