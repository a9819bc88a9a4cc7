"""PLT-03 / PLT-11 for /api/v1/attendance-days/, quotas/ and task-calendar/ (OFF-07, TASK-05 …
TASK-07): each endpoint refuses a caller lacking its permission (holding every other one) and
serves a caller holding only what it needs; anonymous callers get 401; the data scope applies.
Referenced from steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.permissions import ATTENDANCE_CHANGE, ATTENDANCE_VIEW, CALENDAR_VIEW, QUOTA_CHANGE, QUOTA_VIEW
from steward.attendance.tests.factories import AttendanceDayFactory, QuotaFactory
from steward.testing import grant

ENDPOINTS = [
    ("get", "/api/v1/attendance-days/", ATTENDANCE_VIEW),
    ("get", "/api/v1/attendance-days/{day}/", ATTENDANCE_VIEW),
    ("post", "/api/v1/attendance-days/", ATTENDANCE_CHANGE),
    ("delete", "/api/v1/attendance-days/{day}/", ATTENDANCE_CHANGE),
    ("get", "/api/v1/quotas/", QUOTA_VIEW),
    ("get", "/api/v1/quotas/{quota}/", QUOTA_VIEW),
    ("post", "/api/v1/quotas/", QUOTA_CHANGE),
    ("patch", "/api/v1/quotas/{quota}/", QUOTA_CHANGE),
    ("delete", "/api/v1/quotas/{quota}/", QUOTA_CHANGE),
    ("get", "/api/v1/task-calendar/", CALENDAR_VIEW),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, p in ENDPOINTS]


@pytest.fixture
def world(bank):
    day = AttendanceDayFactory(employee=bank.north_rm, note="原有")
    quota = QuotaFactory(org=bank.north, measure="contacts")
    return {"day": day.pk, "quota": quota.pk}


def request(bank, user, method, url):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if method == "post" and "attendance-days" in url:
        body = {"employees": [bank.north_rm2.pk], "start": "2026-12-08", "end": "2026-12-09", "status": "leave"}
        return api.post(url, body, format="json")
    if method == "post":
        body = {"measure": "valid_calls", "org": bank.north.pk, "daily_target": 3, "active_from": "2026-12-01"}
        return api.post(url, body, format="json")
    if method == "patch":
        return api.patch(url, {"daily_target": 8}, format="json")
    if "task-calendar" in url:
        return api.get(url, {"start": "2026-12-07", "end": "2026-12-13"})
    return getattr(api, method)(url)


def state():
    return (
        sorted(AttendanceDay.objects.values_list("employee_id", "date", "status")),
        sorted(Quota.objects.values_list("measure", "daily_target")),
    )


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(bank, world, method, url, permission):
    grant(bank.admin, *(set(registry.permissions) - {permission}), scope="all", org=bank.head)
    before = state()
    assert request(bank, bank.admin, method, url.format(**world)).status_code == 403
    assert state() == before


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(bank, world, method, url, permission):
    grant(bank.admin, permission, scope="all", org=bank.head)
    response = request(bank, bank.admin, method, url.format(**world))
    assert 200 <= response.status_code < 300, response.content
    if method == "post" and "attendance-days" in url:
        assert response.json() == {"recorded": 2}
        assert AttendanceDay.objects.filter(employee=bank.north_rm2, status="leave").count() == 2
    elif method == "post":
        assert Quota.objects.filter(measure="valid_calls", daily_target=3).exists()
    elif method == "patch":
        assert Quota.objects.get().daily_target == 8
    elif method == "delete":
        assert not (AttendanceDay if "attendance" in url else Quota).objects.exists()


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(bank, world, method, url, permission):
    assert request(bank, None, method, url.format(**world)).status_code == 401


def test_the_scope_applies_to_every_endpoint(bank, world):
    """PLT-04: the south RM's manager sees no north attendance, no north quota, no north calendar,
    and cannot record the north's people."""
    from steward.testing import EmployeeFactory

    south_manager = EmployeeFactory(org=bank.south)
    grant(south_manager, ATTENDANCE_VIEW, ATTENDANCE_CHANGE, QUOTA_VIEW, QUOTA_CHANGE, CALENDAR_VIEW, scope="subtree")
    api = APIClient()
    api.force_authenticate(south_manager)
    assert api.get("/api/v1/attendance-days/").json()["count"] == 0
    assert api.get(f"/api/v1/attendance-days/{world['day']}/").status_code == 404
    assert api.get("/api/v1/quotas/").json()["count"] == 0
    assert api.patch(f"/api/v1/quotas/{world['quota']}/", {"daily_target": 1}, format="json").status_code == 404
    refused = api.post(
        "/api/v1/attendance-days/",
        {"employees": [bank.north_rm2.pk], "start": "2026-12-08", "status": "leave"},
        format="json",
    )
    assert refused.status_code == 400 and "employees" in refused.json()
    calendar = api.get(
        "/api/v1/task-calendar/", {"employee": bank.north_rm.pk, "start": "2026-12-07", "end": "2026-12-07"}
    )
    assert calendar.status_code == 400 and "employee" in calendar.json()


def test_the_calendar_endpoint_answers_day_statuses(bank, world):
    """TASK-05 / TASK-07: one row per person and day, with the state and each measure's progress;
    odd input is a 400, never a 500."""
    grant(bank.north_rm, CALENDAR_VIEW, scope="own")
    api = APIClient()
    api.force_authenticate(bank.north_rm)
    rows = api.get("/api/v1/task-calendar/", {"start": "2026-12-07", "end": "2026-12-13"}).json()
    assert [row["date"] for row in rows] == [f"2026-12-{d:02d}" for d in range(7, 14)]
    monday = rows[0]
    assert monday["employee"] == bank.north_rm.pk and monday["state"] == "leave" and monday["complete"] is True
    assert monday["measures"] == [{"measure": "contacts", "label": "Contacts", "done": 0, "target": 5, "met": False}]
    assert rows[5]["state"] == "not_working_day"
    for query in (
        {"start": "x"},
        {"start": "2026-01-01", "end": "2027-01-01"},
        {"employee": "abc"},
        {"employee": str(2**70)},
    ):
        assert api.get("/api/v1/task-calendar/", query).status_code == 400, query
    assert api.put(f"/api/v1/attendance-days/{world['day']}/", {}, format="json").status_code in (403, 405)
