"""The Django admin of merge aliases and ownership conflicts: read-only and within data scope."""

import pytest

from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerAliasFactory, CustomerFactory, OwnershipConflictFactory
from steward.testing import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_manager(bank):
    bank.north_manager.is_staff = True
    bank.north_manager.save(update_fields=["is_staff"])
    return bank.north_manager


def _merged_alias(org, owner, survivor_cif, merged_cif):
    survivor = CustomerFactory(org=org, owner=owner, cif=survivor_cif)
    merged = CustomerFactory(org=org, owner=owner, cif=merged_cif, status=Customer.Status.MERGED, merged_into=survivor)
    return CustomerAliasFactory(customer=survivor, merged_customer=merged)


def test_aliases_are_listed_read_only_within_the_managers_scope(bank, client, staff_manager):
    """CUS-12: a staff branch manager sees the aliases of their branch's customers, not another
    branch's, and the admin offers no way to add, change or delete one."""
    grant(staff_manager, "customers.customer:merge", scope="subtree", org=bank.north)
    north = _merged_alias(bank.north_team, bank.north_rm, "N-SURV", "N-DUP")
    south = _merged_alias(bank.south_team, bank.south_rm, "S-SURV", "S-DUP")
    client.force_login(staff_manager)

    page = client.get("/django-admin/customers/customeralias/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "N-DUP" in text and "S-DUP" not in text
    assert client.get(f"/django-admin/customers/customeralias/{south.pk}/change/").status_code == 302  # not found
    detail = client.get(f"/django-admin/customers/customeralias/{north.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/django-admin/customers/customeralias/add/").status_code == 403
    assert client.post(f"/django-admin/customers/customeralias/{north.pk}/delete/").status_code == 403
    assert client.post(f"/django-admin/customers/customeralias/{north.pk}/change/", {"cif": "X"}).status_code == 403


def test_conflicts_are_listed_read_only_within_scope_and_need_the_permission(bank, client, staff_manager):
    """CUS-09: ownership conflicts in the admin: only with the resolve permission, only in scope, read-only."""
    north = OwnershipConflictFactory(
        customer=CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif="N-CONF"), file_owner=bank.north_rm2
    )
    OwnershipConflictFactory(
        customer=CustomerFactory(org=bank.south_team, owner=bank.south_rm, cif="S-CONF"), file_owner=bank.north_rm2
    )
    client.force_login(staff_manager)
    assert client.get("/django-admin/customers/ownershipconflict/").status_code == 403  # no permission yet

    grant(staff_manager, "customers.ownership_conflict:resolve", scope="subtree", org=bank.north)
    text = client.get("/django-admin/customers/ownershipconflict/").content.decode()
    assert "N-CONF" in text and "S-CONF" not in text
    detail = client.get(f"/django-admin/customers/ownershipconflict/{north.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/django-admin/customers/ownershipconflict/add/").status_code == 403
    assert client.post(f"/django-admin/customers/ownershipconflict/{north.pk}/delete/").status_code == 403
