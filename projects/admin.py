from django.contrib import admin

from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task


@admin.register(EvaluationProject)
class EvaluationProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "kind", "status", "overlap", "deadline", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]
    raw_id_fields = ["owner", "guideline_version"]
    # Status moves through the services (activation needs tasks, and so on), not by hand.
    readonly_fields = ["status", "activated_at", "completed_at", "created_at"]


class PoolResultInline(admin.TabularInline):
    model = PoolResult
    extra = 0
    can_delete = False


@admin.register(PoolSerp)
class PoolSerpAdmin(admin.ModelAdmin):
    list_display = ["query_id", "query", "locale", "category", "variant", "project"]
    list_filter = ["locale"]
    search_fields = ["query_id", "query"]
    raw_id_fields = ["project", "import_job"]
    inlines = [PoolResultInline]
    list_select_related = ["project"]


@admin.register(SamplingRun)
class SamplingRunAdmin(admin.ModelAdmin):
    list_display = ["project", "strategy", "size", "seed", "mode", "tasks_made", "created_at"]
    raw_id_fields = ["project", "created_by"]
    list_select_related = ["project"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "query_id", "locale", "inclusion_probability", "is_gold", "judgment_count"]
    list_filter = ["is_gold", "locale"]
    search_fields = ["query_id"]
    raw_id_fields = ["project", "sampling_run", "serp", "serp_b"]
    list_select_related = ["project"]
