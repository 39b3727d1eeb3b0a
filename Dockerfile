# evalconsole web/worker image. docker-compose.yml runs it as gunicorn, Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. All are wheels (psycopg2-binary
# bundles libpq), no compiler needed.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Hashed, compressed static files for whitenoise. The key only satisfies settings at build
# time; the real one comes from the environment at run time.
RUN SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# The code stays root-owned and read-only to the process user.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent app \
    && mkdir -p /data/media && chown app:app /data/media
# Uploaded pool files wait here for a worker; compose mounts one volume on web and workers.
ENV MEDIA_ROOT=/data/media
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "python:evalconsole.gunicorn", "evalconsole.wsgi:application"]
