"""Reports over the API: start an aggregation, read the newest snapshot, list the earlier ones."""

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import get_project_for_user
from evalconsole.job_api import JobOutput
from evalconsole.pagination import paginated
from reports import selectors, services


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


class ReportListApi(APIView):
    @extend_schema(responses=SnapshotSummaryOutput(many=True))
    def get(self, request, project_id):
        """The project's report snapshots, newest first (figures at /reports/latest/ or /reports/{id}/)."""
        project = get_project_for_user(request.user, project_id)
        return paginated(request, selectors.snapshots_of(project), SnapshotSummaryOutput, view=self)

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
