"""PLT-03 (issue 11, point 1): no privilege escalation.

An actor may give only roles whose every permission they hold themself, with a data scope no
wider than their own grant of ``access.assignment:change`` (own < team < subtree < all), at orgs
inside that grant's region — through the service, the API, the page and the Django admin alike.
Editing a role follows the same rule.

The matrix: each seeded role (what ``make demo`` creates, steward/access/seed.py) as the actor's
only role, anchored at the north branch with the role's default scope × each seeded role as the
one to give × each scope; inside, each org (the anchor, an org below it, another branch) × each
receiver (an RM below the anchor, the actor themself). The expectation is computed from the
seeded roles' permission sets, independently of the service's grant engine.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from steward.access import services
from steward.access.models import Role, RoleAssignment
from steward.access.seed import ROLE_TEMPLATES, ensure_seed_roles
from steward.core.errors import DomainError
from steward.org.models import Employee
from steward.testing import EmployeeFactory, grant, make_role

SEEDED = [template.code for template in ROLE_TEMPLATES]
SCOPES = ["own", "team", "subtree", "all"]
RANK = {name: rank for rank, name in enumerate(SCOPES)}


class World:
    def __init__(self, bank, actor_code: str):
        self.bank = bank
        self.roles = ensure_seed_roles()
        self.role_perms = {code: role.permission_names() for code, role in self.roles.items()}
        self.actor_role = self.roles[actor_code]
        self.actor = EmployeeFactory(employee_no="ACT", name="行动者", org=bank.north)
        RoleAssignment.objects.create(
            user=self.actor, role=self.actor_role, org=bank.north, scope=self.actor_role.default_scope
        )
        services.forget_grants(self.actor)

    # --- the rule, restated on plain sets (the oracle) ------------------------------------------

    def in_region(self, org) -> bool:
        scope = self.actor_role.default_scope
        b = self.bank
        return {
            "all": True,
            "subtree": org.pk in {b.north.pk, b.north_sub.pk, b.north_team.pk},
            "team": org.pk == b.north.pk,
            "own": org.pk == self.actor.org_id,
        }[scope]

    def user_in_scope(self, user) -> bool:
        scope = self.actor_role.default_scope
        return {
            "all": True,
            "subtree": self.in_region(user.org),
            "team": user.org_id == self.bank.north.pk,
            "own": user.pk == self.actor.pk,
        }[scope]

    def expected(self, user, target_code: str, scope: str, org) -> bool:
        held = self.role_perms[self.actor_role.code]
        return (
            "access.assignment:change" in held
            and self.user_in_scope(user)
            and self.in_region(org)
            and RANK[scope] <= RANK[self.actor_role.default_scope]
            and self.role_perms[target_code] <= held
        )


def fresh(user):
    user = Employee.objects.get(pk=user.pk)
    services.forget_grants(user)
    return user


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("target_code", SEEDED)
@pytest.mark.parametrize("actor_code", SEEDED)
def test_an_actor_gives_only_roles_scopes_and_orgs_within_their_own_authority_service(
    bank, actor_code, target_code, scope
):
    """PLT-03: assign_role allows exactly what the actor holds — seeded roles × roles × scopes × orgs × receivers."""
    world = World(bank, actor_code)
    target = world.roles[target_code]
    outcomes = {}
    for user in (bank.north_rm, world.actor):
        for org in (bank.north, bank.north_sub, bank.south):
            if user == world.actor and target == world.actor_role and org == bank.north:
                continue  # he holds exactly this already (a plain "already holds" error, no rule)
            actor = fresh(world.actor)
            expected = world.expected(user, target_code, scope, org)
            try:
                created = services.assign_role(actor, fresh(user), target, org, scope)
            except PermissionDenied:
                allowed = False
            else:
                allowed = True
                RoleAssignment.objects.filter(pk=created.pk).delete()  # the next case starts clean
            outcomes[(user.employee_no, org.code)] = (allowed, expected)
    assert all(allowed == expected for allowed, expected in outcomes.values()), outcomes
    if actor_code != "system_admin":  # only a bank-wide holder of everything may give "all"
        assert not any(allowed for (_u, _o), (allowed, _e) in outcomes.items() if scope == "all")


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("target_code", SEEDED)
@pytest.mark.parametrize("actor_code", SEEDED)
def test_the_api_gives_only_what_the_rule_allows(bank, actor_code, target_code, scope):
    """PLT-03: POST /api/v1/role-assignments/ — 201 iff the rule allows, else 403 with the reason; nothing stored."""
    world = World(bank, actor_code)
    api = APIClient()
    api.force_authenticate(world.actor)
    for org in (bank.north_sub, bank.south):
        expected = world.expected(bank.north_rm, target_code, scope, org)
        payload = {"user": bank.north_rm.pk, "role": world.roles[target_code].pk, "org": org.pk, "scope": scope}

        response = api.post("/api/v1/role-assignments/", payload, format="json")

        stored = RoleAssignment.objects.filter(user=bank.north_rm, role=world.roles[target_code], org=org)
        if expected:
            assert response.status_code == 201, response.content
            assert stored.filter(scope=scope, granted_by=world.actor).count() == 1
        else:
            assert response.status_code == 403, response.content
            assert response.json()["detail"]
            assert not stored.exists()


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("target_code", SEEDED)
@pytest.mark.parametrize("actor_code", ["branch_manager", "system_admin", "relationship_manager"])
def test_the_assign_role_page_offers_and_accepts_only_what_the_rule_allows(
    bank, client, actor_code, target_code, scope
):
    """PLT-03: the role form offers only grantable roles and scopes; a forged choice is refused, nothing stored."""
    world = World(bank, actor_code)
    client.force_login(world.actor)
    url = f"/org/employees/{bank.north_rm.pk}/roles/add/"
    expected = world.expected(bank.north_rm, target_code, scope, bank.north_sub)
    target = world.roles[target_code]

    page = client.get(url)
    response = client.post(url, {"role": target.pk, "org": bank.north_sub.pk, "scope": scope})

    stored = RoleAssignment.objects.filter(user=bank.north_rm, role=target)
    if "access.assignment:change" not in world.role_perms[actor_code]:
        assert page.status_code == 403 and response.status_code == 403
        assert not stored.exists()
        return
    form = page.context["form"]
    offered_roles = set(form.fields["role"].queryset.values_list("code", flat=True))
    offered_scopes = {value for value, _label in form.fields["scope"].choices}
    assert offered_roles == {c for c in SEEDED if world.role_perms[c] <= world.role_perms[actor_code]}
    assert offered_scopes == {s for s in SCOPES if RANK[s] <= RANK[world.actor_role.default_scope]}
    if expected:
        assert response.status_code == 302
        assert stored.filter(scope=scope, org=bank.north_sub).count() == 1
    else:
        assert response.status_code == 200
        assert response.context["form"].errors  # shown on the form, next to the field at fault
        assert not stored.exists()


def test_the_reported_case_a_branch_manager_cannot_make_an_rm_or_himself_system_administrator(bank, client):
    """PLT-03, the issue's report: "system administrator" with scope "all" to an RM and to himself is refused."""
    roles = ensure_seed_roles()
    RoleAssignment.objects.create(
        user=bank.north_manager, role=roles["branch_manager"], org=bank.north, scope="subtree"
    )
    RoleAssignment.objects.create(
        user=bank.north_rm, role=roles["relationship_manager"], org=bank.north_team, scope="own"
    )
    client.force_login(bank.north_manager)

    page = client.get(f"/org/employees/{bank.north_rm.pk}/roles/add/")
    for user in (bank.north_rm, bank.north_manager):
        response = client.post(
            f"/org/employees/{user.pk}/roles/add/",
            {"role": roles["system_admin"].pk, "org": bank.head.pk, "scope": "all"},
        )
        assert response.status_code == 200 and response.context["form"].errors
        with pytest.raises(PermissionDenied):
            services.assign_role(fresh(bank.north_manager), fresh(user), roles["system_admin"], bank.north, "all")

    assert roles["system_admin"] not in page.context["form"].fields["role"].queryset  # not even offered
    assert "all" not in dict(page.context["form"].fields["scope"].choices)
    assert not RoleAssignment.objects.filter(role=roles["system_admin"]).exists()
    rm = fresh(bank.north_rm)
    assert not Employee.objects.visible_to(rm, "org.employee:view").filter(org=bank.south_team).exists()
    assert not services.has_permission(rm, "privacy.pii:unmask")


def test_a_permission_held_only_narrowly_cannot_be_handed_on_more_widely(bank):
    """PLT-03: holding assign-roles bank-wide does not let one hand on a permission one holds only for one's own records."""
    grant(bank.admin, "access.assignment:change", scope="all", org=bank.head)
    grant(bank.admin, "org.employee:view", scope="own", org=bank.head)
    role = make_role("org.employee:view", code="staff_reader")
    admin = fresh(bank.admin)

    with pytest.raises(PermissionDenied, match="more narrowly"):
        services.assign_role(admin, bank.south_rm, role, bank.south, "subtree")
    assignment = services.assign_role(admin, bank.admin, role, bank.head, "own")  # as much as he holds: fine

    assert assignment.scope == "own"
    assert not RoleAssignment.objects.filter(user=bank.south_rm).exists()


def test_ending_assignments_stays_inside_the_actors_authority(bank, client):
    """PLT-03: a branch manager cannot end an assignment that reaches beyond his branch, even of his own staff."""
    roles = ensure_seed_roles()
    RoleAssignment.objects.create(
        user=bank.north_manager, role=roles["branch_manager"], org=bank.north, scope="subtree"
    )
    wide = RoleAssignment.objects.create(
        user=bank.north_rm, role=roles["compliance_auditor"], org=bank.head, scope="all"
    )
    narrow = RoleAssignment.objects.create(
        user=bank.north_rm, role=roles["relationship_manager"], org=bank.north_team, scope="own"
    )
    client.force_login(bank.north_manager)

    page = client.get(f"/org/employees/{bank.north_rm.pk}/").content.decode()
    client.post(f"/org/employees/{bank.north_rm.pk}/roles/revoke/", {"assignment": wide.pk})
    client.post(f"/org/employees/{bank.north_rm.pk}/roles/revoke/", {"assignment": narrow.pk})

    assert page.count('name="assignment"') == 1 and f'value="{narrow.pk}"' in page  # one Revoke button
    wide.refresh_from_db()
    narrow.refresh_from_db()
    assert wide.ended_at is None
    assert narrow.ended_at is not None


# --- editing roles -------------------------------------------------------------------------------


@pytest.mark.parametrize("target_code", SEEDED)
@pytest.mark.parametrize("actor_code", [*SEEDED, "role_editor"])
def test_a_role_is_edited_only_by_someone_holding_all_it_grants(bank, actor_code, target_code):
    """PLT-03: save_role — seeded roles (plus a narrow role editor) × seeded roles: renaming and re-saving a
    role needs access.role:change and every permission the role grants."""
    roles = ensure_seed_roles()
    actor = EmployeeFactory(employee_no="ACT", org=bank.north)
    if actor_code == "role_editor":
        editor = make_role(
            "access.role:view", "access.role:change", *roles["relationship_manager"].permission_names(), code="editor"
        )
        RoleAssignment.objects.create(user=actor, role=editor, org=bank.head, scope="all")
        held = editor.permission_names()
    else:
        RoleAssignment.objects.create(user=actor, role=roles[actor_code], org=bank.head, scope="all")
        held = roles[actor_code].permission_names()
    target = Role.objects.get(code=target_code)
    names = target.permission_names()
    expected = "access.role:change" in held and names <= held
    target.name_en = "Renamed"

    try:
        services.save_role(fresh(actor), target, names)
    except PermissionDenied:
        allowed = False
    else:
        allowed = True

    assert allowed == expected
    assert Role.objects.get(code=target_code).name_en == ("Renamed" if expected else roles[target_code].name_en)


def test_a_role_editor_adds_only_permissions_held_and_not_wider_than_the_roles_holders_reach(bank):
    """PLT-03: adding a permission one lacks is refused; so is adding one held for one's subtree to a role held bank-wide."""
    grant(bank.north_manager, "access.role:change", "org.org:view", scope="subtree", org=bank.north)
    grant(bank.north_manager, "org.employee:view", scope="subtree", org=bank.north)
    local = make_role("org.org:view", code="local")
    RoleAssignment.objects.create(user=bank.north_rm, role=local, org=bank.north_team, scope="team")
    wide = make_role("org.org:view", code="wide")
    RoleAssignment.objects.create(user=bank.south_rm, role=wide, org=bank.head, scope="all")
    manager = fresh(bank.north_manager)

    with pytest.raises(PermissionDenied, match="Export employees"):
        services.save_role(manager, local, ["org.org:view", "org.employee:export"])
    with pytest.raises(PermissionDenied, match="wider than you hold"):
        services.save_role(manager, wide, ["org.org:view", "org.employee:view"])
    services.save_role(manager, local, ["org.org:view", "org.employee:view"])

    assert local.permission_names() == {"org.org:view", "org.employee:view"}
    assert wide.permission_names() == {"org.org:view"}
    assert not services.has_permission(fresh(bank.south_rm), "org.employee:view")


def test_the_role_editor_page_offers_only_the_permissions_one_holds(bank, client):
    """PLT-03: unheld permissions are shown but cannot be ticked; a role granting one is read-only; a forged tick is refused."""
    grant(bank.admin, "access.role:view", "access.role:change", "org.org:view", scope="all")
    mine = make_role("org.org:view", code="mine")
    beyond = make_role("org.org:view", "privacy.pii:unmask", code="beyond")
    client.force_login(bank.admin)

    editor = client.get(f"/access/roles/{mine.pk}/").content.decode()
    locked = client.get(f"/access/roles/{beyond.pk}/").content.decode()
    forged = client.post(
        f"/access/roles/{mine.pk}/",
        {
            "name": mine.name,
            "default_scope": "own",
            "is_active": "on",
            "permissions": ["org.org:view", "privacy.pii:unmask"],
        },
    )
    edit_beyond = client.post(
        f"/access/roles/{beyond.pk}/",
        {"name": "改名", "default_scope": "own", "is_active": "on", "permissions": ["org.org:view"]},
    )

    assert 'value="org.org:view" checked data-offered="1"' in editor
    assert 'value="privacy.pii:unmask" disabled data-offered="0"' in editor
    assert 'data-testid="role-locked"' in locked and 'data-testid="save"' not in locked
    assert forged.status_code == 200 and "permissions" in forged.context["form"].errors
    assert edit_beyond.status_code == 200 and edit_beyond.context["form"].errors
    assert mine.permission_names() == {"org.org:view"}
    assert Role.objects.get(pk=beyond.pk).name == beyond.name and beyond.permission_names() == {
        "org.org:view",
        "privacy.pii:unmask",
    }


# --- API and admin ----------------------------------------------------------------------------------


def test_the_api_says_what_one_may_give_and_refuses_role_edits_beyond_ones_own(bank):
    """PLT-03: GET role-assignments/grantable/ lists the roles, scopes and orgs; PATCH of a role adding an unheld permission is 403."""
    roles = ensure_seed_roles()
    RoleAssignment.objects.create(
        user=bank.north_manager, role=roles["branch_manager"], org=bank.north, scope="subtree"
    )
    api = APIClient()
    api.force_authenticate(bank.north_manager)

    grantable = api.get("/api/v1/role-assignments/grantable/").json()

    assert {Role.objects.get(pk=pk).code for pk in grantable["roles"]} == {
        "relationship_manager",
        "team_lead",
        "branch_manager",
    }
    assert grantable["scopes"] == ["own", "team", "subtree"]
    assert set(grantable["orgs"]) == {bank.north.pk, bank.north_sub.pk, bank.north_team.pk}

    grant(bank.admin, "access.role:change", "access.role:view", "org.org:view", scope="all")
    role = make_role("org.org:view", code="viewer")
    admin_api = APIClient()
    admin_api.force_authenticate(fresh(bank.admin))
    refused = admin_api.patch(
        f"/api/v1/roles/{role.pk}/", {"permissions": ["org.org:view", "privacy.pii:unmask"]}, format="json"
    )
    renamed = admin_api.patch(f"/api/v1/roles/{role.pk}/", {"name_en": "Viewer"}, format="json")

    assert refused.status_code == 403 and "Unmask personal data" in refused.json()["detail"]
    assert role.permission_names() == {"org.org:view"}
    assert renamed.status_code == 200


def test_the_django_admin_applies_the_same_rule(bank, client):
    """PLT-03: a staff branch manager in the Django admin sees only grantable roles; system administrator is refused."""
    roles = ensure_seed_roles()
    Employee.objects.filter(pk=bank.north_manager.pk).update(is_staff=True)
    RoleAssignment.objects.create(
        user=bank.north_manager, role=roles["branch_manager"], org=bank.north, scope="subtree"
    )
    client.force_login(Employee.objects.get(pk=bank.north_manager.pk))
    url = "/django-admin/access/roleassignment/add/"

    form = client.get(url)
    refused = client.post(
        url, {"user": bank.north_rm.pk, "role": roles["system_admin"].pk, "org": bank.north.pk, "scope": "all"}
    )
    accepted = client.post(
        url,
        {"user": bank.north_rm.pk, "role": roles["relationship_manager"].pk, "org": bank.north_team.pk, "scope": "own"},
    )
    role_edit = client.post(
        f"/django-admin/access/role/{roles['relationship_manager'].pk}/change/",
        {"code": "relationship_manager", "name": "x", "default_scope": "all", "permissions": ["privacy.pii:unmask"]},
    )

    offered = set(form.context["adminform"].form.fields["role"].queryset.values_list("code", flat=True))
    assert offered == {"relationship_manager", "team_lead", "branch_manager"}
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert role_edit.status_code == 403  # no access.role:change: the role admin is closed
    assert list(RoleAssignment.objects.filter(user=bank.north_rm).values_list("role__code", "scope")) == [
        ("relationship_manager", "own")
    ]
    assert (
        Role.objects.get(code="relationship_manager").permission_names()
        == roles["relationship_manager"].permission_names()
    )


def test_the_admin_role_editor_refuses_unheld_permissions(bank, client):
    """PLT-03: a staff role editor in the Django admin cannot tick a permission they do not hold."""
    Employee.objects.filter(pk=bank.admin.pk).update(is_staff=True)
    grant(bank.admin, "access.role:view", "access.role:change", "org.org:view", scope="all")
    role = make_role("org.org:view", code="viewer")
    client.force_login(Employee.objects.get(pk=bank.admin.pk))

    response = client.post(
        f"/django-admin/access/role/{role.pk}/change/",
        {
            "code": "viewer",
            "name": "查看",
            "name_en": "Viewer",
            "default_scope": "own",
            "is_active": "on",
            "permissions": ["org.org:view", "privacy.pii:unmask"],
        },
    )

    assert response.status_code == 200 and "permissions" in response.context["adminform"].form.errors
    assert role.permission_names() == {"org.org:view"}


def test_a_domain_error_is_not_raised_for_a_refusal(bank):
    """PLT-03: refusals are 403s (PermissionDenied) carrying the field at fault, not 400s."""
    grant(bank.north_manager, "access.assignment:change", scope="subtree", org=bank.north)
    role = make_role("org.org:view")
    with pytest.raises(services.EscalationRefused) as refused:
        services.assign_role(fresh(bank.north_manager), bank.north_rm, role, bank.north, "own")
    assert refused.value.field == "role" and not isinstance(refused.value, DomainError)


@pytest.mark.parametrize("target_scope", SCOPES)
@pytest.mark.parametrize("actor_scope", SCOPES)
def test_an_own_team_subtree_or_all_assigner_is_bounded_by_that_scope(bank, actor_scope, target_scope):
    """PLT-03: assign-roles held as own / team / subtree / all at a sub-branch bounds whom, where and how wide one gives.

    own — only oneself, scope own, at one's own org; team — people of the anchor org, up to team, at
    the anchor; subtree — people below the anchor, up to subtree, at orgs below it; all — anything.
    """
    sub = bank.north_sub
    actor = EmployeeFactory(employee_no="ACT", org=sub)
    colleague = EmployeeFactory(employee_no="SUB", org=sub)
    held = ("access.assignment:change", "org.org:view", "org.employee:view")
    RoleAssignment.objects.create(user=actor, role=make_role(*held, code="assigner"), org=sub, scope=actor_scope)
    target = make_role("org.org:view", code="target")
    region = {
        "own": {sub.pk},
        "team": {sub.pk},
        "subtree": {sub.pk, bank.north_team.pk},
        "all": {bank.north.pk, sub.pk, bank.north_team.pk},
    }[actor_scope]
    reachable_users = {
        "own": {actor.pk},
        "team": {actor.pk, colleague.pk},
        "subtree": {actor.pk, colleague.pk, bank.north_rm.pk},
        "all": {actor.pk, colleague.pk, bank.north_rm.pk},
    }[actor_scope]
    wrong = []
    for user in (actor, colleague, bank.north_rm):
        for org in (bank.north, sub, bank.north_team):
            expected = user.pk in reachable_users and org.pk in region and RANK[target_scope] <= RANK[actor_scope]
            try:
                created = services.assign_role(fresh(actor), fresh(user), target, org, target_scope)
            except PermissionDenied:
                allowed = False
            else:
                allowed = True
                RoleAssignment.objects.filter(pk=created.pk).delete()
            if allowed != expected:
                wrong.append((user.employee_no, org.code, allowed))
    assert wrong == []
