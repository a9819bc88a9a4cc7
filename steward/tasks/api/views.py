from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.org.models import Org
from steward.tasks import services
from steward.tasks.api.serializers import (
    CompleteItemSerializer,
    DrawSerializer,
    SkipItemSerializer,
    TaskCategorySerializer,
    TaskCreateSerializer,
    TaskItemSerializer,
    TaskSerializer,
)
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import CATEGORY_CHANGE, MANAGE, VIEW, WORK


class TaskCategoryViewSet(ScopedModelViewSet):
    """Task categories (TASK-01), one list for the whole bank."""

    queryset = TaskCategory.objects.all()
    serializer_class = TaskCategorySerializer
    permission_base = "tasks.category"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"active": ["exact"]}

    def required_permission_for(self, request):
        if self.action in ("create", "partial_update", "update"):
            return CATEGORY_CHANGE
        return VIEW

    def perform_create(self, serializer):
        serializer.instance = services.save_category(self.request.user, TaskCategory(**serializer.validated_data))

    def perform_update(self, serializer):
        category = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(category, name, value)
        serializer.instance = services.save_category(self.request.user, category)


class TaskViewSet(ScopedModelViewSet):
    """Assigned tasks of the orgs in scope (TASK-01 … TASK-04). POST creates one and its items
    (`customers` or `leads`: ids of a fixed selection, or `condition`); `close` closes it;
    `evaluate` evaluates its condition now (what the hourly job does)."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    permission_base = "tasks.task"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"status": ["exact"], "type": ["exact"], "category": ["exact"], "org": ["exact"]}
    select_related = ("category", "org")

    def required_permission_for(self, request):
        if self.action in ("create", "close", "evaluate"):
            return MANAGE
        return VIEW

    @extend_schema(request=TaskCreateSerializer, responses=TaskSerializer)
    def create(self, request, *args, **kwargs):
        payload = TaskCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        category = TaskCategory.objects.filter(pk=data["category"]).first()
        if category is None:
            raise exceptions.ValidationError({"category": [_("Unknown category.")]})
        org = Org.objects.filter(pk=data["org"]).first()
        if org is None:
            raise exceptions.ValidationError({"org": [_("Unknown org.")]})
        task = services.create_task(
            request.user,
            title=data["title"],
            category=category,
            org=org,
            description=data.get("description", ""),
            type=data["type"],
            subject=data["subject"],
            source=data["source"],
            condition=data.get("condition"),
            customer_ids=data.get("customers"),
            lead_ids=data.get("leads"),
            method=data["method"],
            assignee_ids=data.get("assignees", []),
            due_on=data.get("due_on"),
            max_open_per_agent=data.get("max_open_per_agent"),
        )
        return Response(TaskSerializer(task).data, status=201)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(TaskSerializer(services.close_task(request.user, self.get_object())).data)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        task = self.get_object()
        result = services.evaluate_now(request.user, task)
        task.refresh_from_db()
        return Response(
            {**TaskSerializer(task).data, "added": result.added, "dealt": result.dealt, "moved": result.moved}
        )


class TaskItemViewSet(ScopedModelViewSet):
    """Task items: one's own and the untaken items of the draw and pick tasks one is assigned to
    (an agent), or those of the tasks in scope (a manager). `POST task-items/draw/` (`task`) draws
    the next item at random; `pick` takes the item chosen; `complete` and `skip` finish one's own."""

    queryset = TaskItem.objects.all()
    serializer_class = TaskItemSerializer
    permission_base = "tasks.item"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"task": ["exact"], "status": ["exact"], "assignee": ["exact"]}
    select_related = ("task", "customer", "lead")

    def required_permission_for(self, request):
        if self.action == "create":
            return None  # items are made by their task, never posted one by one
        return WORK

    def supports(self, action, request):
        return action != "create" and super().supports(action, request)

    @extend_schema(request=DrawSerializer, responses=TaskItemSerializer)
    @action(detail=False, methods=["post"])
    def draw(self, request):
        payload = DrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = services.takeable_tasks(request.user).filter(pk=payload.validated_data["task"]).first()
        if task is None:
            raise exceptions.ValidationError(
                {"task": [_("You are assigned to no open random-draw task with this id.")]}
            )
        return Response(TaskItemSerializer(services.draw_next(request.user, task)).data)

    @extend_schema(request=None, responses=TaskItemSerializer)
    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        return Response(TaskItemSerializer(services.pick(request.user, self.get_object())).data)

    @extend_schema(request=CompleteItemSerializer, responses=TaskItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        item = self.get_object()
        payload = CompleteItemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        note = data.pop("outcome_note", "")
        contact = data if data.get("outcome") else None
        item = services.complete_item(request.user, item, outcome_note=note, contact=contact)
        return Response(TaskItemSerializer(item).data)

    @extend_schema(request=SkipItemSerializer, responses=TaskItemSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        item = self.get_object()
        payload = SkipItemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.skip_item(request.user, item, outcome_note=payload.validated_data["outcome_note"])
        return Response(TaskItemSerializer(item).data)
