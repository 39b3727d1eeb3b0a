"""The API router: /api/v1/ gathers each app's endpoints, the token endpoint and the schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from evalconsole.job_api import JobDetailApi
from evalconsole.token_api import TokenApi


class DocsView(SpectacularSwaggerView):
    """The Swagger UI page: a page to read, so GET and HEAD only (its OPTIONS had no template: a 500)."""

    http_method_names = ["get", "head"]


urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("jobs/<int:job_id>/", JobDetailApi.as_view(), name="job-detail"),
    # The rating endpoints first: raters call them twice per judgment, and every pattern tried
    # before the match costs (no two apps' patterns match the same path, so order means nothing else).
    path("", include("raters.api_urls")),
    path("", include("guidelines.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("reports.export_urls")),
]
