from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def clear_expired_sessions() -> int:
    """Delete expired login sessions (beat runs it nightly); safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
