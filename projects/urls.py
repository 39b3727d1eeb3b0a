from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/edit/", views.project_edit, name="edit"),
    path("<int:project_id>/pool/", views.pool_list, name="pool"),
    path("<int:project_id>/pool/upload/", views.pool_upload, name="pool_upload"),
    path("<int:project_id>/pool/<int:serp_id>/", views.serp_preview, name="serp"),
    path("<int:project_id>/sample/", views.project_sample, name="sample"),
    path("<int:project_id>/activate/", views.project_transition, {"action": "activate"}, name="activate"),
    path("<int:project_id>/pause/", views.project_transition, {"action": "pause"}, name="pause"),
    path("<int:project_id>/complete/", views.project_transition, {"action": "complete"}, name="complete"),
]
