from django.urls import path

from projects import api

urlpatterns = [
    path("projects/", api.ProjectListApi.as_view(), name="project-list"),
    path("projects/<int:project_id>/", api.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<int:project_id>/activate/", api.ProjectActivateApi.as_view(), name="project-activate"),
    path("projects/<int:project_id>/pause/", api.ProjectPauseApi.as_view(), name="project-pause"),
    path("projects/<int:project_id>/complete/", api.ProjectCompleteApi.as_view(), name="project-complete"),
    path("projects/<int:project_id>/pool/", api.PoolApi.as_view(), name="project-pool"),
    path("projects/<int:project_id>/sample/", api.SampleApi.as_view(), name="project-sample"),
    path("projects/<int:project_id>/tasks/", api.TaskListApi.as_view(), name="project-tasks"),
    path("projects/<int:project_id>/tasks/<int:task_id>/gold/", api.TaskGoldApi.as_view(), name="project-task-gold"),
]
