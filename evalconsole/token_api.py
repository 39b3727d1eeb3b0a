"""POST /api/v1/auth/token/: DRF's token endpoint, rate-limited as a sign-in (per address and per username tried)."""

from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from evalconsole.throttles import RATE_LIMITED, SignIn


class TokenApi(ObtainAuthToken):
    @extend_schema(
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A field missing, or wrong credentials."),
            429: RATE_LIMITED,
        }
    )
    def post(self, request, *args, **kwargs):
        attempt = SignIn(request)
        response = super().post(request, *args, **kwargs)  # wrong credentials raise: the attempt stays counted
        attempt.succeeded()
        return response
