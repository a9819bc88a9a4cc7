from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from steward.basedata import calendar, services
from steward.basedata.api.serializers import (
    BusinessDayAnswerSerializer,
    BusinessDayQuerySerializer,
    CalendarDaySerializer,
    CalendarPasteSerializer,
    CodeItemsReplaceSerializer,
    CodeTableSerializer,
    SystemParameterSerializer,
)
from steward.basedata.filters import CalendarDayApiFilterSet
from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.core.api import ScopedModelViewSet


class CodeTableViewSet(ScopedModelViewSet):
    """Code tables with their items; `GET ?code=risk_level` finds one by code."""

    queryset = CodeTable.objects.all()
    serializer_class = CodeTableSerializer
    permission_base = "basedata.codetable"
    filterset_fields = ["code", "is_system"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def required_permission_for(self, request):
        if self.action in ("create", "update", "partial_update", "items"):
            return "basedata.codetable:change"
        return "basedata.codetable:view"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")

    def perform_create(self, serializer):
        serializer.instance = services.save_code_table(self.request.user, CodeTable(**serializer.validated_data))

    def perform_update(self, serializer):
        table = serializer.instance
        for field, value in serializer.validated_data.items():
            if field != "code":
                setattr(table, field, value)
        serializer.instance = services.save_code_table(self.request.user, table)

    @extend_schema(request=CodeItemsReplaceSerializer, responses=CodeTableSerializer)
    @action(detail=True, methods=["put"])
    def items(self, request, pk=None):
        """Replace the table's items; codes left out are deactivated."""
        table = self.get_object()
        payload = CodeItemsReplaceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.save_code_items(request.user, table, payload.validated_data["items"])
        table = self.get_queryset().get(pk=table.pk)
        return Response(CodeTableSerializer(table).data)


class SystemParameterViewSet(ScopedModelViewSet):
    """Typed system parameters; only `value` can be written, and it is validated by type and range."""

    queryset = SystemParameter.objects.all()
    serializer_class = SystemParameterSerializer
    permission_base = "basedata.parameter"
    filterset_fields = ["key", "group"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def required_permission_for(self, request):
        if self.action in ("update", "partial_update", "refresh_cache"):
            return services.REFRESH_PERMISSION
        if self.action == "create":  # parameters are declared in code, never created
            return "basedata.parameter:add"
        return "basedata.parameter:view"

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="refresh-cache")
    def refresh_cache(self, request):
        """Refresh the system cache (PLT-06): parameters, code tables and list counts are read
        again from the database. Audited; answers what was dropped."""
        return Response(services.refresh_cache(request.user))

    def perform_update(self, serializer):
        value = serializer.validated_data.get("value", serializer.instance.value)
        serializer.instance = services.set_parameter(self.request.user, serializer.instance.key, value)


class CalendarDayViewSet(ScopedModelViewSet):
    """The holiday calendar's exceptions to the working week: public holidays (`holiday`) and
    weekend days worked in lieu (`workday`). `GET ?year=2026` lists a year; `business-day` answers
    whether a date is a business day and which business day lies N business days on."""

    queryset = CalendarDay.objects.all()
    serializer_class = CalendarDaySerializer
    permission_base = "basedata.calendar"
    filterset_class = CalendarDayApiFilterSet

    def required_permission_for(self, request):
        if self.action in ("create", "update", "partial_update", "destroy", "paste"):
            return services.CALENDAR_PERMISSION
        return "basedata.calendar:view"

    def perform_create(self, serializer):
        serializer.instance = services.save_calendar_day(self.request.user, CalendarDay(**serializer.validated_data))

    def perform_update(self, serializer):
        day = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(day, field, value)
        serializer.instance = services.save_calendar_day(self.request.user, day)

    def perform_destroy(self, instance):
        services.delete_calendar_day(self.request.user, instance)

    @extend_schema(request=CalendarPasteSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def paste(self, request):
        """Record many days at once (all lines or none); days already recorded are replaced."""
        payload = CalendarPasteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"recorded": services.import_calendar_lines(request.user, payload.validated_data["lines"])})

    @extend_schema(parameters=[BusinessDayQuerySerializer], responses=BusinessDayAnswerSerializer)
    @action(detail=False, methods=["get"], url_path="business-day")
    def business_day(self, request):
        query = BusinessDayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day, add = query.validated_data.get("date") or timezone.localdate(), query.validated_data["add"]
        try:
            result = calendar.add_business_days(day, add)
        except (calendar.CalendarExhausted, OverflowError):
            raise ValidationError({"add": [_("No business day lies that far within the calendar.")]}) from None
        answer = {"date": day, "is_business_day": calendar.is_business_day(day), "add": add, "result": result}
        return Response(BusinessDayAnswerSerializer(answer).data)
