"""Pages of attendance (OFF-07), quotas (TASK-06) and the task calendar (TASK-05, TASK-07)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.attendance import services
from steward.attendance.filters import AttendanceDayFilterSet, QuotaFilterSet
from steward.attendance.forms import AttendanceRecordForm, QuotaForm
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.permissions import (
    ATTENDANCE_CHANGE,
    ATTENDANCE_VIEW,
    CALENDAR_VIEW,
    QUOTA_CHANGE,
    QUOTA_VIEW,
)
from steward.attendance.tables import AttendanceDayTable, QuotaTable
from steward.core.errors import DomainError
from steward.core.views import ObjectActionView, ObjectListView, PermissionRequiredMixin, ServiceFormView

# FullCalendar's locale for each interface language (as the wealth calendar's).
FULLCALENDAR_LOCALES = {"zh-hans": "zh-cn", "en": "en"}


class AttendanceListView(ObjectListView):
    """The attendance recorded for the employees in scope; no row for a day means normal."""

    model = AttendanceDay
    permission = ATTENDANCE_VIEW
    table_class = AttendanceDayTable
    filterset_class = AttendanceDayFilterSet
    title = gettext_lazy("Attendance")
    add_url_name = "attendance:record"
    add_permission = ATTENDANCE_CHANGE
    select_related = ("employee", "employee__org", "recorded_by")


class AttendanceRecordView(ServiceFormView):
    """Record attendance of one person or many for a day or a range (OFF-07)."""

    model = AttendanceDay
    permission = ATTENDANCE_CHANGE
    form_class = AttendanceRecordForm
    title = gettext_lazy("Record attendance")

    def get_instance(self):
        return None

    def perform(self, form, instance):
        data = form.cleaned_data
        count = services.record_attendance(
            self.request.user,
            form.employee_ids(),
            data["start"],
            data.get("end") or data["start"],
            data["status"],
            data.get("note", ""),
        )
        messages.success(self.request, _("Recorded: %(count)s person-days.") % {"count": count})
        return None

    def success_url(self, obj):
        return reverse("attendance:list")


class AttendanceDeleteView(ObjectActionView):
    """The day goes back to normal attendance."""

    model = AttendanceDay
    permission = ATTENDANCE_CHANGE

    def act(self, request, obj):
        services.delete_attendance_day(request.user, obj)
        return _("The day is back to normal attendance.")

    def post(self, request, *args, **kwargs):
        messages.success(request, self.act(request, self.get_object()))
        return HttpResponseRedirect(reverse("attendance:list"))


class QuotaListView(ObjectListView):
    model = Quota
    permission = QUOTA_VIEW
    table_class = QuotaTable
    filterset_class = QuotaFilterSet
    title = gettext_lazy("Quotas")
    add_url_name = "attendance:quota_add"
    add_permission = QUOTA_CHANGE
    select_related = ("org",)

    def get_queryset(self):
        return services.visible_quotas(self.request.user, QUOTA_VIEW).select_related("org")


class QuotaFormView(ServiceFormView):
    model = Quota
    permission = QUOTA_CHANGE
    form_class = QuotaForm
    title = gettext_lazy("New quota")
    template_name = "attendance/quota_form.html"
    success_message = gettext_lazy("The quota is saved: the task calendar counts with it from its first day.")
    select_related = ("org",)

    def extra_context(self, instance):
        return {"delete_url": reverse("attendance:quota_delete", args=[instance.pk])} if instance else {}

    def perform(self, form, instance):
        return services.save_quota(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("attendance:quota_list")


class QuotaDeleteView(ObjectActionView):
    model = Quota
    permission = QUOTA_CHANGE

    def act(self, request, obj):
        services.delete_quota(request.user, obj)
        return _("The quota was removed.")

    def post(self, request, *args, **kwargs):
        messages.success(request, self.act(request, self.get_object()))
        return HttpResponseRedirect(reverse("attendance:quota_list"))


def _day_param(request, name: str = "date") -> dt.date | None:
    try:
        day = parse_date(request.GET.get(name, "")[:10])
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2200 else None


class TaskCalendarView(PermissionRequiredMixin, View):
    """The task calendar (TASK-05, TASK-07): one person's days by month, week or day, each measure
    done against its quota; a supervisor picks a person of their scope and sees the team's week."""

    permission = CALENDAR_VIEW

    def get(self, request):
        language = translation.get_language() or settings.LANGUAGE_CODE
        people = services.calendar_employees(request.user)
        try:
            person = services.calendar_person(request.user, request.GET.get("employee"))
        except DomainError as error:
            person, problem = None, error.message
        else:
            problem = ""
        day = _day_param(request) or timezone.localdate()
        choices = list(people[:1000])
        team = services.team_week(request.user, day) if len(choices) > 1 else []
        week_start, _week_end = services.week_of(day)
        context = {
            "title": gettext_lazy("Task calendar"),
            "person": person,
            "problem": problem,
            "people": choices,
            "team": team,
            "week_days": [week_start + dt.timedelta(days=n) for n in range(7)],
            "previous_week": (week_start - dt.timedelta(days=7)).isoformat(),
            "next_week": (week_start + dt.timedelta(days=7)).isoformat(),
            "legend": [(services.STATE_COLOURS[state], label) for state, label in services.DAY_STATE_LABELS.items()],
            "can_record": has_permission(request.user, ATTENDANCE_CHANGE),
            "can_see_quotas": has_permission(request.user, QUOTA_VIEW),
            "calendar_config": {
                "daysUrl": reverse("attendance:calendar_days"),
                "employee": person.pk if person else None,
                "locale": FULLCALENDAR_LOCALES.get(language.lower(), "en"),
                "initialDate": day.isoformat(),
            },
        }
        return TemplateResponse(request, "attendance/task_calendar.html", context)


class CalendarDaysView(PermissionRequiredMixin, View):
    """GET ?employee=&start=&end=: one person's days as FullCalendar events (end exclusive)."""

    permission = CALENDAR_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request):
        try:
            person = services.calendar_person(request.user, request.GET.get("employee"))
            first = services.parse_day(request.GET.get("start", ""), "start")
            after = services.parse_day(request.GET.get("end", ""), "end")
            statuses = services.day_status([person.pk], first, after - dt.timedelta(days=1))
        except DomainError as error:
            return JsonResponse({error.field or "detail": [str(error.message)]}, status=400)
        ordered = sorted(statuses.values(), key=lambda status: status.day)
        return JsonResponse(services.calendar_events(ordered), safe=False)
