from celery import shared_task
from django.conf import settings

from projects import services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_pool_import(job_id: int) -> None:
    services.pool_import_run(job_id=job_id)
