"""evalconsole settings.

Everything that differs between machines comes from the environment through the strict
helpers in evalconsole.env. With nothing set but DEBUG=true you get the embedded default:
SQLite and Celery tasks run in-process. Set DATABASE_URL and REDIS_URL for the full stack.
"""

import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from evalconsole.env import env_bool, env_int, env_list, env_rate, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default=None)
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=true for a development server).")
    # Development only: a fresh key per process is fine, sessions simply end on restart.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else None)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "evalconsole",
    "guidelines",
    "projects",
    "raters",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "evalconsole.middleware.ConflictMiddleware",
]

ROOT_URLCONF = "evalconsole.urls"
WSGI_APPLICATION = "evalconsole.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "evalconsole.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_url(
            "DATABASE_URL",
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            schemes={"sqlite", "postgres", "postgresql", "pgsql"},
        ),
        conn_max_age=env_int("DB_CONN_MAX_AGE", default=60, minimum=0),
        conn_health_checks=True,
    )
}
# PostgreSQL through evalconsole.postgresql: Django's backend, health-checking only connections idle
# for longer than DB_HEALTH_CHECK_AFTER_MS.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "evalconsole.postgresql"
# The rating hot path's statements are prepared once per connection on PostgreSQL (evalconsole.rows).
# Turn off behind a pooler in transaction mode (PgBouncer), where sessions are not kept.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)
# A connection that opened a cursor this recently (milliseconds) skips the health check's SELECT 1
# (evalconsole.postgresql); 0 checks before every request.
DB_HEALTH_CHECK_AFTER_MS = env_int("DB_HEALTH_CHECK_AFTER_MS", default=1000, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery ------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", default=None, schemes={"redis", "rediss"})

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in the caller's process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", default=REDIS_URL is None)
if not CELERY_TASK_ALWAYS_EAGER and not REDIS_URL:
    raise ImproperlyConfigured("CELERY_EAGER=false needs REDIS_URL for the Celery broker.")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Workers may run as root in containers; only json ever crosses the broker.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_SOFT_TIME_LIMIT", default=15 * 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TIME_LIMIT", default=16 * 60, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took but never acknowledged (it died) goes back to the queue after this
# long; longer than any task may run, or a slow task would be handed to a second worker.
# Workers look for such messages every 10 s (kombu's default sweeps only every 10th time).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60, minimum=1),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = "UTC"
# Beat keeps its last-run times in a small file; the temp dir is writable in any container.
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILE", default=str(Path(tempfile.gettempdir()) / "evalconsole-celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "evalconsole.tasks.clear_expired_sessions", "schedule": 24 * 60 * 60},
    "expire-leases": {"task": "raters.tasks.expire_leases", "schedule": 60},
}
# Active projects' reports are refreshed this often where there are new judgments (0 = never).
REPORT_REFRESH_SECONDS = env_int("REPORT_REFRESH_SECONDS", default=3600, minimum=0)
if REPORT_REFRESH_SECONDS:
    CELERY_BEAT_SCHEDULE["refresh-reports"] = {
        "task": "reports.tasks.refresh_active_reports",
        "schedule": REPORT_REFRESH_SECONDS,
    }

# --- Auth -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Security (production unless HTTPS=false or DEBUG) ----------------------------------

HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", default=[])

# --- I18n and time ----------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Uploads ----------------------------------------------------------------------------

# Pool files wait here for their import job; web and workers must share it (a volume).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
POOL_MAX_UPLOAD_BYTES = env_int("POOL_MAX_UPLOAD_MB", default=1024, minimum=1) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Static files -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # vendor/plotly.min.js, straight from the pinned plotly package (no CDN, no copy in git).
    "evalconsole.staticfinders.PlotlyFinder",
]
# Deployments run collectstatic and serve hashed names; tests and the dev server serve the
# files straight from static/ (STATIC_MANIFEST=false), no collectstatic needed.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "evalconsole.authentication.TokenWithRolesAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "evalconsole.openapi.ApiSchema",
    "EXCEPTION_HANDLER": "evalconsole.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # `format` is the exports' own parameter (json/csv/jsonl/qrels, read by reports.export_api);
    # elsewhere DRF would answer an unknown ?format= with a 404 that reads as "no such project".
    "URL_FORMAT_OVERRIDE": None,
    # Scopes of evalconsole.throttles; the counts live in the cache (Redis: shared by every web node).
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_rate("THROTTLE_AUTH", default="10/minute"),  # failed sign-ins (token, login pages) per address
        "auth_username": env_rate("THROTTLE_AUTH_USERNAME", default="5/minute"),  # ... per username tried
        "exports": env_rate("THROTTLE_EXPORTS", default="60/minute"),  # judgment and label exports per person
    },
    # Proxies that append to X-Forwarded-For in front of us; 0 = the client is the socket's peer.
    "NUM_PROXIES": env_int("NUM_PROXIES", default=0, minimum=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "evalconsole API",
    "DESCRIPTION": "Human evaluation of search quality: guidelines, projects, judgments, reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}
