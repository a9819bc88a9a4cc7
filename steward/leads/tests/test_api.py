"""PLT-03 / PLT-11 for /api/v1/leads/ (LEAD-01): each endpoint refuses a caller lacking its
permission (holding every other one) and serves a caller holding only what it needs; anonymous
callers get 401; odd filters answer 200/400, never 500. Referenced from
steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.leads.models import Lead, LeadPool
from steward.leads.permissions import ADD, CLAIM, FEED, VIEW
from steward.testing import grant

ENDPOINTS = [
    ("get", "/api/v1/leads/", VIEW),
    ("get", "/api/v1/leads/{lead}/", VIEW),
    ("post", "/api/v1/leads/", ADD),
    ("post", "/api/v1/leads/feed/", FEED),
    ("post", "/api/v1/leads/{lead}/claim/", CLAIM),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, p in ENDPOINTS]


@pytest.fixture
def one_lead(bank):
    pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="总行公共池", org=bank.head)
    return Lead.objects.create(
        name="已有线索", mobile="13800138000", org=bank.head, pool=pool, source=Lead.Source.CHANNEL
    )


def request(user, method, url):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if url.endswith("/feed/"):
        body = {
            "channel": "mobile_banking",
            "leads": [{"name": "新线索", "mobile": "13912345678", "channel_ref": "X1"}],
        }
        return api.post(url, body, format="json")
    if url.endswith("/claim/"):
        return api.post(url)
    if method == "post":
        return api.post(url, {"name": "新线索", "mobile": "13912345678"}, format="json")
    return api.get(url)


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(bank, one_lead, method, url, permission):
    admin = bank.admin
    grant(admin, *(set(registry.permissions) - {permission}), scope="all", org=bank.head)
    assert request(admin, method, url.format(lead=one_lead.pk)).status_code == 403
    assert Lead.objects.count() == 1 and Lead.objects.get().holder is None


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(bank, one_lead, method, url, permission):
    admin = bank.admin
    grant(admin, permission, scope="all", org=bank.head)
    response = request(admin, method, url.format(lead=one_lead.pk))
    assert 200 <= response.status_code < 300, response.content
    if url.endswith("/claim/"):
        assert Lead.objects.get().holder == admin
    else:
        assert Lead.objects.count() == (2 if method == "post" else 1)


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(bank, one_lead, method, url, permission):
    assert request(None, method, url.format(lead=one_lead.pk)).status_code == 401


def test_the_list_answers_odd_filters_without_500_and_masks_the_number(bank, one_lead):
    grant(bank.admin, VIEW, scope="all", org=bank.head)
    api = APIClient()
    api.force_authenticate(bank.admin)
    for query in ("stage=nope", "org=x", "holder=%00", "ordering=mobile", "page=999", "source=1"):
        assert api.get(f"/api/v1/leads/?{query}").status_code in (200, 400, 404), query
    row = api.get("/api/v1/leads/").json()["results"][0]
    assert row["mobile"] != "13800138000" and row["mobile"].endswith("8000")
    assert "mobile_index" not in row and "id_number_index" not in row
    assert api.get("/api/v1/leads/999999/").status_code == 404
    assert api.put(f"/api/v1/leads/{one_lead.pk}/", {}, format="json").status_code == 405
