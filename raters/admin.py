from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from raters.models import RaterProfile

User = get_user_model()


class RaterProfileInline(admin.StackedInline):
    model = RaterProfile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [RaterProfileInline]
    list_display = ["username", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active"]


@admin.register(RaterProfile)
class RaterProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_quota"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
