from django.urls import path

from reports import export_api

urlpatterns = [
    path("projects/<int:project_id>/judgments/", export_api.JudgmentExportApi.as_view(), name="project-judgments"),
    path("projects/<int:project_id>/labels/", export_api.LabelExportApi.as_view(), name="project-labels"),
]
