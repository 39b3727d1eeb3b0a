from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from raters.models import Assignment, Judgment, RaterProfile, ResultAnswer, SensitiveReveal

User = get_user_model()


class RaterProfileInline(admin.StackedInline):
    model = RaterProfile
    can_delete = False
    filter_horizontal = ["qualifications"]


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [RaterProfileInline]
    list_display = ["username", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active"]


@admin.register(RaterProfile)
class RaterProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_quota", "sensitive_daily_cap", "sensitive_opt_out"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    filter_horizontal = ["qualifications"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Work records: the engine and services write them; the back office only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "task", "rater", "status", "is_gold", "swapped", "leased_at", "expires_at"]
    list_filter = ["status", "is_gold"]
    list_select_related = ["project", "rater"]


class ResultAnswerInline(admin.TabularInline):
    model = ResultAnswer
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Judgment)
class JudgmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "task", "rater", "guideline_version", "cannot_judge", "active_ms", "created_at"]
    list_filter = ["is_gold", "cannot_judge"]
    list_select_related = ["project", "rater", "guideline_version__guideline"]
    inlines = [ResultAnswerInline]


@admin.register(SensitiveReveal)
class SensitiveRevealAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "doc_id", "revealed_at"]
