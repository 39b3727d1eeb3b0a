"""Django's PostgreSQL backend, with the per-request health check skipped on a connection in use.

With persistent connections (DB_CONN_MAX_AGE) Django checks a connection with `SELECT 1` before a
request first uses it (CONN_HEALTH_CHECKS), so that a server restarted in between costs no failed
request. On the rating path that is a round trip in every five or six. Here a connection that
opened a cursor less than DB_HEALTH_CHECK_AFTER_MS (1,000) ms ago is trusted, as PgBouncer trusts
one within its `server_check_delay`; one idle for longer is still checked, and one that saw an
error is checked by Django as that request ends. The cost: a server that goes away within that
second fails the next request on each such connection once (Django then drops the connection).

With DB_PREPARED_STATEMENTS, each connection also asks for generic plans of prepared statements
(`plan_cache_mode`). Our prepared statements are the rating path's (evalconsole.rows); left to
choose, PostgreSQL kept planning the lease and the standing afresh on every call (custom plans: a
fifth of its CPU per judgment at 1,000,000 tasks), while their generic plans use the indexes meant
for them (EXPLAIN EXECUTE on the benchmark's data). Django's own queries are not prepared and are
unaffected.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = None  # time.monotonic() of the last cursor opened on this connection

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def get_connection_params(self):
        params = super().get_connection_params()
        if settings.DB_PREPARED_STATEMENTS:
            # Sent at connect (no round trip); off behind a pooler, which may refuse startup options.
            params["options"] = f"{params.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
        return params

    def close_if_health_check_failed(self):
        recent = self.used_at is not None and time.monotonic() - self.used_at < settings.DB_HEALTH_CHECK_AFTER_MS / 1000
        if self.connection is not None and recent and not self.errors_occurred:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def connect(self):
        self.used_at = None
        super().connect()
