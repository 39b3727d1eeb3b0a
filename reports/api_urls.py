from django.urls import path

from reports import api

urlpatterns = [
    path("projects/<int:project_id>/reports/", api.ReportListApi.as_view(), name="project-reports"),
    path("projects/<int:project_id>/reports/latest/", api.ReportLatestApi.as_view(), name="project-report-latest"),
    path("projects/<int:project_id>/reports/compare/", api.ReportCompareApi.as_view(), name="project-report-compare"),
    path("projects/<int:project_id>/reports/<int:snapshot_id>/", api.ReportDetailApi.as_view(), name="project-report"),
]
