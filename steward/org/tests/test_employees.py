"""PLT-02 / PLT-03: employees — login by employee number, grades, status, leaving and moving, online users."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from steward.access.models import RoleAssignment
from steward.core.errors import DomainError
from steward.org import services
from steward.org.models import Employee, GradeChange, UserSession
from steward.testing import TEST_PASSWORD, grant, make_role

HR = (
    "org.org:view",
    "org.employee:view",
    "org.employee:add",
    "org.employee:change",
    "org.employee:grade",
    "org.employee:online",
    "access.assignment:view",
    "access.assignment:change",
)


@pytest.fixture
def hr(bank):
    grant(bank.admin, *HR, scope="all")
    return bank.admin


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def log_in(client, employee_no, password=TEST_PASSWORD):
    """Log in through the real login page, as a person would (the session gets recorded)."""
    return client.post("/login/", {"username": employee_no, "password": password})


def current_roles(employee):
    return RoleAssignment.objects.filter(user=employee, ended_at__isnull=True).count()


def test_the_employee_number_is_the_login(bank, client):
    grant(bank.north_rm, "org.employee:view")

    wrong = log_in(client, "NRM", "not-the-password")
    assert wrong.status_code == 200
    assert 'data-testid="login-error"' in wrong.content.decode()

    right = log_in(client, "NRM")
    assert right.status_code == 302 and right["Location"] == "/"
    assert client.get("/").context["user"] == bank.north_rm


def test_a_new_employee_added_on_the_page_can_log_in_with_their_number(bank, hr_client):
    response = hr_client.post(
        "/org/employees/add/",
        {
            "employee_no": "E1001",
            "name": "新员工",
            "org": bank.north_team.pk,
            "allocation_weight": 1,
            "password": "Correct-horse-9",
        },
    )

    assert response.status_code == 302
    employee = Employee.objects.get(employee_no="E1001")
    assert employee.org == bank.north_team
    assert log_in(Client(), "E1001", "Correct-horse-9").status_code == 302


def test_a_weak_initial_password_is_refused_on_the_page_and_in_the_api(bank, hr, hr_client):
    page = hr_client.post(
        "/org/employees/add/",
        {
            "employee_no": "E1002",
            "name": "新员工",
            "org": bank.north_team.pk,
            "allocation_weight": 1,
            "password": "123",
        },
    )
    api = APIClient()
    api.force_authenticate(hr)
    response = api.post(
        "/api/v1/employees/",
        {"employee_no": "E1003", "name": "新员工", "org": bank.north_team.pk, "password": "123"},
        format="json",
    )

    assert 'data-testid="field-error-password"' in page.content.decode()
    assert response.status_code == 400 and "password" in response.json()
    assert not Employee.objects.filter(employee_no__in=["E1002", "E1003"]).exists()


def test_a_promotion_is_recorded_as_history_and_shown_on_the_employee_page(bank, hr, hr_client):
    services.change_grade(hr, bank.north_rm, level="L1", tier="T1", effective_on=dt.date(2025, 1, 1))

    response = hr_client.post(
        f"/org/employees/{bank.north_rm.pk}/grade/",
        {"level": "L2", "tier": "T2", "effective_on": "2026-01-01", "note": "年度晋升"},
    )

    assert response.status_code == 302
    bank.north_rm.refresh_from_db()
    assert (bank.north_rm.level, bank.north_rm.tier) == ("L2", "T2")
    latest = GradeChange.objects.filter(employee=bank.north_rm).first()
    assert (latest.from_level, latest.to_level, latest.from_tier, latest.to_tier) == ("L1", "L2", "T1", "T2")
    assert latest.changed_by == hr
    page = hr_client.get(f"/org/employees/{bank.north_rm.pk}/").content.decode()
    assert "年度晋升" in page and "L1 → L2" in page and "— → L1" in page


def test_the_grade_history_is_available_through_the_api_newest_first(bank, hr):
    api = APIClient()
    api.force_authenticate(hr)

    first = api.post(f"/api/v1/employees/{bank.north_rm.pk}/grade/", {"level": "L1", "tier": "T1"}, format="json")
    second = api.post(f"/api/v1/employees/{bank.north_rm.pk}/grade/", {"level": "L3", "tier": "T1"}, format="json")
    history = api.get(f"/api/v1/employees/{bank.north_rm.pk}/grades/").json()

    assert first.status_code == second.status_code == 201
    assert [(h["from_level"], h["to_level"]) for h in history] == [("L1", "L3"), ("", "L1")]


def test_a_grade_change_to_the_current_level_and_tier_is_refused(bank, hr):
    services.change_grade(hr, bank.north_rm, level="L2", tier="T1")

    with pytest.raises(DomainError, match="same"):
        services.change_grade(hr, bank.north_rm, level="L2", tier="T1")
    assert GradeChange.objects.filter(employee=bank.north_rm).count() == 1


def test_a_grade_outside_the_level_and_tier_code_tables_is_refused_in_the_api(bank, hr):
    api = APIClient()
    api.force_authenticate(hr)

    response = api.post(f"/api/v1/employees/{bank.north_rm.pk}/grade/", {"level": "L99", "tier": "T1"}, format="json")

    assert response.status_code == 400 and "level" in response.json()
    assert not GradeChange.objects.filter(employee=bank.north_rm).exists()


def test_a_position_outside_the_position_code_table_is_refused_in_the_api(bank, hr):
    api = APIClient()
    api.force_authenticate(hr)

    created = api.post(
        "/api/v1/employees/",
        {"employee_no": "E1004", "name": "新员工", "org": bank.north_team.pk, "position": "astronaut"},
        format="json",
    )
    changed = api.patch(f"/api/v1/employees/{bank.north_rm.pk}/", {"position": "astronaut"}, format="json")
    valid = api.patch(f"/api/v1/employees/{bank.north_rm.pk}/", {"position": "teller"}, format="json")

    assert created.status_code == 400 and "position" in created.json()
    assert changed.status_code == 400 and "position" in changed.json()
    assert valid.status_code == 200
    assert Employee.objects.get(pk=bank.north_rm.pk).position == "teller"
    assert not Employee.objects.filter(employee_no="E1004").exists()


def test_an_employee_goes_on_leave_and_comes_back(bank, hr_client):
    hr_client.post(f"/org/employees/{bank.north_rm.pk}/status/", {"status": "on_leave"})
    bank.north_rm.refresh_from_db()
    assert bank.north_rm.status == Employee.Status.ON_LEAVE
    assert bank.north_rm.is_active  # on leave is not gone: they can still log in

    hr_client.post(f"/org/employees/{bank.north_rm.pk}/status/", {"status": "active"})
    bank.north_rm.refresh_from_db()
    assert bank.north_rm.status == Employee.Status.ACTIVE


def test_leaving_revokes_every_role_and_ends_every_session_at_once(bank, hr_client):
    grant(bank.north_rm, "org.employee:view", scope="own")
    grant(bank.north_rm, "org.org:view", scope="team")
    laptop, phone = Client(), Client()
    assert log_in(laptop, "NRM").status_code == 302
    assert log_in(phone, "NRM").status_code == 302
    assert laptop.get("/org/employees/").status_code == 200

    response = hr_client.post(f"/org/employees/{bank.north_rm.pk}/status/", {"status": "left"}, follow=True)

    assert "has left" in response.content.decode()
    bank.north_rm.refresh_from_db()
    assert bank.north_rm.status == Employee.Status.LEFT and not bank.north_rm.is_active
    assert current_roles(bank.north_rm) == 0
    assert all(a.ended_at is not None for a in RoleAssignment.objects.filter(user=bank.north_rm))
    assert not UserSession.objects.filter(user=bank.north_rm).exists()
    for device in (laptop, phone):
        after = device.get("/org/employees/")
        assert after.status_code == 302 and after["Location"].startswith("/login/")
    # And they cannot come back in.
    assert log_in(Client(), "NRM").status_code == 200


def test_leaving_deletes_the_server_side_sessions_not_just_the_login_flag(bank, hr):
    device = Client()
    log_in(device, "NRM")
    device.get("/")
    key = device.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    services.set_employee_status(hr, bank.north_rm, Employee.Status.LEFT)

    assert not Session.objects.filter(session_key=key).exists()


def test_a_left_employees_api_token_stops_working(bank, hr):
    grant(bank.north_rm, "org.employee:view", scope="own")
    token = Client().post("/api/v1/auth/token/", {"username": "NRM", "password": TEST_PASSWORD}).json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/employees/").status_code == 200

    services.set_employee_status(hr, bank.north_rm, Employee.Status.LEFT)

    assert api.get("/api/v1/employees/").status_code in (401, 403)


def test_a_left_employee_cannot_be_given_a_role(bank, hr, hr_client):
    services.set_employee_status(hr, bank.north_rm, Employee.Status.LEFT)
    role = make_role("org.employee:view")

    response = hr_client.post(
        f"/org/employees/{bank.north_rm.pk}/roles/add/", {"role": role.pk, "org": bank.north_team.pk, "scope": "own"}
    )

    assert response.status_code == 200 and "has left" in response.content.decode()
    assert current_roles(bank.north_rm) == 0


def test_nobody_can_mark_themselves_as_left(bank, hr):
    with pytest.raises(DomainError):
        services.set_employee_status(hr, hr, Employee.Status.LEFT)
    hr.refresh_from_db()
    assert hr.status == Employee.Status.ACTIVE


def test_moving_an_employee_to_another_org_ends_their_roles_and_sessions(bank, hr_client):
    grant(bank.north_rm, "org.employee:view", scope="team")
    device = Client()
    log_in(device, "NRM")
    assert device.get("/org/employees/").status_code == 200

    response = hr_client.post(f"/org/employees/{bank.north_rm.pk}/move/", {"new_org": bank.south_team.pk})

    assert response.status_code == 302
    bank.north_rm.refresh_from_db()
    assert bank.north_rm.org == bank.south_team
    assert current_roles(bank.north_rm) == 0
    assert RoleAssignment.objects.get(user=bank.north_rm).end_reason.startswith("Employee moved")
    after = device.get("/org/employees/")
    assert after.status_code == 302 and after["Location"].startswith("/login/")
    # They may log in again (they still work here) but hold no authority from the old post.
    again = Client()
    assert log_in(again, "NRM").status_code == 302
    assert again.get("/org/employees/").status_code == 403


def test_an_employee_cannot_be_moved_to_an_org_outside_the_movers_scope(bank):
    grant(bank.north_manager, "org.employee:view", "org.employee:change", scope="subtree")

    with pytest.raises(DomainError):
        services.move_employee(bank.north_manager, bank.north_rm, bank.south_team)
    with pytest.raises(PermissionDenied):
        services.move_employee(bank.north_manager, bank.south_rm, bank.north_team)
    assert Employee.objects.get(pk=bank.north_rm.pk).org == bank.north_team


def test_online_users_lists_people_seen_recently_inside_the_viewers_scope(bank, client):
    for number in ("NRM", "SRM"):
        device = Client()
        log_in(device, number)
    stale = Client()
    log_in(stale, "NRM2")
    UserSession.objects.filter(user=bank.north_rm2).update(last_seen=timezone.now() - dt.timedelta(hours=2))
    grant(bank.north_manager, "org.employee:online", scope="subtree")
    client.force_login(bank.north_manager)

    page = client.get("/org/employees/online/").content.decode()

    assert "北方客户经理" in page  # NRM, active a moment ago
    assert "北方客户经理二" not in page  # NRM2, idle for two hours
    assert "南方客户经理" not in page  # SRM: online, but outside the north branch


def test_online_users_needs_its_own_permission(bank, client):
    grant(bank.north_manager, "org.employee:view", scope="subtree")
    client.force_login(bank.north_manager)

    assert client.get("/org/employees/online/").status_code == 403


def test_an_escalation_on_the_role_assignment_form_is_refused_with_a_message_saying_why(bank, client):
    """PLT-03: a branch manager posting a role, scope or org beyond their own reads why it is refused
    under each field, not "all is not one of the available choices"."""
    grant(bank.north_manager, "org.employee:view", "access.assignment:change", scope="subtree")
    admin_role = make_role("org.employee:view", "access.role:change", code="too_much")
    client.force_login(bank.north_manager)

    response = client.post(
        f"/org/employees/{bank.north_rm.pk}/roles/add/",
        {"role": admin_role.pk, "org": bank.south_team.pk, "scope": "all"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert response.status_code == 200 and current_roles(bank.north_rm) == 0
    assert "it grants permissions you do not hold" in page
    assert "outside your data scope" in page
    assert "reaches further than your own authority" in page
    assert "available choices" not in page
