"""gunicorn's settings for the web service: `gunicorn -c python:evalconsole.gunicorn evalconsole.wsgi`.

Threaded workers (gthread): a worker keeps telling the arbiter it is alive while its threads
serve, so an export that streams a large project for minutes is not killed at the request
timeout a sync worker has (30 s by default, which cut a 1,000,000-judgment CSV mid-stream). The
timeout still ends a worker that stops answering altogether. Each thread holds its own database
connection: plan for WEB_CONCURRENCY x GUNICORN_THREADS of them.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
