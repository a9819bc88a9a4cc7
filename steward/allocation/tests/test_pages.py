"""LEAD-08 pages: the rules list (Customers → Lead allocation), adding a rule, the preview with
its Run button (semi-automatic), manual allocation (pick → preview → confirm), the run history —
each button only for those who may use it, and nothing of another branch."""

import pytest

from steward.allocation import services
from steward.allocation.models import AllocationRule, AllocationRun
from steward.allocation.permissions import VIEW
from steward.allocation.tests.conftest import pooled
from steward.leads.models import Lead
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_manager_finds_the_rules_under_customers_and_runs_one_after_the_preview(world, english):
    """LEAD-08 半自动: the preview says who gets how many; Run allocates and shows the run."""
    pooled(world.north_pool, 6)
    rule = world.rule(people=world.rms[:3])
    english.force_login(world.north_manager)

    listing = english.get("/lead-allocation/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "北方分配" in page and 'data-testid="add-button"' in page and 'data-testid="manual-allocation"' in page
    assert 'href="/lead-allocation/"' in english.get("/").content.decode()  # the menu entry

    detail = english.get(f"/lead-allocation/rules/{rule.pk}/").content.decode()
    assert "6 leads waiting: 6 would be allocated, 0 would stay in the pool." in detail
    assert 'data-testid="run-rule"' in detail and 'data-testid="edit-rule"' in detail
    assert not Lead.objects.filter(holder__isnull=False).exists()  # the preview wrote nothing

    response = english.post(f"/lead-allocation/rules/{rule.pk}/run/")
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lead-allocation/runs/{run.pk}/"
    assert Lead.objects.filter(holder__in=world.rms[:3]).count() == 6
    shown = english.get(response["Location"]).content.decode()
    assert 'data-testid="run-moved">6<' in shown
    assert "北方分配" in english.get("/lead-allocation/runs/").content.decode()


def test_an_auditor_reads_rules_and_runs_but_sees_no_button(world, english):
    """LEAD-08: view only — no Add, Edit, Run or manual allocation; the run URL refuses them."""
    pooled(world.north_pool, 2)
    rule = world.rule()
    auditor = EmployeeFactory(org=world.bank.north)
    grant(auditor, VIEW, scope="subtree")
    english.force_login(auditor)

    page = english.get("/lead-allocation/").content.decode()
    assert "北方分配" in page
    assert 'data-testid="add-button"' not in page and 'data-testid="manual-allocation"' not in page
    detail = english.get(f"/lead-allocation/rules/{rule.pk}/").content.decode()
    assert 'data-testid="run-rule"' not in detail and 'data-testid="edit-rule"' not in detail
    assert 'data-testid="preview"' not in detail
    assert english.post(f"/lead-allocation/rules/{rule.pk}/run/").status_code == 403
    assert english.get("/lead-allocation/manual/").status_code == 403
    assert english.get("/lead-allocation/rules/add/").status_code == 403
    assert not Lead.objects.filter(holder__isnull=False).exists()


def test_a_manager_of_another_branch_sees_no_rule_and_no_run(world, english):
    """LEAD-08 data scope: the south manager's lists are empty and the north rule is a 404."""
    pooled(world.north_pool, 2)
    rule = world.rule()
    run = services.run(world.north_manager, rule)
    english.force_login(world.south_manager)
    assert "北方分配" not in english.get("/lead-allocation/").content.decode()
    assert "北方分配" not in english.get("/lead-allocation/runs/").content.decode()
    assert english.get(f"/lead-allocation/rules/{rule.pk}/").status_code == 404
    assert english.get(f"/lead-allocation/runs/{run.pk}/").status_code == 404
    assert english.get(f"/lead-allocation/rules/{rule.pk}/edit/").status_code == 404
    assert english.post(f"/lead-allocation/rules/{rule.pk}/run/").status_code == 404
    # Their pool list offers only their own branch's pools.
    manual = english.get("/lead-allocation/manual/").content.decode()
    assert "南方公共池" in manual and "北方公共池" not in manual


def test_adding_a_weighted_rule_with_a_filter_on_the_page(world, english):
    """LEAD-08: the form stores the filter's criteria and the targets; a wrong choice names its field."""
    english.force_login(world.north_manager)
    form = {
        "name": "高等级线索",
        "org": world.bank.north.pk,
        "source_pool": world.north_pool.pk,
        "levels": ["high"],
        "created_within_days": "30",
        "path": "direct",
        "method": "weighted",
        "target_employees": [rm.pk for rm in world.rms[:2]],
        "daily_cap": "5",
        "mode": "auto",
        "run_at": "09:30",
        "is_active": "on",
    }
    response = english.post("/lead-allocation/rules/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AllocationRule.objects.get(name="高等级线索")
    assert rule.lead_filter == {"levels": ["high"], "created_within_days": 30}
    assert set(rule.target_employees.all()) == set(world.rms[:2]) and rule.created_by == world.north_manager
    edit = english.get(f"/lead-allocation/rules/{rule.pk}/edit/").content.decode()
    assert 'name="levels" value="high" class="form-check-input" id="id_levels_0" checked>' in edit
    assert 'name="levels" value="normal" class="form-check-input" id="id_levels_1">' in edit

    no_people = english.post("/lead-allocation/rules/add/", {**form, "name": "无人", "target_employees": []})
    assert no_people.status_code == 200
    assert "Choose the people who receive the leads." in no_people.content.decode()
    assert not AllocationRule.objects.filter(name="无人").exists()


def test_manual_allocation_picks_previews_and_confirms(world, english):
    """LEAD-08 手工: tick leads of a pool and people, preview (nothing written), then allocate."""
    leads = pooled(world.north_pool, 4)
    english.force_login(world.north_manager)
    page = english.get(f"/lead-allocation/manual/?pool={world.north_pool.pk}").content.decode()
    assert "4 leads waiting" in page and leads[0].name in page

    picked = {
        "pool": world.north_pool.pk,
        "leads": [lead.pk for lead in leads[:3]],
        "targets": [world.rms[0].pk, world.rms[1].pk],
        "method": "even",
    }
    preview = english.post("/lead-allocation/manual/", picked).content.decode()
    assert "3 of 3 leads would be allocated." in preview and 'data-testid="confirm-allocation"' in preview
    assert not Lead.objects.filter(holder__isnull=False).exists()

    done = english.post("/lead-allocation/manual/", {**picked, "confirm": "1"})
    assert done.status_code == 302
    assert Lead.objects.filter(holder__in=world.rms[:2]).count() == 3
    assert Lead.objects.get(pk=leads[3].pk).holder is None
    assert AllocationRun.objects.get().mode == "manual"

    everything = english.post("/lead-allocation/manual/", {**picked, "leads": [], "all_waiting": "on", "confirm": "1"})
    assert everything.status_code == 302 and Lead.objects.get(pk=leads[3].pk).holder in world.rms[:2]

    nothing = english.post("/lead-allocation/manual/", {**picked, "leads": []}).content.decode()
    assert "Tick the leads to allocate" in nothing
