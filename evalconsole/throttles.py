"""Rate limits: sign-ins per client address and per username tried, exports per person.

A sign-in is a token request or a POST to a login page (ours or the admin's): they share one
count, so a password guesser gains nothing by switching doors, and only failed sign-ins stay
counted. The rates are the scopes of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_* in the
environment) and the counts live in the default cache, so every web node shares them when it is
Redis. A refused request raises RateLimited, which names the limit in plain words; the API's
exception handler answers it with 429 and Retry-After, and `throttle_sign_ins` does the same for
the pages.
"""

import functools
import hashlib
import math

from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

_PERIODS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


class RateLimited(Throttled):
    """A 429 whose detail says which limit was hit and when to come back."""

    def __init__(self, *, what: str, limit: str, wait: float):
        self.retry_after = max(1, math.ceil(wait))
        unit = "second" if self.retry_after == 1 else "seconds"
        super().__init__(detail=f"Too many {what}: the limit is {limit}. Try again in {self.retry_after} {unit}.")
        self.wait = self.retry_after  # DRF's handler sets Retry-After from it


class RateThrottle(SimpleRateThrottle):
    what = "requests"  # "Too many <what>"

    def get_rate(self):
        # At each request rather than DRF's import-time copy, so a changed setting takes effect.
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope not in rates:
            raise ImproperlyConfigured(f'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] has no rate for "{self.scope}".')
        return rates[self.scope]

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        # Refused here, so the throttles after this one do not count a request that never ran.
        raise RateLimited(what=self.what, limit=self.limit(), wait=self.wait() or self.duration)

    def limit(self) -> str:
        period = _PERIODS.get(self.duration, f"{self.duration} seconds")
        return f"{self.num_requests} per {period}"

    def refund(self) -> None:
        """Take back the request this throttle just counted."""
        history = self.cache.get(self.key, [])
        if self.now in history:
            history.remove(self.now)
            self.cache.set(self.key, history, self.duration)


class SignInAddressThrottle(RateThrottle):
    scope = "auth"
    what = "sign-in attempts from your address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInUsernameThrottle(RateThrottle):
    """Per username tried, whoever asks: guessing one account's password from many addresses is slow too."""

    scope = "auth_username"
    what = "sign-in attempts for this username"

    def get_cache_key(self, request, view):
        data = request.data if hasattr(request, "data") else request.POST  # the API's request, or a page's
        username = data.get("username") if hasattr(data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None  # the address limit still counts it, and the form or serializer refuses it
        # As the serializer reads it (trimmed); casefolded so case games share one count. Hashed: a short key.
        ident = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignIn:
    """One sign-in attempt: counted by every sign-in limit as it arrives, given back if it succeeds.

    Counted on arrival, not on failure, so a burst of parallel guesses cannot all pass before the
    first one fails; given back on success, so raters signing in from one office address at the
    start of a shift do not use up each other's attempts. RateLimited when over a limit.
    """

    def __init__(self, request):
        self.counted = []
        # The address first: a request it refuses is not counted against the username as well.
        for throttle in (SignInAddressThrottle(), SignInUsernameThrottle()):
            try:
                throttle.allow_request(request, None)
            except RateLimited:
                self.succeeded()  # the password was never tried
                raise
            if getattr(throttle, "key", None):  # None: no rate, or no username to count
                self.counted.append(throttle)

    def succeeded(self) -> None:
        for throttle in self.counted:
            throttle.refund()


def throttle_sign_ins(login_view):
    """A login page's view with its POSTs counted as sign-ins; over a limit, a 429 page instead."""

    @functools.wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        try:
            attempt = SignIn(request)
        except RateLimited as refusal:
            response = render(request, "429.html", {"message": refusal.detail}, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        response = login_view(request, *args, **kwargs)
        if request.user.is_authenticated:
            attempt.succeeded()
        return response

    return view


class ExportThrottle(RateThrottle):
    """Judgment and label exports (every page of a paginated pull counts) per person."""

    scope = "exports"
    what = "export requests from your account"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RateLimitedOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    retry_after = serializers.IntegerField(help_text="seconds, as in the Retry-After header")


RATE_LIMITED = OpenApiResponse(
    RateLimitedOutput, description="Too many requests: the detail names the limit; retry after `retry_after` seconds."
)
