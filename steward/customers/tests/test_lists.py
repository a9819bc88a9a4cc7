"""CUS-09 / CUS-03: my, related, org and unassigned customer lists; scope; quick search; 360° tabs."""

import pytest
from rest_framework.test import APIClient

from steward.customers.models import CoManager
from steward.customers.permissions import TAB_PERMISSIONS
from steward.customers.tests.factories import CustomerFactory, resident_id
from steward.testing import EmployeeFactory, grant


def names(response):
    return {row.record.name for row in response.context["table"].page.object_list}


def test_my_customers_are_the_ones_i_own(book, client):
    client.force_login(book.bank.north_rm)
    assert names(client.get("/customers/")) == {"张三", "张四"}


def test_related_customers_are_the_ones_i_co_manage(book, client):
    CoManager.objects.create(customer=book.colleague, user=book.bank.north_rm)
    client.force_login(book.bank.north_rm)
    assert names(client.get("/customers/related/")) == {"李四"}
    assert client.get(f"/customers/{book.colleague.pk}/").status_code == 200


def test_the_org_list_shows_the_supervisors_scope_and_needs_its_permission(book, client):
    client.force_login(book.bank.north_manager)
    assert names(client.get("/customers/org/")) == {"张三", "张四", "李四", "赵六"}
    client.force_login(book.bank.north_rm)
    assert client.get("/customers/org/").status_code == 403


def test_someone_outside_the_scope_sees_nothing(book, client):
    client.force_login(book.bank.south_rm)
    assert names(client.get("/customers/")) == {"王五"}
    assert client.get(f"/customers/{book.mine.pk}/").status_code == 404
    assert client.get(f"/customers/{book.mine.pk}/tab/profile/").status_code == 404
    api = APIClient()
    api.force_authenticate(book.bank.south_rm)
    assert [c["cif"] for c in api.get("/api/v1/customers/").json()["results"]] == ["C300"]
    assert api.get(f"/api/v1/customers/{book.mine.pk}/").status_code == 404


def test_unassigned_customers_of_my_org_are_listed(book, client):
    client.force_login(book.bank.north_rm)
    assert names(client.get("/customers/unassigned/")) == {"赵六"}
    client.force_login(book.bank.south_rm)
    assert names(client.get("/customers/unassigned/")) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C101", {"张四"}),  # customer number, exact
        ("C10", set()),  # … not a prefix
        ("张", {"张三", "张四"}),  # name prefix
        ("三", set()),  # … not contains
    ],
)
def test_quick_search(book, client, query, expected):
    client.force_login(book.bank.north_manager)
    assert names(client.get("/customers/org/", {"q": query})) == expected


def test_quick_search_by_id_number_and_mobile(book, client):
    client.force_login(book.bank.north_manager)
    book.colleague.id_number = resident_id(4242)
    book.colleague.mobile = "13912345678"
    book.colleague.save()
    assert names(client.get("/customers/org/", {"q": resident_id(4242)})) == {"李四"}
    assert names(client.get("/customers/org/", {"q": "13912345678"})) == {"李四"}
    assert names(client.get("/customers/org/", {"q": "1391234"})) == {"李四"}
    # A search never leaves the scope.
    client.force_login(book.bank.south_rm)
    assert names(client.get("/customers/", {"q": resident_id(4242)})) == set()


def test_lists_are_sortable_and_exportable_masked(book, client):
    client.force_login(book.bank.north_manager)
    response = client.get("/customers/org/", {"sort": "cif"})
    assert [r.record.cif for r in response.context["table"].page.object_list] == ["C100", "C101", "C200", "C400"]
    export = client.get("/customers/org/", {"export": "xlsx"})
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for c in row if c]
    assert book.mine.mobile not in cells
    assert any(str(c).startswith(book.mine.mobile[:3]) and "*" in str(c) for c in cells)


def test_an_rm_without_export_permission_cannot_export(book, client):
    viewer = EmployeeFactory(org=book.bank.north_team)
    grant(viewer, "customers.customer:view", scope="team")
    client.force_login(viewer)
    assert client.get("/customers/org/", {"export": "xlsx"}).status_code == 403


def test_each_tab_of_the_360_view_needs_its_own_permission(book, client):
    limited = EmployeeFactory(org=book.bank.north_team)
    grant(limited, "customers.customer:view", "customers.tab:profile", "customers.tab:notes", scope="team")
    client.force_login(limited)
    page = client.get(f"/customers/{book.mine.pk}/")
    assert [key for key, _label in page.context["tabs"]] == ["profile", "notes"]
    html = page.content.decode()
    assert 'data-testid="tab-profile"' in html and 'data-testid="tab-transactions"' not in html
    assert book.mine.id_number not in html  # the header masks the identity
    assert client.get(f"/customers/{book.mine.pk}/tab/profile/").status_code == 200
    assert client.get(f"/customers/{book.mine.pk}/tab/transactions/").status_code == 403
    assert client.get(f"/customers/{book.mine.pk}/tab/assets/").status_code == 403
    assert client.get(f"/customers/{book.mine.pk}/tab/nonsense/").status_code == 404


def test_the_360_view_renders_every_tab_for_a_full_role(book, client):
    client.force_login(book.bank.north_rm)
    page = client.get(f"/customers/{book.mine.pk}/")
    assert page.status_code == 200
    assert len(page.context["tabs"]) == len(TAB_PERMISSIONS)
    for key, _label in page.context["tabs"]:
        response = client.get(f"/customers/{book.mine.pk}/tab/{key}/")
        assert response.status_code == 200, key
        assert book.mine.mobile not in response.content.decode()


def test_a_name_search_lists_its_matches_by_aum_with_their_total(book, client):
    """The default order of a search result is AUM, highest first, and the total counts every match."""
    for customer, aum in ((book.mine, "1000"), (book.mine2, "900000")):
        customer.figures.aum = aum
        customer.figures.save()
    extra = [CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, name=f"张{i}") for i in range(25)]
    client.force_login(book.bank.north_manager)
    response = client.get("/customers/org/", {"q": "张"})
    table = response.context["table"]
    assert table.paginator.count == 2 + len(extra)
    assert [row.record.cif for row in table.page.object_list][:2] == ["C101", "C100"]
    assert "Showing 1 to 20 of 27" in response.content.decode()
    # The other customers of the scope and the other surnames are not counted.
    assert client.get("/customers/org/", {"q": "李"}).context["table"].paginator.count == 1


def test_an_empty_list_says_there_is_nothing_to_show(book, client):
    client.force_login(book.bank.north_manager)
    response = client.get("/customers/org/", {"q": "没有这个人"}, headers={"HX-Request": "true"})
    assert response.context["table"].paginator.count == 0
    assert 'data-testid="empty"' in response.content.decode()
