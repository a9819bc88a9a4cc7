"""PLT-01: the org tree — create, rename, move a subtree, deactivate, search branch details."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.org import services
from steward.org.models import Employee, Org
from steward.testing import EmployeeFactory, OrgFactory, grant

ORG_ADMIN = (
    "org.org:view",
    "org.org:add",
    "org.org:change",
    "org.employee:view",
    "org.employee:change",
    "org.employee:add",
)


@pytest.fixture
def admin(bank):
    grant(bank.admin, *ORG_ADMIN, scope="all")
    return bank.admin


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def paths(*orgs):
    return [Org.objects.get(pk=org.pk).path for org in orgs]


def test_creating_an_org_places_it_below_its_parent_in_the_tree(bank, admin_client):
    response = admin_client.post(
        "/org/orgs/add/", {"code": "N2", "name": "北方二支行", "kind": Org.Kind.SUB_BRANCH, "parent": bank.north.pk}
    )

    created = Org.objects.get(code="N2")
    assert response.status_code == 302
    assert response["Location"] == f"/org/orgs/{created.pk}/"
    assert created.parent == bank.north
    assert created.path.startswith(bank.north.path) and created.path != bank.north.path
    assert created.depth == bank.north.depth + 1
    assert created in bank.north.subtree()
    assert "北方二支行" in admin_client.get(f"/org/orgs/{bank.north.pk}/").content.decode()


def test_a_duplicate_org_code_is_refused_on_the_page(bank, admin_client):
    response = admin_client.post(
        "/org/orgs/add/", {"code": "N", "name": "重复", "kind": Org.Kind.BRANCH, "parent": bank.head.pk}
    )

    assert response.status_code == 200
    assert 'data-testid="field-error-code"' in response.content.decode()
    assert not Org.objects.filter(name="重复").exists()


def test_an_org_cannot_be_created_under_a_parent_outside_the_creators_subtree(bank):
    grant(bank.north_manager, "org.org:view", "org.org:add", scope="subtree")

    with pytest.raises(PermissionDenied):
        services.create_org(bank.north_manager, parent=bank.south, code="S9", name="越权支行", kind=Org.Kind.SUB_BRANCH)
    assert not Org.objects.filter(code="S9").exists()


def test_only_a_bank_wide_administrator_creates_a_top_level_org(bank):
    grant(bank.north_manager, "org.org:view", "org.org:add", scope="subtree")

    with pytest.raises(DomainError) as error:
        services.create_org(bank.north_manager, parent=None, code="HO2", name="第二总行", kind=Org.Kind.HEAD_OFFICE)
    assert error.value.field == "parent"


def test_no_org_can_be_created_under_an_inactive_parent(bank, admin):
    empty = OrgFactory(parent=bank.north, kind=Org.Kind.SUB_BRANCH)
    services.set_org_active(admin, empty, False)

    with pytest.raises(DomainError, match="inactive"):
        services.create_org(admin, parent=empty, code="X1", name="新团队", kind=Org.Kind.TEAM)


def test_renaming_an_org_shows_the_new_name_everywhere(bank, admin_client):
    response = admin_client.post(
        f"/org/orgs/{bank.north.pk}/edit/",
        {"code": "N", "name": "华北分行", "kind": Org.Kind.BRANCH, "address": "", "phone": "", "business_hours": ""},
    )

    assert response.status_code == 302
    bank.north.refresh_from_db()
    assert bank.north.name == "华北分行"
    assert "华北分行" in admin_client.get("/org/orgs/").content.decode()
    # Breadcrumb of a descendant shows the new name too.
    assert "华北分行" in admin_client.get(f"/org/orgs/{bank.north_team.pk}/").content.decode()


def test_moving_an_org_moves_its_whole_subtree(bank, admin_client):
    deeper = OrgFactory(code="N1T1A", parent=bank.north_team)

    response = admin_client.post(f"/org/orgs/{bank.north_sub.pk}/move/", {"new_parent": bank.south_sub.pk})

    assert response.status_code == 302
    sub, team, leaf = (Org.objects.get(pk=o.pk) for o in (bank.north_sub, bank.north_team, deeper))
    assert sub.parent == bank.south_sub
    assert sub.path == bank.south_sub.path + f"{sub.pk:06d}/"
    assert team.path == sub.path + f"{team.pk:06d}/"
    assert leaf.path == team.path + f"{leaf.pk:06d}/"
    assert (sub.depth, team.depth, leaf.depth) == (3, 4, 5)
    assert set(bank.south.subtree()) >= {sub, team, leaf}
    assert not bank.north.subtree().filter(pk__in=[sub.pk, team.pk, leaf.pk]).exists()
    # Orgs outside the moved subtree kept their place.
    assert paths(bank.north, bank.south, bank.south_team) == [bank.north.path, bank.south.path, bank.south_team.path]


def test_after_a_move_the_staff_of_the_moved_subtree_belong_to_the_new_branchs_scope(bank, admin):
    grant(bank.north_manager, "org.employee:view", scope="subtree", org=bank.north)
    south_manager = EmployeeFactory(org=bank.south)
    grant(south_manager, "org.employee:view", scope="subtree", org=bank.south)
    north_rms = {bank.north_rm.pk, bank.north_rm2.pk}

    services.move_org(admin, bank.north_sub, bank.south)

    def visible(user):
        return set(Employee.objects.visible_to(user, "org.employee:view").values_list("pk", flat=True))

    assert north_rms <= visible(south_manager)
    assert not north_rms & visible(bank.north_manager)


def test_an_org_cannot_be_moved_under_itself_or_its_own_descendants(bank, admin, admin_client):
    before = paths(bank.north, bank.north_sub, bank.north_team)

    with pytest.raises(DomainError):
        services.move_org(admin, bank.north, bank.north_team)
    with pytest.raises(DomainError):
        services.move_org(admin, bank.north, bank.north)
    # The page does not even offer them as a new parent.
    response = admin_client.post(f"/org/orgs/{bank.north.pk}/move/", {"new_parent": bank.north_team.pk})
    assert response.status_code == 200
    assert 'data-testid="field-error-new_parent"' in response.content.decode()
    assert paths(bank.north, bank.north_sub, bank.north_team) == before


def test_the_head_office_cannot_be_moved(bank, admin):
    other = OrgFactory(code="HO2", kind=Org.Kind.HEAD_OFFICE)

    with pytest.raises(DomainError, match="head office"):
        services.move_org(admin, bank.head, other)


def test_moving_through_the_api_moves_the_subtree_and_refuses_a_cycle_with_a_400(bank, admin):
    api = APIClient()
    api.force_authenticate(admin)

    response = api.post(f"/api/v1/orgs/{bank.north_sub.pk}/move/", {"new_parent": bank.south.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["parent"] == bank.south.pk
    assert Org.objects.get(pk=bank.north_team.pk).path.startswith(bank.south.path)

    response = api.post(f"/api/v1/orgs/{bank.south.pk}/move/", {"new_parent": bank.north_team.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


def test_deactivating_an_org_is_refused_while_active_employees_remain_in_its_subtree(bank, admin_client):
    bank.north_rm2.status = Employee.Status.ON_LEAVE
    bank.north_rm2.save()

    response = admin_client.post(f"/org/orgs/{bank.north.pk}/active/", {"active": "0"}, follow=True)

    page = response.content.decode()
    assert "still has 3 active employees" in page  # NBM, NRM and NRM2 (on leave still counts)
    assert Org.objects.filter(path__startswith=bank.north.path, is_active=False).count() == 0


def test_deactivating_through_the_api_with_staff_left_gives_a_400(bank, admin):
    api = APIClient()
    api.force_authenticate(admin)

    response = api.post(f"/api/v1/orgs/{bank.south_team.pk}/deactivate/")

    assert response.status_code == 400
    assert "1 active employees" in str(response.json())
    assert Org.objects.get(pk=bank.south_team.pk).is_active


def test_deactivating_an_org_whose_staff_all_left_deactivates_its_whole_subtree(bank, admin, admin_client):
    services.set_employee_status(admin, bank.south_rm, Employee.Status.LEFT)

    response = admin_client.post(f"/org/orgs/{bank.south.pk}/active/", {"active": "0"})

    assert response.status_code == 302
    assert list(Org.objects.filter(pk__in=[bank.south.pk, bank.south_sub.pk, bank.south_team.pk], is_active=True)) == []
    assert Org.objects.get(pk=bank.north.pk).is_active
    # Nobody can be hired into, or moved into, a deactivated org.
    with pytest.raises(DomainError, match="inactive"):
        services.create_employee(admin, employee_no="NEW1", org=Org.objects.get(pk=bank.south_team.pk), name="新人")


def test_a_sub_org_cannot_be_reactivated_before_its_parent(bank, admin):
    services.set_employee_status(admin, bank.south_rm, Employee.Status.LEFT)
    services.set_org_active(admin, bank.south, False)

    with pytest.raises(DomainError, match="parent"):
        services.set_org_active(admin, Org.objects.get(pk=bank.south_sub.pk), True)

    services.set_org_active(admin, Org.objects.get(pk=bank.south.pk), True)
    services.set_org_active(admin, Org.objects.get(pk=bank.south_sub.pk), True)
    assert Org.objects.get(pk=bank.south_sub.pk).is_active
    assert not Org.objects.get(pk=bank.south_team.pk).is_active  # reactivation is one org at a time


def test_branch_details_are_searchable_in_the_branch_directory(bank, admin_client):
    Org.objects.filter(pk=bank.north.pk).update(address="北京市朝阳区建国路88号", phone="010-88886666")
    Org.objects.filter(pk=bank.south.pk).update(address="广州市天河区体育西路1号", phone="020-12345678")

    by_address = admin_client.get("/org/branches/", {"q": "朝阳区"}).content.decode()
    by_phone = admin_client.get("/org/branches/", {"q": "020-1234"}).content.decode()
    directory = admin_client.get("/org/branches/").content.decode()

    assert "北方分行" in by_address and "南方分行" not in by_address
    assert "南方分行" in by_phone and "北方分行" not in by_phone
    # The directory lists branches and sub-branches, not teams.
    assert "北方一支行" in directory and "北方一组" not in directory


def test_branch_details_are_searchable_through_the_api(bank, admin):
    Org.objects.filter(pk=bank.south_sub.pk).update(address="深圳市南山区科技园")
    api = APIClient()
    api.force_authenticate(admin)

    response = api.get("/api/v1/orgs/", {"q": "南山区"})

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["S1"]


def test_the_org_detail_shows_ancestors_and_the_staff_count_of_its_subtree(bank, admin_client):
    page = admin_client.get(f"/org/orgs/{bank.north_sub.pk}/").content.decode()

    assert "总行" in page and "北方分行" in page  # breadcrumb
    assert "北方一组" in page  # sub-orgs
    assert f'href="/org/employees/?org={bank.north_sub.pk}">2</a>' in page  # NRM, NRM2
