from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboards/", views.pm_home, name="home"),
    path("dashboards/projects/<int:project_id>/", views.dashboard, name="dashboard"),
    path("dashboards/projects/<int:project_id>/<slug:chart>.csv", views.chart_csv, name="chart_csv"),
]
