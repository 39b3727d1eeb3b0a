from celery import shared_task

from raters import engine


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def expire_leases() -> int:
    """Return the tasks of leases past their time to the pool (beat runs it every minute)."""
    total = 0
    while expired := engine.expire_leases():
        total += expired
    return total
