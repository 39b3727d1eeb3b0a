"""The OpenAPI schema's view of errors: every operation documents the error answers it can give.

A view declares what it returns when it succeeds; the errors come from the same few places for
every view (DRF's authentication and permissions, the doors of evalconsole.access, validation,
services' Conflict, throttles), so they are added here once rather than on each view.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="on 409 and 429: what refused the request")


_VALIDATION = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: each field named with its messages (`non_field_errors` for the whole input).",
)
_ERRORS = {
    "401": "Not signed in: no token or session, or a token that is not valid.",
    "403": "Signed in, but your role may not do this.",
    "404": "No such object, or not one you may see (another project's ids included).",
    "409": "The object's state refuses the change (e.g. a published version); `code` says what.",
    "415": "The body is not in one of the documented media types, or cannot be read as the one it names.",
    "429": "Too many requests; the message says when to try again.",
}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            answer = _VALIDATION if code == "400" else OpenApiResponse(ErrorOutput, description=_ERRORS[code])
            responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses

    def _error_codes(self) -> list[str]:
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        paginator = self._get_paginator() if self.method == "GET" else None
        # A page past the end is a 404 and a bad page_size falls back to the default: never a 400.
        paging = {paginator.page_query_param, paginator.page_size_query_param} if paginator else set()
        has_query = any(p["in"] == "query" and p["name"] not in paging for p in self._get_parameters())
        signed_in = not all(isinstance(check, permissions.AllowAny) for check in self.view.get_permissions())
        codes = []
        if writes or has_query:
            codes.append("400")
        if signed_in:
            codes += ["401", "403"]
        # Every id in a path goes through a door; a list's `page` past the end is a 404 too.
        if "{" in self.path or paginator is not None:
            codes.append("404")
        if writes and signed_in:
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes
