"""API token authentication that reads the token, its person and their roles in one statement.

DRF's TokenAuthentication builds an ORM join for the token and the person, and the first role
check adds a query for the groups: on the rating endpoints, which raters call twice per
judgment, that was more Python than the endpoints' own work. The same checks and messages as
DRF's; the instances come out as if the ORM had loaded them, roles already known.
"""

from datetime import UTC
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from evalconsole.roles import roles_from


@cache
def _token_sql() -> tuple[str, tuple[str, ...]]:
    """The statement (one row per group the person is in) and the person's field names, in its order."""
    user_model = get_user_model()
    fields = tuple(field.attname for field in user_model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(field.column)}" for field in user_model._meta.concrete_fields)
    membership = user_model.groups.through._meta
    group = user_model.groups.field.related_model._meta
    # Names from the models' metadata only; the key is a parameter.
    sql = (
        f"SELECT t.{quote('created')}, {columns}, g.{quote('name')} "  # noqa: S608
        f"FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.{quote('user_id')} "
        f"LEFT JOIN {quote(membership.db_table)} m ON m.{quote('user_id')} = u.{quote(user_model._meta.pk.column)} "
        f"LEFT JOIN {quote(group.db_table)} g ON g.{quote('id')} = m.{quote('group_id')} "
        f"WHERE t.{quote('key')} = %s"
    )
    return sql, fields


@cache
def _kinds() -> tuple[str, ...]:
    return tuple(field.get_internal_type() for field in get_user_model()._meta.concrete_fields)


def _python(kind: str, value):
    """A raw column value as the ORM gives it (SQLite hands back 0/1 and naive UTC times)."""
    if value is None:
        return None
    if kind == "BooleanField":
        return bool(value)
    if kind == "DateTimeField" and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


class TokenWithRolesAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, in one query that also brings the person's roles."""

    def authenticate_credentials(self, key):
        sql, fields = _token_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            rows = cursor.fetchall()
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        created, *values = rows[0][:-1]
        values = [_python(kind, value) for kind, value in zip(_kinds(), values, strict=True)]
        user = get_user_model().from_db(connection.alias, fields, values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._evalconsole_roles = roles_from([row[-1] for row in rows if row[-1]], is_staff=user.is_staff)
        token = Token.from_db(
            connection.alias, ("key", "user_id", "created"), (key, user.pk, _python("DateTimeField", created))
        )
        token.user = user
        return user, token
