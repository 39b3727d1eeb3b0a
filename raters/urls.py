from django.urls import path

from raters import views

app_name = "raters"

urlpatterns = [
    path("console/", views.rater_home, name="home"),
    path("console/projects/<int:project_id>/", views.console, name="console"),
    path("console/projects/<int:project_id>/task/", views.console_task, name="console_task"),
    path("review/", views.reviewer_home, name="review_home"),
]
