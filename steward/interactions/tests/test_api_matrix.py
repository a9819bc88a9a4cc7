"""PLT-03 / PLT-11 for /api/v1/interactions/: each endpoint refuses a caller lacking its permission
(holding every other one) and serves a caller holding only what it needs; anonymous callers get
401. Referenced from steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.interactions.models import Interaction
from steward.interactions.tests.factories import InteractionFactory
from steward.testing import grant

VIEW = "interactions.interaction:view"
ADD = "interactions.interaction:add"
CREATE = {"customer_number": "C100", "channel": "call", "direction": "outbound", "outcome": "reached"}

# (method, url, payload, the permission under test)
ENDPOINTS = [
    ("get", "/api/v1/interactions/", None, VIEW),
    ("get", "/api/v1/interactions/{i}/", None, VIEW),
    ("post", "/api/v1/interactions/", CREATE, ADD),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, _d, p in ENDPOINTS]


@pytest.fixture
def interaction(book):
    return InteractionFactory(customer=book.mine)


def call(user, method, url, payload):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return getattr(api, method)(url, payload, format="json") if payload is not None else getattr(api, method)(url)


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(book, interaction, method, url, payload, permission):
    admin = book.bank.admin
    grant(admin, *(set(registry.permissions) - {permission}), scope="all", org=book.bank.head)
    response = call(admin, method, url.format(i=interaction.pk), payload)
    assert response.status_code == 403, response.content
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(book, interaction, method, url, payload, permission):
    admin = book.bank.admin
    grant(admin, permission, scope="all", org=book.bank.head)
    response = call(admin, method, url.format(i=interaction.pk), payload)
    assert 200 <= response.status_code < 300, response.content
    assert Interaction.objects.count() == (2 if method == "post" else 1)


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(book, interaction, method, url, payload, permission):
    assert call(None, method, url.format(i=interaction.pk), payload).status_code == 401


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_contact_is_never_changed_or_deleted(book, interaction, method):
    admin = book.bank.admin
    grant(admin, *registry.permissions, scope="all", org=book.bank.head)
    response = call(admin, method, f"/api/v1/interactions/{interaction.pk}/", {"summary": "改"})
    assert response.status_code == 405
    assert Interaction.objects.get().summary == interaction.summary
