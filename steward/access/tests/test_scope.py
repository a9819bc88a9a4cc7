"""PLT-04: `Model.objects.visible_to(user, permission)` — own / team / subtree / all, anchored at an org."""

import pytest
from django.contrib.auth.models import AnonymousUser

from steward.access import services
from steward.org import services as org_services
from steward.org.models import Employee, Org
from steward.testing import grant

VIEW = "org.employee:view"


def visible_numbers(user, permission=VIEW):
    return set(Employee.objects.visible_to(user, permission).values_list("employee_no", flat=True))


def visible_org_codes(user, permission="org.org:view"):
    return set(Org.objects.visible_to(user, permission).values_list("code", flat=True))


@pytest.mark.parametrize(
    ("scope", "anchor", "employees", "orgs"),
    [
        ("own", "north_team", {"NRM"}, {"N1T1"}),
        ("team", "north_team", {"NRM", "NRM2"}, {"N1T1"}),
        ("team", "north_sub", set(), {"N1"}),
        ("subtree", "north_sub", {"NRM", "NRM2"}, {"N1", "N1T1"}),
        ("subtree", "north", {"NRM", "NRM2", "NBM"}, {"N", "N1", "N1T1"}),
        ("all", "north_team", {"NRM", "NRM2", "NBM", "SRM", "ADM"}, {"HO", "N", "S", "N1", "S1", "N1T1", "S1T1"}),
    ],
)
def test_each_data_scope_shows_exactly_its_rows(bank, scope, anchor, employees, orgs):
    grant(bank.north_rm, VIEW, "org.org:view", scope=scope, org=getattr(bank, anchor))

    assert visible_numbers(bank.north_rm) == employees
    assert visible_org_codes(bank.north_rm) == orgs


def test_several_assignments_add_up(bank):
    grant(bank.north_rm, VIEW, scope="own")
    grant(bank.north_rm, VIEW, scope="team", org=bank.south_team)

    assert visible_numbers(bank.north_rm) == {"NRM", "SRM"}


def test_a_scope_applies_only_to_the_permission_it_was_granted_with(bank):
    grant(bank.north_manager, VIEW, scope="subtree")
    grant(bank.north_manager, "org.employee:change", scope="own")

    assert visible_numbers(bank.north_manager, VIEW) == {"NBM", "NRM", "NRM2"}
    assert visible_numbers(bank.north_manager, "org.employee:change") == {"NBM"}
    assert visible_numbers(bank.north_manager, "org.employee:export") == set()


def test_nobody_without_a_role_sees_anything(bank):
    assert visible_numbers(bank.north_rm) == set()
    assert Employee.objects.visible_to(AnonymousUser(), VIEW).count() == 0
    assert Employee.objects.visible_to(None, VIEW).count() == 0


def test_a_superuser_sees_everything(bank):
    Employee.objects.filter(pk=bank.admin.pk).update(is_superuser=True)
    bank.admin.refresh_from_db()

    assert visible_numbers(bank.admin) == {"NRM", "NRM2", "NBM", "SRM", "ADM"}


def test_an_ended_assignment_or_an_inactive_role_grants_nothing(bank):
    assignment = grant(bank.north_manager, VIEW, scope="subtree")
    grant(bank.admin, "access.assignment:change", scope="all")
    assert visible_numbers(bank.north_manager) == {"NBM", "NRM", "NRM2"}

    services.end_assignment(bank.admin, assignment)
    assert visible_numbers(bank.north_manager) == set()

    other = grant(bank.north_manager, VIEW, scope="subtree")
    other.role.is_active = False
    other.role.save()
    services.forget_grants(bank.north_manager)
    assert visible_numbers(bank.north_manager) == set()


def test_a_subtree_scope_follows_its_anchor_org_when_the_org_moves(bank):
    grant(bank.north_manager, VIEW, scope="subtree", org=bank.north_sub)
    grant(bank.admin, "org.org:change", scope="all")

    org_services.move_org(bank.admin, bank.north_sub, bank.south)
    services.forget_grants(bank.north_manager)

    assert visible_numbers(bank.north_manager) == {"NRM", "NRM2"}


def test_bank_wide_configuration_is_visible_under_any_scope_of_its_permission(bank):
    """Roles and parameters belong to no org: a subtree-scoped holder sees all of them."""
    from steward.access.models import Role
    from steward.basedata.models import SystemParameter

    grant(bank.north_manager, "access.role:view", "basedata.parameter:view", scope="subtree", org=bank.north)

    assert Role.objects.visible_to(bank.north_manager, "access.role:view").count() == Role.objects.count()
    assert (
        SystemParameter.objects.visible_to(bank.north_manager, "basedata.parameter:view").count()
        == SystemParameter.objects.count()
        > 0
    )
