"""PLT-04: holding a permission inside one subtree gives no power over another — pages, API, services.

The north branch manager holds every permission, anchored at the north branch. Each forged write
at the south branch is refused (404: the record does not exist for them, or 403/400) and changes nothing.
"""

import pytest
from rest_framework.test import APIClient

from steward.access.models import RoleAssignment
from steward.access.registry import registry
from steward.org.models import Employee, GradeChange, Org
from steward.testing import grant, make_role


def snapshot():
    return (
        list(Org.objects.values_list("code", "name", "path", "is_active").order_by("code")),
        list(Employee.objects.values_list("employee_no", "name", "org_id", "status").order_by("pk")),
        GradeChange.objects.count(),
        list(RoleAssignment.objects.values_list("pk", "user_id", "ended_at").order_by("pk")),
    )


@pytest.fixture
def north_manager(bank):
    grant(bank.north_manager, *registry.permissions, scope="subtree", org=bank.north)
    bank.role = make_role("org.employee:view", code="reader")
    bank.south_assignment = RoleAssignment.objects.create(
        user=bank.south_rm, role=bank.role, org=bank.south_team, scope="own"
    )
    return bank.north_manager


PAGE_POSTS = [
    ("/org/employees/{b.south_rm.pk}/edit/", lambda b: {"name": "改名", "allocation_weight": 1}),
    ("/org/employees/{b.south_rm.pk}/status/", lambda b: {"status": "left"}),
    ("/org/employees/{b.south_rm.pk}/grade/", lambda b: {"level": "L2", "tier": "T1", "effective_on": "2026-01-01"}),
    ("/org/employees/{b.south_rm.pk}/move/", lambda b: {"new_org": b.north_team.pk}),
    ("/org/employees/{b.south_rm.pk}/roles/add/", lambda b: {"role": b.role.pk, "org": b.north.pk, "scope": "own"}),
    ("/org/employees/{b.south_rm.pk}/roles/revoke/", lambda b: {"assignment": b.south_assignment.pk}),
    ("/org/orgs/{b.south.pk}/edit/", lambda b: {"code": "S", "name": "被改名", "kind": "branch"}),
    ("/org/orgs/{b.south_sub.pk}/move/", lambda b: {"new_parent": b.north.pk}),
    ("/org/orgs/{b.south_team.pk}/active/", lambda b: {"active": "0"}),
]


@pytest.mark.parametrize(("url", "data"), PAGE_POSTS, ids=[url for url, _ in PAGE_POSTS])
def test_a_forged_page_post_on_a_record_outside_the_scope_is_a_404(bank, north_manager, client, url, data):
    client.force_login(north_manager)
    before = snapshot()

    response = client.post(url.format(b=bank), data(bank))

    assert response.status_code == 404
    assert snapshot() == before


API_CALLS = [
    ("patch", "/api/v1/employees/{b.south_rm.pk}/", lambda b: {"name": "改名"}, 404),
    ("post", "/api/v1/employees/{b.south_rm.pk}/status/", lambda b: {"status": "left"}, 404),
    ("post", "/api/v1/employees/{b.south_rm.pk}/grade/", lambda b: {"level": "L2", "tier": "T1"}, 404),
    ("post", "/api/v1/employees/{b.south_rm.pk}/move/", lambda b: {"new_org": b.north_team.pk}, 404),
    ("post", "/api/v1/employees/{b.north_rm.pk}/move/", lambda b: {"new_org": b.south_team.pk}, 400),
    ("post", "/api/v1/employees/", lambda b: {"employee_no": "E1", "name": "新", "org": b.south_team.pk}, 400),
    ("patch", "/api/v1/orgs/{b.south.pk}/", lambda b: {"name": "被改名"}, 404),
    ("post", "/api/v1/orgs/", lambda b: {"code": "S9", "name": "新", "kind": "team", "parent": b.south.pk}, 403),
    ("post", "/api/v1/orgs/{b.north_sub.pk}/move/", lambda b: {"new_parent": b.south.pk}, 403),
    ("post", "/api/v1/orgs/{b.south_team.pk}/deactivate/", lambda b: None, 404),
    (
        "post",
        "/api/v1/role-assignments/",
        lambda b: {"user": b.south_rm.pk, "role": b.role.pk, "org": b.north.pk, "scope": "own"},
        403,
    ),
    (
        "post",
        "/api/v1/role-assignments/",
        lambda b: {"user": b.north_rm.pk, "role": b.role.pk, "org": b.south.pk, "scope": "subtree"},
        403,
    ),
    ("post", "/api/v1/role-assignments/{b.south_assignment.pk}/end/", lambda b: None, 404),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "status"), API_CALLS, ids=[f"{m.upper()} {u} {d}" for m, u, _x, d in API_CALLS]
)
def test_a_forged_api_write_outside_the_scope_is_refused_and_changes_nothing(
    bank, north_manager, method, url, data, status
):
    api = APIClient()
    api.force_authenticate(north_manager)
    before = snapshot()

    payload = data(bank)
    response = getattr(api, method)(url.format(b=bank), payload, format="json")

    assert response.status_code == status, response.content
    assert snapshot() == before


def test_role_assignments_of_people_outside_the_scope_are_invisible(bank, north_manager, client):
    RoleAssignment.objects.create(user=bank.north_rm, role=bank.role, org=bank.north_team, scope="own")
    api = APIClient()
    api.force_authenticate(north_manager)

    listed = api.get("/api/v1/role-assignments/").json()
    holders = {row["user"] for row in listed["results"]}

    assert bank.south_rm.pk not in holders and bank.north_rm.pk in holders
    assert listed["count"] == RoleAssignment.objects.filter(user__org__path__startswith=bank.north.path).count()
    assert api.get(f"/api/v1/role-assignments/{bank.south_assignment.pk}/").status_code == 404
    assert api.get("/api/v1/role-assignments/", {"user": bank.south_rm.pk}).json().get("count", 0) == 0


def test_ending_an_assignment_through_the_api_ends_the_authority_at_once(bank, north_manager):
    assignment = RoleAssignment.objects.create(user=bank.north_rm, role=bank.role, org=bank.north_team, scope="own")
    rm_api = APIClient()
    rm_api.force_authenticate(Employee.objects.get(pk=bank.north_rm.pk))
    assert rm_api.get("/api/v1/employees/").status_code == 200
    api = APIClient()
    api.force_authenticate(north_manager)

    response = api.post(f"/api/v1/role-assignments/{assignment.pk}/end/", {"reason": "调岗"}, format="json")

    assert response.status_code == 200 and response.json()["ended_at"]
    assert response.json()["end_reason"] == "调岗"
    rm_api.force_authenticate(Employee.objects.get(pk=bank.north_rm.pk))
    assert rm_api.get("/api/v1/employees/").status_code == 403
