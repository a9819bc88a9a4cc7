"""TASK-05: the home page's "Today's quota progress" — an RM's own measures done against quota
today; a supervisor also sees how many of the team have completed the day, and who has not."""

import pytest
from django.utils import timezone

from steward.attendance.tests.conftest import call
from steward.attendance.tests.factories import AttendanceDayFactory, QuotaFactory
from steward.basedata.models import CalendarDay
from steward.testing import EmployeeFactory


@pytest.fixture
def working_today(bank):
    """Today is a working day whatever the real date (the widget reads the real today)."""
    today = timezone.localdate()
    CalendarDay.objects.filter(date=today).delete()
    if today.weekday() >= 5:
        CalendarDay.objects.create(date=today, kind=CalendarDay.Kind.WORKDAY, name="调休")
    QuotaFactory(org=bank.head, daily_target=3, active_from=today.replace(year=2020))
    return today


def test_an_rm_sees_their_progress_today(bank, staff, working_today, client):
    call(bank.north_rm, working_today, hour=0)
    client.force_login(bank.north_rm)
    page = client.get("/").content.decode()
    assert "quota progress" in page
    widget = page.split('data-testid="quota-progress"')[1]
    assert "Valid calls" in widget and "1 / 3" in widget and "In progress" in widget
    assert 'data-testid="quota-team"' not in widget


def test_a_supervisor_sees_how_many_of_the_team_are_done(bank, staff, working_today, client):
    for hour in (0, 0, 0):
        call(bank.north_rm, working_today, hour=hour)
    AttendanceDayFactory(employee=bank.north_rm2, date=working_today, status="leave")
    EmployeeFactory(org=bank.north_team, name="落后的人")
    client.force_login(staff.team_lead)
    widget = client.get("/").content.decode().split('data-testid="quota-progress"')[1]
    assert "Your team: 2 of 3 complete today" in widget
    assert "落后的人" in widget.split("Not yet:")[1] and "北方客户经理" not in widget.split("Not yet:")[1]


def test_on_leave_the_widget_says_so(bank, staff, working_today, client):
    AttendanceDayFactory(employee=bank.north_rm, date=working_today, status="sick_leave")
    client.force_login(bank.north_rm)
    widget = client.get("/").content.decode().split('data-testid="quota-progress"')[1]
    assert "Sick leave" in widget and "0 / 3" not in widget


def test_without_the_calendar_permission_there_is_no_widget(bank, client):
    client.force_login(bank.south_rm)
    assert 'data-testid="quota-progress"' not in client.get("/").content.decode()
