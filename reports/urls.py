from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboards/", views.pm_home, name="home"),
]
