"""PLT-03 / PLT-11 for the leads' working endpoints (LEAD-04, LEAD-10, LEAD-11, LEAD-01): the
holder's follow-up, release and opportunity actions, the opportunities list, the protection rules
and the institutions — each refused without its permission (holding every other one), served with
only it, refused to anonymous callers; a user outside the scope sees nothing. Referenced from
steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.leads.handover import hand_over
from steward.leads.models import Institution, Lead, LeadPool, Opportunity, ProtectionRule
from steward.leads.permissions import FOLLOW_UP, POOL_CHANGE, POOL_VIEW, VIEW
from steward.testing import grant

ENDPOINTS = [
    ("post", "/api/v1/leads/{lead}/follow-up/", (FOLLOW_UP,)),
    ("post", "/api/v1/leads/{lead}/opportunity/", (FOLLOW_UP,)),
    ("post", "/api/v1/leads/{lead}/release/", (FOLLOW_UP,)),
    ("get", "/api/v1/lead-opportunities/", (VIEW,)),
    ("get", "/api/v1/lead-protection-rules/", (POOL_VIEW,)),
    ("post", "/api/v1/lead-protection-rules/", (POOL_CHANGE,)),
    ("get", "/api/v1/lead-institutions/", (POOL_VIEW,)),
    ("post", "/api/v1/lead-institutions/", (POOL_CHANGE,)),
]
IDS = [f"{m.upper()} {u}" for m, u, _p in ENDPOINTS]
BODIES = {
    "follow-up": {"channel": "call", "occurred_at": None, "outcome": "reached", "duration_seconds": 60},
    "opportunity": {"title": "理财", "amount": "100000.00"},
    "lead-protection-rules/": {"level": "high", "first_contact_days": 3},
    "lead-institutions/": {"code": "acme", "name": "某工资代发单位", "kind": "payroll"},
}


@pytest.fixture
def held(bank):
    pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="总行公共池", org=bank.head)
    lead = Lead.objects.create(name="已有线索", mobile="13800138000", org=bank.head, pool=pool, source="channel")
    hand_over(None, {bank.admin.pk: [lead.pk]})
    Institution.objects.create(code="old", name="合作机构", org=bank.head)
    return lead


def call(user, method, url, bank):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if method == "get":
        return api.get(url)
    body = next((dict(b) for key, b in BODIES.items() if key in url), {})
    if "occurred_at" in body:
        body["occurred_at"] = timezone.now().isoformat()
    if url.endswith("lead-institutions/") or url.endswith("lead-protection-rules/"):
        body["org"] = bank.head.pk
    return api.post(url, body, format="json")


@pytest.mark.parametrize(("method", "url", "permissions"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(bank, held, method, url, permissions):
    grant(bank.admin, *(set(registry.permissions) - set(permissions)), scope="all", org=bank.head)
    assert call(bank.admin, method, url.format(lead=held.pk), bank).status_code == 403


@pytest.mark.parametrize(("method", "url", "permissions"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(bank, held, method, url, permissions):
    grant(bank.admin, *permissions, scope="all", org=bank.head)
    response = call(bank.admin, method, url.format(lead=held.pk), bank)
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize(("method", "url", "permissions"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(bank, held, method, url, permissions):
    assert call(None, method, url.format(lead=held.pk), bank).status_code == 401


def test_the_follow_up_moves_the_lead_and_refuses_bad_input_with_the_field(bank, held):
    """LEAD-10 through the API: 201 with the lead contacted; an outcome the channel lacks is a 400
    naming it; another holder's lead is refused."""
    grant(bank.admin, FOLLOW_UP, scope="all", org=bank.head)
    api = APIClient()
    api.force_authenticate(bank.admin)
    url = f"/api/v1/leads/{held.pk}/follow-up/"
    ok = api.post(
        url, {"channel": "call", "occurred_at": timezone.now().isoformat(), "outcome": "reached"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["stage"] == "contacted" and ok.json()["followups"] == 1
    bad = api.post(
        url, {"channel": "visit", "occurred_at": timezone.now().isoformat(), "outcome": "sent"}, format="json"
    )
    assert bad.status_code == 400 and "outcome" in bad.content.decode()


def test_outside_the_scope_nothing_is_seen(bank, held):
    """LEAD-04/LEAD-11: a south branch user sees no north or head-office rules' leads' opportunities."""
    Opportunity.objects.create(lead=held, title="理财")
    ProtectionRule.objects.create(org=bank.north, level="")
    grant(bank.south_rm, VIEW, POOL_VIEW)
    api = APIClient()
    api.force_authenticate(bank.south_rm)
    assert api.get("/api/v1/lead-opportunities/").json()["count"] == 0
    rules = api.get("/api/v1/lead-protection-rules/").json()
    assert all(row["org"] != bank.north.pk for row in rules["results"])
