from django.urls import path

from guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="list"),
    path("new/", views.guideline_create, name="create"),
    path("preview/", views.preview, name="preview"),
    path("<slug:slug>/", views.guideline_detail, name="detail"),
    path("<slug:slug>/diff/", views.guideline_diff, name="diff"),
    path("<slug:slug>/versions/new/", views.version_new, name="version_new"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version_detail"),
    path("<slug:slug>/v<int:number>/edit/", views.version_edit, name="version_edit"),
    path("<slug:slug>/v<int:number>/publish/", views.version_publish, name="version_publish"),
    path("<slug:slug>/v<int:number>/retire/", views.version_retire, name="version_retire"),
    path("<slug:slug>/v<int:number>/discard/", views.version_discard, name="version_discard"),
]
