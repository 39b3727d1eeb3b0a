from django.contrib import admin

from evalconsole.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["kind", "status", "params", "progress", "errors", "result", "started_at", "finished_at"]
