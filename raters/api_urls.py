from django.urls import path

from raters import api

urlpatterns = [
    path("users/", api.UserListApi.as_view(), name="user-list"),
]
