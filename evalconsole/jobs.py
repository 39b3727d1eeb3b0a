"""Writes and reads for background jobs (evalconsole.models.Job).

A job is claimed with a conditional UPDATE, so two workers never run it at once and a
redelivered message finds it taken. Progress goes to the cache: the job's own work runs in
one transaction, and a progress row written inside it would stay invisible until the end.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from evalconsole.models import Job

Status = Job.Status
PROGRESS_TTL = 24 * 60 * 60


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_create(*, kind: str, created_by, params: dict) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, params=params)


def job_claim(*, job_id: int, stale_after: timedelta) -> Job | None:
    """Take a queued job (or one whose worker died mid-run); None if someone else has it or it is done."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - stale_after)
    claimed = Job.objects.filter(claimable, pk=job_id).update(status=Status.RUNNING, started_at=now, progress=0)
    if not claimed:
        return None
    return Job.objects.get(pk=job_id)


def job_progress(*, job: Job, fraction: float) -> None:
    cache.set(_progress_key(job.pk), max(0.0, min(1.0, fraction)), PROGRESS_TTL)


def job_finish(*, job: Job, result: dict | None = None, errors: list[dict] | None = None) -> Job:
    job.status = Status.FAILED if errors else Status.SUCCEEDED
    job.errors, job.result = errors or [], result
    job.progress, job.finished_at = 1.0, timezone.now()
    job.save(update_fields=["status", "errors", "result", "progress", "finished_at"])
    cache.delete(_progress_key(job.pk))
    return job


def job_current_progress(job: Job) -> float:
    if job.status == Status.RUNNING:
        return cache.get(_progress_key(job.pk), job.progress)
    return job.progress
