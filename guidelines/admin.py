"""The back office. Published versions are shown read-only and refused on save, like everywhere."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from evalconsole.errors import Conflict
from guidelines import services
from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import validate_schema


class VersionAdminForm(forms.ModelForm):
    class Meta:
        model = GuidelineVersion
        fields = ["guideline", "number", "status", "body_markdown", "schema", "changelog", "created_by"]

    def clean_schema(self):
        schema = self.cleaned_data["schema"]
        if problems := validate_schema(schema):
            raise ValidationError([str(problem) for problem in problems])
        return schema


class VersionInline(admin.TabularInline):
    model = GuidelineVersion
    fields = ["number", "status", "published_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [VersionInline]
    raw_id_fields = ["owner"]


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(admin.ModelAdmin):
    form = VersionAdminForm
    list_display = ["guideline", "number", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["guideline__slug", "guideline__name"]
    raw_id_fields = ["guideline", "created_by"]
    readonly_fields = ["status", "published_at", "retired_at", "created_at", "updated_at"]
    actions = ["publish_selected", "retire_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Which guideline a version belongs to, its number and author are fixed at creation.
        fixed = ["guideline", "number", "created_by"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # A published or retired version is view-only here: any POST to it is a 403.
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        services.version_update(
            version=GuidelineVersion.objects.get(pk=obj.pk),
            body_markdown=obj.body_markdown,
            schema=obj.schema,
            changelog=obj.changelog,
        )

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = [str(obj) for obj in objs if not obj.is_draft]
        return deleted, model_count, perms_needed, protected + frozen

    @admin.action(description="Publish selected drafts")
    def publish_selected(self, request, queryset):
        for version in queryset.select_related("guideline"):
            try:
                services.version_publish(version=version)
            except (Conflict, ValidationError) as error:
                text = error.message if isinstance(error, Conflict) else "; ".join(error.messages)
                self.message_user(request, f"{version}: {text}", level=messages.ERROR)

    @admin.action(description="Retire selected published versions")
    def retire_selected(self, request, queryset):
        for version in queryset.select_related("guideline"):
            try:
                services.version_retire(version=version)
            except Conflict as error:
                self.message_user(request, f"{version}: {error.message}", level=messages.ERROR)
