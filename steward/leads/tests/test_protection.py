"""Protection and reclaim (LEAD-04, LEAD-09) with moved time: the deadline a hand-over starts (per
org and level, the nearest rule winning), the countdown a valid follow-up moves on, the reclaim job
(to the org's pool, a named pool or a named person; the rule that fired logged; idempotent), and
the holder's reminder the day before."""

import datetime as dt

import pytest
from django.utils import timezone

from steward.interactions.models import Interaction
from steward.leads import followups
from steward.leads.handover import hand_over
from steward.leads.models import Lead, LeadMove, LeadPool, ProtectionRule
from steward.leads.permissions import FOLLOW_UP
from steward.leads.reclaim import EXPIRING, RECLAIMED, reclaim_expired, remind_expiring, run_protection
from steward.notices.models import Notification
from steward.testing import grant

T0 = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
DAY = dt.timedelta(days=1)


@pytest.fixture
def pool(bank):
    grant(bank.north_rm, FOLLOW_UP)
    grant(bank.north_rm2, FOLLOW_UP)
    return LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方分行公共池", org=bank.north)


def lead_in(pool, n=0, **more):
    return Lead.objects.create(
        name=f"线索{n}", mobile=f"139{n:08d}", org=pool.org, pool=pool, pooled_at=T0 - DAY, source="channel", **more
    )


def given(bank, lead, holder=None, at=T0):
    hand_over(None, {(holder or bank.north_rm).pk: [lead.pk]}, now=at)
    lead.refresh_from_db()
    return lead


def call(holder, lead, at, outcome=Interaction.Outcome.REACHED, **more):
    return followups.record_followup(
        holder, lead, channel="call", occurred_at=at, outcome=outcome, duration_seconds=120, now=at, **more
    )


def test_a_hand_over_starts_seven_days_by_default_and_the_nearest_rule_wins(bank, pool):
    """LEAD-04: the sources' default is 7 days to the first contact; a bank-wide rule, then a
    branch's rule for high-level leads, override it for the leads they cover."""
    normal, high = lead_in(pool, 1), lead_in(pool, 2, level=Lead.Level.HIGH)
    assert given(bank, normal).protected_until == T0 + 7 * DAY
    ProtectionRule.objects.create(org=None, level="", first_contact_days=5)
    ProtectionRule.objects.create(org=bank.north, level=Lead.Level.HIGH, first_contact_days=2)
    hand_over(None, {bank.north_rm2.pk: [normal.pk, high.pk]}, now=T0)
    normal.refresh_from_db(), high.refresh_from_db()
    assert (normal.protected_until, high.protected_until) == (T0 + 5 * DAY, T0 + 2 * DAY)
    assert (normal.holder, normal.org, normal.pool) == (bank.north_rm2, bank.north_team, None)


def test_not_contacted_in_seven_days_goes_back_to_the_pool_once(bank, pool):
    """LEAD-09 with moved time: nothing at day 6; at day 7 the lead is reclaimed to its org's
    public pool with the rule's reason logged and the holder told; a second run does nothing."""
    lead = given(bank, lead_in(pool))
    assert reclaim_expired(now=T0 + 6 * DAY).reclaimed == 0
    result = reclaim_expired(now=T0 + 7 * DAY + dt.timedelta(minutes=1))
    assert result.reclaimed == 1
    lead.refresh_from_db()
    assert lead.holder is None and lead.protected_until is None
    assert lead.pool.kind == LeadPool.Kind.PUBLIC and lead.pool.org == bank.north_team
    move = LeadMove.objects.get(lead=lead, kind=LeadMove.Kind.RECLAIM)
    assert move.from_holder == bank.north_rm and "7 days" in move.reason
    assert Notification.objects.filter(recipient=bank.north_rm, kind=RECLAIMED).count() == 1
    again = reclaim_expired(now=T0 + 8 * DAY)
    assert (again.expired, again.reclaimed) == (0, 0)


def test_a_valid_follow_up_moves_the_countdown_an_unanswered_call_does_not(bank, pool):
    """LEAD-04: a call that reached the person (≥ 30 s) keeps the lead for the valid-follow-up
    window (30 days by default) from then; an unanswered one changes nothing."""
    lead = given(bank, lead_in(pool))
    call(bank.north_rm, lead, T0 + 2 * DAY, outcome=Interaction.Outcome.NO_ANSWER)
    lead.refresh_from_db()
    assert lead.protected_until == T0 + 7 * DAY and (lead.followups, lead.valid_followups) == (1, 0)
    call(bank.north_rm, lead, T0 + 3 * DAY)
    lead.refresh_from_db()
    assert lead.protected_until == T0 + 33 * DAY and lead.valid_followups == 1
    assert lead.stage == Lead.Stage.CONTACTED
    assert reclaim_expired(now=T0 + 20 * DAY).reclaimed == 0


def test_too_many_follow_ups_without_intent_are_reclaimed_with_that_rule(bank, pool):
    """LEAD-04: with "at most 2 follow-ups without intent", the third follow-up below intent ends
    the protection; the job's log says which rule fired."""
    rule = ProtectionRule.objects.create(org=bank.north, level="", max_followups_without_intent=2)
    lead = given(bank, lead_in(pool))
    for n in range(3):
        call(bank.north_rm, lead, T0 + (n + 1) * dt.timedelta(hours=1))
    run_protection(now=T0 + dt.timedelta(hours=4))
    move = LeadMove.objects.get(lead=lead, kind=LeadMove.Kind.RECLAIM)
    assert move.rule == rule and "without reaching intent" in move.reason


def test_a_rule_can_reclaim_to_a_named_person(bank, pool):
    """LEAD-09: reclaim to a named person instead of the pool: they hold it, protected afresh."""
    ProtectionRule.objects.create(
        org=bank.north, level="", reclaim_to=ProtectionRule.ReclaimTo.PERSON, reclaim_person=bank.north_rm2
    )
    lead = given(bank, lead_in(pool))
    reclaim_expired(now=T0 + 8 * DAY)
    lead.refresh_from_db()
    assert lead.holder == bank.north_rm2 and lead.protected_until == T0 + 15 * DAY


def test_the_holder_is_reminded_the_day_before_once(bank, pool):
    """LEAD-09: one reminder a day before the protection ends; not again for the same deadline."""
    given(bank, lead_in(pool, 1))
    given(bank, lead_in(pool, 2))
    assert remind_expiring(now=T0 + 5 * DAY) == 0
    assert remind_expiring(now=T0 + 6 * DAY + dt.timedelta(hours=1)) == 2
    assert remind_expiring(now=T0 + 6 * DAY + dt.timedelta(hours=2)) == 0
    note = Notification.objects.get(recipient=bank.north_rm, kind=EXPIRING)
    assert note.values["count"] == 2


def test_a_follow_up_recorded_while_the_job_runs_saves_the_lead(bank, pool):
    """LEAD-09: the reclaim re-checks the deadline under lock: a lead followed up between the job's
    read and its write stays with its holder."""
    from steward.leads.handover import public_pools, to_pools

    lead = given(bank, lead_in(pool))
    call(bank.north_rm, lead, T0 + 6 * DAY)
    moved = to_pools(
        None,
        {public_pools([bank.north_team.pk])[bank.north_team.pk]: [lead.pk]},
        kind=LeadMove.Kind.RECLAIM,
        only_held=True,
        expired_by=T0 + 7 * DAY,
        now=T0 + 7 * DAY,
    )
    assert moved == 0 and Lead.objects.get(pk=lead.pk).holder == bank.north_rm


def test_a_rule_can_reclaim_to_a_named_pool(bank, pool):
    """LEAD-09: reclaim to a named group's pool (a department pool) instead of the org's public pool."""
    group = LeadPool.objects.create(kind=LeadPool.Kind.DEPARTMENT, name="电销组池", org=bank.north)
    ProtectionRule.objects.create(
        org=bank.north, level="", reclaim_to=ProtectionRule.ReclaimTo.POOL, reclaim_pool=group
    )
    lead = given(bank, lead_in(pool))
    assert reclaim_expired(now=T0 + 8 * DAY).reclaimed == 1
    lead.refresh_from_db()
    assert lead.pool == group and lead.holder is None and lead.org == bank.north
