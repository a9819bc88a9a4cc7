"""PLT-03: menus and buttons render only when permitted, and every page and service checks again.

A forged request (a POST to a page whose button the user never saw) gets 403 and changes nothing.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from steward.access import services as access_services
from steward.access.models import Role, RoleAssignment
from steward.access.registry import registry
from steward.basedata import services as basedata_services
from steward.basedata.models import CodeItem, CodeTable, SystemParameter
from steward.org import services as org_services
from steward.org.models import Employee, GradeChange, Org
from steward.testing import OrgFactory, grant, make_role


def grant_all_but(user, missing):
    grant(user, *(set(registry.permissions) - {missing}), scope="all")


def snapshot():
    return (
        list(Org.objects.values_list("code", "name", "path", "is_active").order_by("code")),
        list(Employee.objects.values_list("employee_no", "name", "org_id", "status", "level").order_by("pk")),
        GradeChange.objects.count(),
        list(Role.objects.values_list("code", "name", "default_scope").order_by("code")),
        list(RoleAssignment.objects.values_list("pk", "ended_at").order_by("pk")),
        list(CodeTable.objects.values_list("code", "name").order_by("code")),
        list(CodeItem.objects.values_list("table_id", "code", "label", "is_active").order_by("pk")),
        list(SystemParameter.objects.values_list("key", "value").order_by("key")),
    )


@pytest.fixture
def world(bank):
    bank.empty_org = OrgFactory(code="EMPTY", kind=Org.Kind.SUB_BRANCH, parent=bank.south)
    # Grants nothing, so a caller holding only the page's permission may edit and give it (PLT-03).
    bank.role = make_role(code="viewer")
    bank.assignment = RoleAssignment.objects.create(
        user=bank.north_rm, role=bank.role, org=bank.north_team, scope="own"
    )
    bank.table = CodeTable.objects.get(code="employee_tier")
    bank.parameter = SystemParameter.objects.get(key="leads.protection_days")
    return bank


# (url, form data, permission the page needs, whether a permitted POST changes stored data)
PAGE_ACTIONS = [
    (
        "/org/orgs/add/",
        lambda b: {"code": "NX", "name": "新支行", "kind": "sub_branch", "parent": b.north.pk},
        "org.org:add",
        True,
    ),
    (
        "/org/orgs/{b.north.pk}/edit/",
        lambda b: {"code": "N", "name": "华北分行", "kind": "branch"},
        "org.org:change",
        True,
    ),
    ("/org/orgs/{b.north_sub.pk}/move/", lambda b: {"new_parent": b.south.pk}, "org.org:change", True),
    ("/org/orgs/{b.empty_org.pk}/active/", lambda b: {"active": "0"}, "org.org:change", True),
    (
        "/org/employees/add/",
        lambda b: {"employee_no": "E9", "name": "新员工", "org": b.north_team.pk, "allocation_weight": 1},
        "org.employee:add",
        True,
    ),
    (
        "/org/employees/{b.north_rm.pk}/edit/",
        lambda b: {"name": "改名", "allocation_weight": 2},
        "org.employee:change",
        True,
    ),
    (
        "/org/employees/{b.north_rm.pk}/grade/",
        lambda b: {"level": "L2", "tier": "T1", "effective_on": "2026-01-01"},
        "org.employee:grade",
        True,
    ),
    ("/org/employees/{b.north_rm.pk}/move/", lambda b: {"new_org": b.south_team.pk}, "org.employee:change", True),
    ("/org/employees/{b.north_rm.pk}/status/", lambda b: {"status": "on_leave"}, "org.employee:change", True),
    (
        "/org/employees/{b.north_rm.pk}/roles/add/",
        lambda b: {"role": b.role.pk, "org": b.south_team.pk, "scope": "team"},
        "access.assignment:change",
        True,
    ),
    (
        "/org/employees/{b.north_rm.pk}/roles/revoke/",
        lambda b: {"assignment": b.assignment.pk},
        "access.assignment:change",
        True,
    ),
    (
        "/access/roles/add/",
        lambda b: {"code": "auditor", "name": "审计", "default_scope": "own", "is_active": "on", "permissions": []},
        "access.role:change",
        True,
    ),
    (
        "/access/roles/{b.role.pk}/",
        lambda b: {"name": "只读", "default_scope": "team", "is_active": "on", "permissions": []},
        "access.role:change",
        True,
    ),
    ("/basedata/code-tables/add/", lambda b: {"code": "channel", "name": "渠道"}, "basedata.codetable:change", True),
    ("/basedata/code-tables/{b.table.pk}/edit/", lambda b: {"name": "职级层级"}, "basedata.codetable:change", True),
    (
        "/basedata/code-tables/{b.table.pk}/",
        lambda b: {"items": "T1 | 一级 | Tier 1"},
        "basedata.codetable:change",
        True,
    ),
    ("/basedata/parameters/{b.parameter.pk}/", lambda b: {"value": "10"}, "basedata.parameter:change", True),
    ("/basedata/parameters/refresh-cache/", lambda b: {}, "basedata.parameter:change", False),
]
EDITOR_PAGE_NEEDS_VIEW = {
    "/access/roles/add/": ("access.role:view",),
    "/access/roles/{b.role.pk}/": ("access.role:view",),
    "/basedata/code-tables/{b.table.pk}/": ("basedata.codetable:view",),
}
PAGE_IDS = [f"POST {url} needs {permission}" for url, _data, permission, _changes in PAGE_ACTIONS]


@pytest.mark.parametrize(("url", "data", "permission", "changes"), PAGE_ACTIONS, ids=PAGE_IDS)
def test_a_forged_page_post_without_the_permission_gets_403_and_changes_nothing(
    world, client, url, data, permission, changes
):
    grant_all_but(world.admin, permission)
    client.force_login(world.admin)
    before = snapshot()

    response = client.post(url.format(b=world), data(world))

    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("url", "data", "permission", "changes"), PAGE_ACTIONS, ids=PAGE_IDS)
def test_the_same_page_post_with_only_the_permission_succeeds(world, client, url, data, permission, changes):
    # The role editor and the code-item editor are pages of their "view" permission with a
    # "change" form on them, so an editor also holds the view permission.
    grant(world.admin, permission, *EDITOR_PAGE_NEEDS_VIEW.get(url, ()), scope="all")
    client.force_login(world.admin)
    before = snapshot()

    response = client.post(url.format(b=world), data(world))

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert (snapshot() != before) is changes


SERVICE_CALLS = [
    (
        "org.org:add",
        lambda b: org_services.create_org(b.admin, parent=b.north, code="NX", name="新支行", kind="sub_branch"),
    ),
    ("org.org:change", lambda b: org_services.update_org(b.admin, b.north, name="华北分行")),
    ("org.org:change", lambda b: org_services.move_org(b.admin, b.north_sub, b.south)),
    ("org.org:change", lambda b: org_services.set_org_active(b.admin, b.empty_org, False)),
    (
        "org.employee:add",
        lambda b: org_services.create_employee(b.admin, employee_no="E9", org=b.north_team, name="新员工"),
    ),
    ("org.employee:change", lambda b: org_services.update_employee(b.admin, b.north_rm, name="改名")),
    (
        "org.employee:grade",
        lambda b: org_services.change_grade(b.admin, b.north_rm, level="L2", tier="T1", effective_on=dt.date.today()),
    ),
    ("org.employee:change", lambda b: org_services.set_employee_status(b.admin, b.north_rm, "left")),
    ("org.employee:change", lambda b: org_services.move_employee(b.admin, b.north_rm, b.south_team)),
    ("access.role:change", lambda b: access_services.save_role(b.admin, Role(code="r2", name="新"), [])),
    (
        "access.assignment:change",
        lambda b: access_services.assign_role(b.admin, b.north_rm, b.role, b.south_team, "team"),
    ),
    ("access.assignment:change", lambda b: access_services.end_assignment(b.admin, b.assignment)),
    ("basedata.codetable:change", lambda b: basedata_services.save_code_table(b.admin, CodeTable(code="c", name="c"))),
    (
        "basedata.codetable:change",
        lambda b: basedata_services.save_code_items(b.admin, b.table, [{"code": "T1", "label": "一级"}]),
    ),
    ("basedata.parameter:change", lambda b: basedata_services.set_parameter(b.admin, "leads.protection_days", "9")),
    ("basedata.parameter:change", lambda b: basedata_services.refresh_cache(b.admin)),
]


@pytest.mark.parametrize(("permission", "operation"), SERVICE_CALLS, ids=[p for p, _op in SERVICE_CALLS])
def test_every_service_checks_the_permission_itself(world, permission, operation):
    grant_all_but(world.admin, permission)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        operation(world)

    assert snapshot() == before


def test_the_menu_shows_only_the_entries_the_user_may_open(bank, client):
    grant(bank.north_rm, "org.employee:view", scope="own")
    client.force_login(bank.north_rm)

    home = client.get("/").content.decode()

    assert 'data-menu="employees"' in home
    for hidden in ("orgs", "branches", "online", "roles", "codetables", "parameters"):
        assert f'data-menu="{hidden}"' not in home
    for url in ("/org/orgs/", "/org/branches/", "/org/employees/online/", "/access/roles/", "/basedata/parameters/"):
        assert client.get(url).status_code == 403


def test_the_menu_grows_with_the_roles_granted(bank, client):
    grant(bank.admin, *registry.permissions, scope="all")
    client.force_login(bank.admin)

    home = client.get("/").content.decode()

    for item in registry.menu:
        assert f'data-menu="{item.key}"' in home


def test_list_buttons_render_only_when_permitted(bank, client):
    grant(bank.north_manager, "org.employee:view", scope="subtree")
    client.force_login(bank.north_manager)
    plain = client.get("/org/employees/").content.decode()

    grant(bank.north_manager, "org.employee:add", "org.employee:export", scope="subtree")
    full = client.get("/org/employees/").content.decode()

    assert 'data-testid="add-button"' not in plain and 'data-testid="export-button"' not in plain
    assert client.get("/org/employees/", {"export": "xlsx"}).status_code == 200
    assert 'data-testid="add-button"' in full and 'data-testid="export-button"' in full


def test_record_buttons_render_only_when_permitted(bank, client):
    grant(bank.north_manager, "org.employee:view", "org.org:view", scope="subtree")
    client.force_login(bank.north_manager)
    employee_url, org_url = f"/org/employees/{bank.north_rm.pk}/", f"/org/orgs/{bank.north_sub.pk}/"
    read_only = client.get(employee_url).content.decode() + client.get(org_url).content.decode()

    grant(
        bank.north_manager,
        "org.employee:change",
        "org.employee:grade",
        "org.org:change",
        "access.assignment:view",
        "access.assignment:change",
        scope="subtree",
    )
    editable = client.get(employee_url).content.decode() + client.get(org_url).content.decode()

    for button in ('data-testid="edit"', 'data-testid="grade"', 'data-testid="status-save"', 'data-testid="move"'):
        assert button not in read_only
        assert button in editable
    assert 'data-testid="deactivate"' not in read_only and 'data-testid="deactivate"' in editable
    assert 'data-testid="assignments"' not in read_only and 'data-testid="assign-role"' in editable


def test_a_role_viewer_sees_the_role_but_no_save_button(bank, client):
    role = make_role("org.org:view")
    grant(bank.admin, "access.role:view", scope="all")
    client.force_login(bank.admin)

    page = client.get(f"/access/roles/{role.pk}/").content.decode()

    assert role.code in page and 'data-testid="save"' not in page


def test_a_custom_role_made_in_the_ui_grants_exactly_what_was_ticked_until_revoked(bank, client, django_user_model):
    grant(
        bank.admin,
        "access.role:view",
        "access.role:change",
        "access.assignment:view",
        "access.assignment:change",
        "org.employee:view",
        "org.org:view",  # one gives only what one holds (PLT-03)
        scope="all",
    )
    client.force_login(bank.admin)
    created = client.post(
        "/access/roles/add/",
        {
            "code": "staff_reader",
            "name": "员工查询",
            "name_en": "Staff reader",
            "default_scope": "team",
            "is_active": "on",
            "permissions": ["org.employee:view", "org.org:view"],
        },
    )
    role = Role.objects.get(code="staff_reader")
    assert created.status_code == 302
    assert role.permission_names() == {"org.employee:view", "org.org:view"}

    assigned = client.post(
        f"/org/employees/{bank.north_rm.pk}/roles/add/",
        {"role": role.pk, "org": bank.north_team.pk, "scope": "team"},
    )
    assert assigned.status_code == 302

    rm = django_user_model.objects.get(pk=bank.north_rm.pk)
    rm_client = client.__class__()
    rm_client.force_login(rm)
    assert rm_client.get("/org/employees/").status_code == 200
    assert rm_client.get("/org/orgs/").status_code == 200
    assert rm_client.get("/org/employees/online/").status_code == 403  # not ticked

    assignment = RoleAssignment.objects.get(user=rm, role=role)
    client.post(f"/org/employees/{rm.pk}/roles/revoke/", {"assignment": assignment.pk})
    assignment.refresh_from_db()
    assert assignment.ended_at is not None and assignment.ended_by == bank.admin
    assert rm_client.get("/org/employees/").status_code == 403  # authority ends with the role, at once


def test_unticking_a_permission_takes_it_away_from_every_holder(bank, client):
    role = make_role("org.employee:view", "org.org:view")
    RoleAssignment.objects.create(user=bank.north_rm, role=role, org=bank.north_team, scope="team")
    grant(bank.admin, "access.role:view", "access.role:change", "org.employee:view", "org.org:view", scope="all")
    client.force_login(bank.admin)

    client.post(
        f"/access/roles/{role.pk}/",
        {"name": role.name, "default_scope": "team", "is_active": "on", "permissions": ["org.org:view"]},
    )

    rm_client = client.__class__()
    rm_client.force_login(bank.north_rm)
    assert rm_client.get("/org/orgs/").status_code == 200
    assert rm_client.get("/org/employees/").status_code == 403


def test_roles_cannot_be_assigned_at_an_org_outside_the_assigners_scope(bank):
    grant(bank.north_manager, "access.assignment:change", scope="subtree")
    role = make_role("org.employee:view")

    with pytest.raises(PermissionDenied):
        access_services.assign_role(bank.north_manager, bank.north_rm, role, bank.south, "subtree")
    assert not RoleAssignment.objects.filter(role=role).exists()
