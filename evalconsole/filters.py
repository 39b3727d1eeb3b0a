"""Filters on API lists (django-filter), strict: a value that cannot be read is a 400 naming its field.

A list is an APIView that answers through a selector; `FilteredList` narrows the selector's queryset
with the view's `filterset_class`, and shows that FilterSet's fields as query parameters in the
OpenAPI schema. A filter only ever narrows: the selector has already left out what the caller may
not see.
"""

import json
from datetime import UTC

import django_filters
from django import forms
from django.db import connection
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend


class UtcDateTimeField(IsoDateTimeField):
    """A date (midnight UTC) or an ISO 8601 timestamp, in UTC.

    In UTC because PostgreSQL refuses offsets past 15:59 that Python reads (+19:30), and a date
    at the edge of Python's calendar may have no UTC equivalent: either was a 500.
    """

    # %% because django-filter %-formats each message with its (here no) parameters.
    default_error_messages = {
        "invalid": "Give a date or an ISO 8601 timestamp, e.g. 2026-11-01 or 2026-11-01T07:30:00Z "
        "(encode a + offset as %%2B).",
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class ChoiceFilter(django_filters.ChoiceFilter):
    """One of `choices`, refused in the words DRF's serializers use for a bad choice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": '"%(value)s" is not a valid choice.'})
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true/false (1/0, any case): anything else is an error, where a NullBooleanField would drop it."""

    _VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self._VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Give true or false.", code="invalid") from None

    def validate(self, value):
        # None is "no filter"; super() would call it a missing value.
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class CreatedRangeFilterSet(django_filters.FilterSet):
    """`created_after` (at or after) and `created_before` (strictly before): a date or a timestamp."""

    created_after = MomentFilter(
        field_name="created_at", lookup_expr="gte", help_text="created at or after this date or ISO 8601 time"
    )
    created_before = MomentFilter(
        field_name="created_at", lookup_expr="lt", help_text="created before this date or ISO 8601 time"
    )


def json_list_has(queryset, field: str, value: str):
    """Rows whose JSON list `field` holds `value`.

    PostgreSQL answers `@>`; SQLite (the embedded default) has no JSON containment in Django, so
    there the list's text is searched for the value's JSON text, case ignored (quoted, so "it" is
    not "it-IT").
    """
    if connection.features.supports_json_field_contains:
        return queryset.filter(**{f"{field}__contains": [value]})
    return queryset.filter(**{f"{field}__icontains": json.dumps(value)})


class FilteredList:
    """Mixed into an APIView list: `filter_list(queryset)` applies `filterset_class` to the query string."""

    filter_backends = [DjangoFilterBackend]
    filterset_class: type[django_filters.FilterSet]

    @property
    def queryset(self):
        # Where drf-spectacular looks for the model the filters describe; the rows come from a selector.
        return self.filterset_class._meta.model.objects.none()

    def filter_list(self, queryset):
        return DjangoFilterBackend().filter_queryset(self.request, queryset, self)
