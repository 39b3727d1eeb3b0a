"""Errors that services raise and every door (pages, API, admin) reports the same way."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(Exception):
    """The request is valid but the object's state refuses it (e.g. a published version)."""

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


def api_exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = DRFValidationError(detail=detail)
    if isinstance(exc, Throttled):
        # DRF's handler adds Retry-After; scripts get the same number in the body.
        response = exception_handler(exc, context)
        response.data = {"detail": str(exc.detail), "code": "throttled", "retry_after": exc.wait}
        return response
    return exception_handler(exc, context)
