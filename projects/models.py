from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from guidelines.models import GuidelineVersion


class EvaluationProject(models.Model):
    class Kind(models.TextChoices):
        GRADED = "graded", "Graded"
        SIDE_BY_SIDE = "side_by_side", "Side by side"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects")
    guideline_version = models.ForeignKey(GuidelineVersion, on_delete=models.PROTECT, related_name="projects")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GRADED)
    # Side by side: the two variant names, e.g. ["baseline", "experiment"].
    variants = models.JSONField(default=list, blank=True)
    overlap = models.PositiveSmallIntegerField(default=3)
    locales = models.JSONField(default=list, blank=True)
    lease_minutes = models.PositiveSmallIntegerField(default=10)
    gold_rate = models.FloatField(default=0.0)
    cost_per_judgment = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    deadline = models.DateTimeField(null=True, blank=True)
    priority = models.SmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1) & Q(overlap__lte=50), name="project_overlap_range"),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0) & Q(gold_rate__lte=0.5), name="project_gold_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(lease_minutes__gte=1) & Q(lease_minutes__lte=240), name="project_lease_minutes_range"
            ),
            models.CheckConstraint(condition=Q(cost_per_judgment__gte=0), name="project_cost_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_side_by_side(self):
        return self.kind == self.Kind.SIDE_BY_SIDE


class PoolSerp(models.Model):
    """One query's result page as captured for evaluation (one line of a JSONL pool file)."""

    project = models.ForeignKey(EvaluationProject, on_delete=models.CASCADE, related_name="serps")
    query_id = models.CharField(max_length=200)
    query = models.CharField(max_length=1000)
    locale = models.CharField(max_length=35)
    category = models.CharField(max_length=100, blank=True)
    traffic = models.FloatField(default=0)
    variant = models.CharField(max_length=100, blank=True)
    import_job = models.ForeignKey("evalconsole.Job", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "query_id", "variant"], name="pool_serp_unique_query_variant"),
            models.CheckConstraint(condition=Q(traffic__gte=0), name="pool_serp_traffic_not_negative"),
        ]
        indexes = [models.Index(fields=["project", "locale"])]

    def __str__(self):
        return f"{self.query_id} {self.variant}".strip()


class PoolResult(models.Model):
    # No index of its own: the unique (serp, rank) index serves lookups by SERP.
    serp = models.ForeignKey(PoolSerp, on_delete=models.CASCADE, related_name="results", db_index=False)
    rank = models.PositiveSmallIntegerField()
    doc_id = models.CharField(max_length=200)
    title = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=2048)
    snippet = models.CharField(max_length=2000, blank=True)
    media_type = models.CharField(max_length=32, blank=True)
    thumbnail_url = models.CharField(max_length=2048, blank=True)
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["serp", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["serp", "rank"], name="pool_result_unique_rank"),
            models.UniqueConstraint(fields=["serp", "doc_id"], name="pool_result_unique_doc"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="pool_result_rank_positive"),
        ]

    def __str__(self):
        return f"#{self.rank} {self.doc_id}"


class SamplingRun(models.Model):
    """One draw from the pool into tasks, with everything needed to draw it again."""

    project = models.ForeignKey(EvaluationProject, on_delete=models.CASCADE, related_name="sampling_runs")
    strategy = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    strata = models.JSONField(default=list, blank=True)
    allocation = models.CharField(max_length=16, blank=True)
    seed = models.BigIntegerField()
    mode = models.CharField(max_length=16, default="replace")
    tasks_made = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.strategy} sample of {self.tasks_made} ({self.created_at:%Y-%m-%d %H:%M})"


class Task(models.Model):
    """A unit of rater work: one SERP (graded) or one query's two variants (side by side)."""

    # No index of its own: task_unique_serp and (project, locale) start with it. Every index is
    # written again on each update that moves judgment_count (a submit).
    project = models.ForeignKey(EvaluationProject, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    sampling_run = models.ForeignKey(SamplingRun, on_delete=models.CASCADE, related_name="tasks")
    query_id = models.CharField(max_length=200)
    locale = models.CharField(max_length=35)
    category = models.CharField(max_length=100, blank=True)
    serp = models.ForeignKey(PoolSerp, on_delete=models.PROTECT, related_name="tasks")
    # Side by side: the second variant's page; which one shows left is decided per assignment.
    serp_b = models.ForeignKey(PoolSerp, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks_b")
    stratum = models.CharField(max_length=300, blank=True)
    inclusion_probability = models.FloatField()
    priority = models.SmallIntegerField(default=0)
    overlap = models.PositiveSmallIntegerField()
    is_gold = models.BooleanField(default=False)
    gold_answers = models.JSONField(null=True, blank=True)
    # Any result on the task's pages is sensitive: routing honours each rater's cap and opt-out.
    has_sensitive = models.BooleanField(default=False)
    judgment_count = models.PositiveIntegerField(default=0)
    # Live leases; judgments + leases never exceed the overlap (a check constraint says so).
    lease_count = models.PositiveIntegerField(default=0)
    # A random key fixed at sampling: "then random" in the queue order, served by an index.
    shuffle = models.IntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "serp"], name="task_unique_serp"),
            models.CheckConstraint(
                condition=Q(inclusion_probability__gt=0) & Q(inclusion_probability__lte=1),
                name="task_inclusion_probability_range",
            ),
            models.CheckConstraint(
                condition=Q(is_gold=True) | Q(judgment_count__lte=F("overlap") - F("lease_count")),
                name="task_judgments_and_leases_within_overlap",
            ),
            models.CheckConstraint(
                condition=Q(is_gold=False) | Q(gold_answers__isnull=False), name="task_gold_has_answers"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "locale"]),
            # The queue: open tasks of a project by priority, fewest judgments, then shuffled.
            models.Index(
                F("project"),
                F("is_gold"),
                F("priority").desc(),
                F("judgment_count"),
                F("shuffle"),
                name="task_queue_order",
            ),
        ]

    def __str__(self):
        return f"task {self.pk}: {self.query_id} ({self.locale})"

    @property
    def status(self):
        return "complete" if self.judgment_count >= self.overlap else "open"
