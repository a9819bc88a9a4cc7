"""TASK-05 / TASK-07: the task calendar — each person's day done against quota; a day is complete
when every measure reaches its quota, or on leave, or on a public holiday (the holiday calendar,
single days or a pasted range, or the person's attendance); weekends are not working days unless
the calendar makes them one. Supervisors see their team, an RM only themself."""

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.attendance import services
from steward.attendance.services import DayState
from steward.attendance.tests.conftest import MONDAY, WEEK, at, call
from steward.attendance.tests.factories import AttendanceDayFactory, QuotaFactory
from steward.basedata.models import CalendarDay
from steward.basedata.services import import_calendar_lines
from steward.leads.models import Lead
from steward.testing import EmployeeFactory, grant

TUESDAY, WEDNESDAY, SATURDAY, SUNDAY = WEEK[1], WEEK[2], WEEK[5], WEEK[6]
LATER = dt.date(2027, 1, 1)  # "today" for days that are over


def week_of(bank, *, today=LATER):
    statuses = services.day_status([bank.north_rm.pk], MONDAY, SUNDAY, today=today)
    return {day: statuses[(bank.north_rm.pk, day)] for day in WEEK}


def test_done_at_or_above_every_quota_completes_the_day_and_below_falls_short(bank):
    """TASK-05: two calls of a quota of two complete Monday; one on Tuesday falls short; nothing
    on Wednesday with Wednesday still to come is in progress, not short."""
    QuotaFactory(org=bank.head, measure="valid_calls", daily_target=2)
    call(bank.north_rm, MONDAY)
    call(bank.north_rm, MONDAY, hour=16)
    call(bank.north_rm, TUESDAY)
    days = week_of(bank, today=WEDNESDAY)
    assert (days[MONDAY].state, days[MONDAY].complete) == (DayState.COMPLETE, True)
    assert [(p.measure, p.done, p.target) for p in days[MONDAY].progress] == [("valid_calls", 2, 2)]
    assert (days[TUESDAY].state, days[TUESDAY].complete) == (DayState.SHORT, False)
    assert (days[WEDNESDAY].state, days[WEDNESDAY].complete) == (DayState.OPEN, False)


def test_every_measure_must_reach_its_quota(bank):
    """TASK-05 (file 003 §1.1: intent leads and phone follow-ups): calls met but no intent lead
    is short."""
    QuotaFactory(org=bank.head, measure="valid_calls", daily_target=1)
    QuotaFactory(org=bank.head, measure="new_intent_leads", daily_target=1)
    call(bank.north_rm, MONDAY)
    call(bank.north_rm, TUESDAY)
    Lead.objects.create(
        name="意向", mobile="", org=bank.north_team, holder=bank.north_rm, source="manual", intent_at=at(TUESDAY)
    )
    days = week_of(bank)
    assert days[MONDAY].state == DayState.SHORT
    assert days[TUESDAY].state == DayState.COMPLETE
    assert {p.measure: p.met for p in days[MONDAY].progress} == {"valid_calls": True, "new_intent_leads": False}


def test_leave_completes_the_day_even_with_nothing_done(bank):
    """TASK-07: attendance says leave: complete with 0 done; a business trip does not."""
    QuotaFactory(org=bank.head, daily_target=3)
    AttendanceDayFactory(employee=bank.north_rm, date=MONDAY, status="leave")
    AttendanceDayFactory(employee=bank.north_rm, date=TUESDAY, status="business_trip")
    days = week_of(bank)
    assert (days[MONDAY].state, days[MONDAY].complete) == (DayState.LEAVE, True)
    assert days[MONDAY].progress[0].done == 0
    assert (days[TUESDAY].state, days[TUESDAY].complete) == (DayState.SHORT, False)


def test_a_public_holiday_completes_the_day(bank):
    """TASK-07: a holiday of the holiday calendar (a range pasted at once), or the person's
    attendance saying public holiday, completes the day with nothing done."""
    QuotaFactory(org=bank.head, daily_target=3)
    grant(bank.admin, "basedata.calendar:change", scope="all")
    import_calendar_lines(bank.admin, "2026-12-08..2026-12-09 | holiday | 测试假期 | Test holiday")
    AttendanceDayFactory(employee=bank.north_rm, date=WEEK[3], status="public_holiday")
    days = week_of(bank)
    assert [days[day].state for day in WEEK[:5]] == [
        DayState.SHORT,
        DayState.HOLIDAY,
        DayState.HOLIDAY,
        DayState.HOLIDAY,
        DayState.SHORT,
    ]
    assert days[TUESDAY].complete and days[TUESDAY].holiday_name == "Test holiday"


def test_weekends_are_not_working_days_unless_worked_in_lieu(bank):
    """TASK-07: Saturday and Sunday are complete (not applicable); a Sunday the calendar makes a
    working day in lieu has its quota."""
    QuotaFactory(org=bank.head, daily_target=1)
    CalendarDay.objects.create(date=SUNDAY, kind=CalendarDay.Kind.WORKDAY, name="调休")
    days = week_of(bank)
    assert (days[SATURDAY].state, days[SATURDAY].complete) == (DayState.NOT_WORKING_DAY, True)
    assert days[SUNDAY].state == DayState.SHORT


def test_the_nearest_and_most_specific_quota_applies(bank):
    """TASK-06: quotas by level and tier — the branch's quota for level L3 beats the head
    office's for everyone; another level keeps the head office's; a quota not active yet or
    no longer active does not count; with none, the day has no quota."""
    bank.north_rm.level, bank.north_rm2.level = "L3", "L1"
    bank.north_rm.save()
    bank.north_rm2.save()
    QuotaFactory(org=bank.head, daily_target=5)
    QuotaFactory(org=bank.north, level="L3", daily_target=2)
    QuotaFactory(org=bank.north, level="L3", daily_target=9, active_from=TUESDAY, active_to=TUESDAY, tier="T1")
    QuotaFactory(org=bank.south, daily_target=7)
    QuotaFactory(org=bank.head, measure="contacts", daily_target=1, active_from=WEDNESDAY)
    statuses = services.day_status([bank.north_rm.pk, bank.north_rm2.pk], MONDAY, WEDNESDAY, today=LATER)

    def targets(person, day):
        return {p.measure: p.target for p in statuses[(person.pk, day)].progress}

    assert targets(bank.north_rm, MONDAY) == {"valid_calls": 2}
    assert targets(bank.north_rm, TUESDAY) == {"valid_calls": 2}  # the T1 quota does not fit (no tier)
    assert targets(bank.north_rm2, MONDAY) == {"valid_calls": 5}
    assert targets(bank.north_rm2, WEDNESDAY) == {"valid_calls": 5, "contacts": 1}
    bank.head.quotas.all().delete()
    alone = services.day_status([bank.admin.pk], MONDAY, MONDAY, today=LATER)[(bank.admin.pk, MONDAY)]
    assert (alone.state, alone.complete) == (DayState.NO_QUOTA, True)


def test_the_day_statuses_are_set_based(bank):
    """TASK-05: one person for one day and thirty people for sixty days cost the same queries."""
    QuotaFactory(org=bank.head, daily_target=1)
    QuotaFactory(org=bank.head, measure="new_intent_leads", daily_target=1)
    services.day_status([bank.north_rm.pk], MONDAY, MONDAY, today=LATER)  # warms the calendar's cache
    with CaptureQueriesContext(connection) as small:
        services.day_status([bank.north_rm.pk], MONDAY, MONDAY, today=LATER)
    people = [EmployeeFactory(org=bank.north_team).pk for _ in range(30)]
    services.day_status(people, MONDAY, MONDAY + dt.timedelta(days=59), today=LATER)  # warms 2027's year
    with CaptureQueriesContext(connection) as big:
        statuses = services.day_status(people, MONDAY, MONDAY + dt.timedelta(days=59), today=LATER)
    assert len(statuses) == 30 * 60
    assert len(big.captured_queries) == len(small.captured_queries)


def test_an_rm_sees_only_their_own_calendar(bank, staff, client):
    """TASK-05: the RM's page is their own; asking for a colleague is refused, on the page and in
    the day feed."""
    client.force_login(bank.north_rm)
    page = client.get("/attendance/calendar/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="calendar-person">北方客户经理 ' in body
    assert "person-picker" not in body and "team-week" not in body
    colleague = client.get(f"/attendance/calendar/?employee={bank.north_rm2.pk}").content.decode()
    assert "not in your data scope" in colleague
    feed = client.get(
        "/attendance/calendar/days/", {"employee": bank.north_rm2.pk, "start": "2026-12-07", "end": "2026-12-14"}
    )
    assert feed.status_code == 400


def test_a_supervisor_sees_the_team_and_another_branch_manager_sees_nothing_of_it(bank, staff, client):
    """TASK-05 / PLT-04: the team lead picks any of the team and sees the team's week; the north
    branch manager sees the branch; the south branch's manager sees none of the north's people."""
    QuotaFactory(org=bank.head, daily_target=1)
    call(bank.north_rm2, MONDAY)
    team = set(services.calendar_employees(staff.team_lead).values_list("pk", flat=True))
    assert team == {bank.north_rm.pk, bank.north_rm2.pk, staff.team_lead.pk}
    branch = set(services.calendar_employees(bank.north_manager).values_list("pk", flat=True))
    assert {bank.north_rm.pk, bank.north_rm2.pk, staff.team_lead.pk, bank.north_manager.pk} <= branch
    assert bank.south_rm.pk not in branch
    assert not set(services.calendar_employees(staff.south_manager).values_list("pk", flat=True)) & branch

    client.force_login(staff.team_lead)
    page = client.get("/attendance/calendar/", {"employee": bank.north_rm2.pk, "date": "2026-12-07"}).content.decode()
    assert 'data-testid="calendar-person">北方客户经理二' in page
    assert page.count('data-testid="team-row"') == 3 and "南方客户经理" not in page
    feed = client.get(
        "/attendance/calendar/days/",
        {"employee": bank.north_rm2.pk, "start": "2026-12-07T00:00:00+08:00", "end": "2026-12-14T00:00:00+08:00"},
    )
    events = json.loads(feed.content)
    titles = [event.get("title") for event in events if event.get("title")]
    assert feed.status_code == 200 and "Valid calls 1 / 1" in titles and "Valid calls 0 / 1" in titles

    client.force_login(staff.south_manager)
    for person in (bank.north_rm, bank.north_rm2):
        assert "not in your data scope" in client.get(f"/attendance/calendar/?employee={person.pk}").content.decode()
        answer = client.get(
            "/attendance/calendar/days/", {"employee": person.pk, "start": "2026-12-07", "end": "2026-12-14"}
        )
        assert answer.status_code == 400
    assert "北方客户经理" not in client.get("/attendance/calendar/").content.decode()


def test_the_calendar_needs_its_permission_and_odd_input_is_no_error(bank, staff, client):
    """TASK-05 / PLT-11: without the permission 403; junk ranges answer 400, never 500."""
    client.force_login(bank.admin)
    assert client.get("/attendance/calendar/").status_code == 403
    grant(bank.admin, "attendance.calendar:view", scope="own")
    client.force_login(bank.admin)
    assert client.get("/attendance/calendar/?employee=abc&date=2026-02-30").status_code == 200
    for query in (
        {"start": "x", "end": "y"},
        {"start": "2026-12-07", "end": "2028-01-01"},
        {"employee": 2**70, "start": "2026-12-07", "end": "2026-12-08"},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ):
        assert client.get("/attendance/calendar/days/", query).status_code == 400, query
