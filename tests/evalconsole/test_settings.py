"""Settings as an operator meets them: `manage.py` with a given environment, in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "k3y-for-the-test-only-" + "x" * 50,
    "ALLOWED_HOSTS": "eval.example.com",
    "DATABASE_URL": "postgres://evalconsole:secret@db.example.com:5432/evalconsole",
    "REDIS_URL": "redis://cache.example.com:6379/0",
}


def manage(*args, env):
    clean = {key: value for key, value in os.environ.items() if key not in _SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


_SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "HTTPS", "CELERY_EAGER",
    "STATIC_MANIFEST", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def test_production_settings_pass_the_deploy_check_with_nothing_to_report():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_a_secret_key_production_refuses_to_start():
    result = manage("check", env={key: v for key, v in PRODUCTION.items() if key != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set (or DEBUG=true for a development server)." in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "perhaps", "DEBUG must be one of true/false/1/0/yes/no/on/off, got 'perhaps'."),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must be a URL with scheme"),
        ("REDIS_URL", "http://cache", "REDIS_URL must be a URL with scheme redis, rediss; got scheme 'http'."),
        ("CELERY_TIME_LIMIT", "-5", "CELERY_TIME_LIMIT must be at least 1, got -5."),
        ("THROTTLE_EXPORTS", "lots", "THROTTLE_EXPORTS must be a number of requests per second, minute, hour or day"),
    ],
)
def test_a_mistyped_setting_stops_start_up_with_its_name(variable, value, message):
    result = manage("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_embedded_default_needs_nothing_but_debug(tmp_path):
    result = manage("shell", "--no-imports", "-c", _PRINT_EMBEDDED, env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite3", "True", "UTC"]


_PRINT_EMBEDDED = (
    "from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1], "
    "settings.CELERY_TASK_ALWAYS_EAGER, settings.TIME_ZONE)"
)


def test_rate_limits_and_the_proxies_in_front_come_from_the_environment():
    limits = {"THROTTLE_AUTH": "3/hour", "THROTTLE_EXPORTS": "off", "NUM_PROXIES": "1"}
    result = manage("shell", "--no-imports", "-c", _PRINT_THROTTLES, env={**PRODUCTION, **limits})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"auth": "3/hour", "auth_username": "5/minute", "exports": None}, 1]


_PRINT_THROTTLES = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.REST_FRAMEWORK[key] for key in ('DEFAULT_THROTTLE_RATES', 'NUM_PROXIES')]))"
)
