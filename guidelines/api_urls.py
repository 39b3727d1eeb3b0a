from django.urls import path

from guidelines import api

urlpatterns = [
    path("guidelines/", api.GuidelineListApi.as_view(), name="guideline-list"),
    path("guidelines/<slug:slug>/", api.GuidelineDetailApi.as_view(), name="guideline-detail"),
    path("guidelines/<slug:slug>/diff/", api.GuidelineDiffApi.as_view(), name="guideline-diff"),
    path("guidelines/<slug:slug>/versions/", api.VersionListApi.as_view(), name="guideline-version-list"),
    path(
        "guidelines/<slug:slug>/versions/<int:number>/", api.VersionDetailApi.as_view(), name="guideline-version-detail"
    ),
    path(
        "guidelines/<slug:slug>/versions/<int:number>/publish/",
        api.VersionPublishApi.as_view(),
        name="guideline-version-publish",
    ),
    path(
        "guidelines/<slug:slug>/versions/<int:number>/retire/",
        api.VersionRetireApi.as_view(),
        name="guideline-version-retire",
    ),
]
