"""Query-string filters of the project and task lists (see evalconsole.filters)."""

import django_filters
from django.db.models import F, Q

from evalconsole.filters import ChoiceFilter, CreatedRangeFilterSet, StrictBooleanFilter
from projects.models import EvaluationProject, Task


class ProjectFilter(CreatedRangeFilterSet):
    status = ChoiceFilter(choices=EvaluationProject.Status.choices)
    kind = ChoiceFilter(choices=EvaluationProject.Kind.choices)
    guideline = django_filters.CharFilter(
        field_name="guideline_version__guideline__slug", help_text="the guideline's slug"
    )
    owner = django_filters.CharFilter(field_name="owner__username", help_text="the owner's username")

    class Meta:
        model = EvaluationProject
        fields = ["status", "kind", "guideline", "owner", "created_after", "created_before"]


TASK_STATUSES = [("open", "open"), ("complete", "complete")]


class TaskFilter(django_filters.FilterSet):
    locale = django_filters.CharFilter()
    category = django_filters.CharFilter()
    variant = django_filters.CharFilter(method="filter_variant", help_text="either page of the task shows it")
    is_gold = StrictBooleanFilter()
    status = ChoiceFilter(
        choices=TASK_STATUSES,
        method="filter_status",
        help_text="open: it still asks for judgments; complete: it has all it asks for",
    )
    stratum = django_filters.CharFilter()

    class Meta:
        model = Task
        fields = ["locale", "category", "variant", "is_gold", "status", "stratum"]

    def filter_variant(self, queryset, name, value):
        return queryset.filter(Q(serp__variant=value) | Q(serp_b__variant=value))

    def filter_status(self, queryset, name, value):
        # Task.status, in SQL.
        complete = Q(judgment_count__gte=F("overlap"))
        return queryset.filter(complete if value == "complete" else ~complete)
