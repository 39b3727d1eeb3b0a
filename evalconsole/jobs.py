"""Writes and reads for background jobs (evalconsole.models.Job).

A job is claimed with a conditional UPDATE, so two workers never run it at once and a
redelivered message finds it taken. Progress goes to the cache: the job's own work runs in
one transaction, and a progress row written inside it would stay invisible until the end.
"""

from datetime import timedelta

from celery import Task
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


class JobHeld(Exception):
    """The job is running under a worker that may still be alive; it is claimable from `retry_at`.

    The message in hand may be the only one left (a dead worker's, handed back by the broker), so
    it must not be dropped: the task tries again once the holder's time is up.
    """

    def __init__(self, retry_at):
        super().__init__(f"job held by another worker until {retry_at.isoformat()}")
        self.retry_at = retry_at

    def seconds_left(self) -> float:
        return max(0.0, (self.retry_at - timezone.now()).total_seconds())


class JobTask(Task):
    """Base of the tasks that run one Job: a message for a job another worker holds comes back later."""

    acks_late = True
    max_retries = 5

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except JobHeld as held:
            raise self.retry(countdown=held.seconds_left() + 1) from held


def job_claim(*, job_id: int, stale_after: timedelta) -> Job | None:
    """Take a queued job (or one whose worker died mid-run); None if it is finished.

    Raises JobHeld while another worker's run is younger than `stale_after`.
    """
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - stale_after)
    claimed = Job.objects.filter(claimable, pk=job_id).update(status=Status.RUNNING, started_at=now, progress=0)
    if claimed:
        return Job.objects.get(pk=job_id)
    held = Job.objects.filter(pk=job_id, status=Status.RUNNING).values_list("started_at", flat=True).first()
    if held is not None:
        raise JobHeld(held + stale_after)
    return None


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
