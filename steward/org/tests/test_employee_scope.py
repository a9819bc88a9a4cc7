"""PLT-04: a user outside a data scope sees nothing of it — page, detail, API, search, export and counts."""

import io
import re

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from steward.org.models import Employee
from steward.testing import EmployeeFactory, grant

NORTH_EXTRA = 25  # enough north staff to need several pages


@pytest.fixture
def staff(bank):
    """Bank staff plus more people in the north team (NORTH-xx) and the south team (SOUTH-xx)."""
    north = [
        EmployeeFactory(employee_no=f"NORTH-{i:02d}", name=f"北方员工{i}", org=bank.north_team)
        for i in range(NORTH_EXTRA)
    ]
    south = [EmployeeFactory(employee_no=f"SOUTH-{i:02d}", name=f"南方员工{i}", org=bank.south_team) for i in range(3)]
    return {"north": north, "south": south}


@pytest.fixture
def south_rm(bank, staff):
    """An RM of the south team: sees their team's staff (and may export them), and every org."""
    grant(bank.south_rm, "org.employee:view", "org.employee:export", scope="team", org=bank.south_team)
    grant(bank.south_rm, "org.org:view", scope="all")
    return bank.south_rm


def north_numbers(bank, staff):
    return {"NRM", "NRM2", "NBM", "ADM"} | {e.employee_no for e in staff["north"]}


def south_numbers(staff):
    return {"SRM"} | {e.employee_no for e in staff["south"]}


def row_numbers(html):
    """Employee numbers of the rows of an employee table (each row links the number)."""
    return set(re.findall(r'<a href="/org/employees/\d+/">([^<]+)</a>', html))


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_rm_outside_branch_sees_no_employee_of_it_in_list_api_search_export_or_counts(bank, staff, south_rm, client):
    client.force_login(south_rm)
    api = api_for(south_rm)
    outsiders = north_numbers(bank, staff)
    mine = south_numbers(staff)
    north_rm_pk = bank.north_rm.pk

    # Page: list and detail.
    listing = client.get("/org/employees/").content.decode()
    assert row_numbers(listing) == mine
    assert not any(number in listing for number in outsiders)
    assert client.get(f"/org/employees/{north_rm_pk}/").status_code == 404

    # API: list and detail.
    body = api.get("/api/v1/employees/").json()
    assert {row["employee_no"] for row in body["results"]} == mine
    assert body["count"] == len(mine)
    assert api.get(f"/api/v1/employees/{north_rm_pk}/").status_code == 404
    assert api.get(f"/api/v1/employees/{north_rm_pk}/grades/").status_code == 404

    # Search by number prefix and by name, on the page and in the API.
    for term in ("NORTH", "NRM", "北方"):
        assert row_numbers(client.get("/org/employees/", {"q": term}).content.decode()) == set()
        assert api.get("/api/v1/employees/", {"q": term}).json()["count"] == 0
    assert row_numbers(client.get("/org/employees/", {"q": "SOUTH"}).content.decode()) == mine - {"SRM"}

    # Filtering by an org outside the scope yields nothing either.
    filtered = client.get("/org/employees/", {"org": bank.north.pk}).content.decode()
    assert row_numbers(filtered) == set()
    api_filtered = api.get("/api/v1/employees/", {"org": bank.north.pk})
    assert api_filtered.status_code == 400 or api_filtered.json()["count"] == 0

    # Export: the spreadsheet holds exactly the rows in scope.
    export = client.get("/org/employees/", {"export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    exported = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row and row[1]]
    assert set(exported) == mine
    assert not outsiders & set(exported)
    assert len(exported) == len(mine)

    # Counts: pagination total, the org page's staff figure, the home page figure.
    paged = client.get("/org/employees/", {"per_page": 2}).content.decode()
    assert f"of {len(mine)}" in paged
    head_office = client.get(f"/org/orgs/{bank.head.pk}/").content.decode()
    assert f'href="/org/employees/?org={bank.head.pk}">{len(mine)}</a>' in head_office
    north_branch = client.get(f"/org/orgs/{bank.north.pk}/").content.decode()
    assert f'href="/org/employees/?org={bank.north.pk}">0</a>' in north_branch
    home = client.get("/")
    staff_widget = next(w for w in home.context["widgets"] if w["key"] == "staff")
    assert staff_widget["figures"][0]["value"] == len(mine)


def test_branch_manager_sees_the_whole_branch_subtree_and_nothing_beyond(bank, staff, client):
    grant(bank.north_manager, "org.employee:view", "org.org:view", scope="subtree", org=bank.north)
    client.force_login(bank.north_manager)
    expected = {"NRM", "NRM2", "NBM"} | {e.employee_no for e in staff["north"]}

    body = api_for(bank.north_manager).get("/api/v1/employees/", {"page_size": 100}).json()
    page = client.get("/org/employees/", {"per_page": 100}).content.decode()

    assert {row["employee_no"] for row in body["results"]} == expected
    assert body["count"] == len(expected)
    assert row_numbers(page) == expected
    assert client.get(f"/org/employees/{bank.south_rm.pk}/").status_code == 404
    assert client.get(f"/org/employees/{bank.admin.pk}/").status_code == 404  # above the anchor
    assert client.get(f"/org/orgs/{bank.south.pk}/").status_code == 404
    assert client.get(f"/org/orgs/{bank.head.pk}/").status_code == 404


def test_team_scope_covers_the_anchor_org_only_not_the_orgs_below(bank, staff):
    grant(bank.north_manager, "org.employee:view", scope="team", org=bank.north)

    visible = set(
        Employee.objects.visible_to(bank.north_manager, "org.employee:view").values_list("employee_no", flat=True)
    )

    assert visible == {"NBM"}


def test_own_scope_shows_an_rm_only_their_own_record(bank, staff, client):
    grant(bank.north_rm, "org.employee:view", scope="own")
    client.force_login(bank.north_rm)

    assert row_numbers(client.get("/org/employees/").content.decode()) == {"NRM"}
    assert client.get(f"/org/employees/{bank.north_rm2.pk}/").status_code == 404
    assert api_for(bank.north_rm).get("/api/v1/employees/").json()["count"] == 1


def test_left_employees_stay_in_lists_but_leave_the_orgs_staff_count(bank, staff, client):
    grant(bank.admin, "org.employee:view", "org.org:view", scope="all")
    Employee.objects.filter(pk=bank.south_rm.pk).update(status=Employee.Status.LEFT, is_active=False)
    client.force_login(bank.admin)
    everyone = Employee.objects.count()

    assert api_for(bank.admin).get("/api/v1/employees/", {"status": "left"}).json()["count"] == 1
    assert api_for(bank.admin).get("/api/v1/employees/").json()["count"] == everyone
    head_office = client.get(f"/org/orgs/{bank.head.pk}/").content.decode()
    assert f'href="/org/employees/?org={bank.head.pk}">{everyone - 1}</a>' in head_office


def test_an_outsider_sees_no_org_of_another_branch_in_the_tree_page_or_api(bank, client):
    grant(bank.south_rm, "org.org:view", "org.org:export", scope="subtree", org=bank.south)
    client.force_login(bank.south_rm)
    api = api_for(bank.south_rm)

    tree = client.get("/org/orgs/").content.decode()
    api_codes = {row["code"] for row in api.get("/api/v1/orgs/").json()["results"]}
    export = load_workbook(io.BytesIO(client.get("/org/orgs/", {"export": "xlsx"}).content)).active
    exported = {row[0] for row in export.iter_rows(min_row=3, values_only=True) if row and row[1]}

    assert "北方" not in tree
    assert set(re.findall(r'<a href="/org/orgs/(\d+)/">', tree)) == {
        str(o.pk) for o in (bank.south, bank.south_sub, bank.south_team)
    }
    assert api_codes == {"S", "S1", "S1T1"}
    assert exported == {"S", "S1", "S1T1"}
    assert client.get(f"/org/orgs/{bank.north.pk}/").status_code == 404
    assert api.get(f"/api/v1/orgs/{bank.north.pk}/").status_code == 404
    assert api.get("/api/v1/orgs/", {"q": "北方"}).json()["count"] == 0
