from celery import shared_task
from django.conf import settings

from evalconsole import jobs
from projects import services


@shared_task(
    base=jobs.JobTask,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_pool_import(job_id: int) -> None:
    services.pool_import_run(job_id=job_id)
