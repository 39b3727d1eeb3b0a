"""Query-string filters of the guideline version list (see evalconsole.filters)."""

import django_filters

from evalconsole.filters import ChoiceFilter
from guidelines.models import GuidelineVersion


class VersionFilter(django_filters.FilterSet):
    status = ChoiceFilter(choices=GuidelineVersion.Status.choices)

    class Meta:
        model = GuidelineVersion
        fields = ["status"]
