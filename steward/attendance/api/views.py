import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from steward.attendance import services
from steward.attendance.api.serializers import (
    AttendanceDaySerializer,
    AttendanceRecordedSerializer,
    AttendanceRecordSerializer,
    DayStatusSerializer,
    QuotaSerializer,
)
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.permissions import (
    ATTENDANCE_CHANGE,
    ATTENDANCE_VIEW,
    CALENDAR_VIEW,
    QUOTA_CHANGE,
    QUOTA_VIEW,
)
from steward.core.api import ScopedModelViewSet
from steward.core.errors import DomainError

# People asked for at once on the calendar endpoint.
MAX_CALENDAR_PEOPLE = 200


class AttendanceDayViewSet(ScopedModelViewSet):
    """Recorded attendance of the employees in the caller's scope (OFF-07); no row for a day means
    normal. ``POST`` records one employee or many for a day or a range (``employees``, ``start``,
    ``end``, ``status``, ``note``; all or nothing) and answers how many person-days were written;
    ``DELETE`` puts a day back to normal."""

    queryset = AttendanceDay.objects.all()
    serializer_class = AttendanceDaySerializer
    permission_base = "attendance.day"
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_fields = {"employee": ["exact"], "status": ["exact"], "date": ["exact", "gte", "lte"]}
    select_related = ("employee", "recorded_by")

    def required_permission_for(self, request):
        if self.action in ("create", "destroy"):
            return ATTENDANCE_CHANGE
        return ATTENDANCE_VIEW

    @extend_schema(request=AttendanceRecordSerializer, responses={201: AttendanceRecordedSerializer})
    def create(self, request, *args, **kwargs):
        payload = AttendanceRecordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        count = services.record_attendance(
            request.user,
            data["employees"],
            data["start"],
            data.get("end") or data["start"],
            data["status"],
            data.get("note", ""),
        )
        return Response({"recorded": count}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.delete_attendance_day(self.request.user, instance)


class QuotaViewSet(ScopedModelViewSet):
    """Daily quotas of the orgs in the caller's scope (TASK-06): a measure, an org (and below), an
    employee level and/or tier (empty: every one), a daily target and an active period."""

    queryset = Quota.objects.all()
    serializer_class = QuotaSerializer
    permission_base = "attendance.quota"
    filterset_fields = {"measure": ["exact"], "org": ["exact"], "level": ["exact"], "tier": ["exact"]}
    select_related = ("org",)

    def required_permission_for(self, request):
        if self.action in ("create", "update", "partial_update", "destroy"):
            return QUOTA_CHANGE
        return QUOTA_VIEW

    def get_queryset(self):
        if self.required_permission_for(self.request) == QUOTA_VIEW:
            return (
                services.visible_quotas(self.request.user, QUOTA_VIEW)
                .select_related("org")
                .order_by(*Quota._meta.ordering)
            )
        return super().get_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.save_quota(self.request.user, Quota(**serializer.validated_data))

    def perform_update(self, serializer):
        quota = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(quota, name, value)
        serializer.instance = services.save_quota(self.request.user, quota)

    def perform_destroy(self, instance):
        services.delete_quota(self.request.user, instance)


class TaskCalendarViewSet(viewsets.ViewSet):
    """GET task-calendar/?employee=&start=&end=: each asked person's days (TASK-05, TASK-07) — the
    state (complete, short, open, leave, holiday, not a working day, no quota) and each measure's
    done against its quota. ``employee`` may repeat (at most 200; default: the caller); each must
    be in the caller's calendar scope. ``start`` and ``end`` are both included, at most 100 days
    (default: this month so far and to its end)."""

    serializer_class = DayStatusSerializer

    def required_permission_for(self, request):
        return CALENDAR_VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("employee", int, many=True, required=False, description="default: the caller"),
            OpenApiParameter("start", str, required=False, description="YYYY-MM-DD; default: the 1st of this month"),
            OpenApiParameter("end", str, required=False, description="YYYY-MM-DD, included; default: the month's end"),
        ],
        responses=DayStatusSerializer(many=True),
    )
    def list(self, request):
        try:
            asked = [part for value in request.query_params.getlist("employee") for part in value.split(",") if part]
            if len(asked) > MAX_CALENDAR_PEOPLE:
                raise DomainError(
                    _("Ask for at most %(count)s people at a time.") % {"count": MAX_CALENDAR_PEOPLE}, "employee"
                )
            people = [services.calendar_person(request.user, pk) for pk in asked] or [
                services.calendar_person(request.user)
            ]
            today = timezone.localdate()
            first_of_month = today.replace(day=1)
            start = services.parse_day(request.query_params.get("start") or first_of_month, "start")
            default_end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            end = services.parse_day(request.query_params.get("end") or default_end, "end")
            statuses = services.day_status([person.pk for person in people], start, end)
        except DomainError as error:
            raise exceptions.ValidationError({error.field or "non_field_errors": [str(error.message)]}) from None
        ordered = sorted(statuses.values(), key=lambda item: (item.employee_id, item.day))
        return Response([services.status_json(item) for item in ordered])
