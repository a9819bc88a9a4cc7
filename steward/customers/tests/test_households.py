"""CUS-08 households: membership rules, AUM roll-up computed from members, scope on the household page."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import Household, HouseholdMember


def _aum(customer, amount):
    customer.figures.aum = Decimal(amount)
    customer.figures.save(update_fields=["aum"])


def test_a_household_groups_customers_and_totals_their_current_aum(book, client):
    manager = book.bank.north_manager
    household = services.create_household(manager, book.mine, name="张家")
    services.add_household_member(manager, household, book.mine2, "spouse")
    services.add_household_member(manager, household, book.colleague, "child")
    _aum(book.mine, "100.00")
    _aum(book.mine2, "250.50")
    _aum(book.colleague, "49.50")
    members, total = services.household_view(manager, household)
    assert [m.customer.cif for m in members][0] == "C100" and len(members) == 3
    assert total == Decimal("400.00")
    # Always current: a new AUM figure shows at once.
    _aum(book.colleague, "0.00")
    assert services.household_view(manager, household)[1] == Decimal("350.50")
    client.force_login(manager)
    page = client.get(household.get_absolute_url()).content.decode()
    assert "350.50" in page and "李四" in page
    assert book.mine.id_number not in page  # identity is masked
    assert AuditEntry.objects.filter(object_type__icontains="household").exists()


def test_a_customer_belongs_to_at_most_one_household_and_the_head_rules(book):
    manager = book.bank.north_manager
    first = services.create_household(manager, book.mine)
    services.add_household_member(manager, first, book.mine2, "spouse")
    with pytest.raises(DomainError):
        services.create_household(manager, book.mine2)
    with pytest.raises(DomainError):
        services.add_household_member(manager, first, book.colleague, "head")
    with pytest.raises(DomainError):
        services.remove_household_member(manager, first, book.mine)  # the head leaves last
    services.set_household_head(manager, first, book.mine2)
    first.refresh_from_db()
    assert first.head == book.mine2
    assert HouseholdMember.objects.get(customer=book.mine).role == "other"
    services.remove_household_member(manager, first, book.mine)
    services.remove_household_member(manager, first, book.mine2)
    assert not Household.objects.filter(pk=first.pk).exists()
    with pytest.raises(PermissionDenied):  # outside the RM's scope
        services.create_household(book.bank.north_rm, book.colleague)


def test_members_outside_the_viewers_scope_are_neither_shown_nor_counted(book, client):
    manager = book.bank.north_manager
    household = services.create_household(manager, book.mine, name="张家")
    services.add_household_member(manager, household, book.colleague, "spouse")
    _aum(book.mine, "100.00")
    _aum(book.colleague, "900.00")
    client.force_login(book.bank.north_rm)
    page = client.get(household.get_absolute_url()).content.decode()
    assert "张三" in page and "李四" not in page
    assert "¥100.00" in page and "1,000.00" not in page and "1000.00" not in page
    # The 360° view links to the household.
    tab = client.get(f"/customers/{book.mine.pk}/tab/household/").content.decode()
    assert household.get_absolute_url() in tab
    # Someone who sees no member sees no household.
    client.force_login(book.bank.south_rm)
    assert client.get(household.get_absolute_url()).status_code == 404


def test_the_household_buttons_call_the_services(book, client):
    client.force_login(book.bank.north_rm)
    response = client.post(f"/customers/{book.mine.pk}/household/create/", {"name": "张家"})
    assert response.status_code == 302
    household = Household.objects.get()
    client.post(f"/customers/households/{household.pk}/members/", {"cif": "C101", "role": "child"})
    assert HouseholdMember.objects.get(customer=book.mine2).role == "child"
    # Not visible to this RM: refused, nothing added.
    client.post(f"/customers/households/{household.pk}/members/", {"cif": "C200", "role": "child"})
    assert household.members.count() == 2
    client.post(f"/customers/households/{household.pk}/members/", {"head": book.mine2.pk})
    household.refresh_from_db()
    assert household.head == book.mine2


def test_only_someone_who_sees_the_household_may_add_to_it(book):
    manager = book.bank.north_manager
    household = services.create_household(manager, book.colleague)
    with pytest.raises(PermissionDenied):  # the RM sees none of its members
        services.add_household_member(book.bank.north_rm, household, book.mine, "spouse")
    assert household.members.count() == 1
