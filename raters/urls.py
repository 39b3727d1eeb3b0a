from django.urls import path

from raters import views

app_name = "raters"

urlpatterns = [
    path("console/", views.rater_home, name="home"),
    path("review/", views.reviewer_home, name="review_home"),
]
