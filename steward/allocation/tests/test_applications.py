"""LEAD-08: "RMs may apply for leads; the supervisor decides through the approvals engine" — the
application for leads: submitted for a pool the RM may claim from, approved (the leads are handed
over), rejected (nothing moves), and refused when nothing asked for is left."""

import datetime as dt

import pytest

from steward.allocation.approvals import KEY
from steward.allocation.permissions import APPLY, APPROVE
from steward.allocation.tests.conftest import pooled
from steward.approvals import services as approvals
from steward.approvals.permissions import HANDLE, SUBMIT
from steward.core.errors import DomainError
from steward.leads.models import Lead, LeadMove
from steward.testing import EmployeeFactory, grant


@pytest.fixture
def people(world):
    bank = world.bank
    grant(bank.north_rm, SUBMIT, APPLY, scope="own")
    team_lead = EmployeeFactory(employee_no="NTL", name="北方组长", org=bank.north_team)
    grant(team_lead, HANDLE, APPROVE, scope="team", org=bank.north_team)
    return world, bank.north_rm, team_lead


def test_an_approved_application_hands_the_longest_waiting_leads_to_the_rm(people):
    """LEAD-08: 2 leads asked for → on approval the RM holds the 2 that waited longest."""
    world, rm, team_lead = people
    leads = pooled(world.north_pool, 4)
    for age, lead in enumerate(leads):
        Lead.objects.filter(pk=lead.pk).update(pooled_at=lead.pooled_at - dt.timedelta(hours=age))

    application = approvals.submit(rm, KEY, reason="客户资源不足", payload={"pool": world.north_pool.pk, "count": 2})
    assert list(application.handlers.all()) == [team_lead]
    assert application.title == "Application for 2 leads of 北方公共池"
    assert not Lead.objects.filter(holder=rm).exists()

    approvals.approve(team_lead, application)

    held = set(Lead.objects.filter(holder=rm).values_list("pk", flat=True))
    assert held == {leads[3].pk, leads[2].pk}  # pooled earliest
    assert LeadMove.objects.filter(to_holder=rm, kind="assign").count() == 2


def test_a_rejected_application_moves_nothing(people):
    """LEAD-08: the supervisor says no — the leads stay in the pool."""
    world, rm, team_lead = people
    pooled(world.north_pool, 3)
    application = approvals.submit(rm, KEY, reason="想多跟进", payload={"pool": world.north_pool.pk, "count": 3})

    approvals.reject(team_lead, application, comment="先跟进手上的线索")

    application.refresh_from_db()
    assert application.status == "rejected"
    assert not Lead.objects.filter(holder__isnull=False).exists()


def test_named_leads_and_the_pool_the_rm_may_claim_from(people):
    """LEAD-08: chosen leads by number; a pool of another branch or a lead not waiting is refused on its field."""
    world, rm, team_lead = people
    leads = pooled(world.north_pool, 3)
    south = pooled(world.south_pool, 1)
    with pytest.raises(DomainError) as error:
        approvals.submit(rm, KEY, reason="x", payload={"pool": world.south_pool.pk, "count": 1})
    assert error.value.field == "pool"
    with pytest.raises(DomainError) as error:
        approvals.submit(rm, KEY, reason="x", payload={"pool": world.north_pool.pk, "leads": f"{south[0].pk}"})
    assert error.value.field == "leads"
    with pytest.raises(DomainError):
        approvals.submit(rm, KEY, reason="x", payload={"pool": world.north_pool.pk})

    application = approvals.submit(
        rm, KEY, reason="老客户推荐", payload={"pool": world.north_pool.pk, "leads": f"{leads[1].pk}, {leads[2].pk}"}
    )
    approvals.approve(team_lead, application)
    assert set(Lead.objects.filter(holder=rm).values_list("pk", flat=True)) == {leads[1].pk, leads[2].pk}


def test_approval_fails_and_stays_pending_when_the_leads_are_gone(people):
    """LEAD-08: the lead named was allocated meanwhile — approving says so and changes nothing."""
    world, rm, team_lead = people
    [lead] = pooled(world.north_pool, 1)
    application = approvals.submit(rm, KEY, reason="x", payload={"pool": world.north_pool.pk, "leads": str(lead.pk)})
    Lead.objects.filter(pk=lead.pk).update(holder=world.rms[3], pool=None)

    with pytest.raises(approvals.ApprovalActionFailed):
        approvals.approve(team_lead, application)

    application.refresh_from_db()
    assert application.status == "pending"
    assert Lead.objects.get(pk=lead.pk).holder == world.rms[3]


def test_the_rm_applies_on_the_approvals_page_and_the_supervisor_reads_it(people, client, settings):
    """LEAD-08: the form is offered on My applications → New; the application's page shows the pool
    and the number asked for in words, not codes."""
    world, rm, team_lead = people
    pooled(world.north_pool, 5)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(rm)
    form = client.get(f"/approvals/new/{KEY}/")
    assert form.status_code == 200 and "Number of leads" in form.content.decode()
    response = client.post(
        f"/approvals/new/{KEY}/", {"pool": world.north_pool.pk, "count": "3", "reason": "新客户开发"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application = approvals.my_applications(rm).get()
    client.force_login(team_lead)
    page = client.get(f"/approvals/{application.pk}/").content.decode()
    assert "北方公共池" in page and "Application for 3 leads of 北方公共池" in page
    assert "pool_id" not in page
