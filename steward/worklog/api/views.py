import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.worklog import services
from steward.worklog.api.serializers import (
    CompleteStepSerializer,
    GuidanceSerializer,
    ProgressSerializer,
    WorkEntrySerializer,
    WorkflowRunSerializer,
    WorkflowTemplateSerializer,
    WorkItemSerializer,
)
from steward.worklog.models import Guidance, WorkEntry, WorkflowRun, WorkflowTemplate, WorkItem
from steward.worklog.permissions import (
    ADD,
    ASSIGN,
    GUIDE,
    ITEM_VIEW,
    VIEW,
    WORKFLOW_START,
    WORKFLOW_VIEW,
)


class WorkEntryApiFilterSet(django_filters.FilterSet):
    class Meta:
        model = WorkEntry
        fields = {"owner": ["exact"], "kind": ["exact"], "period": ["exact"], "on": ["exact", "gte", "lte"]}


class WorkEntryViewSet(ScopedModelViewSet):
    """Work plans and journal entries (SVC-06) of the caller's line: their own, their direct
    superiors' and direct subordinates' (SVC-13). Only the author writes (others get 400)."""

    queryset = WorkEntry.objects.all()
    serializer_class = WorkEntrySerializer
    permission_base = "worklog.entry"
    filterset_class = WorkEntryApiFilterSet
    select_related = ("owner",)

    def required_permission_for(self, request):
        if self.action in ("create", "update", "partial_update", "destroy"):
            return ADD
        return VIEW

    def get_queryset(self):
        # Writes act on the caller's line too (another's entry is then refused by the service).
        model = self.queryset.model
        return model.objects.visible_to(self.request.user, VIEW).select_related("owner").order_by(*model._meta.ordering)

    def perform_create(self, serializer):
        serializer.instance = services.save_entry(self.request.user, WorkEntry(**serializer.validated_data))

    def perform_update(self, serializer):
        entry = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(entry, field, value)
        serializer.instance = services.save_entry(self.request.user, entry)

    def perform_destroy(self, instance):
        services.delete_entry(self.request.user, instance)


class WorkItemViewSet(ScopedModelViewSet):
    """Work items (SVC-08): given to me, by me, or to those I supervise. POST gives one to
    `assignees` (employees the caller supervises); `POST work-items/{id}/progress/` reports the
    caller's own progress."""

    queryset = WorkItem.objects.all()
    serializer_class = WorkItemSerializer
    permission_base = "worklog.item"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"due_on": ["exact", "gte", "lte"]}

    def required_permission_for(self, request):
        if self.action == "create":
            return ASSIGN
        return ITEM_VIEW

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assign_work(
            self.request.user,
            title=data["title"],
            details=data.get("details", ""),
            due_on=data["due_on"],
            assignee_ids=data["assignees"],
        )

    @extend_schema(request=ProgressSerializer, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        item = self.get_object()
        payload = ProgressSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mine = item.assignments.filter(assignee=request.user).first()
        if mine is None:
            raise ValidationError({"progress": [_("Only the employee the work was given to reports its progress.")]})
        services.report_progress(request.user, mine, **payload.validated_data)
        return Response(WorkItemSerializer(item, context=self.get_serializer_context()).data)


class GuidanceViewSet(ScopedModelViewSet):
    """Guidance (SVC-02) I received or gave; POST gives guidance to an employee I supervise."""

    queryset = Guidance.objects.all()
    serializer_class = GuidanceSerializer
    permission_base = "worklog.guidance"
    http_method_names = ["get", "post", "head", "options"]

    def required_permission_for(self, request):
        return GUIDE if self.action == "create" else ITEM_VIEW

    def get_queryset(self):
        from django.db.models import Q

        from steward.access.services import has_permission

        user = self.request.user
        if not has_permission(user, ITEM_VIEW) and not has_permission(user, GUIDE):
            return Guidance.objects.none()
        return Guidance.objects.filter(Q(employee=user) | Q(author=user)).order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.give_guidance(
            self.request.user, data["employee"], text=data["text"], entry=data.get("entry")
        )


class WorkflowRunViewSet(ScopedModelViewSet):
    """Standard workflows on customers in scope (SVC-11). POST starts `template` on `customers`
    (ids; those already running it are skipped); `POST workflow-runs/{id}/complete-step/` ticks
    a step off."""

    queryset = WorkflowRun.objects.all()
    serializer_class = WorkflowRunSerializer
    permission_base = "worklog.workflow"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "template", "customer"]
    select_related = ("customer",)

    def required_permission_for(self, request):
        if self.action in ("create", "complete_step"):
            return WORKFLOW_START
        return WORKFLOW_VIEW

    def get_queryset(self):
        return super().get_queryset().prefetch_related("steps")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = serializer.validated_data["template"]
        started = services.start_workflow(request.user, template, serializer.validated_data["customers"])
        return Response({"started": started}, status=201)

    @extend_schema(request=CompleteStepSerializer, responses=WorkflowRunSerializer)
    @action(detail=True, methods=["post"], url_path="complete-step")
    def complete_step(self, request, pk=None):
        run = self.get_object()
        payload = CompleteStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        step = run.steps.filter(pk=payload.validated_data["step"]).first()
        if step is None:
            raise ValidationError({"step": [_("Choose a step of this workflow.")]})
        services.complete_step(request.user, step, note=payload.validated_data.get("note", ""))
        run = self.get_queryset().get(pk=run.pk)
        return Response(WorkflowRunSerializer(run).data)


class WorkflowTemplateViewSet(ScopedModelViewSet):
    """The standard workflows one may start (read); templates are defined on their page."""

    queryset = WorkflowTemplate.objects.all()
    serializer_class = WorkflowTemplateSerializer
    permission_base = "worklog.workflow"
    http_method_names = ["get", "head", "options"]

    def required_permission_for(self, request):
        return WORKFLOW_VIEW

    def get_queryset(self):
        from steward.access.services import has_permission

        if not has_permission(self.request.user, WORKFLOW_VIEW):
            return WorkflowTemplate.objects.none()
        return WorkflowTemplate.objects.filter(is_active=True).order_by("name")
