"""Issue 11, point 10: customer pages and API calls answer bad input with a clear error naming
the field — never a 500 (CUS-12 merge page, CUS-09 co-managers and transfers, CUS-08 households)."""

import pytest
from rest_framework.test import APIClient

from steward.customers import services
from steward.customers.models import CoManager
from steward.testing import grant


@pytest.fixture
def manager(book):
    grant(book.bank.north_manager, "customers.customer:merge", scope="subtree")
    return book.bank.north_manager


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_merge_page_without_a_survivor_shows_the_form_to_choose_one(book, manager, client):
    """CUS-12: "Merge into…" on the 360° view opens a page asking for the surviving customer."""
    client.force_login(manager)
    detail = client.get(f"/customers/{book.mine2.pk}/").content.decode()
    assert f'href="/customers/{book.mine2.pk}/merge/"' in detail
    response = client.get(f"/customers/{book.mine2.pk}/merge/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="merge-survivor"' in page and 'data-testid="merge-confirm"' not in page
    preview = client.get(f"/customers/{book.mine2.pk}/merge/", {"survivor": "C100"}).content.decode()
    assert 'data-testid="merge-preview"' in preview and 'value="C100"' in preview


def test_merging_without_a_survivor_says_so(book, manager, client):
    """CUS-12: posting the merge without a survivor is a message, not an error page."""
    client.force_login(manager)
    response = client.post(f"/customers/{book.mine2.pk}/merge/", {}, follow=True)
    assert response.status_code == 200
    assert "Enter the surviving customer" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "²", "-1", "99999999", "1" * 40, ""])
def test_removing_a_co_manager_by_a_bad_id_is_a_clear_error(book, client, value):
    """CUS-09: a non-numeric, unknown or foreign co-manager id on the page names the field."""
    CoManager.objects.create(customer=book.mine, user=book.bank.north_rm2)
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{book.mine.pk}/co-managers/", {"remove": value}, follow=True)
    assert response.status_code == 200
    assert "Co-manager: choose one of this customer" in response.content.decode()
    assert CoManager.objects.filter(customer=book.mine).count() == 1


def test_removing_someone_who_is_no_co_manager_is_refused(book, client):
    """CUS-09: the id of an employee who does not co-manage this customer is an error too."""
    CoManager.objects.create(customer=book.colleague, user=book.bank.north_rm)
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{book.mine2.pk}/co-managers/", {"remove": book.bank.north_rm.pk}, follow=True)
    assert "Co-manager: choose one of this customer" in response.content.decode()
    assert CoManager.objects.count() == 1


@pytest.mark.parametrize(("value", "reason"), [("abc", "Incorrect type"), ("99999999", "does not exist")])
def test_the_co_manager_api_names_the_field_for_a_bad_id(book, value, reason):
    """CUS-09 / PLT-11: adding or removing a co-manager by a bad user id is a 400 on `user`."""
    api = api_for(book.bank.north_manager)
    for path in ("co-managers/", "co-managers/remove/"):
        response = api.post(f"/api/v1/customers/{book.mine.pk}/{path}", {"user": value}, format="json")
        assert response.status_code == 400, response.content
        assert reason in response.json()["user"][0]


def test_the_co_manager_api_adds_and_removes(book):
    """CUS-09 / PLT-11: the API adds a co-manager in scope and removes them again."""
    api = api_for(book.bank.north_manager)
    url = f"/api/v1/customers/{book.mine.pk}/co-managers/"
    assert api.post(url, {"user": book.bank.north_rm2.pk}, format="json").status_code == 200
    removed = api.post(f"{url}remove/", {"user": book.bank.north_rm2.pk}, format="json")
    assert removed.status_code == 200 and removed.json() == []
    again = api.post(f"{url}remove/", {"user": book.bank.north_rm2.pk}, format="json")
    assert again.status_code == 400 and "does not co-manage" in again.json()["user"][0]


def test_a_household_member_by_a_bad_id_is_a_clear_error(book, client):
    """CUS-08: removing or promoting a household member by a bad id ("²" passes str.isdigit but
    not int) is a message, not a 500."""
    household = services.create_household(book.bank.north_manager, book.mine)
    client.force_login(book.bank.north_manager)
    for value in ("²", "abc", "1" * 40):
        for key in ("remove", "head"):
            response = client.post(f"/customers/households/{household.pk}/members/", {key: value}, follow=True)
            assert response.status_code == 200
            assert "No customer you can see has this number." in response.content.decode()


def test_a_transfer_naming_odd_digits_is_a_clear_error(book, client):
    """CUS-09: customer numbers like "²" (a digit to str.isdigit, not to int) or 40 digits (no
    database integer) are unknown customers, on the page and in the API."""
    api = api_for(book.bank.north_rm)
    client.force_login(book.bank.north_rm)
    for odd in ("²", "1" * 40):
        response = api.post(
            "/api/v1/customers/transfer/", {"customers": [odd], "new_owner": "NRM2", "reason": "x"}, format="json"
        )
        assert response.status_code == 400 and "customers" in response.json()
        response = client.post(
            "/customers/transfer/", {"customers": odd, "new_owner": book.bank.north_rm2.pk, "reason": "x"}
        )
        assert response.status_code == 200 and "customers" in response.context["form"].errors


def test_tagging_a_selection_with_odd_ids_is_a_clear_error(book, client):
    """CUS-04: a bulk action on the customer list posting ids like "²" or 40 digits selects nothing
    and says so, instead of a 500."""
    grant(book.bank.north_rm, "tags.customertag:change", scope="own")
    client.force_login(book.bank.north_rm)
    for odd in ("²", "1" * 40):
        response = client.post(
            "/tags/bulk/tag-add/", {"ids": [odd], "source": "/customers/", "target": "1"}, follow=True
        )
        assert response.status_code == 200
        assert "Select at least one row" in response.content.decode()
        response = client.post(
            "/tags/bulk/tag-add/", {"ids": [book.mine.pk], "source": "/customers/", "target": odd}, follow=True
        )
        assert response.status_code == 200
        assert "Choose an active manual tag." in response.content.decode()
