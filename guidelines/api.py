"""REST API for guidelines and their versions (DESIGN.md, "REST API v1").

One thin view per operation: authenticate, fetch through the door, validate input, call one
service or selector, serialize.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evalconsole.access import can_create_guideline, get_guideline_for_user, get_guideline_version_for_user
from evalconsole.filters import FilteredList
from evalconsole.pagination import Pagination, paginated
from guidelines import selectors, services
from guidelines.diff import diff_schema, diff_text, unified_text
from guidelines.filters import VersionFilter


class GuidelineOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    created_at = serializers.DateTimeField()
    latest_version = serializers.IntegerField(source="latest_number", allow_null=True, required=False)
    published_version = serializers.IntegerField(source="published_number", allow_null=True, required=False)


class VersionOutput(serializers.Serializer):
    guideline = serializers.CharField(source="guideline.slug")
    number = serializers.IntegerField()
    status = serializers.CharField()
    body_markdown = serializers.CharField()
    schema = serializers.JSONField()
    changelog = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)


class GuidelineCreateInput(serializers.Serializer):
    slug = serializers.CharField(required=False, allow_blank=True, max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GuidelineUpdateInput(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)


class VersionInput(serializers.Serializer):
    body_markdown = serializers.CharField(required=False, allow_blank=True)
    schema = serializers.JSONField(required=False)
    changelog = serializers.CharField(required=False, allow_blank=True)


class GuidelineListApi(APIView):
    pagination_class = Pagination
    Input = GuidelineCreateInput

    @extend_schema(responses=GuidelineOutput(many=True))
    def get(self, request):
        return paginated(request, selectors.guideline_list(user=request.user), GuidelineOutput, view=self)

    @extend_schema(request=Input, responses={201: GuidelineOutput})
    def post(self, request):
        if not can_create_guideline(request.user):
            raise PermissionDenied("Only project owners and admins can create guidelines.")
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        guideline = services.guideline_create(owner=request.user, **data.validated_data)
        guideline = get_object_or_404(selectors.guideline_list(user=request.user), pk=guideline.pk)
        return Response(GuidelineOutput(guideline).data, status=status.HTTP_201_CREATED)


class GuidelineDetailApi(APIView):
    Input = GuidelineUpdateInput

    def _output(self, request, guideline):
        annotated = get_object_or_404(selectors.guideline_list(user=request.user), pk=guideline.pk)
        return Response(GuidelineOutput(annotated).data)

    @extend_schema(responses=GuidelineOutput)
    def get(self, request, slug):
        return self._output(request, get_guideline_for_user(request.user, slug))

    @extend_schema(request=Input, responses=GuidelineOutput)
    def patch(self, request, slug):
        guideline = get_guideline_for_user(request.user, slug, write=True)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        services.guideline_update(guideline=guideline, **data.validated_data)
        return self._output(request, guideline)


class VersionListApi(FilteredList, APIView):
    pagination_class = Pagination
    filterset_class = VersionFilter
    Input = VersionInput

    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request, slug):
        guideline = get_guideline_for_user(request.user, slug)
        versions = self.filter_list(selectors.version_list(user=request.user, guideline=guideline))
        return paginated(request, versions, VersionOutput, view=self)

    @extend_schema(request=Input, responses={201: VersionOutput})
    def post(self, request, slug):
        """Start the next version: a copy of the latest, with any fields given replaced."""
        guideline = get_guideline_for_user(request.user, slug, write=True)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(guideline=guideline, created_by=request.user, **data.validated_data)
        return Response(VersionOutput(version).data, status=status.HTTP_201_CREATED)


class VersionDetailApi(APIView):
    Input = VersionInput

    @extend_schema(responses=VersionOutput)
    def get(self, request, slug, number):
        return Response(VersionOutput(get_guideline_version_for_user(request.user, slug, number)).data)

    @extend_schema(request=Input, responses=VersionOutput)
    def patch(self, request, slug, number):
        version = get_guideline_version_for_user(request.user, slug, number, write=True)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(VersionOutput(services.version_update(version=version, **data.validated_data)).data)

    @extend_schema(request=Input, responses=VersionOutput)
    def put(self, request, slug, number):
        return self.patch(request, slug, number)

    @extend_schema(responses={204: None})
    def delete(self, request, slug, number):
        """Discard a draft; published and retired versions are kept for ever."""
        services.version_discard(version=get_guideline_version_for_user(request.user, slug, number, write=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionPublishApi(APIView):
    @extend_schema(request=None, responses=VersionOutput)
    def post(self, request, slug, number):
        version = get_guideline_version_for_user(request.user, slug, number, write=True)
        return Response(VersionOutput(services.version_publish(version=version)).data)


class VersionRetireApi(APIView):
    @extend_schema(request=None, responses=VersionOutput)
    def post(self, request, slug, number):
        version = get_guideline_version_for_user(request.user, slug, number, write=True)
        return Response(VersionOutput(services.version_retire(version=version)).data)


class GuidelineDiffApi(APIView):
    # `from` is a Python keyword, so the query serializer is built rather than declared.
    Query = type(
        "DiffQuery",
        (serializers.Serializer,),
        {"from": serializers.IntegerField(min_value=1), "to": serializers.IntegerField(min_value=1)},
    )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True, description="the older version number"),
            OpenApiParameter("to", int, required=True, description="the newer version number"),
        ],
        responses=inline_serializer(
            "GuidelineDiff",
            {
                "from": serializers.IntegerField(),
                "to": serializers.IntegerField(),
                "body": serializers.ListField(child=serializers.DictField()),
                "body_unified": serializers.CharField(),
                "schema": serializers.DictField(),
            },
        ),
    )
    def get(self, request, slug):
        query = self.Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        old = get_guideline_version_for_user(request.user, slug, query.validated_data["from"])
        new = get_guideline_version_for_user(request.user, slug, query.validated_data["to"])
        return Response(
            {
                "from": old.number,
                "to": new.number,
                "body": diff_text(old.body_markdown, new.body_markdown),
                "body_unified": unified_text(
                    old.body_markdown, new.body_markdown, old_name=f"v{old.number}", new_name=f"v{new.number}"
                ),
                "schema": diff_schema(old.schema, new.schema),
            }
        )
