"""CUS-12 merging duplicates: everything moves to the survivor, the duplicate stays as MERGED, one audit entry."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import (
    CoManager,
    ConfidentialGrant,
    Customer,
    CustomerNote,
    CustomerRelation,
    HouseholdMember,
    OwnershipChange,
)
from steward.holdings.models import Account, DailyBalance, Product, ProductCategory
from steward.testing import grant

MERGE = "customers.customer:merge"


@pytest.fixture
def merger(book):
    grant(book.bank.north_manager, MERGE, scope="subtree")
    return book.bank.north_manager


def _account(customer, number):
    category = ProductCategory.objects.first() or ProductCategory.objects.create(code="dep", name="存款")
    product, _ = Product.objects.get_or_create(code="P1", defaults={"name": "活期", "category": category})
    account = Account.objects.create(number=number, customer=customer, product=product)
    DailyBalance.objects.create(
        account=account, customer=customer, data_date=dt.date(2026, 11, 20), balance=Decimal("10.00")
    )
    return account


def _load(book, manager):
    """Give the duplicate (C101) something of every kind."""
    dup = book.mine2
    _account(dup, "6222000000000001")
    _account(dup, "6222000000000002")
    _account(book.mine, "6222000000000003")
    services.add_note(book.bank.north_rm, dup, "喜欢理财")
    services.add_note(book.bank.north_rm, book.mine, "老客户")
    services.add_relation(manager, dup, "parent", related_customer=book.colleague)
    services.add_co_manager(manager, dup, book.bank.north_rm2)
    services.assign_owner(manager, [dup], book.bank.north_rm2, reason="调整")
    ConfidentialGrant.objects.create(customer=dup, user=book.bank.south_rm, granted_by=manager)
    services.create_household(manager, dup, name="张家")


def _kinds(customer):
    return {
        "accounts": Account.objects.filter(customer=customer).count(),
        "balances": DailyBalance.objects.filter(customer=customer).count(),
        "notes": CustomerNote.objects.filter(customer=customer).count(),
        "relations": CustomerRelation.objects.filter(customer=customer).count(),
        "co_managers": CoManager.objects.filter(customer=customer).count(),
        "ownership": OwnershipChange.objects.filter(customer=customer).count(),
        "grants": ConfidentialGrant.objects.filter(customer=customer).count(),
        "household": HouseholdMember.objects.filter(customer=customer).count(),
    }


def test_merging_moves_everything_to_the_survivor_and_keeps_the_duplicate(book, merger):
    _load(book, merger)
    dup, survivor = book.mine2, book.mine
    before = {k: _kinds(dup)[k] + _kinds(survivor)[k] for k in _kinds(dup)}
    preview = services.merge_preview(merger, dup, survivor)
    assert preview["accounts"] == 2 and preview["notes"] == 1 and preview["household"] == 1
    moved = services.merge_customers(merger, dup, survivor)
    assert _kinds(survivor) == before
    assert set(_kinds(dup).values()) == {0}
    dup.refresh_from_db()
    assert dup.status == Customer.Status.MERGED and dup.merged_into == survivor
    entry = AuditEntry.objects.get(action="customers.merged")
    assert sorted(entry.changes["moved"]["accounts"]) == sorted(moved["accounts"]) and len(moved["accounts"]) == 2
    # The household now has the survivor as its head; the relation's counterpart points at the survivor.
    assert HouseholdMember.objects.get(customer=survivor).household.head == survivor
    assert CustomerRelation.objects.get(customer=book.colleague).related_customer == survivor


def test_refusals(book, merger):
    with pytest.raises(DomainError):
        services.merge_customers(merger, book.mine, book.mine)
    services.merge_customers(merger, book.mine2, book.mine)
    with pytest.raises(DomainError):
        services.merge_customers(merger, book.colleague, book.mine2)  # into a merged customer
    with pytest.raises(PermissionDenied):
        services.merge_customers(merger, book.colleague, book.south)  # outside the scope
    with pytest.raises(PermissionDenied):
        services.merge_customers(book.bank.north_rm, book.colleague, book.mine)  # no merge permission


def test_a_failure_half_way_rolls_back_everything(book, merger):
    _load(book, merger)
    dup, survivor = book.mine2, book.mine
    before = (_kinds(dup), _kinds(survivor))
    boom = mock.patch("steward.customers.services.log_event", side_effect=RuntimeError("boom"))
    with boom, pytest.raises(RuntimeError):
        services.merge_customers(merger, dup, survivor)
    assert (_kinds(dup), _kinds(survivor)) == before
    dup.refresh_from_db()
    assert dup.status == Customer.Status.ACTIVE and dup.merged_into is None


def test_the_merge_page_previews_then_merges(book, merger, client):
    CustomerNote.objects.create(customer=book.mine2, author=merger, body="x", created_at=timezone.now())
    client.force_login(merger)
    page = client.get(f"/customers/{book.mine2.pk}/merge/", {"survivor": "C100"})
    assert page.status_code == 200 and page.context["preview"]["notes"] == 1
    assert client.get(f"/customers/{book.mine2.pk}/merge/", {"survivor": "C300"}).context["error"]
    response = client.post(f"/customers/{book.mine2.pk}/merge/", {"survivor": "C100"})
    assert response.status_code == 302 and response.url == book.mine.get_absolute_url()
    assert Customer.objects.get(pk=book.mine2.pk).merged_into == book.mine
    # The merged record stays, pointing at its survivor.
    assert 'data-testid="merged-into"' in client.get(f"/customers/{book.mine2.pk}/").content.decode()
    # Without the permission the page is refused.
    client.force_login(book.bank.north_rm)
    assert client.get(f"/customers/{book.mine.pk}/merge/").status_code == 403
