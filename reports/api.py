"""Reports over the API: start an aggregation, read the newest snapshot, list the earlier ones."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import get_project_for_user
from evalconsole.errors import Conflict
from evalconsole.filters import FilteredList
from evalconsole.job_api import JobOutput
from evalconsole.openapi import ErrorOutput
from evalconsole.pagination import Pagination, paginated
from reports import comparison, selectors, services
from reports.filters import SnapshotFilter


def snapshot_data(snapshot) -> dict:
    """The report JSON of DESIGN.md: the snapshot's identity, then its figures."""
    return {
        "id": snapshot.pk,
        "project": snapshot.project_id,
        "created_at": serializers.DateTimeField().to_representation(snapshot.created_at),
        "judgments": snapshot.judgments,
        **snapshot.data,
    }


class SnapshotSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    judgments = serializers.IntegerField()


class ReportListApi(FilteredList, APIView):
    pagination_class = Pagination
    filterset_class = SnapshotFilter

    @extend_schema(responses=SnapshotSummaryOutput(many=True))
    def get(self, request, project_id):
        """The project's report snapshots, newest first (figures at /reports/latest/ or /reports/{id}/)."""
        project = get_project_for_user(request.user, project_id)
        snapshots = self.filter_list(selectors.snapshots_of(project))
        return paginated(request, snapshots, SnapshotSummaryOutput, view=self)

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request, project_id):
        """Start an aggregation job; follow it at /api/v1/jobs/{id}/, then read /reports/latest/."""
        project = get_project_for_user(request.user, project_id, write=True)
        job = services.report_request(project=project, created_by=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ReportLatestApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, description="The newest report snapshot, as in DESIGN.md.")
    def get(self, request, project_id):
        project = get_project_for_user(request.user, project_id)
        snapshot = selectors.latest_snapshot(project)
        if snapshot is None:
            raise Http404("This project has no report yet; start one with POST /api/v1/projects/{id}/reports/.")
        return Response(snapshot_data(snapshot))


class ReportDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, description="One report snapshot, as in DESIGN.md.")
    def get(self, request, project_id, snapshot_id):
        project = get_project_for_user(request.user, project_id)
        snapshot = selectors.snapshot_of(project, snapshot_id)
        return Response(snapshot_data(snapshot))


class ReportCompareApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("with", int, required=True, description="the baseline project (before)")],
        responses={
            200: OpenApiTypes.OBJECT,
            409: OpenApiResponse(ErrorOutput, description="One of the two projects has no report yet."),
        },
        description="This project's latest report (after) against another project's (before), paired by query: "
        "per metric the mean delta with a 95% bootstrap interval and a Wilcoxon signed-rank p-value.",
    )
    def get(self, request, project_id):
        after_project = get_project_for_user(request.user, project_id)
        baseline = request.query_params.get("with", "")
        if not baseline.isdigit():
            raise serializers.ValidationError({"with": ["Give the baseline project's id, e.g. ?with=12."]})
        before_project = get_project_for_user(request.user, int(baseline))
        snapshots = [selectors.latest_snapshot(project) for project in (before_project, after_project)]
        missing = [project.name for project, snapshot in zip((before_project, after_project), snapshots, strict=True)
                   if snapshot is None]  # fmt: skip
        if missing:
            raise Conflict(f"No report yet for {', '.join(missing)}; run one first.", code="no_report")
        before, after = (selectors.per_query_frame(snapshot) for snapshot in snapshots)
        metrics = [metric for metric in selectors.COMPARED if metric in before and metric in after]
        figures = comparison.compare_runs(before, after, metrics)
        return Response(
            {
                "before": {"project": before_project.pk, "snapshot": snapshots[0].pk},
                "after": {"project": after_project.pk, "snapshot": snapshots[1].pk},
                **figures,
            }
        )
