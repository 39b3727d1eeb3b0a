"""Strict readers for settings that come from the environment.

Each helper either returns a value of the right type or raises ImproperlyConfigured naming
the variable and what was wrong, so a typo in a deployment fails at start-up, not at 3 a.m.
"""

import os
import re
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_UNSET = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_RATE = re.compile(r"^([1-9]\d*)/(second|minute|hour|day)$")


def _raw(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name} must be set.")
        return None
    return value.strip()


def env_str(name, default=_UNSET):
    value = _raw(name, default)
    return default if value is None else value


def env_bool(name, default=_UNSET):
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {value!r}.")


def env_int(name, default=_UNSET, *, minimum=None):
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name, default=_UNSET):
    value = _raw(name, default)
    if value is None:
        return list(default) if default is not None else []
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, default=_UNSET, *, schemes):
    value = _raw(name, default)
    if value is None:
        return default
    scheme = urlparse(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {allowed}; got scheme {scheme!r}.")
    return value


def env_rate(name, default=_UNSET):
    """A request rate as DRF's throttles read it ("5/minute"), or None for "off" (no limit)."""
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.lower()
    if lowered == "off":
        return None
    if not _RATE.match(lowered):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day (e.g. 5/minute) or off, "
            f"got {value!r}."
        )
    return lowered
