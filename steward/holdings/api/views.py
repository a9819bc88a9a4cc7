from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from steward.core.api import ReadOnlyScopedViewSet, ScopedModelViewSet
from steward.holdings import reminders, services
from steward.holdings.api.serializers import (
    ConfirmHeldSerializer,
    ImportantDateSerializer,
    IntakeBatchSerializer,
    IntakeDaySerializer,
    IntakeRejectedRowSerializer,
    IntakeUploadSerializer,
    ReminderActSerializer,
    ReminderSerializer,
)
from steward.holdings.filters import (
    ImportantDateFilterSet,
    IntakeBatchFilterSet,
    RejectedRowFilterSet,
    ReminderFilterSet,
)
from steward.holdings.models import ImportantDate, IntakeBatch, IntakeDay, IntakeRejectedRow, Reminder


class IntakeBatchViewSet(ReadOnlyScopedViewSet):
    """Intake batches (one per source, entity and data date); POST upload/ loads one day file."""

    queryset = IntakeBatch.objects.all()
    serializer_class = IntakeBatchSerializer
    permission_base = "holdings.intake"
    filterset_class = IntakeBatchFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request={"multipart/form-data": IntakeUploadSerializer}, responses=IntakeBatchSerializer(many=True))
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser],
        required_permission="holdings.intake:upload",
    )
    def upload(self, request):
        payload = IntakeUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.upload_file(
            request.user,
            entity=data["entity"],
            data_date=data["data_date"],
            upload=data["file"],
            source=data["source"],
            replace=data["replace"],
        )
        refused = bool(result.refused)
        return Response(
            IntakeBatchSerializer(result.batches, many=True).data,
            status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_201_CREATED,
        )


class IntakeRejectedRowViewSet(ReadOnlyScopedViewSet):
    """Rows the intake quarantined: `?batch=<id>` (one file), `?data_date=`, `?entity=`, `?source=`,
    `?q=` (words of the reason). Each gives the physical line, the reason and the masked raw row."""

    queryset = IntakeRejectedRow.objects.all()
    serializer_class = IntakeRejectedRowSerializer
    permission_base = "holdings.intake"
    filterset_class = RejectedRowFilterSet
    select_related = ("batch",)
    ordering_fields = ["line"]


class IntakeDayViewSet(ReadOnlyScopedViewSet):
    """Each data date's figures state (`waiting` with what it waits for, `pending`, `derived`);
    POST confirm-held/ applies a source's held snapshots of a day (`holdings.intake:confirm`)."""

    queryset = IntakeDay.objects.all()
    serializer_class = IntakeDaySerializer
    permission_base = "holdings.intake"
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["data_date"]

    @extend_schema(request=ConfirmHeldSerializer, responses=IntakeBatchSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="confirm-held", required_permission="holdings.intake:confirm")
    def confirm_held(self, request):
        payload = ConfirmHeldSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.confirm_held_day(request.user, **payload.validated_data)
        return Response(IntakeBatchSerializer(result.batches, many=True).data, status=status.HTTP_200_OK)


class ReminderViewSet(ReadOnlyScopedViewSet):
    """The reminder centre (SVC-03): by default the open reminders on the customers the caller owns
    now; `?state=open|snoozed|done|dismissed|all`, `?kind=`, `?due_on_after=`, `?due_on_before=`,
    `?whose=all` (every customer of the data scope), `?q=` (customer name or number).
    POST reminders/{id}/act/ `{"action": "done"|"dismiss"|"reopen"}` or
    `{"action": "snooze", "until": "YYYY-MM-DD"}` (or `"snooze": "1d"|"1w"`)."""

    queryset = Reminder.objects.all()
    serializer_class = ReminderSerializer
    permission_base = "holdings.reminder"
    filterset_class = ReminderFilterSet
    select_related = ("customer", "acted_by")
    ordering_fields = ["due_on", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if self.detail or getattr(self, "swagger_fake_view", False):
            return super().get_queryset()
        # The list: the data scope, narrowed to my customers unless ?whose=all.
        whose = "all" if self.request.query_params.get("whose") == "all" else "mine"
        queryset = reminders.reminders_of(self.request.user, whose=whose, permission=reminders.VIEW)
        return queryset.select_related(*self.select_related).order_by("due_on", "pk")

    def filter_queryset(self, queryset):
        # The list's defaults (open, on my customers) narrow the list only: one reminder in the
        # caller's scope is found by its id whatever its state or owner.
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=ReminderActSerializer, responses=ReminderSerializer)
    @action(detail=True, methods=["post"], required_permission=reminders.ACT)
    def act(self, request, pk=None):
        reminder = self.get_object()
        payload = ReminderActSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        until = None
        if data["action"] == "snooze":
            today = timezone.localdate()
            choice = data.get("snooze") or ("date" if data.get("until") else "")
            until = reminders.snooze_until(choice, today, data.get("until"))
        reminder = reminders.act_on_reminder(request.user, reminder, data["action"], until=until)
        return Response(ReminderSerializer(reminder).data)


class ImportantDateViewSet(ScopedModelViewSet):
    """Customers' important dates (SVC-03): GET (`?customer=`, `?yearly=`, `?q=`), POST, PUT/PATCH,
    DELETE through the services (a change moves the date's reminder)."""

    queryset = ImportantDate.objects.all()
    serializer_class = ImportantDateSerializer
    permission_base = "holdings.important_date"
    filterset_class = ImportantDateFilterSet
    select_related = ("customer",)
    ordering_fields = ["date"]

    def required_permission_for(self, request):
        # Entering, changing and removing are one permission.
        if getattr(self, "action", None) in ("create", "update", "partial_update", "destroy"):
            return reminders.DATE_CHANGE
        return super().required_permission_for(request)

    def perform_create(self, serializer):
        data = serializer.validated_data
        important = ImportantDate(
            customer_id=data["customer_id"], date=data["date"], label=data["label"], yearly=data.get("yearly", True)
        )
        serializer.instance = reminders.save_important_date(self.request.user, important)

    def perform_update(self, serializer):
        important = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(important, name, value)
        serializer.instance = reminders.save_important_date(self.request.user, important)

    def perform_destroy(self, instance):
        reminders.delete_important_date(self.request.user, instance)
