"""People and their work over the API: users (admins), and next/submit/skip/reveal (raters)."""

import uuid

from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import get_assignment_for_user, get_project_for_rater, require_role
from evalconsole.errors import Conflict
from evalconsole.filters import FilteredList
from evalconsole.pagination import Pagination, paginated
from evalconsole.roles import SENIORITY, Role, roles_from
from raters import engine, selectors, services
from raters.filters import UserFilter


class UserOutput(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.SerializerMethodField()
    locales = serializers.SerializerMethodField()
    daily_quota = serializers.SerializerMethodField()
    qualifications = serializers.SerializerMethodField()
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

    def get_qualifications(self, user) -> list[str]:
        profile = self._profile(user)
        return sorted(guideline.slug for guideline in profile.qualifications.all()) if profile else []


class UserInput(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    role = serializers.ChoiceField(choices=[role.value for role in Role])
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    locales = serializers.ListField(child=serializers.CharField(max_length=35), required=False, default=list)
    daily_quota = serializers.IntegerField(min_value=0, max_value=services.MAX_DAILY_QUOTA, required=False)
    qualifications = serializers.ListField(child=serializers.SlugField(), required=False, default=list)


class UserListApi(FilteredList, APIView):
    pagination_class = Pagination
    filterset_class = UserFilter

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request):
        require_role(request.user, Role.ADMIN)
        return paginated(request, self.filter_list(selectors.user_list()), UserOutput, view=self)

    @extend_schema(
        request=PolymorphicProxySerializer(
            "UserOrUsersInput", [UserInput(), UserInput(many=True)], resource_type_field_name=None, many=False
        ),
        responses={
            201: PolymorphicProxySerializer(
                "UserOrUsersOutput", [UserOutput(), UserOutput(many=True)], resource_type_field_name=None, many=False
            )
        },
        description="One person as an object, or a vendor's list of people as an array: all are created or none. "
        "The answer has the same shape: the person, or the list of people.",
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


# --- Rating -------------------------------------------------------------------------------


class ResultOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    doc_id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField()
    media_type = serializers.CharField()
    thumbnail_url = serializers.CharField()
    sensitive = serializers.BooleanField()


class SerpOutput(serializers.Serializer):
    side = serializers.CharField(allow_null=True)
    query_id = serializers.CharField()
    query = serializers.CharField()
    locale = serializers.CharField()
    results = ResultOutput(many=True)


class AssignmentOutput(serializers.Serializer):
    """The documented shape of an assignment; `assignment_data` builds it on the hot path."""

    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    project = serializers.IntegerField(source="project_id")
    serps = SerpOutput(many=True)
    guideline_version = serializers.DictField()
    leased_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    status = serializers.CharField()


_when = serializers.DateTimeField()


def assignment_data(assignment) -> dict:
    """An assignment as AssignmentOutput shapes it, built as plain data.

    Serializer fields cost more than the queries on next-task (one of the two requests per
    judgment); tests check this stays equal to AssignmentOutput's rendering.
    """
    version = assignment.project.guideline_version
    serps = [
        {
            "side": serp["side"],
            "query_id": serp["query_id"],
            "query": serp["query"],
            "locale": serp["locale"],
            "results": [vars(result) for result in results],
        }
        for serp, results in selectors.assignment_pages(assignment=assignment)
    ]
    return {
        "id": assignment.pk,
        "task": assignment.task_id,
        "project": assignment.project_id,
        "serps": serps,
        "guideline_version": {"guideline": version.guideline.slug, "number": version.number, "schema": version.schema},
        "leased_at": _when.to_representation(assignment.leased_at),
        "expires_at": _when.to_representation(assignment.expires_at),
        "status": assignment.status,
    }


class NextApi(APIView):
    @extend_schema(request=None, responses={200: AssignmentOutput, 204: None})
    def post(self, request, project_id):
        """Lease the next task (or the one already leased to you here); 204 when the queue is empty."""
        now = timezone.now()
        project = get_project_for_rater(request.user, project_id, standing_at=now)
        try:
            assignment = engine.lease_next(rater=request.user, project=project, now=now)
        except engine.Unavailable as reason:
            raise Conflict(str(reason), code="unavailable") from None
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        assignment.project = project
        return Response(assignment_data(assignment))


MAX_ACTIVE_MS = 24 * 60 * 60 * 1000


class SubmitInput(serializers.Serializer):
    submission_id = serializers.UUIDField()
    page = serializers.DictField(required=False, default=dict)
    results = serializers.DictField(child=serializers.DictField(), required=False, default=dict)
    cannot_judge = serializers.CharField(required=False, allow_null=True, default=None, max_length=64)
    active_ms = serializers.IntegerField(min_value=0, max_value=MAX_ACTIVE_MS)


_SUBMIT_KEYS = frozenset(SubmitInput._declared_fields)


def _plain_submit(data) -> dict | None:
    """SubmitInput's validated data for a submit as the console sends it, or None for any other
    shape. Building SubmitInput's fields anew for each submit (a deep copy per request) cost more
    Python than storing the judgment; tests hold both to the same result."""
    if type(data) is not dict or not data.keys() <= _SUBMIT_KEYS or data.get("cannot_judge") is not None:
        return None  # a reason to check (rare): SubmitInput's CharField rules apply
    submission_id, active_ms = data.get("submission_id"), data.get("active_ms")
    page, results = data.get("page", {}), data.get("results", {})
    if type(submission_id) is not str or type(active_ms) is not int or not 0 <= active_ms <= MAX_ACTIVE_MS:
        return None
    if type(page) is not dict or type(results) is not dict or any(type(r) is not dict for r in results.values()):
        return None
    try:
        submission = uuid.UUID(hex=submission_id)
    except ValueError:
        return None
    return {
        "submission_id": submission,
        "page": dict(page),
        "results": {doc_id: dict(answers) for doc_id, answers in results.items()},
        "cannot_judge": None,
        "active_ms": active_ms,
    }


def submit_input(data) -> dict:
    """A submit's validated data; anything not in the console's plain shape goes through
    SubmitInput, whose per-field errors are the contract."""
    plain = _plain_submit(data)
    if plain is not None:
        return plain
    checked = SubmitInput(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


class JudgmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    task = serializers.IntegerField(source="task_id")
    submission_id = serializers.UUIDField()
    guideline_version = serializers.IntegerField(source="guideline_version.number")
    page = serializers.JSONField()
    cannot_judge = serializers.CharField()
    active_ms = serializers.IntegerField()
    created_at = serializers.DateTimeField()


def judgment_data(judgment) -> dict:
    """A judgment as JudgmentOutput shapes it, built as plain data: building the serializer's fields
    anew for each submit cost more than its two queries' Python; tests check both stay equal."""
    return {
        "id": judgment.pk,
        "assignment": judgment.assignment_id,
        "task": judgment.task_id,
        "submission_id": str(judgment.submission_id),
        "guideline_version": judgment.guideline_version.number,
        "page": judgment.page,
        "cannot_judge": judgment.cannot_judge,
        "active_ms": judgment.active_ms,
        "created_at": _when.to_representation(judgment.created_at),
    }


class SubmitApi(APIView):
    @extend_schema(request=SubmitInput, responses={201: JudgmentOutput, 200: JudgmentOutput})
    def post(self, request, assignment_id):
        """Submit answers; a retry with the same submission_id returns the judgment already made (200)."""
        assignment = get_assignment_for_user(request.user, assignment_id, for_submit=True)
        judgment, created = services.judgment_submit(assignment=assignment, **submit_input(request.data))
        return Response(judgment_data(judgment), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SkipInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SkipApi(APIView):
    @extend_schema(request=SkipInput, responses=AssignmentOutput)
    def post(self, request, assignment_id):
        assignment = get_assignment_for_user(request.user, assignment_id)
        data = SkipInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.assignment_skip(assignment=assignment, reason=data.validated_data["reason"])
        return Response(assignment_data(assignment))


class RevealInput(serializers.Serializer):
    doc_id = serializers.CharField(max_length=200, trim_whitespace=False)


class RevealOutput(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment_id")
    doc_id = serializers.CharField()
    revealed_at = serializers.DateTimeField()


class RevealApi(APIView):
    @extend_schema(request=RevealInput, responses={201: RevealOutput, 200: RevealOutput})
    def post(self, request, assignment_id):
        """Log that the rater chose to see a sensitive result (wellbeing audits); once per result (200 after)."""
        assignment = get_assignment_for_user(request.user, assignment_id)
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        doc_id = data.validated_data["doc_id"]
        sensitive = selectors.assignment_doc_sensitive(assignment=assignment, doc_id=doc_id)
        if sensitive is None:
            raise serializers.ValidationError({"doc_id": ["This result is not on your task."]})
        if not sensitive:
            # Wellbeing audits count reveals: only a result that was blurred can be revealed.
            raise serializers.ValidationError(
                {"doc_id": ["This result is not sensitive, so there is nothing to reveal."]}
            )
        reveal, created = services.reveal_log(assignment=assignment, doc_id=doc_id)
        return Response(RevealOutput(reveal).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
