"""API token authentication that reads the token, its person and their roles in one statement.

DRF's TokenAuthentication builds an ORM join for the token and the person, and the first role
check adds a query for the groups: on the rating endpoints, which raters call twice per
judgment, that was more Python than the endpoints' own work. The same checks and messages as
DRF's; the instances come out as if the ORM had loaded them, roles already known.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from evalconsole import rows
from evalconsole.roles import roles_from


@cache
def _token_sql() -> str:
    """The token, its person and one of their groups' names per row (a row without a group if none)."""
    user_model = get_user_model()
    membership = user_model.groups.through._meta.db_table
    group = user_model.groups.field.related_model._meta.db_table
    # Names from the models' metadata only; the key is a parameter.
    return (
        f"SELECT {rows.select_list('t', Token)}, {rows.select_list('u', user_model)}, g.name "  # noqa: S608
        f"FROM {Token._meta.db_table} t "
        f"JOIN {user_model._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {membership} m ON m.user_id = u.id "
        f"LEFT JOIN {group} g ON g.id = m.group_id "
        "WHERE t.key = %s"
    )


class TokenWithRolesAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, in one query that also brings the person's roles."""

    def authenticate_credentials(self, key):
        with connection.cursor() as cursor:
            rows.execute(cursor, _token_sql(), [key])
            found = cursor.fetchall()
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = rows.load(Token, found[0])
        user = rows.load(get_user_model(), found[0], rows.width(Token))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._evalconsole_roles = roles_from([row[-1] for row in found if row[-1]], is_staff=user.is_staff)
        token.user = user
        return user, token
