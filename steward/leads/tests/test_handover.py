"""The hand-over (LEAD-03, LEAD-08, LEAD-09: `steward.leads.handover.hand_over`), the one writer of
lead holders in bulk — on PostgreSQL one statement. Two hand-overs racing for the same leads give
each lead once; the deadline follows the holder's org's rule for the lead's level, and the org's
every-level rule for a level without one; a lead for someone who is no employee stays put, on
every database."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from steward.leads.handover import hand_over
from steward.leads.models import Lead, LeadMove, ProtectionRule
from steward.leads.services import public_pool


def pooled(bank, count):
    pool = public_pool(bank.north.pk)
    return pool, Lead.objects.bulk_create(
        [
            Lead(name=f"池{n}", mobile=f"139200000{n:02d}", org=bank.north, pool=pool, source="manual")
            for n in range(count)
        ]
    )


def test_the_deadline_is_the_holders_orgs_rule_for_the_level_and_the_every_level_rule_otherwise(bank):
    """LEAD-04 / LEAD-08: a high-level lead gets the team's rule for high leads (2 days), a normal
    one the team's every-level rule (5 days); each move records the pool it left."""
    pool, (high, normal) = pooled(bank, 2)
    Lead.objects.filter(pk=high.pk).update(level="high")
    ProtectionRule.objects.create(org=bank.north_team, level="high", first_contact_days=2)
    ProtectionRule.objects.create(org=bank.north_team, level="", first_contact_days=5)
    now = timezone.now()
    moved = hand_over(bank.admin, {bank.north_rm.pk: [high.pk, normal.pk]}, only_unheld=True, now=now)
    assert moved == 2
    high.refresh_from_db()
    normal.refresh_from_db()
    assert (high.holder, high.org, high.pool) == (bank.north_rm, bank.north_team, None)
    assert high.protected_until == now + dt.timedelta(days=2)
    assert normal.protected_until == now + dt.timedelta(days=5)
    assert set(LeadMove.objects.values_list("lead_id", "pool_id", "to_holder_id")) == {
        (high.pk, pool.pk, bank.north_rm.pk),
        (normal.pk, pool.pk, bank.north_rm.pk),
    }


def test_a_lead_for_someone_who_is_no_employee_stays_where_it_is(bank):
    """LEAD-08: an unknown holder moves nothing and writes no move, on SQLite and PostgreSQL alike."""
    pool, (lead,) = pooled(bank, 1)
    assert hand_over(bank.admin, {10**9: [lead.pk]}, only_unheld=True) == 0
    lead.refresh_from_db()
    assert (lead.holder, lead.pool) == (None, pool)
    assert not LeadMove.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_hand_overs_racing_for_the_same_leads_give_each_lead_once(bank):
    """LEAD-08 (PostgreSQL): two hand-overs of the same 40 unheld leads to two RMs at once — every
    lead has one holder and one move, and the two counts add up to 40."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL")
    _pool, leads = pooled(bank, 40)
    ids = [lead.pk for lead in leads]
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def give(holder):
        try:
            barrier.wait()
            results[holder.pk] = hand_over(bank.admin, {holder.pk: ids}, only_unheld=True)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(rm,)) for rm in (bank.north_rm, bank.north_rm2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and sum(results.values()) == 40
    assert LeadMove.objects.count() == 40
    holders = dict(Lead.objects.values_list("pk", "holder_id"))
    assert all(holders[pk] in (bank.north_rm.pk, bank.north_rm2.pk) for pk in ids)
    for move in LeadMove.objects.all():
        assert move.to_holder_id == holders[move.lead_id]
