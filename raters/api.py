"""People over the API: admins list and onboard users (DESIGN.md, `/api/v1/users/`)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import require_role
from evalconsole.pagination import paginated
from evalconsole.roles import SENIORITY, Role, roles_from
from raters import selectors, services


class UserOutput(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.SerializerMethodField()
    locales = serializers.SerializerMethodField()
    daily_quota = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    date_joined = serializers.DateTimeField()

    def get_role(self, user) -> str | None:
        held = roles_from((group.name for group in user.groups.all()), is_staff=user.is_staff)
        return next((role.value for role in SENIORITY if role in held), None)

    def _profile(self, user):
        return getattr(user, "rater_profile", None)

    def get_locales(self, user) -> list[str]:
        profile = self._profile(user)
        return profile.locales if profile else []

    def get_daily_quota(self, user) -> int | None:
        profile = self._profile(user)
        return profile.daily_quota if profile else None


class UserInput(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    role = serializers.ChoiceField(choices=[role.value for role in Role])
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    locales = serializers.ListField(child=serializers.CharField(max_length=35), required=False, default=list)
    daily_quota = serializers.IntegerField(min_value=0, max_value=services.MAX_DAILY_QUOTA, required=False)


class UserListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("role", str, enum=[role.value for role in Role])],
        responses=UserOutput(many=True),
    )
    def get(self, request):
        require_role(request.user, Role.ADMIN)
        people = selectors.user_list(role=request.query_params.get("role"))
        return paginated(request, people, UserOutput, view=self)

    @extend_schema(
        request=UserInput,
        responses={201: UserOutput},
        description="One person as an object, or a vendor's list of people as an array: all are created or none.",
    )
    def post(self, request):
        require_role(request.user, Role.ADMIN)
        many = isinstance(request.data, list)
        data = UserInput(data=request.data, many=many)
        data.is_valid(raise_exception=True)
        if many:
            people = services.users_create_bulk(people=data.validated_data)
        else:
            people = [services.user_create(**data.validated_data)]
        created = selectors.user_list().filter(pk__in=[person.pk for person in people])
        output = UserOutput(created, many=True).data
        return Response(output if many else output[0], status=status.HTTP_201_CREATED)
