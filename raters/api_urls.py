from django.urls import path

from raters import api

urlpatterns = [
    path("users/", api.UserListApi.as_view(), name="user-list"),
    path("projects/<int:project_id>/next/", api.NextApi.as_view(), name="project-next"),
    path("assignments/<int:assignment_id>/submit/", api.SubmitApi.as_view(), name="assignment-submit"),
    path("assignments/<int:assignment_id>/skip/", api.SkipApi.as_view(), name="assignment-skip"),
    path("assignments/<int:assignment_id>/reveal/", api.RevealApi.as_view(), name="assignment-reveal"),
]
