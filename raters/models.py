from django.conf import settings
from django.db import models
from django.db.models import Q


class RaterProfile(models.Model):
    """What routing needs to know about a person: where they work and how much."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rater_profile")
    locales = models.JSONField(default=list, blank=True, help_text="Locale tags this person rates, e.g. it-IT.")
    daily_quota = models.PositiveIntegerField(default=200, help_text="Most judgments a day.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(daily_quota__lte=10_000), name="rater_daily_quota_bounded")]

    def __str__(self):
        return f"{self.user.username} ({', '.join(self.locales) or 'no locales'})"
