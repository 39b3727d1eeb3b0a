"""The database health check, skipped on a connection that finished a request moments ago.

With persistent connections (DB_CONN_MAX_AGE) Django checks a connection with `SELECT 1` before
each request uses it (CONN_HEALTH_CHECKS), so that a server restarted in between costs no failed
request. On the rating path that is one round trip in six. A connection that ended a request
without an error less than DB_HEALTH_CHECK_AFTER_MS (1,000) ms ago is trusted as PgBouncer trusts one
within its `server_check_delay`: a connection idle for longer is still checked, and one that saw an
error is checked by Django at the end of that request. The cost is that a server going away within
that second fails the next request on each such connection once (Django then drops it).
"""

import time

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections


def _released(**kwargs) -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        # Django's own handler ran first: a broken or outlived connection is closed by now.
        if connection.connection is not None and not connection.errors_occurred:
            connection.released = (connection.connection, now)
        else:
            connection.released = None


def _starting(**kwargs) -> None:
    window = settings.DB_HEALTH_CHECK_AFTER_MS / 1000
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        released, connection.released = getattr(connection, "released", None), None
        # The same connection as the one released (not one opened since), released recently.
        if released and connection.connection is released[0] and now - released[1] < window:
            connection.health_check_done = True


def connect_signals() -> None:
    """After django.db's close_old_connections (connected on import), so these run after it."""
    request_finished.connect(_released, dispatch_uid="evalconsole.connections.released")
    request_started.connect(_starting, dispatch_uid="evalconsole.connections.starting")
