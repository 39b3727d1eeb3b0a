from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from evalconsole.roles import GROUP_ROLES, Role

User = get_user_model()


def user_list(*, role: str | None = None) -> QuerySet:
    people = User.objects.select_related("rater_profile").prefetch_related("groups").order_by("username")
    if role == Role.ADMIN:
        people = people.filter(is_staff=True)
    elif role in GROUP_ROLES:
        people = people.filter(groups__name=role)
    return people
