"""The leads' working pages: duplicates merged with their histories (LEAD-05), pool rules and who
may claim (LEAD-06), protection rules and institutions kept by their administrators (LEAD-04,
LEAD-01), "save as potential customer" from a customer search (LEAD-12), the home-page widgets
(issue 15 point 10), and a user outside the scope seeing nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from steward.core.errors import DomainError
from steward.customers.permissions import VIEW as CUSTOMER_VIEW
from steward.interactions.models import Interaction
from steward.leads import duplicates, followups, pools
from steward.leads.handover import hand_over
from steward.leads.models import Institution, Lead, LeadMove, LeadPool, ProtectionRule
from steward.leads.permissions import ADD, CLAIM, FOLLOW_UP, MERGE, POOL_CHANGE, POOL_VIEW, VIEW
from steward.testing import grant

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def pool(bank):
    return LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方分行公共池", org=bank.north)


def test_duplicates_merge_with_their_histories(bank, pool, client):
    """LEAD-05: two leads with one mobile: the page lists them as a group; merging keeps the one
    chosen, moves the other's follow-ups and hand-overs to it, takes the furthest stage, and the
    duplicate leaves the list (kept, marked merged)."""
    grant(bank.north_rm, FOLLOW_UP, VIEW)
    grant(bank.north_manager, MERGE, VIEW)
    first = Lead.objects.create(name="张三", mobile="13900005555", org=bank.north, pool=pool, source="channel")
    second = Lead.objects.create(name="张三", mobile="13900005555", org=bank.north, pool=pool, source="manual")
    hand_over(None, {bank.north_rm.pk: [second.pk]})
    followups.record_followup(
        bank.north_rm, second, channel="call", occurred_at=NOW, outcome="reached", stage="intent", now=NOW
    )
    client.force_login(bank.north_manager)
    page = client.get(reverse("leads:duplicates")).content.decode()
    assert page.count('data-testid="duplicate-group"') == 1
    response = client.post(reverse("leads:duplicates"), {"survivor": first.pk, "lead": [first.pk, second.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.stage == Lead.Stage.INTENT and first.holder == bank.north_rm
    assert Interaction.objects.filter(lead=first).count() == 1
    assert LeadMove.objects.filter(lead=first, kind=LeadMove.Kind.ASSIGN).exists()
    assert Lead.objects.get(pk=second.pk).merged_into == first
    listing = client.get(reverse("leads:list")).content.decode()
    assert f'href="/leads/{first.pk}/"' in listing and f'href="/leads/{second.pk}/"' not in listing
    with pytest.raises(DomainError):
        duplicates.merge_leads(bank.north_manager, first, [Lead.objects.get(pk=second.pk)])


def test_who_may_claim_follows_the_pools_rule(bank, pool):
    """LEAD-06: "the org itself" keeps the sub-branch's people out; "only the people named" admits
    exactly them, even from another branch."""
    for person in (bank.north_rm, bank.north_manager, bank.south_rm):
        grant(person, CLAIM)
    pool.claimers = LeadPool.Claimers.ORG
    pool.save()
    lead = Lead.objects.create(name="甲", mobile="13900006666", org=bank.north, pool=pool, source="channel")
    with pytest.raises(DomainError):
        pools.claim(bank.north_rm, lead.pk)
    pool.claimers = LeadPool.Claimers.NAMED
    pool.save()
    pool.named_claimers.set([bank.south_rm])
    with pytest.raises(DomainError):
        pools.claim(bank.north_manager, lead.pk)
    assert pools.claim(bank.south_rm, lead.pk).holder == bank.south_rm


def test_pool_rules_are_edited_by_their_administrators_only(bank, pool, client):
    """LEAD-06: the branch manager edits the north pool's rules; a south manager sees no north pool
    and cannot open it; the Rules button shows only to editors."""
    grant(bank.north_manager, POOL_VIEW, POOL_CHANGE)
    grant(bank.south_rm, POOL_VIEW)
    client.force_login(bank.north_manager)
    assert 'data-testid="edit-pool"' in client.get(reverse("leads:pool_list")).content.decode()
    response = client.post(
        reverse("leads:pool_edit", args=[pool.pk]),
        {"name": pool.name, "claimers": "org_tree", "daily_claim_cap": "5", "max_held": "20",
         "held_excludes_stages": ["intent"], "new_lead_cooling_hours": "2", "reclaim_cooling_days": "3"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    pool.refresh_from_db()
    assert (pool.daily_claim_cap, pool.max_held, pool.held_excludes_stages) == (5, 20, ["intent"])
    client.force_login(bank.south_rm)
    assert "北方分行公共池" not in client.get(reverse("leads:pool_list")).content.decode()
    assert client.get(reverse("leads:pool_edit", args=[pool.pk])).status_code in (403, 404)


def test_protection_rules_and_institutions_pages(bank, client):
    """LEAD-04, LEAD-01: a branch manager adds a rule for the branch's high-level leads and a
    payroll company; a second rule for the same org and level is refused on its field; the
    bank-wide rule is for the head office only."""
    grant(bank.north_manager, POOL_VIEW, POOL_CHANGE)
    client.force_login(bank.north_manager)
    rule = {"org": bank.north.pk, "level": "high", "first_contact_days": "3", "min_valid_followups": "2",
            "valid_window_days": "14", "remind_days_before": "1", "reclaim_to": "org_pool", "is_active": "on"}  # fmt: skip
    assert client.post(reverse("leads:protection_add"), rule).status_code == 302
    again = client.post(reverse("leads:protection_add"), rule)
    assert again.status_code == 200 and "already" in again.content.decode()
    bank_wide = client.post(reverse("leads:protection_add"), {**rule, "org": ""})
    assert bank_wide.status_code == 200 and ProtectionRule.objects.count() == 1
    response = client.post(
        reverse("leads:institution_add"),
        {"code": "ACME", "name": "某代发单位", "kind": "payroll", "org": bank.north.pk, "is_active": "on"},
    )
    assert response.status_code == 302 and Institution.objects.get().code == "acme"
    page = client.get(reverse("leads:protection_list")).content.decode()
    assert "北方分行" in page


def test_save_as_potential_customer_from_a_search(bank, client):
    """LEAD-12: a customer search that finds nobody offers to save the searched number as a lead;
    the form comes filled in and the lead records that it came from a search."""
    grant(bank.north_rm, CUSTOMER_VIEW, ADD, VIEW)
    client.force_login(bank.north_rm)
    listing = client.get(reverse("customers:my_customers") + "?q=13911112222").content.decode()
    assert 'data-testid="empty-action"' in listing
    form = client.get(reverse("leads:add") + "?q=13911112222").content.decode()
    assert 'value="13911112222"' in form
    response = client.post(reverse("leads:add"), {"name": "赵六", "mobile": "13911112222", "from_search": "1"})
    assert response.status_code == 302
    assert Lead.objects.get().source == Lead.Source.SEARCH


def test_home_widgets_for_the_holder_and_the_supervisor(bank, pool, client):
    """Issue 15 point 10: the RM's widget counts held leads and those whose protection ends within
    a day, with today's appointment; another RM's leads are not counted."""
    grant(bank.north_rm, FOLLOW_UP, VIEW, CLAIM)
    lead = Lead.objects.create(name="孙七", mobile="13900007777", org=bank.north, pool=pool, source="channel")
    other = Lead.objects.create(name="周八", mobile="13900008888", org=bank.north, pool=pool, source="channel")
    hand_over(
        None, {bank.north_rm.pk: [lead.pk], bank.north_rm2.pk: [other.pk]}, now=NOW - dt.timedelta(days=6, hours=12)
    )
    client.force_login(bank.north_rm)
    page = client.get("/").content.decode()
    assert 'data-testid="my-leads"' in page and "孙七" in page and "周八" not in page


def test_outside_the_scope_nothing_is_seen(bank, pool, client):
    """Data scope: a south RM sees no north lead in the list, on its page or among duplicates."""
    lead = Lead.objects.create(name="北方线索", mobile="13900009999", org=bank.north, pool=pool, source="channel")
    grant(bank.south_rm, VIEW, MERGE)
    client.force_login(bank.south_rm)
    assert "北方线索" not in client.get(reverse("leads:list")).content.decode()
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
    assert "北方线索" not in client.get(reverse("leads:duplicates")).content.decode()
