"""The generic list, detail and action views every app builds on: login, export, columns, htmx, redirects."""

import io
import re
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from steward.org.models import Employee
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def manager(bank):
    grant(bank.admin, "org.employee:view", "org.employee:export", "org.employee:change", "org.org:view", scope="all")
    return bank.admin


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def exported_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("Exported by ")  # the watermark heads the sheet
    header, body = rows[1], [row for row in rows[2:] if row and row[1] is not None]
    return header, body


@pytest.mark.parametrize("url", ["/", "/org/employees/", "/org/orgs/", "/access/roles/", "/basedata/parameters/"])
def test_pages_send_an_anonymous_visitor_to_the_login_page(db, client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_user_without_the_pages_permission_gets_the_403_page_not_the_data(bank, client):
    client.force_login(bank.north_rm)

    response = client.get("/org/employees/")

    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="forbidden"' in page and "NRM2" not in page


def test_export_needs_the_export_permission_even_when_the_list_is_visible(bank, client):
    grant(bank.north_manager, "org.employee:view", scope="subtree")
    client.force_login(bank.north_manager)

    response = client.get("/org/employees/", {"export": "xlsx"})

    assert response.status_code == 403
    assert not response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_export_holds_the_filtered_rows_in_the_columns_on_screen(bank, manager_client):
    Employee.objects.filter(pk=bank.south_rm.pk).update(status=Employee.Status.ON_LEAVE)
    manager_client.post("/preferences/columns/", {"table_key": "org.employee", "columns": ["name", "org", "status"]})

    header, body = exported_rows(manager_client.get("/org/employees/", {"status": "on_leave", "export": "xlsx"}))

    assert [title.lower() for title in header] == ["employee number", "name", "org", "status"]
    assert body == [["SRM", "南方客户经理", "南方一组", "On leave"]]


def test_the_export_carries_who_exported_it(bank, manager_client):
    sheet = load_workbook(io.BytesIO(manager_client.get("/org/employees/", {"export": "xlsx"}).content)).active

    last = [row for row in sheet.iter_rows(values_only=True) if row and row[0]][-1][0]
    assert last.startswith("Exported by 管理员 (ADM) at ")


def test_the_export_is_not_limited_to_one_page(bank, manager_client):
    EmployeeFactory.create_batch(45, org=bank.north_team)

    _header, body = exported_rows(manager_client.get("/org/employees/", {"export": "xlsx"}))

    assert len(body) == Employee.objects.count() == 50


def test_a_chosen_set_of_columns_is_remembered_for_the_user(bank, manager_client):
    response = manager_client.post("/preferences/columns/", {"table_key": "org.employee", "columns": ["name"]})

    assert response.status_code == 204
    table = manager_client.get("/org/employees/").context["table"]
    assert [column.name for column in table.columns] == ["employee_no", "name"]  # the link column always stays


def test_the_column_menu_ticks_the_columns_on_screen(bank, manager_client):
    manager_client.post("/preferences/columns/", {"table_key": "org.employee", "columns": ["name", "status"]})

    html = manager_client.get("/org/employees/").content.decode()
    ticked = set(re.findall(r'name="columns" value="(\w+)" checked', html))
    offered = set(re.findall(r'name="columns" value="(\w+)"', html))
    assert ticked == {"name", "status"}
    assert {"org", "position"} <= offered - ticked


def test_an_htmx_request_gets_only_the_table(bank, manager_client):
    full = manager_client.get("/org/employees/", {"q": "SRM"})
    partial = manager_client.get("/org/employees/", {"q": "SRM"}, HTTP_HX_REQUEST="true")

    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert "南方客户经理" in partial.content.decode() and "北方客户经理" not in partial.content.decode()


def test_the_page_size_is_capped(bank, manager_client):
    EmployeeFactory.create_batch(205, org=bank.north_team)

    table = manager_client.get("/org/employees/", {"per_page": 10_000}).context["table"]

    assert len(table.page.object_list) == 200


def test_pagination_shows_the_total_in_scope(bank, manager_client):
    EmployeeFactory.create_batch(25, org=bank.north_team)

    page = manager_client.get("/org/employees/").content.decode()

    assert "Showing 1 to 20 of 30" in page


def test_a_record_button_returns_to_the_page_it_was_pressed_on(bank, manager_client):
    response = manager_client.post(
        f"/org/employees/{bank.north_rm.pk}/status/", {"status": "on_leave", "next": "/org/employees/?status=on_leave"}
    )

    assert response.status_code == 302 and response["Location"] == "/org/employees/?status=on_leave"


@pytest.mark.parametrize(
    "target", ["//evil.example/phish", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_record_button_never_redirects_to_another_site(bank, manager_client, target):
    response = manager_client.post(f"/org/employees/{bank.north_rm.pk}/status/", {"status": "on_leave", "next": target})

    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert (location.scheme, location.netloc) == ("", "")
    assert Employee.objects.get(pk=bank.north_rm.pk).status == Employee.Status.ON_LEAVE


def test_a_form_saved_through_htmx_navigates_to_the_record(bank, client):
    from steward.testing import grant

    grant(bank.north_manager, "org.org:view", "org.org:change", scope="subtree")
    client.force_login(bank.north_manager)

    response = client.post(
        f"/org/orgs/{bank.north_sub.pk}/edit/",
        {"code": "N1", "name": "新名字", "kind": "sub_branch"},
        HTTP_HX_REQUEST="true",
    )

    # htmx only navigates on HX-Redirect of a response it sees; a 302 would be followed silently.
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/org/orgs/{bank.north_sub.pk}/"
