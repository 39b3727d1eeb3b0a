"""REST API for evaluation projects: settings, pool, sampling, tasks, status (DESIGN.md)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import (
    can_create_project,
    get_guideline_version_for_user,
    get_project_for_user,
    get_task_for_user,
    projects_visible_to,
)
from evalconsole.filters import FilteredList
from evalconsole.job_api import JobOutput
from evalconsole.pagination import Pagination, paginated
from projects import selectors, services
from projects.filters import ProjectFilter, TaskFilter
from projects.models import EvaluationProject
from projects.sampling import ALLOCATIONS, STRATEGIES


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    guideline = serializers.CharField(source="guideline_version.guideline.slug")
    guideline_version = serializers.IntegerField(source="guideline_version.number")
    kind = serializers.CharField()
    variants = serializers.ListField(child=serializers.CharField())
    overlap = serializers.IntegerField()
    locales = serializers.ListField(child=serializers.CharField())
    lease_minutes = serializers.IntegerField()
    gold_rate = serializers.FloatField()
    cost_per_judgment = serializers.DecimalField(max_digits=10, decimal_places=4)
    deadline = serializers.DateTimeField(allow_null=True)
    priority = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    tasks = serializers.IntegerField(source="task_count", required=False)


class ProjectInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    guideline = serializers.SlugField(max_length=64)
    guideline_version = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=EvaluationProject.Kind.values, default=EvaluationProject.Kind.GRADED)
    variants = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    overlap = serializers.IntegerField(required=False)
    locales = serializers.ListField(child=serializers.CharField(max_length=35), required=False)
    lease_minutes = serializers.IntegerField(required=False)
    gold_rate = serializers.FloatField(required=False)
    cost_per_judgment = serializers.DecimalField(max_digits=10, decimal_places=4, required=False)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    priority = serializers.IntegerField(required=False)


class ProjectUpdateInput(ProjectInput):
    name = serializers.CharField(max_length=200, required=False)
    guideline = serializers.SlugField(max_length=64, required=False)
    guideline_version = serializers.IntegerField(min_value=1, required=False)
    kind = serializers.ChoiceField(choices=EvaluationProject.Kind.values, required=False)
    variants = serializers.ListField(child=serializers.CharField(max_length=100), required=False)


def _service_values(request, data: dict, *, current=None) -> dict:
    """Input fields as the service takes them: the guideline version fetched through its door."""
    values = dict(data)
    slug = values.pop("guideline", None)
    number = values.pop("guideline_version", None)
    if slug is not None or number is not None:
        slug = slug or current.guideline_version.guideline.slug
        number = number or current.guideline_version.number
        try:
            values["guideline_version"] = get_guideline_version_for_user(request.user, slug, number)
        except Http404:
            # The endpoint exists; what is missing is the version the input names.
            raise serializers.ValidationError(
                {"guideline_version": [f'There is no version {number} of a guideline "{slug}" you can use.']}
            ) from None
    return values


def _project_output(request, project):
    annotated = selectors.project_list(projects=projects_visible_to(request.user)).get(pk=project.pk)
    return ProjectOutput(annotated).data


class ProjectListApi(FilteredList, APIView):
    pagination_class = Pagination
    filterset_class = ProjectFilter

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request):
        projects = selectors.project_list(projects=projects_visible_to(request.user)).order_by("-created_at")
        return paginated(request, self.filter_list(projects), ProjectOutput, view=self)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request):
        if not can_create_project(request.user):
            raise PermissionDenied("Only project owners and admins can create projects.")
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, **_service_values(request, data.validated_data))
        return Response(_project_output(request, project), status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectOutput)
    def get(self, request, project_id):
        return Response(_project_output(request, get_project_for_user(request.user, project_id)))

    @extend_schema(request=ProjectUpdateInput, responses=ProjectOutput)
    def patch(self, request, project_id):
        project = get_project_for_user(request.user, project_id, write=True)
        data = ProjectUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.project_update(project=project, **_service_values(request, data.validated_data, current=project))
        return Response(_project_output(request, project))


def _transition_api(action: str):
    class TransitionApi(APIView):
        @extend_schema(request=None, responses=ProjectOutput, operation_id=f"projects_{action}")
        def post(self, request, project_id):
            project = get_project_for_user(request.user, project_id, write=True)
            services.project_transition(project=project, action=action)
            return Response(_project_output(request, project))

    TransitionApi.__name__ = f"Project{action.title()}Api"
    return TransitionApi


ProjectActivateApi = _transition_api("activate")
ProjectPauseApi = _transition_api("pause")
ProjectCompleteApi = _transition_api("complete")


class PoolSummaryOutput(serializers.Serializer):
    serps = serializers.IntegerField()
    results = serializers.IntegerField()
    locale = serializers.DictField(child=serializers.IntegerField())
    category = serializers.DictField(child=serializers.IntegerField())
    variant = serializers.DictField(child=serializers.IntegerField())


class PoolApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=PoolSummaryOutput)
    def get(self, request, project_id):
        project = get_project_for_user(request.user, project_id)
        return Response(selectors.pool_summary(project=project))

    @extend_schema(
        request=inline_serializer("PoolUpload", {"file": serializers.FileField()}),
        responses={202: JobOutput},
        description="Upload a JSONL (one SERP a line) or CSV (one result a row) pool file; it imports in a job.",
    )
    def post(self, request, project_id):
        project = get_project_for_user(request.user, project_id, write=True)
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Attach the pool file as multipart field `file`."]})
        job = services.pool_upload(project=project, file=upload, created_by=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class SampleInput(serializers.Serializer):
    strategy = serializers.ChoiceField(choices=STRATEGIES)
    size = serializers.IntegerField(min_value=1, max_value=1_000_000)
    strata = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    allocation = serializers.ChoiceField(choices=ALLOCATIONS, required=False, default="proportional")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    mode = serializers.ChoiceField(choices=["replace", "add"], required=False, default="replace")


class SampleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    strategy = serializers.CharField()
    size = serializers.IntegerField()
    strata = serializers.ListField(child=serializers.CharField())
    allocation = serializers.CharField()
    seed = serializers.IntegerField()
    mode = serializers.CharField()
    tasks_made = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class SampleApi(APIView):
    @extend_schema(request=SampleInput, responses={201: SampleOutput})
    def post(self, request, project_id):
        project = get_project_for_user(request.user, project_id, write=True)
        data = SampleInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.tasks_sample(project=project, created_by=request.user, **data.validated_data)
        return Response(SampleOutput(run).data, status=status.HTTP_201_CREATED)


class TaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    query_id = serializers.CharField()
    locale = serializers.CharField()
    category = serializers.CharField()
    variants = serializers.SerializerMethodField()
    stratum = serializers.CharField()
    inclusion_probability = serializers.FloatField()
    priority = serializers.IntegerField()
    overlap = serializers.IntegerField()
    is_gold = serializers.BooleanField()
    judgments = serializers.IntegerField(source="judgment_count")
    status = serializers.CharField()

    def get_variants(self, task) -> list[str]:
        return [serp.variant for serp in (task.serp, task.serp_b) if serp is not None and serp.variant]


class TaskListApi(FilteredList, APIView):
    pagination_class = Pagination
    filterset_class = TaskFilter

    @extend_schema(responses=TaskOutput(many=True))
    def get(self, request, project_id):
        project = get_project_for_user(request.user, project_id)
        return paginated(request, self.filter_list(selectors.task_list(project=project)), TaskOutput, view=self)


class GoldInput(serializers.Serializer):
    page = serializers.DictField(required=False, default=dict)
    results = serializers.DictField(child=serializers.DictField(), required=False, default=dict)


class GoldOutput(TaskOutput):
    gold_answers = serializers.JSONField()


class TaskGoldApi(APIView):
    @extend_schema(
        request=GoldInput,
        responses=GoldOutput,
        description="Mark a task as gold with expected answers: `page` {question: answer} and "
        "`results` {doc_id: {question: answer}}, any subset of the schema's questions.",
    )
    def post(self, request, project_id, task_id):
        task = get_task_for_user(request.user, project_id, task_id, write=True)
        data = GoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(GoldOutput(services.task_set_gold(task=task, **data.validated_data)).data)

    @extend_schema(request=None, responses={200: GoldOutput})
    def delete(self, request, project_id, task_id):
        task = get_task_for_user(request.user, project_id, task_id, write=True)
        return Response(GoldOutput(services.task_unset_gold(task=task)).data)
