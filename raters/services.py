"""Writes for people: accounts, roles and rater profiles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from evalconsole.locales import locale_problem
from evalconsole.roles import Role, set_role
from raters.models import RaterProfile

User = get_user_model()
MAX_DAILY_QUOTA = 10_000


def _profile_errors(*, locales, daily_quota) -> dict[str, list[str]]:
    errors = {}
    if not isinstance(locales, (list, tuple)):
        errors["locales"] = ['Give locales as a list of tags, e.g. ["it-IT", "de-DE"].']
    else:
        problems = [problem for locale in locales if (problem := locale_problem(locale))]
        if problems:
            errors["locales"] = problems
        elif len(set(locales)) != len(locales):
            errors["locales"] = ["A locale is listed twice."]
    if daily_quota is not None and (
        isinstance(daily_quota, bool) or not isinstance(daily_quota, int) or not 0 <= daily_quota <= MAX_DAILY_QUOTA
    ):
        errors["daily_quota"] = [f"The daily quota is a whole number from 0 to {MAX_DAILY_QUOTA}."]
    return errors


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    locales=(),
    daily_quota: int | None = None,
    email: str = "",
):
    """A person with one role and a rater profile, all or nothing."""
    errors = _profile_errors(locales=locales, daily_quota=daily_quota)
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f'"{role}" is not a role; use one of {", ".join(r.value for r in Role)}.']
    if User.objects.filter(username=username).exists():
        errors["username"] = [f'The username "{username}" is taken.']
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        set_role(candidate, role)
        profile = RaterProfile(user=candidate, locales=list(locales))
        if daily_quota is not None:
            profile.daily_quota = daily_quota
        profile.save()
    return candidate


def users_create_bulk(*, people: list[dict]) -> list:
    """Onboard many people at once; if any one is refused, nobody is created.

    Errors are keyed by position, `people[3].username`, so a vendor can fix their file.
    """
    errors: dict[str, list[str]] = {}
    created, seen = [], set()
    with transaction.atomic():
        for index, person in enumerate(people):
            username = person.get("username")
            if username in seen:
                errors[f"people[{index}].username"] = [f'"{username}" appears twice in this request.']
                continue
            seen.add(username)
            try:
                created.append(user_create(**person))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors[f"people[{index}].{field}"] = messages
        if errors:
            # Leaving the block with an exception rolls back everyone created above.
            raise ValidationError(errors)
    return created


def profile_for(user) -> RaterProfile:
    profile, _ = RaterProfile.objects.get_or_create(user=user)
    return profile
