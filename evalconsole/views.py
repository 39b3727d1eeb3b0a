from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from evalconsole.celery import app as celery_app
from evalconsole.roles import Role, primary_role

HOME_BY_ROLE = {
    Role.ADMIN: "admin:index",
    Role.OWNER: "projects:list",
    Role.PM: "reports:home",
    Role.REVIEWER: "raters:review_home",
    Role.RATER: "raters:home",
}


@login_required
def home(request):
    role = primary_role(request.user)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is what a health check reports
        return f"error: {exc.__class__.__name__}: {exc}".strip()
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}: {exc}".strip()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
