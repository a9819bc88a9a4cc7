"""Django admin of attendance and quotas: read-only, within the data scope. Both are written on
their own pages (steward/attendance/views.py) through the services only."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.permissions import ATTENDANCE_VIEW, QUOTA_VIEW


@admin.register(AttendanceDay)
class AttendanceDayAdmin(SystemWrittenAdmin):
    list_display = ("date", "employee", "status", "note", "recorded_by", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("employee", "recorded_by")
    raw_id_fields = ("employee", "recorded_by")
    view_permission = ATTENDANCE_VIEW


@admin.register(Quota)
class QuotaAdmin(SystemWrittenAdmin):
    list_display = ("measure", "org", "level", "tier", "daily_target", "active_from", "active_to")
    list_filter = ("measure",)
    list_select_related = ("org",)
    view_permission = QUOTA_VIEW
