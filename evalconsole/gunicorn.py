"""gunicorn's settings for the web service: `gunicorn -c python:evalconsole.gunicorn evalconsole.wsgi`.

Threaded workers (gthread): a worker keeps telling the arbiter it is alive while its threads
serve, so an export that streams a large project for minutes is not killed at the request
timeout a sync worker has (30 s by default, which cut a 1,000,000-judgment CSV mid-stream). The
timeout still ends a worker that stops answering altogether. Each thread holds its own database
connection: plan for WEB_CONCURRENCY x GUNICORN_THREADS of them.

Two threads per worker by default. The threads of one worker share its GIL: with 4, the rating
benchmark (bench/rating_load.py, 2 workers on 2 cores) spent more CPU per judgment than with 2,
both in gunicorn (more hand-offs of the GIL) and in PostgreSQL (8 sessions instead of 4 meeting at
the head of the queue). Three 30 s pairs at 50 raters, 2 against 4 threads: 312-350 against 271-283
judgments/s flat out; at 200 judgments/s, 62-67 % against 66-76 % of the machine busy and a next
p95 of 15-27 against 19-51 ms. A streamed export holds one thread for its whole length: where
several run at once, raise GUNICORN_THREADS (or WEB_CONCURRENCY).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# The worker's heartbeat touches a temporary file at every turn of its event loop, i.e. per request
# or so. On a disk-backed /tmp that is a metadata write each time (and can stall behind the disk);
# gunicorn's own advice is a memory filesystem. Serially, /healthz cost 0.68-0.69 ms of worker CPU
# per request with /dev/shm against 0.71-0.79 ms with /tmp (ext4) on the benchmark box.
# gunicorn makes the file with mkstemp and unlinks it at once: a shared directory is safe here.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (_SHM if os.path.isdir(_SHM) else None)
accesslog = "-"
