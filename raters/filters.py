"""Query-string filters of the people list (see evalconsole.filters)."""

import django_filters
from django.contrib.auth import get_user_model

from evalconsole.filters import ChoiceFilter, json_list_has
from evalconsole.roles import Role
from raters import selectors


class UserFilter(django_filters.FilterSet):
    role = ChoiceFilter(choices=[(role.value, role.value) for role in Role], method="filter_role")
    locale = django_filters.CharFilter(method="filter_locale", help_text="a locale the person rates, e.g. it-IT")

    class Meta:
        model = get_user_model()
        fields = ["role", "locale"]

    def filter_role(self, queryset, name, value):
        # Who holds a role is the selector's to say (admins are staff, the rest are groups).
        return queryset.filter(pk__in=selectors.user_list(role=value).values("pk"))

    def filter_locale(self, queryset, name, value):
        return json_list_has(queryset, "rater_profile__locales", value)
