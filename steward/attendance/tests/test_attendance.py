"""OFF-07: administrators keep attendance — normal by default, recorded for one person or many,
for a day or a range, set-based; people on leave are known to allocation (on_leave)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.attendance import services
from steward.attendance.models import AttendanceDay
from steward.attendance.tests.conftest import MONDAY
from steward.attendance.tests.factories import AttendanceDayFactory
from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.org.models import Employee
from steward.testing import EmployeeFactory

FRIDAY = MONDAY + dt.timedelta(days=4)


def test_a_range_for_many_is_recorded_in_one_go_and_audited_once(bank, staff):
    """OFF-07: two people × five days are ten rows, written with a fixed number of statements
    whatever the number of people and days, and one bulk audit entry."""
    manager = bank.north_manager
    services.record_attendance(manager, [bank.north_rm.pk], MONDAY, MONDAY, "absent")  # reads the grants once
    with CaptureQueriesContext(connection) as small:
        services.record_attendance(manager, [bank.north_rm.pk], MONDAY, MONDAY, "business_trip")
    AttendanceDay.objects.all().delete()
    people = [EmployeeFactory(org=bank.north_team).pk for _ in range(5)] + [bank.north_rm.pk, bank.north_rm2.pk]
    with CaptureQueriesContext(connection) as big:
        written = services.record_attendance(manager, people, MONDAY, MONDAY + dt.timedelta(days=29), "leave", "年假")
    assert written == 7 * 30
    assert AttendanceDay.objects.filter(status="leave", note="年假", recorded_by=manager).count() == 210
    # The same statements, but for the INSERT batches (SQLite bounds a statement's parameters).
    inserts = [q for q in big.captured_queries if q["sql"].startswith('INSERT INTO "attendance_attendanceday"')]
    assert 1 <= len(inserts) <= 3
    assert len(big.captured_queries) - len(inserts) == len(small.captured_queries) - 1
    entry = AuditEntry.objects.filter(action="attendance.recorded").order_by("-pk").first()
    assert entry is not None and "leave" in entry.message


def test_recording_again_replaces_the_days_and_normal_puts_them_back(bank, staff):
    """OFF-07: a day recorded twice keeps one row, with the latest status."""
    manager = bank.north_manager
    services.record_attendance(manager, [bank.north_rm.pk], MONDAY, FRIDAY, "leave")
    services.record_attendance(manager, [bank.north_rm.pk], MONDAY + dt.timedelta(days=2), FRIDAY, "normal")
    statuses = dict(AttendanceDay.objects.filter(employee=bank.north_rm).values_list("date", "status"))
    assert len(statuses) == 5
    assert [statuses[MONDAY + dt.timedelta(days=n)] for n in range(5)] == [
        "leave",
        "leave",
        "normal",
        "normal",
        "normal",
    ]
    assert services.on_leave([bank.north_rm.pk], MONDAY + dt.timedelta(days=3)) == set()


def test_an_employee_outside_the_scope_refuses_the_whole_record(bank, staff):
    """OFF-07 / PLT-04: the north manager cannot record the south RM; nothing is written."""
    with pytest.raises(DomainError) as refused:
        services.record_attendance(bank.north_manager, [bank.north_rm.pk, bank.south_rm.pk], MONDAY, FRIDAY, "leave")
    assert refused.value.field == "employees"
    assert not AttendanceDay.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "status", "field"),
    [
        ("2026-12-09", "2026-12-07", "leave", "end"),
        ("2026-12-07", "2028-12-07", "leave", "end"),
        ("nope", "", "leave", "start"),
        ("2026-12-07", "", "holiday?", "status"),
        ("0001-01-01", "", "leave", "start"),
    ],
)
def test_bad_input_names_its_field(bank, staff, start, end, status, field):
    """OFF-07: a wrong range or kind is refused with the field at fault."""
    with pytest.raises(DomainError) as refused:
        services.record_attendance(bank.north_manager, [bank.north_rm.pk], start, end, status)
    assert refused.value.field == field


def test_on_leave_reads_attendance_and_the_employee_status(bank, staff):
    """OFF-07 / LEAD-08: on leave that day by attendance (leave, sick leave, a personal public
    holiday) or by the employee's status; a business trip or absence is not leave."""
    AttendanceDayFactory(employee=bank.north_rm, date=MONDAY, status="leave")
    AttendanceDayFactory(employee=bank.north_rm2, date=MONDAY, status="business_trip")
    AttendanceDayFactory(employee=bank.south_rm, date=MONDAY + dt.timedelta(days=1), status="sick_leave")
    Employee.objects.filter(pk=bank.north_manager.pk).update(status=Employee.Status.ON_LEAVE)
    everyone = [bank.north_rm.pk, bank.north_rm2.pk, bank.south_rm.pk, bank.north_manager.pk, bank.admin.pk]
    assert services.on_leave(everyone, MONDAY) == {bank.north_rm.pk, bank.north_manager.pk}
    assert services.on_leave(everyone, MONDAY + dt.timedelta(days=1)) == {bank.south_rm.pk, bank.north_manager.pk}
    assert services.on_leave([], MONDAY) == set()


def test_the_record_page_takes_everyone_of_an_org_for_a_range(bank, staff, client):
    """OFF-07: the form records every person of the chosen org (and below) for the range; the
    list shows them to the branch's manager and nothing to another branch's manager."""
    client.force_login(bank.north_manager)
    page = client.get("/attendance/record/")
    assert page.status_code == 200 and 'name="org"' in page.content.decode()
    response = client.post(
        "/attendance/record/",
        {"org": bank.north_team.pk, "start": "2026-12-07", "end": "2026-12-08", "status": "leave", "note": "团建"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = {bank.north_rm.pk, bank.north_rm2.pk, staff.team_lead.pk}
    assert set(AttendanceDay.objects.values_list("employee_id", flat=True)) == team
    assert AttendanceDay.objects.count() == 6
    listing = client.get("/attendance/").content.decode()
    assert "北方客户经理二" in listing and "团建" in listing and "Back to normal" in listing
    client.force_login(staff.south_manager)
    assert "团建" not in client.get("/attendance/").content.decode()
    row = AttendanceDay.objects.first()
    assert client.post(f"/attendance/{row.pk}/delete/").status_code == 404


def test_the_record_form_says_what_is_missing(bank, staff, client):
    """OFF-07: neither employees nor an org: the form says so, nothing is written."""
    client.force_login(bank.north_manager)
    response = client.post("/attendance/record/", {"start": "2026-12-07", "status": "leave"})
    assert response.status_code == 200 and "Choose employees, or an org." in response.content.decode()
    assert not AttendanceDay.objects.exists()


def test_a_team_lead_reads_attendance_without_the_record_button(bank, staff, client):
    """OFF-07: the team lead may read the team's attendance, not record it."""
    AttendanceDayFactory(employee=bank.north_rm, note="病假条")
    AttendanceDayFactory(employee=bank.south_rm, note="南方请假")
    client.force_login(staff.team_lead)
    listing = client.get("/attendance/").content.decode()
    assert "病假条" in listing and "南方请假" not in listing
    assert "/attendance/record/" not in listing and "Back to normal" not in listing
    assert client.get("/attendance/record/").status_code == 403
