"""Query-string filters of the report snapshot list (see evalconsole.filters)."""

from evalconsole.filters import CreatedRangeFilterSet
from reports.models import ReportSnapshot


class SnapshotFilter(CreatedRangeFilterSet):
    class Meta:
        model = ReportSnapshot
        fields = ["created_after", "created_before"]
