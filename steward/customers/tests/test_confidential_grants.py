"""CUS-10: the access grants of a confidential customer — a page (and the API) to list them, grant
an employee access with an optional last day, and revoke it; audited; only for holders of the
confidential permission. An expired or revoked grant opens nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.models import ConfidentialGrant, Customer
from steward.customers.tests.conftest import SUPERVISOR_PERMISSIONS
from steward.testing import EmployeeFactory, grant

VIEW = "customers.customer:view"
CONFIDENTIAL = "customers.customer:confidential"


@pytest.fixture
def secret(book):
    """李四 (C200, north_rm2's customer), marked confidential by the north manager."""
    services.set_confidential(book.bank.north_manager, book.colleague, True)
    book.colleague.refresh_from_db()
    return book.colleague


@pytest.fixture
def deputy(book):
    """A deputy of the north branch: sees the branch's customers, may not manage confidentiality."""
    employee = EmployeeFactory(employee_no="NDM", name="北方副行长", org=book.bank.north)
    grant(employee, *(p for p in SUPERVISOR_PERMISSIONS if p != CONFIDENTIAL), scope="subtree")
    return employee


def sees(user, customer, client) -> bool:
    """Whether `user` finds `customer` — in the data scope, on its page and in the org list."""
    client.force_login(user)
    scoped = Customer.objects.visible_to(user, VIEW).filter(pk=customer.pk).exists()
    page = client.get(f"/customers/{customer.pk}/").status_code
    listed = customer.cif in {row.record.cif for row in client.get("/customers/org/").context["table"].page.object_list}
    assert scoped == (page == 200) == listed, (scoped, page, listed)
    return scoped


def grants_page(client, customer):
    return client.get(f"/customers/{customer.pk}/confidential/grants/")


def test_outsider_sees_nothing_a_grant_opens_and_a_revoke_closes(book, secret, deputy, client):
    """CUS-10: an outsider sees nothing; a grant from the page opens the customer; revoking closes it."""
    manager = book.bank.north_manager
    assert not sees(deputy, secret, client)

    client.force_login(manager)
    detail = client.get(f"/customers/{secret.pk}/").content.decode()
    assert 'data-testid="confidential-grants"' in detail  # the header links to the grants page
    page = grants_page(client, secret)
    assert page.status_code == 200
    assert 'data-testid="grant-NBM"' in page.content.decode()  # who marked it keeps a grant

    response = client.post(
        f"/customers/{secret.pk}/confidential/grant/",
        {"employee_no": "NDM", "next": f"/customers/{secret.pk}/confidential/grants/"},
        follow=True,
    )
    assert "北方副行长 (NDM) may now see this customer." in response.content.decode()
    assert 'data-testid="grant-NDM"' in response.content.decode()
    assert sees(deputy, secret, client)

    client.force_login(manager)
    response = client.post(
        f"/customers/{secret.pk}/confidential/revoke/", {"user": deputy.pk, "next": "/"}, follow=True
    )
    assert "北方副行长 (NDM) no longer sees this customer." in response.content.decode()
    assert not sees(deputy, secret, client)
    actions = list(AuditEntry.objects.filter(object_id=str(secret.pk)).values_list("action", flat=True))
    assert "customers.confidential_granted" in actions and "customers.confidential_revoked" in actions


def test_a_grant_ends_after_its_last_day(book, secret, deputy, client):
    """CUS-10: a grant with an expiry date opens the customer through that day and not after."""
    today = timezone.localdate()
    client.force_login(book.bank.north_manager)
    client.post(f"/customers/{secret.pk}/confidential/grant/", {"employee_no": "NDM", "expires_on": today.isoformat()})
    held = ConfidentialGrant.objects.get(customer=secret, user=deputy)
    assert held.expires_on == today
    assert sees(deputy, secret, client)  # the last day still counts
    assert not Customer.audit_hidden(deputy).filter(pk=secret.pk).exists()

    ConfidentialGrant.objects.filter(pk=held.pk).update(expires_on=today - dt.timedelta(days=1))
    assert not sees(deputy, secret, client)
    assert Customer.audit_hidden(deputy).filter(pk=secret.pk).exists()  # its name leaves the trail too
    assert list(ConfidentialGrant.objects.filter(customer=secret).in_force(today + dt.timedelta(days=400))) == [
        ConfidentialGrant.objects.get(customer=secret, user=book.bank.north_manager)
    ]
    client.force_login(book.bank.north_manager)
    assert "expired" in grants_page(client, secret).content.decode()

    # Granting again gives a new end date.
    services.grant_confidential_access(book.bank.north_manager, secret, deputy, expires_on=today + dt.timedelta(days=7))
    assert sees(deputy, secret, client)


def test_only_holders_of_the_confidential_permission_manage_grants(book, secret, deputy, client):
    """CUS-10: the owner RM and a supervisor without the permission get 403; a holder of the
    permission who may not see the customer gets 404, the page as well as the actions."""
    services.grant_confidential_access(book.bank.north_manager, secret, deputy)
    for user in (book.bank.north_rm2, deputy):
        client.force_login(user)
        assert client.get(f"/customers/{secret.pk}/").status_code == 200
        assert 'data-testid="confidential-grants"' not in client.get(f"/customers/{secret.pk}/").content.decode()
        assert grants_page(client, secret).status_code == 403
        assert client.post(f"/customers/{secret.pk}/confidential/grant/", {"employee_no": "NDM"}).status_code == 403
        assert client.post(f"/customers/{secret.pk}/confidential/revoke/", {"user": deputy.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.revoke_confidential_access(book.bank.north_rm2, secret, deputy)

    # Another holder of the permission, without a grant: the customer does not exist for them.
    other = EmployeeFactory(employee_no="NBM2", org=book.bank.north)
    grant(other, *SUPERVISOR_PERMISSIONS, scope="subtree")
    client.force_login(other)
    assert grants_page(client, secret).status_code == 404
    assert client.post(f"/customers/{secret.pk}/confidential/grant/", {"employee_no": "NBM2"}).status_code == 404
    assert not ConfidentialGrant.objects.filter(user=other).exists()


def test_grants_that_would_mean_nothing_are_refused(book, secret, deputy):
    """CUS-10: no grant with a past end date, on a customer that is not confidential, to its own
    RM, or to an employee whose data scope does not reach the customer."""
    manager, today = book.bank.north_manager, timezone.localdate()
    refusals = [
        (secret, deputy, today - dt.timedelta(days=1), "The access end date has passed."),
        (book.mine, deputy, None, "The customer is not confidential"),
        (secret, book.bank.north_rm2, None, "is the customer's relationship manager"),
        (secret, book.bank.south_rm, None, "roles do not reach this customer"),
    ]
    for customer, user, until, message in refusals:
        with pytest.raises(DomainError, match=message):
            services.grant_confidential_access(manager, customer, user, expires_on=until)
    assert list(ConfidentialGrant.objects.values_list("user__employee_no", flat=True)) == ["NBM"]
    with pytest.raises(DomainError, match="holds no access grant"):
        services.revoke_confidential_access(manager, secret, deputy)


def test_revoking_ones_own_grant_leads_back_to_ones_list(book, secret, client):
    """CUS-10: who revokes their own grant loses the customer at once and lands on their list."""
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{secret.pk}/confidential/revoke/", {"user": book.bank.north_manager.pk})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert client.get(f"/customers/{secret.pk}/").status_code == 404


def test_the_api_lists_grants_and_revokes(book, secret, deputy):
    """CUS-10 / PLT-11: GET and POST …/confidential/grants/, POST …/confidential/grants/revoke/."""
    api = APIClient()
    api.force_authenticate(book.bank.north_manager)
    url = f"/api/v1/customers/{secret.pk}/confidential/grants/"
    assert [g["employee_no"] for g in api.get(url).json()] == ["NBM"]
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = api.post(url, {"user": deputy.pk, "expires_on": until}, format="json")
    assert response.status_code == 200, response.content
    row = next(g for g in response.json() if g["employee_no"] == "NDM")
    assert row["expires_on"] == until and row["in_force"] is True and row["granted_by"] == "NBM"
    past = api.post(url, {"user": deputy.pk, "expires_on": "2000-01-01"}, format="json")
    assert past.status_code == 400 and "expires_on" in past.json()
    assert api.post(url + "revoke/", {"user": deputy.pk}, format="json").status_code == 200
    assert not ConfidentialGrant.objects.filter(user=deputy).exists()

    outsider = APIClient()
    outsider.force_authenticate(book.bank.north_rm2)  # the owner, without the permission
    assert outsider.get(url).status_code == 403
    assert outsider.post(url, {"user": deputy.pk}, format="json").status_code == 403
