from django.db import models

from evalconsole.models import Job
from projects.models import EvaluationProject


class ReportSnapshot(models.Model):
    """A project's figures at one moment, as the report JSON of DESIGN.md. Never changed once made.

    One per aggregation job (unique): a job delivered twice, or taken over after its worker
    died, still leaves exactly one snapshot.
    """

    project = models.ForeignKey(EvaluationProject, on_delete=models.CASCADE, related_name="report_snapshots")
    job = models.OneToOneField(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="report_snapshot")
    created_at = models.DateTimeField(auto_now_add=True)
    judgments = models.PositiveIntegerField()
    # The report itself (overall, segments, raters, operations), as served by reports/latest/.
    data = models.JSONField()
    # Per-query figures kept for run comparisons, column-wise: {"query_id": [...], "satisfaction": [...], ...}.
    # Not part of the report JSON: a big project's would dwarf it.
    per_query = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["project", "-created_at"], name="report_latest")]

    def __str__(self):
        return f"report {self.pk} of project {self.project_id} ({self.created_at:%Y-%m-%d %H:%M})"
