from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from evalconsole import views
from evalconsole.throttles import throttle_sign_ins

# The admin's login page counts attempts with ours and the token endpoint's (set before its URLs are made).
admin.site.login = throttle_sign_ins(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", throttle_sign_ins(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("evalconsole.api", "api"), namespace="api")),
    path("guidelines/", include("guidelines.urls")),
    path("projects/", include("projects.urls")),
    path("", include("raters.urls")),
    path("", include("reports.urls")),
]
