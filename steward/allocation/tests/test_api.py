"""PLT-11 / LEAD-08 for /api/v1/allocation-rules/ and /api/v1/allocation-runs/: each endpoint
refuses a caller lacking its permission (holding every other one), serves a caller holding only
what it needs, answers anonymous callers 401, and a manager of another branch sees and runs
nothing of ours. Referenced from steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.allocation import services
from steward.allocation.models import AllocationRule, AllocationRun
from steward.allocation.permissions import CHANGE, RUN, VIEW
from steward.allocation.tests.conftest import pooled
from steward.leads.models import Lead
from steward.testing import grant

ENDPOINTS = [
    ("get", "/api/v1/allocation-rules/", VIEW),
    ("get", "/api/v1/allocation-rules/{rule}/", VIEW),
    ("post", "/api/v1/allocation-rules/", CHANGE),
    ("patch", "/api/v1/allocation-rules/{rule}/", CHANGE),
    ("get", "/api/v1/allocation-rules/{rule}/preview/", RUN),
    ("post", "/api/v1/allocation-rules/{rule}/run/", RUN),
    ("get", "/api/v1/allocation-runs/", VIEW),
    ("get", "/api/v1/allocation-runs/{run}/", VIEW),
    ("post", "/api/v1/allocation-runs/manual/", RUN),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, p in ENDPOINTS]


@pytest.fixture
def setup(world):
    leads = pooled(world.north_pool, 4)
    rule = world.rule(people=world.rms[:2])
    run = AllocationRun.objects.create(rule=rule, org=world.bank.north, mode="semi", method="even", path="direct")
    return world, rule, run, leads


def body_for(world, leads, method, url):
    if url.endswith("/manual/"):
        return {"lead_ids": [leads[0].pk], "target_ids": [world.rms[0].pk], "method": "even"}
    if method == "post":
        return {
            "name": "新规则",
            "org": world.bank.north.pk,
            "source_pool": world.north_pool.pk,
            "path": "direct",
            "method": "weighted",
            "target_employees": [world.rms[0].pk],
        }
    if method == "patch":
        return {"method": "random", "daily_cap": 5}
    return None


def call(user, method, url, body=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return getattr(api, method)(url, body, format="json")


def url_of(url, rule, run):
    return url.format(rule=rule.pk, run=run.pk)


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(setup, method, url, permission):
    world, rule, run, leads = setup
    admin = world.bank.admin
    grant(admin, *(set(registry.permissions) - {permission}), scope="all", org=world.bank.head)
    response = call(admin, method, url_of(url, rule, run), body_for(world, leads, method, url))
    assert response.status_code == 403
    assert not Lead.objects.filter(holder__isnull=False).exists()
    assert AllocationRule.objects.count() == 1 and AllocationRule.objects.get().method == "even"


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(setup, method, url, permission):
    world, rule, run, leads = setup
    admin = world.bank.admin
    grant(admin, permission, scope="all", org=world.bank.head)
    response = call(admin, method, url_of(url, rule, run), body_for(world, leads, method, url))
    assert 200 <= response.status_code < 300, response.content
    if url.endswith("/run/"):
        assert response.json()["leads_moved"] == 4
        assert Lead.objects.filter(holder__isnull=False).count() == 4
    elif url.endswith("/manual/"):
        assert Lead.objects.get(pk=leads[0].pk).holder == world.rms[0]
    elif url.endswith("/preview/"):
        assert sorted(share["count"] for share in response.json()["shares"]) == [2, 2]
        assert not Lead.objects.filter(holder__isnull=False).exists()
    elif method == "post":
        created = AllocationRule.objects.get(name="新规则")
        assert created.created_by == admin and list(created.target_employees.all()) == [world.rms[0]]
    elif method == "patch":
        rule.refresh_from_db()
        assert (rule.method, rule.daily_cap) == ("random", 5)
        assert rule.target_employees.count() == 2  # targets not sent are kept


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(setup, method, url, permission):
    world, rule, run, leads = setup
    assert call(None, method, url_of(url, rule, run), body_for(world, leads, method, url)).status_code == 401


def test_another_branch_manager_sees_nothing_and_cannot_run_or_allocate(setup):
    """LEAD-08 data scope through the API: lists empty, details 404, manual allocation 400."""
    world, rule, run, leads = setup
    south = world.south_manager
    assert call(south, "get", "/api/v1/allocation-rules/").json()["count"] == 0
    assert call(south, "get", "/api/v1/allocation-runs/").json()["count"] == 0
    assert call(south, "get", f"/api/v1/allocation-rules/{rule.pk}/").status_code == 404
    assert call(south, "get", f"/api/v1/allocation-rules/{rule.pk}/preview/").status_code == 404
    assert call(south, "post", f"/api/v1/allocation-rules/{rule.pk}/run/").status_code == 404
    response = call(
        south,
        "post",
        "/api/v1/allocation-runs/manual/",
        {"lead_ids": [leads[0].pk], "target_ids": [world.bank.south_rm.pk], "method": "even"},
    )
    assert response.status_code == 400 and "leads" in response.json()
    created = call(
        south,
        "post",
        "/api/v1/allocation-rules/",
        {
            "name": "越界",
            "org": world.bank.north.pk,
            "source_pool": world.north_pool.pk,
            "target_employees": [world.rms[0].pk],
        },
    )
    assert created.status_code == 400 and "org" in created.json()
    assert not Lead.objects.filter(holder__isnull=False).exists()


def test_bad_input_answers_400_naming_the_field_and_runs_cannot_be_posted(setup):
    """PLT-11: a bad filter, an unknown method, a step rule to a grandchild org — 400s, never 500;
    POST on the runs list is 405 (runs come from rules or the manual action)."""
    world, rule, run, leads = setup
    manager = world.north_manager
    base = {"name": "坏", "org": world.bank.north.pk, "source_pool": world.north_pool.pk}
    bad_filter = call(manager, "post", "/api/v1/allocation-rules/", {**base, "lead_filter": {"colour": "red"}})
    assert bad_filter.status_code == 400 and "lead_filter" in bad_filter.json()
    bad_method = call(manager, "post", "/api/v1/allocation-rules/", {**base, "method": "lottery"})
    assert bad_method.status_code == 400 and "method" in bad_method.json()
    step = call(manager, "post", "/api/v1/allocation-rules/", {**base, "path": "step", "target_orgs": [99999999]})
    assert step.status_code == 400
    grandchild = call(
        manager,
        "post",
        "/api/v1/allocation-rules/",
        {**base, "path": "step", "target_orgs": [world.bank.north_team.pk]},
    )
    assert grandchild.status_code == 400 and "target_orgs" in grandchild.json()
    assert call(manager, "post", "/api/v1/allocation-runs/", {}).status_code == 405
    assert call(manager, "delete", f"/api/v1/allocation-rules/{rule.pk}/").status_code == 405
    preview_only = call(
        manager,
        "post",
        "/api/v1/allocation-runs/manual/",
        {"lead_ids": [leads[0].pk], "target_ids": [world.rms[0].pk], "method": "even", "preview": True},
    )
    assert preview_only.status_code == 200 and preview_only.json()["leads_allocated"] == 1
    assert not Lead.objects.filter(holder__isnull=False).exists()
    assert services.preview(manager, rule).leads_found == 4
