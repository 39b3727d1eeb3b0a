"""Roles are Django groups (rater, reviewer, owner, pm); admins are staff users.

A person may hold several roles; the home page follows the most senior one.
"""

from enum import StrEnum

from django.contrib.auth.models import Group


class Role(StrEnum):
    RATER = "rater"
    REVIEWER = "reviewer"
    OWNER = "owner"
    PM = "pm"
    ADMIN = "admin"


GROUP_ROLES = (Role.RATER, Role.REVIEWER, Role.OWNER, Role.PM)
# Seniority decides which home a person with several roles lands on.
SENIORITY = (Role.ADMIN, Role.OWNER, Role.PM, Role.REVIEWER, Role.RATER)


def roles_of(user) -> frozenset[Role]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_evalconsole_roles", None)
    if cached is None:
        cached = roles_from(
            user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True), is_staff=user.is_staff
        )
        user._evalconsole_roles = cached
    return cached


def roles_from(group_names, *, is_staff: bool) -> frozenset[Role]:
    """Roles from group names already in hand (a prefetched list, say)."""
    roles = {Role(name) for name in group_names if name in GROUP_ROLES}
    if is_staff:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def primary_role(user) -> Role | None:
    held = roles_of(user)
    return next((role for role in SENIORITY if role in held), None)


def set_role(user, role: Role) -> None:
    """Give `user` exactly one role group (admin means staff)."""
    user.groups.remove(*Group.objects.filter(name__in=GROUP_ROLES))
    if role == Role.ADMIN:
        # Admins run the back office, which needs every model permission.
        if not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    else:
        # get_or_create: the groups come from a migration, but a flushed database has none.
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    user.__dict__.pop("_evalconsole_roles", None)
