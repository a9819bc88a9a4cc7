"""The holiday calendar (DESIGN "Time, money, data dates": business-day rules; TASK-07; PLT-06):
administrators record public holidays and weekend days worked in lieu, one by one or pasted from
the State Council's annual notice; business days are counted with them (leave today, due dates
and reminders next); every change is audited; readers see the calendar, others nothing."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.basedata import calendar
from steward.basedata.demo import HOLIDAYS_2026
from steward.basedata.models import CalendarDay
from steward.basedata.services import import_calendar_lines, refresh_cache, save_calendar_day
from steward.core.errors import DomainError
from steward.testing import grant

D = dt.date


@pytest.fixture
def administrator(bank):
    grant(bank.admin, "basedata.calendar:view", "basedata.calendar:change", "basedata.parameter:change", scope="all")
    return bank.admin


@pytest.fixture
def national_day(administrator):
    import_calendar_lines(administrator, HOLIDAYS_2026)


def test_weekends_are_not_business_days_without_a_calendar(db):
    """Monday to Friday count, Saturday and Sunday do not."""
    assert calendar.is_business_day(D(2027, 3, 5))  # a Friday
    assert not calendar.is_business_day(D(2027, 3, 6))
    assert calendar.next_business_day(D(2027, 3, 5)) == D(2027, 3, 8)
    assert calendar.business_days_between(D(2027, 3, 1), D(2027, 3, 14)) == 10


def test_public_holidays_and_days_worked_in_lieu_move_business_days(national_day):
    """The National Day week is off; Saturday 10 October is worked; counting follows."""
    assert not calendar.is_business_day(D(2026, 10, 1))  # a Thursday, but a holiday
    assert calendar.is_business_day(D(2026, 10, 10))  # a Saturday worked in lieu
    assert calendar.next_business_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert calendar.add_business_days(D(2026, 9, 29), 3) == D(2026, 10, 9)
    assert calendar.add_business_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert calendar.previous_business_day(D(2026, 10, 8)) == D(2026, 9, 30)
    assert calendar.add_business_days(D(2026, 10, 3), 0) == D(2026, 10, 8)
    # 28 Sep – 11 Oct: 28, 29, 30 Sep, 8, 9, 10 Oct — the 10th a Saturday worked in lieu.
    assert calendar.business_days_between(D(2026, 9, 28), D(2026, 10, 11)) == 6
    assert calendar.business_days_between(D(2026, 10, 5), D(2026, 10, 1)) == 0


def test_a_saved_day_counts_at_once_and_is_audited(administrator):
    """A change is seen by the next count (the cached year is dropped) and leaves an audit entry."""
    assert calendar.is_business_day(D(2027, 1, 1))  # read and cached
    day = save_calendar_day(administrator, CalendarDay(date=D(2027, 1, 1), kind="holiday", name="元旦"))
    assert not calendar.is_business_day(D(2027, 1, 1))
    entry = AuditEntry.objects.filter(object_type="basedata.calendarday", object_id=str(day.pk)).get()
    assert entry.actor_id == administrator.pk


def test_refresh_cache_drops_every_cached_year(administrator):
    """PLT-06: a day written around Steward (a DBA) counts after "Refresh system cache"."""
    assert calendar.is_business_day(D(2028, 5, 1))
    CalendarDay.objects.create(date=D(2028, 5, 1), kind="holiday", name="劳动节")
    assert calendar.is_business_day(D(2028, 5, 1))  # still the cached year
    refresh_cache(administrator)
    assert not calendar.is_business_day(D(2028, 5, 1))


def test_only_a_weekend_day_can_be_worked_in_lieu(administrator):
    with pytest.raises(Exception) as error:
        save_calendar_day(administrator, CalendarDay(date=D(2026, 12, 7), kind="workday"))
    assert "2026-12-07 is a weekday" in str(error.value)
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10-01 | holiday\n2026-13-01 | holiday", "Line 2: “2026-13-01” is not a date"),
        (
            "2026-10-01 | holiday\n\n2026-10-02 | off",
            "Line 3: the kind “off” is neither holiday (休) nor workday (班).",
        ),
        ("2026-10-01..2026-10-07 | holiday\n2026-10-03 | holiday", "Line 2: 2026-10-03 is already on line 1."),
        ("2026-10-08 | workday | 调休", "Line 1: 2026-10-08 is a weekday"),
        ("2026-10-07..2026-10-01 | holiday", "Line 1: a range runs forwards"),
        ("2026-10-01", "Line 1: expected"),
        ("# only a comment", "Paste at least one line."),
    ],
)
def test_a_wrong_pasted_line_is_named_and_nothing_is_recorded(administrator, text, message):
    """Bad input names its line; all lines or none are recorded."""
    with pytest.raises(DomainError) as error:
        import_calendar_lines(administrator, text)
    assert message in str(error.value.message)
    assert not CalendarDay.objects.exists()


def test_pasting_again_replaces_the_days_and_is_one_audit_entry(national_day, administrator):
    assert CalendarDay.objects.filter(date__year=2026).count() == 39
    assert AuditEntry.objects.filter(action="basedata.calendar_imported").count() == 1
    import_calendar_lines(administrator, "2026-10-01 | holiday | 国庆 | Golden week")
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (day.name, day.name_en) == ("国庆", "Golden week")
    assert CalendarDay.objects.filter(date__year=2026).count() == 39


def test_leave_counts_business_days_of_the_calendar(national_day):
    """Leave (approvals.leave) takes business days: the National Day week costs none of the
    annual leave; maternity leave runs in calendar days; a leave without a business day is refused."""
    from steward.approvals.builtin import LeaveApplication
    from steward.approvals.forms import LeaveForm

    leave = LeaveApplication()
    form = LeaveForm(data={"leave_type": "annual", "start_date": "2026-09-28", "end_date": "2026-10-11"})
    assert form.is_valid(), form.errors
    payload = leave.prepare(form.cleaned_data, None)
    assert payload["days"] == 6
    assert leave.default_title(payload) == "Annual leave 2026-09-28 – 2026-10-11 (6 days)"
    maternity = LeaveForm(data={"leave_type": "maternity", "start_date": "2026-09-28", "end_date": "2026-10-11"})
    assert maternity.is_valid(), maternity.errors
    assert leave.prepare(maternity.cleaned_data, None)["days"] == 14
    holiday_only = LeaveForm(data={"leave_type": "annual", "start_date": "2026-10-01", "end_date": "2026-10-07"})
    assert not holiday_only.is_valid()
    assert "there is no business day" in holiday_only.errors["end_date"][0]


def test_the_page_lists_adds_and_removes_days(administrator, client):
    """The administrator's page: the list by year, a day added and removed, a paste with a wrong line."""
    client.force_login(administrator)
    response = client.post(
        "/basedata/holiday-calendar/add/",
        {"date": "2027-02-08", "kind": "holiday", "name": "春节", "name_en": "Spring Festival"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/basedata/holiday-calendar/?year=2027"
    page = response.content.decode()
    assert "2027-02-08" in page and "Spring Festival" in page and "Monday" in page
    assert 'data-testid="calendar-import"' in page

    wrong = client.post("/basedata/holiday-calendar/paste/", {"lines": "2027-02-09 | holiday\n2027-02-10 | vacation"})
    assert "Line 2: the kind “vacation” is neither holiday (休) nor workday (班)." in wrong.content.decode()
    assert "2027-02-10 | vacation" in wrong.content.decode()  # what was typed is kept
    assert not CalendarDay.objects.filter(date=D(2027, 2, 9)).exists()

    day = CalendarDay.objects.get(date=D(2027, 2, 8))
    client.post(f"/basedata/holiday-calendar/{day.pk}/delete/")
    assert not CalendarDay.objects.exists()
    assert calendar.is_business_day(D(2027, 2, 8))


def test_a_reader_sees_the_calendar_without_buttons_and_may_not_change_it(national_day, bank, client):
    """PLT-03: the buttons show only to those who may use them; the actions answer 403 to others."""
    grant(bank.north_manager, "basedata.calendar:view", scope="all")
    client.force_login(bank.north_manager)
    page = client.get("/basedata/holiday-calendar/?year=2026").content.decode()
    assert "National Day" in page
    assert 'data-testid="calendar-import"' not in page and 'data-testid="add-button"' not in page
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert f"/basedata/holiday-calendar/{day.pk}/" not in page
    assert client.post(f"/basedata/holiday-calendar/{day.pk}/delete/").status_code == 403
    assert client.post("/basedata/holiday-calendar/paste/", {"lines": "2026-12-25 | holiday"}).status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_without_the_permission_nothing_is_seen(national_day, bank, client):
    client.force_login(bank.north_rm)
    assert client.get("/basedata/holiday-calendar/").status_code == 403
    api = APIClient()
    api.force_authenticate(bank.north_rm)
    assert api.get("/api/v1/calendar-days/").status_code == 403


def test_the_api_lists_writes_and_answers_business_days(national_day, administrator):
    api = APIClient()
    api.force_authenticate(administrator)
    listed = api.get("/api/v1/calendar-days/", {"date__year": 2026, "kind": "workday"}).json()
    assert [row["date"] for row in listed["results"]] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    answer = api.get("/api/v1/calendar-days/business-day/", {"date": "2026-09-30", "add": 1}).json()
    assert answer == {"date": "2026-09-30", "is_business_day": True, "add": 1, "result": "2026-10-08"}
    assert api.get("/api/v1/calendar-days/business-day/", {"date": "2026-02-30"}).status_code == 400

    created = api.post("/api/v1/calendar-days/", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert created.status_code == 201
    refused = api.post("/api/v1/calendar-days/", {"date": "2027-10-08", "kind": "workday"})
    assert refused.status_code == 400 and "is a weekday" in refused.json()["kind"][0]
    pasted = api.post("/api/v1/calendar-days/paste/", {"lines": "2027-10-02..2027-10-07 | 休 | 国庆节"}, format="json")
    assert pasted.json() == {"recorded": 6}
    assert not calendar.is_business_day(D(2027, 10, 7))
    assert api.delete(f"/api/v1/calendar-days/{created.json()['id']}/").status_code == 204
    assert calendar.is_business_day(D(2027, 10, 1))


def test_a_year_that_is_no_year_is_refused_not_a_server_error(national_day, administrator, client):
    """PLT-11: "?date__year=0.5" (found by schemathesis) and "?year=2026.5" answer 400 / an invalid
    filter, never 500; the business-day question without a date answers for today."""
    api = APIClient()
    api.force_authenticate(administrator)
    assert api.get("/api/v1/calendar-days/", {"date__year": "0.5"}).status_code == 400
    assert api.get("/api/v1/calendar-days/", {"date__year": "0"}).status_code == 400
    assert api.get("/api/v1/calendar-days/", {"date__year": "2026"}).json()["count"] == 39
    client.force_login(administrator)
    assert client.get("/basedata/holiday-calendar/", {"year": "2026.5"}).status_code == 200
    today = api.get("/api/v1/calendar-days/business-day/")
    assert today.status_code == 200 and today.json()["add"] == 0
