from django.conf import settings
from django.db import models
from django.db.models import Q

from guidelines.models import Guideline, GuidelineVersion
from projects.models import EvaluationProject, PoolSerp, Task


class RaterProfile(models.Model):
    """What routing needs to know about a person: where they work, on what, and how much."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rater_profile")
    locales = models.JSONField(default=list, blank=True, help_text="Locale tags this person rates, e.g. it-IT.")
    daily_quota = models.PositiveIntegerField(default=200, help_text="Most judgments a day.")
    qualifications = models.ManyToManyField(
        Guideline, blank=True, related_name="qualified_raters", help_text="Guidelines this person may rate under."
    )
    sensitive_daily_cap = models.PositiveIntegerField(
        default=20, help_text="Most tasks with sensitive results a day (wellbeing)."
    )
    sensitive_opt_out = models.BooleanField(default=False, help_text="Never route tasks with sensitive results.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(daily_quota__lte=10_000), name="rater_daily_quota_bounded")]

    def __str__(self):
        return f"{self.user.username} ({', '.join(self.locales) or 'no locales'})"


class Assignment(models.Model):
    """A task leased to one rater: until it expires, it counts against the task's overlap."""

    class Status(models.TextChoices):
        LEASED = "leased", "Leased"
        SUBMITTED = "submitted", "Submitted"
        SKIPPED = "skipped", "Skipped"
        EXPIRED = "expired", "Expired"

    # task and rater have no index of their own: assignment_once_per_rater starts with task, and
    # assignment_rater_day with rater. Each index is written on every lease and every submit.
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments", db_index=False)
    project = models.ForeignKey(EvaluationProject, on_delete=models.PROTECT, related_name="assignments")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LEASED)
    is_gold = models.BooleanField(default=False)
    # The task's has_sensitive when leased: today's sensitive count reads it here rather than joining
    # every task the rater took today (that join grew each next-task with the day's work).
    has_sensitive = models.BooleanField(default=False, db_default=False)
    # Side by side: True when the task's second page (serp_b) was shown on the left.
    swapped = models.BooleanField(default=False)
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            # No rater sees a task twice, whatever happened to the first lease.
            models.UniqueConstraint(fields=["task", "rater"], name="assignment_once_per_rater"),
        ]
        indexes = [
            models.Index(fields=["rater", "project", "status"]),
            # Today's quota and sensitive cap are counted per rater from a time on.
            models.Index(fields=["rater", "leased_at"], name="assignment_rater_day"),
            models.Index(fields=["expires_at"], condition=Q(status="leased"), name="assignment_live_leases"),
        ]

    def __str__(self):
        return f"assignment {self.pk}: task {self.task_id} to {self.rater_id} ({self.status})"


class Judgment(models.Model):
    """A rater's answers for one assignment. Never edited: corrections are review records."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="judgment")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="judgments")
    # project and rater have no index of their own: the (project, created_at) and (rater,
    # created_at) indexes start with them, and each index is written on every submit.
    project = models.ForeignKey(EvaluationProject, on_delete=models.PROTECT, related_name="judgments", db_index=False)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judgments", db_index=False
    )
    guideline_version = models.ForeignKey(GuidelineVersion, on_delete=models.PROTECT, related_name="judgments")
    submission_id = models.UUIDField(unique=True)
    # Page answers by question key; a side-by-side preference is stored as "positive: the
    # project's second variant is better", whichever side it was shown on.
    page = models.JSONField(default=dict)
    cannot_judge = models.CharField(max_length=64, blank=True)
    active_ms = models.PositiveIntegerField()
    is_gold = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "created_at"]),
            models.Index(fields=["rater", "created_at"]),
        ]

    def __str__(self):
        return f"judgment {self.pk} on task {self.task_id} by {self.rater_id}"


class ResultAnswer(models.Model):
    """One answer to one result question: a narrow table reports can scan by the million."""

    judgment = models.ForeignKey(Judgment, on_delete=models.PROTECT, related_name="result_answers")
    # No index of its own: the (serp, doc_id, question) index starts with it; a judgment writes a
    # row per answer, each into every index.
    serp = models.ForeignKey(PoolSerp, on_delete=models.PROTECT, related_name="+", db_index=False)
    doc_id = models.CharField(max_length=200)
    question = models.CharField(max_length=40)
    # Ordinal and boolean answers are numbers; categorical, multi (a row per choice) and text are text.
    value = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["serp", "doc_id", "question"])]

    def __str__(self):
        return f"{self.doc_id}.{self.question}"


class SensitiveReveal(models.Model):
    """A rater chose to see a blurred, sensitive result (kept for wellbeing audits)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reveals")
    doc_id = models.CharField(max_length=200)
    revealed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.doc_id} revealed in assignment {self.assignment_id}"
