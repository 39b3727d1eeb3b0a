from celery import shared_task
from django.conf import settings

from evalconsole import jobs
from reports import services


@shared_task(
    base=jobs.JobTask,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_report(job_id: int) -> None:
    services.report_build_run(job_id=job_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def refresh_active_reports() -> int:
    """Beat: keep active projects' reports fresh (a job only where there are new judgments)."""
    return len(services.reports_refresh_active())
