"""Demo attendance and quotas for `manage.py seed_demo` (OFF-07, TASK-05 … TASK-07): the bank's daily
quotas for relationship managers — valid calls, and new intent leads from the first of this month —
and a month of attendance for the demo RM's team: the demo RM on leave two days, off sick one, a
day off in lieu (a personal public holiday) and a business trip; a colleague away a week. With
the contacts of the interactions demo, the demo RM's task calendar shows complete days, days
below quota, leave and the holiday. Recorded through the one service (set-based INSERT … ON
CONFLICT); quotas in one bulk insert. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DEMO_RM = "rm"
VALID_CALLS_PER_DAY = 2
INTENT_LEADS_PER_DAY = 1


def working_days_back(today: dt.date, count: int) -> list[dt.date]:
    """The `count` weekdays before `today`, latest first."""
    days, day = [], today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def seed_demo_attendance(now=None) -> int:
    """Quotas and a month of attendance for the demo RM's team; answers how many records."""
    from steward.attendance.models import AttendanceDay, Quota
    from steward.org.models import Employee, Org

    rm = Employee.objects.filter(employee_no=DEMO_RM).select_related("org").first()
    admin = Employee.objects.filter(employee_no="admin").first()
    if rm is None or admin is None or Quota.objects.exists() or AttendanceDay.objects.exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    head = Org.objects.filter(parent__isnull=True).order_by("pk").first()
    month_ago = today - dt.timedelta(days=31)
    this_month = today.replace(day=1)
    quotas = [
        Quota(measure="valid_calls", org=head, daily_target=VALID_CALLS_PER_DAY, active_from=month_ago.replace(day=1)),
        # A campaign quota from the first of this month: the days before are judged on calls alone.
        Quota(measure="new_intent_leads", org=head, daily_target=INTENT_LEADS_PER_DAY, active_from=this_month),
    ]
    Quota.objects.bulk_create(quotas)
    from steward.audit.services import log_bulk

    log_bulk("create", Quota, list(Quota.objects.values_list("pk", flat=True)), actor=admin, message="demo quotas")
    return len(quotas) + _attendance(admin, rm, today, now)


def _attendance(admin, rm, today: dt.date, now) -> int:
    from steward.attendance.models import AttendanceDay
    from steward.attendance.services import record_attendance
    from steward.org.models import Employee

    days = working_days_back(today, 22)  # about a month of working days, latest first
    Status = AttendanceDay.Status
    plan = [
        ([rm.pk], days[14], days[13], Status.LEAVE, "年假"),
        ([rm.pk], days[8], days[8], Status.SICK_LEAVE, "感冒就医"),
        ([rm.pk], days[5], days[5], Status.PUBLIC_HOLIDAY, "加班调休"),
        ([rm.pk], days[3], days[3], Status.BUSINESS_TRIP, "分行培训"),
    ]
    colleague = Employee.objects.filter(org=rm.org, is_active=True).exclude(pk=rm.pk).order_by("employee_no").first()
    if colleague is not None:
        plan.append(([colleague.pk], days[11], days[7], Status.LEAVE, "婚假"))
    written = 0
    for people, first, last, status, note in plan:
        written += record_attendance(admin, people, min(first, last), max(first, last), status, note, now=now)
    return written
