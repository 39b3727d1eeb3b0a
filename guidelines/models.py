from django.conf import settings
from django.db import models
from django.db.models import Q


class Guideline(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guidelines")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GuidelineVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    body_markdown = models.TextField(blank=True)
    schema = models.JSONField(default=dict)
    changelog = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["guideline", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_number_unique"),
            # One draft at a time: a new version is a copy of the latest, edited until published.
            models.UniqueConstraint(fields=["guideline"], condition=Q(status="draft"), name="guideline_single_draft"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="guideline_version_published_at_set"
            ),
            models.CheckConstraint(
                condition=~Q(status="retired") | Q(retired_at__isnull=False), name="guideline_version_retired_at_set"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="guideline_version_number_positive"),
        ]

    def __str__(self):
        return f"{self.guideline.slug} v{self.number} ({self.status})"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT
