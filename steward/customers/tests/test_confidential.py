"""CUS-10: a confidential customer is visible only to its owner and explicit grantees —
absent from everyone else's lists, search, counts, exports and API, administrators included."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook
from rest_framework.test import APIClient

from steward.customers import services
from steward.customers.models import ConfidentialGrant, Customer


@pytest.fixture
def secret(book):
    services.set_confidential(book.bank.north_manager, book.colleague, True)
    book.colleague.refresh_from_db()
    return book.colleague


def everything_seen_by(user, client):
    """Every path a customer can be seen through: lists, search, count, export, API, detail."""
    client.force_login(user)
    seen = set()
    for url in ("/customers/", "/customers/related/", "/customers/org/", "/customers/unassigned/"):
        response = client.get(url)
        if response.status_code == 200:
            seen |= {row.record.cif for row in response.context["table"].page.object_list}
            seen |= {row.record.cif for row in client.get(url, {"q": "李四"}).context["table"].page.object_list}
            export = client.get(url, {"export": "xlsx"})
            if export.status_code == 200:
                sheet = load_workbook(BytesIO(export.content)).active
                seen |= {c for row in sheet.iter_rows(values_only=True) for c in row if c in ("C200",)}
    api = APIClient()
    api.force_authenticate(user)
    seen |= {c["cif"] for c in api.get("/api/v1/customers/", {"page_size": 500}).json().get("results", [])}
    seen |= {c["cif"] for c in api.get("/api/v1/customers/", {"q": "C200"}).json().get("results", [])}
    return seen


def test_a_confidential_customer_leaks_through_no_path(book, secret, client):
    admin, manager = book.bank.admin, book.bank.north_manager
    # The manager who marked it keeps access through an explicit grant; the owner sees it.
    assert "C200" in everything_seen_by(manager, client)
    assert "C200" in everything_seen_by(book.bank.north_rm2, client)
    # An administrator (superuser) and a supervisor without a grant see it nowhere.
    services.revoke_confidential_access(manager, secret, manager)
    for user in (admin, manager):
        seen = everything_seen_by(user, client)
        assert "C200" not in seen
        assert "C100" in seen  # … while seeing the rest
        assert Customer.objects.visible_to(user, "customers.customer:view").filter(cif="C200").count() == 0
        client.force_login(user)
        assert client.get(f"/customers/{secret.pk}/").status_code == 404
        assert client.get(f"/customers/{secret.pk}/tab/profile/").status_code == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(f"/api/v1/customers/{secret.pk}/").status_code == 404
    # Counts in aggregates: the org list's total leaves it out.
    client.force_login(admin)
    assert client.get("/customers/org/").context["table"].paginator.count == 4


def test_an_explicit_grant_opens_it_to_one_person(book, secret, client):
    services.revoke_confidential_access(book.bank.north_manager, secret, book.bank.north_manager)
    admin = book.bank.admin
    assert "C200" not in everything_seen_by(admin, client)
    # Only a holder of the confidential permission who can see the customer may grant access.
    with pytest.raises(PermissionDenied):
        services.grant_confidential_access(book.bank.north_manager, secret, admin)
    ConfidentialGrant.objects.create(customer=secret, user=book.bank.north_manager)
    services.grant_confidential_access(book.bank.north_manager, secret, admin)
    assert "C200" in everything_seen_by(admin, client)


def test_only_holders_of_the_permission_set_the_flag(book, client):
    with pytest.raises(PermissionDenied):
        services.set_confidential(book.bank.north_rm, book.mine, True)
    client.force_login(book.bank.north_manager)
    response = client.post(f"/customers/{book.mine.pk}/confidential/", {"confidential": "1"})
    assert response.status_code == 302
    book.mine.refresh_from_db()
    assert book.mine.is_confidential
    assert client.get(f"/customers/{book.mine.pk}/").status_code == 200  # the setter keeps access


def test_the_api_flags_and_hides(book):
    api = APIClient()
    api.force_authenticate(book.bank.north_manager)
    response = api.post(f"/api/v1/customers/{book.mine.pk}/confidential/", {"confidential": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_confidential"] is True
    other = APIClient()
    other.force_authenticate(book.bank.admin)
    assert other.get(f"/api/v1/customers/{book.mine.pk}/").status_code == 404
