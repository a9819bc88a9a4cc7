"""CUS-12: a merged customer's number is an alias of the survivor — the survivor's 360° view lists
the numbers merged into it, and the quick search by an old number finds the survivor (in scope)."""

import pytest

from steward.customers import merging
from steward.customers.filters import quick_search
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(book):
    """C101 (and a digits-only number, 880001) merged into C100, the north RM's customer."""
    grant(book.bank.north_manager, "customers.customer:merge", scope="subtree")
    digits = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif="880001")
    merging.merge_customers(book.bank.north_manager, [book.mine2, digits], book.mine)
    return book.mine


def test_the_survivors_view_lists_the_numbers_merged_into_it(book, merged, client):
    """CUS-12: the survivor's header says which customer numbers now lead to it."""
    client.force_login(book.bank.north_rm)
    page = client.get(f"/customers/{merged.pk}/").content.decode()
    assert 'data-testid="merged-numbers"' in page
    assert "Merged customer numbers: 880001, C101" in page
    plain = CustomerFactory(org=book.bank.north_team, owner=book.bank.north_rm, cif="C150")
    other = client.get(f"/customers/{plain.pk}/")
    assert other.status_code == 200 and 'data-testid="merged-numbers"' not in other.content.decode()


@pytest.mark.parametrize("old_number", ["C101", "880001"])
def test_quick_search_by_a_merged_number_finds_the_survivor(book, merged, old_number):
    """CUS-12: searching the old number (letters and digits, or digits only) finds the survivor."""
    found = quick_search(Customer.objects.visible_to(book.bank.north_rm, "customers.customer:view"), old_number)
    assert merged.pk in set(found.values_list("pk", flat=True))


def test_the_lists_and_the_api_find_the_survivor_by_an_old_number_only_in_scope(book, merged, client):
    """CUS-12, PLT-04: the customer list and the API answer an old number with the survivor for a
    user who may see it, and with nothing for a user outside the survivor's scope."""
    client.force_login(book.bank.north_rm)
    page = client.get("/customers/?q=C101").content.decode()
    assert f"/customers/{merged.pk}/" in page
    api = client.get("/api/v1/customers/?q=C101").json()["results"]
    assert merged.pk in [row["id"] for row in api]

    client.force_login(book.bank.south_rm)
    assert f"/customers/{merged.pk}/" not in client.get("/customers/?q=C101").content.decode()
    assert client.get("/api/v1/customers/?q=C101").json()["results"] == []
