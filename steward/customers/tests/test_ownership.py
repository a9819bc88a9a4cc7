"""CUS-09: transfers and allocations through the approvals engine, history, and leavers' customers."""

import pytest
from rest_framework.test import APIClient

from steward.access.models import RoleAssignment
from steward.approvals import services as approvals
from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import CoManager, Customer, OwnershipChange
from steward.org.services import set_employee_status
from steward.testing import EmployeeFactory, grant, make_role


def test_a_transfer_moves_ownership_only_when_the_supervisor_approves(book, client):
    bank = book.bank
    client.force_login(bank.north_rm)
    response = client.post(
        "/customers/transfer/", {"customers": "C100, C101", "new_owner": bank.north_rm2.pk, "reason": "调岗"}
    )
    assert response.status_code == 302
    application = approvals.my_applications(bank.north_rm).get()
    assert application.type == "customers.transfer"
    assert set(Customer.objects.filter(owner=bank.north_rm).values_list("cif", flat=True)) == {"C100", "C101"}

    approvals.approve(bank.north_manager, application)

    assert set(Customer.objects.filter(owner=bank.north_rm2).values_list("cif", flat=True)) == {"C100", "C101", "C200"}
    change = OwnershipChange.objects.get(customer=book.mine)
    assert (change.kind, change.from_owner, change.to_owner, change.changed_by, change.reason) == (
        "transfer",
        bank.north_rm,
        bank.north_rm2,
        bank.north_manager,
        "调岗",
    )
    assert change.application == application
    client.force_login(bank.north_rm2)
    assert "调岗" in client.get(f"/customers/{book.mine.pk}/tab/ownership/").content.decode()


def test_a_rejected_transfer_changes_nothing(book):
    application = services.request_transfer(book.bank.north_rm, [book.mine], book.bank.north_rm2, reason="调岗")
    approvals.reject(book.bank.north_manager, application, comment="不同意")
    book.mine.refresh_from_db()
    assert book.mine.owner == book.bank.north_rm
    assert not OwnershipChange.objects.exists()


def test_customers_outside_my_scope_cannot_be_requested(book):
    with pytest.raises(DomainError) as caught:
        services.request_transfer(book.bank.north_rm, [book.south], book.bank.north_rm2, reason="抢客户")
    assert caught.value.field == "customers"


def test_a_transfer_through_the_api(book):
    api = APIClient()
    api.force_authenticate(book.bank.north_rm)
    response = api.post(
        "/api/v1/customers/transfer/",
        {"customers": ["C100"], "new_owner": book.bank.north_rm2.employee_no, "reason": "调岗"},
        format="json",
    )
    assert response.status_code == 201, response.content
    bad = api.post(
        "/api/v1/customers/transfer/", {"customers": ["C300"], "new_owner": "NRM2", "reason": "x"}, format="json"
    )
    assert bad.status_code == 400 and "customers" in bad.json()


def test_an_allocation_request_gives_unassigned_customers_to_the_requester(book, client):
    bank = book.bank
    client.force_login(bank.north_rm)
    assert client.post("/customers/allocation/", {"customers": "C100", "reason": "x"}).status_code == 200  # owned
    response = client.post("/customers/allocation/", {"customers": "C400", "reason": "老客户介绍"})
    assert response.status_code == 302
    application = approvals.my_applications(bank.north_rm).get()
    approvals.approve(bank.north_manager, application)
    book.unassigned.refresh_from_db()
    assert book.unassigned.owner == bank.north_rm
    assert OwnershipChange.objects.get(customer=book.unassigned).kind == "allocation"


def lead_role(user, code, org):
    return RoleAssignment.objects.create(user=user, role=make_role(code=code), org=org, scope="team")


def test_a_leavers_customers_go_to_their_team_lead_in_one_step(book):
    bank = book.bank
    lead = EmployeeFactory(org=bank.north_team, name="组长")
    lead_role(lead, "team_lead", bank.north_team)
    hr = EmployeeFactory(org=bank.head)
    grant(hr, "org.employee:change", scope="all", org=bank.head)
    CoManager.objects.create(customer=book.colleague, user=bank.north_rm)

    set_employee_status(hr, bank.north_rm, "left")

    assert set(Customer.objects.filter(owner=lead).values_list("cif", flat=True)) == {"C100", "C101"}
    assert not CoManager.objects.filter(user=bank.north_rm).exists()
    changes = OwnershipChange.objects.filter(kind="leaver")
    assert changes.count() == 2 and {c.changed_by for c in changes} == {hr}


def test_without_a_team_lead_the_branch_manager_inherits_else_nobody(book):
    bank = book.bank
    manager_role = make_role(code="branch_manager")
    RoleAssignment.objects.create(user=bank.north_manager, role=manager_role, org=bank.north, scope="subtree")
    hr = EmployeeFactory(org=bank.head)
    grant(hr, "org.employee:change", scope="all", org=bank.head)
    set_employee_status(hr, bank.north_rm, "left")
    assert Customer.objects.get(cif="C100").owner == bank.north_manager
    set_employee_status(hr, bank.south_rm, "left")
    assert Customer.objects.get(cif="C300").owner is None  # unassigned at its org, listed for allocation


def test_a_supervisor_assigns_unassigned_customers_directly_and_manages_co_managers(book, client):
    bank = book.bank
    client.force_login(bank.north_manager)
    assert 'data-testid="assign"' in client.get("/customers/unassigned/").content.decode()
    response = client.post(
        "/customers/assign/", {"customers": "C400", "new_owner": bank.north_rm2.pk, "reason": "分配"}
    )
    assert response.status_code == 302
    book.unassigned.refresh_from_db()
    assert book.unassigned.owner == bank.north_rm2
    assert OwnershipChange.objects.get(customer=book.unassigned).kind == "manual"

    client.post(f"/customers/{book.mine.pk}/co-managers/", {"employee_no": bank.north_rm2.employee_no})
    assert list(CoManager.objects.filter(customer=book.mine).values_list("user", flat=True)) == [bank.north_rm2.pk]
    client.force_login(bank.north_rm2)
    assert book.mine.cif in {r.record.cif for r in client.get("/customers/related/").context["table"].page.object_list}
    # An RM cannot assign.
    assert (
        client.post(
            "/customers/assign/", {"customers": "C200", "new_owner": bank.north_rm.pk, "reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(bank.north_manager)
    client.post(f"/customers/{book.mine.pk}/co-managers/", {"remove": bank.north_rm2.pk})
    assert not CoManager.objects.filter(customer=book.mine).exists()
