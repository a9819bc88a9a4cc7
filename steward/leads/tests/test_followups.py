"""Follow-up, stages and opportunities (LEAD-10, LEAD-11): a follow-up is an interaction (the one
record of every touch) carrying the lead; stages move forward only; invalid goes to the invalid
pool with its reason; an appointment is on the holder's calendar; only the holder follows up;
opportunities keep their own stages; the lead's page shows the history across holders."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from steward.agenda.registry import calendar_registry
from steward.core.errors import DomainError
from steward.interactions.models import Interaction
from steward.leads import followups, opportunities
from steward.leads.handover import hand_over
from steward.leads.models import Lead, LeadMove, LeadPool, Opportunity
from steward.leads.permissions import FOLLOW_UP, VIEW
from steward.testing import grant

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def lead(bank):
    grant(bank.north_rm, FOLLOW_UP, VIEW)
    grant(bank.north_rm2, FOLLOW_UP, VIEW)
    pool = LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方公共池", org=bank.north)
    lead = Lead.objects.create(name="王先生", mobile="13900001111", org=bank.north, pool=pool, source="channel")
    hand_over(None, {bank.north_rm.pk: [lead.pk]}, now=NOW - dt.timedelta(days=1))
    lead.refresh_from_db()
    return lead


def follow(user, lead, **more):
    values = {"channel": "call", "occurred_at": NOW - dt.timedelta(minutes=5), "outcome": "reached", "now": NOW}
    values.update(more)
    return followups.record_followup(user, lead, **values)


def test_a_follow_up_is_an_interaction_and_moves_the_stage_forward_only(bank, lead):
    """LEAD-10/11: the first reached follow-up makes the lead "contacted"; the RM moves it to intent
    (intent_at stamped, counted by quotas); going back is refused with the current stage."""
    touch = follow(bank.north_rm, lead, duration_seconds=90, summary="有兴趣")
    assert isinstance(touch, Interaction) and touch.lead == lead and touch.is_valid_followup
    lead.refresh_from_db()
    assert lead.stage == Lead.Stage.CONTACTED
    follow(bank.north_rm, lead, stage=Lead.Stage.INTENT)
    lead.refresh_from_db()
    assert lead.stage == Lead.Stage.INTENT and lead.intent_at == NOW
    with pytest.raises(DomainError, match="only moves forward"):
        follow(bank.north_rm, lead, stage=Lead.Stage.CONTACTED)


def test_a_short_call_is_not_a_valid_follow_up(bank, lead):
    """LEAD-10: a call under leads.valid_call_seconds (30 s) is recorded but not valid."""
    touch = follow(bank.north_rm, lead, duration_seconds=10)
    assert touch.is_contact and not touch.is_valid_followup


def test_invalid_needs_a_reason_and_goes_to_the_invalid_pool(bank, lead):
    """LEAD-11: invalid with a reason: the invalid pool of the lead's org, no holder, reason kept."""
    with pytest.raises(DomainError, match="why"):
        follow(bank.north_rm, lead, stage=Lead.Stage.INVALID)
    assert Interaction.objects.filter(lead=lead).count() == 0  # nothing half-written
    follow(bank.north_rm, lead, stage=Lead.Stage.INVALID, invalid_reason="空号")
    lead.refresh_from_db()
    assert lead.stage == Lead.Stage.INVALID and lead.holder is None and lead.invalid_reason == "空号"
    assert lead.pool.kind == LeadPool.Kind.INVALID
    assert LeadMove.objects.filter(lead=lead, kind=LeadMove.Kind.INVALIDATE).exists()


def test_only_the_holder_follows_up(bank, lead):
    """LEAD-10: another RM's follow-up is refused."""
    with pytest.raises(DomainError, match="holder"):
        follow(bank.north_rm2, lead)


def test_an_appointment_is_on_the_holders_calendar(bank, lead):
    """LEAD-10: the appointment made in a follow-up is an entry of the holder's calendar, with the
    day the protection ends."""
    at = NOW + dt.timedelta(days=2)
    follow(bank.north_rm, lead, appointment_at=at, appointment_note="面谈")
    entries = calendar_registry.entries(bank.north_rm, NOW, NOW + dt.timedelta(days=40))
    kinds = {entry.type for _source, entry, _actions in entries}
    assert {"lead_appointment", "lead_protection_end"} <= kinds
    assert not calendar_registry.entries(bank.north_rm2, NOW, NOW + dt.timedelta(days=40))


def test_opportunities_move_through_their_own_stages(bank, lead):
    """LEAD-11: an opportunity on the lead, won later (closed_at stamped)."""
    opp = opportunities.save_opportunity(
        bank.north_rm, lead, Opportunity(title="理财", amount=500000, stage=Opportunity.Stage.IDENTIFIED)
    )
    opp.stage = Opportunity.Stage.WON
    opportunities.save_opportunity(bank.north_rm, lead, opp)
    opp.refresh_from_db()
    assert opp.closed_at is not None and opp.owner == bank.north_rm


def test_the_page_shows_the_history_across_holders_and_the_holders_buttons(client, bank, lead):
    """LEAD-10: the lead's page lists follow-ups and hand-overs of every holder; the Follow-up
    button shows to the holder only; the follow-up form records through the page."""
    follow(bank.north_rm, lead, summary="第一次联系")
    hand_over(None, {bank.north_rm2.pk: [lead.pk]}, now=NOW)
    client.force_login(bank.north_rm2)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "第一次联系" in page and 'data-testid="follow-up"' in page and bank.north_rm.name in page
    response = client.post(
        reverse("leads:follow_up", args=[lead.pk]),
        {
            "channel": "visit",
            "direction": "outbound",
            "occurred_at": timezone.localtime(NOW).strftime("%Y-%m-%dT%H:%M"),
            "outcome": "reached",
            "stage": "intent",
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).stage == Lead.Stage.INTENT
    client.force_login(bank.north_rm)
    page = client.get(reverse("leads:detail", args=[lead.pk]))
    assert page.status_code == 200 and 'data-testid="follow-up"' not in page.content.decode()
