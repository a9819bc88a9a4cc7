"""OFF-07, TASK-05 … TASK-07: `make demo` has the RMs' daily quotas and a month of attendance for the
demo RM's team, so that the demo RM's task calendar shows complete days, days below quota, leave
and a holiday; re-running adds nothing."""

import datetime as dt

from django.utils import timezone

from steward.attendance.demo import seed_demo_attendance, working_days_back
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.services import DayState, day_status
from steward.attendance.tests.conftest import call
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_seed_demo_attendance_gives_the_demo_rm_every_kind_of_day(db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    rm = Employee.objects.get(employee_no="rm")
    today = timezone.localdate()
    days = working_days_back(today, 22)
    # Two valid calls on one working day (and the intent lead this month's quota asks for), none on another.
    full, empty = days[20], days[19]
    for hour in (9, 10):
        call(rm, full, hour=hour)
    from steward.leads.models import Lead

    Lead.objects.create(
        name="意向客户", mobile="13900000001", org=rm.org, holder=rm, stage=Lead.Stage.INTENT,
        intent_at=timezone.make_aware(dt.datetime.combine(full, dt.time(11))),
    )  # fmt: skip

    assert seed_demo_attendance() > 0
    assert seed_demo_attendance() == 0

    assert set(Quota.objects.values_list("measure", flat=True)) == {"valid_calls", "new_intent_leads"}
    mine = set(AttendanceDay.objects.filter(employee=rm).values_list("status", flat=True))
    assert {"leave", "sick_leave", "public_holiday"} <= mine
    assert AttendanceDay.objects.exclude(employee=rm).filter(status="leave").exists()

    states = {
        day: status.state
        for (_pk, day), status in day_status([rm.pk], today - dt.timedelta(days=40), today, today=today).items()
    }
    assert states[full] == DayState.COMPLETE
    assert states[empty] == DayState.SHORT
    assert DayState.LEAVE in states.values() and DayState.HOLIDAY in states.values()
