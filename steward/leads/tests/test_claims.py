"""Claiming leads from a pool (LEAD-06): who may claim, each rule of the pool (daily cap, most held
with excluded stages, cooling of new and of reclaimed leads, the invalid pool), and — on
PostgreSQL — 50 people claiming from the same 100 leads at once: every lead has exactly one holder
and no one exceeds the cap."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from steward.core.errors import DomainError
from steward.leads import pools
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.leads.permissions import CLAIM
from steward.testing import EmployeeFactory, grant

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))


def pooled(pool, n, **more):
    return [
        Lead.objects.create(
            name=f"线索{i}",
            mobile=f"139{i:08d}",
            org=pool.org,
            pool=pool,
            pooled_at=NOW - dt.timedelta(days=1),
            source=Lead.Source.CHANNEL,
            **more,
        )
        for i in range(n)
    ]


@pytest.fixture
def pool(bank):
    grant(bank.north_rm, CLAIM)
    grant(bank.north_rm2, CLAIM)
    grant(bank.south_rm, CLAIM)
    return LeadPool.objects.create(kind=LeadPool.Kind.PUBLIC, name="北方分行公共池", org=bank.north)


def test_people_of_the_pools_org_and_below_claim_others_do_not(bank, pool):
    """LEAD-06: the north RM (a team under the north branch) claims; the south RM may not; a
    claimed lead has one holder and leaves the pool, with the move recorded."""
    lead, other = pooled(pool, 2)
    with pytest.raises(DomainError):
        pools.claim(bank.south_rm, lead.pk, now=NOW)
    claimed = pools.claim(bank.north_rm, lead.pk, now=NOW)
    assert (claimed.holder, claimed.pool) == (bank.north_rm, None)
    assert LeadMove.objects.get().to_holder == bank.north_rm
    with pytest.raises(DomainError, match="not in a pool"):
        pools.claim(bank.north_rm2, lead.pk, now=NOW)
    assert list(pools.claimable_leads(bank.north_rm2)) == [other]


def test_the_daily_cap_and_the_most_held_refuse_with_the_rule(bank, pool):
    """LEAD-06: 2 claims a day; at most 3 held, intent leads not counted."""
    pool.daily_claim_cap, pool.max_held, pool.held_excludes_stages = 2, 3, ["intent"]
    pool.save()
    leads = pooled(pool, 6)
    pools.claim(bank.north_rm, leads[0].pk, now=NOW)
    pools.claim(bank.north_rm, leads[1].pk, now=NOW)
    with pytest.raises(DomainError, match="daily limit"):
        pools.claim(bank.north_rm, leads[2].pk, now=NOW)
    tomorrow = NOW + dt.timedelta(days=1)
    pools.claim(bank.north_rm, leads[2].pk, now=tomorrow)
    with pytest.raises(DomainError, match="the most this pool allows"):
        pools.claim(bank.north_rm, leads[3].pk, now=tomorrow)
    Lead.objects.filter(pk=leads[0].pk).update(stage=Lead.Stage.INTENT)
    pools.claim(bank.north_rm, leads[3].pk, now=tomorrow)
    assert Lead.objects.filter(holder=bank.north_rm).count() == 4


def test_cooling_periods_for_new_and_for_reclaimed_leads(bank, pool):
    """LEAD-06: a lead pooled 1 hour ago waits for a 24-hour cooling period; a lead reclaimed from
    an RM stays closed to that RM for the pool's days, not to others."""
    pool.new_lead_cooling_hours, pool.reclaim_cooling_days = 24, 7
    pool.save()
    fresh, back = pooled(pool, 2)
    Lead.objects.filter(pk=fresh.pk).update(pooled_at=NOW - dt.timedelta(hours=1))
    with pytest.raises(DomainError, match="may be claimed from"):
        pools.claim(bank.north_rm, fresh.pk, now=NOW)
    LeadMove.objects.create(lead=back, kind=LeadMove.Kind.RECLAIM, pool=pool, from_holder=bank.north_rm, at=NOW)
    with pytest.raises(DomainError, match="reclaimed from you"):
        pools.claim(bank.north_rm, back.pk, now=NOW + dt.timedelta(days=2))
    assert pools.claim(bank.north_rm2, back.pk, now=NOW + dt.timedelta(days=2)).holder == bank.north_rm2
    assert pools.claim(bank.north_rm, fresh.pk, now=NOW + dt.timedelta(days=1)).holder == bank.north_rm


def test_the_invalid_pool_is_never_claimed_from(bank):
    """LEAD-06: the invalid pool holds leads not worth following."""
    grant(bank.north_rm, CLAIM)
    invalid = LeadPool.objects.create(kind=LeadPool.Kind.INVALID, name="无效池", org=bank.north)
    (lead,) = pooled(invalid, 1)
    with pytest.raises(DomainError):
        pools.claim(bank.north_rm, lead.pk, now=NOW)


def test_the_claim_api(bank, pool):
    """LEAD-06 through the API: 200 with the lead now held; a second claim is a 400 with the reason."""
    (lead,) = pooled(pool, 1)
    api = APIClient()
    api.force_authenticate(bank.north_rm)
    response = api.post(f"/api/v1/leads/{lead.pk}/claim/")
    assert response.status_code == 200 and response.json()["holder"] == bank.north_rm.pk
    again = api.post(f"/api/v1/leads/{lead.pk}/claim/")
    assert again.status_code == 400
    assert api.post("/api/v1/leads/99999999999999999999/claim/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_fifty_people_claiming_one_hundred_leads_at_once(bank):
    """LEAD-06: 50 concurrent claimants on one pool of 100 leads (3 a day each): every lead ends
    with exactly one holder, no claimant exceeds 3, and every claim is recorded once."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite runs one writer at a time)")
    pool = LeadPool.objects.create(
        kind=LeadPool.Kind.PUBLIC, name="并发池", org=bank.north, daily_claim_cap=3, max_held=3
    )
    leads = [lead.pk for lead in pooled(pool, 100)]
    people = [EmployeeFactory(employee_no=f"C{i:02d}", org=bank.north_team) for i in range(50)]
    for person in people:
        grant(person, CLAIM)
    start = threading.Barrier(len(people))
    claimed, errors = [], []

    def work(person):
        try:
            order = leads[:]
            random.Random(person.pk).shuffle(order)
            start.wait()
            for lead_id in order:
                try:
                    pools.claim(person, lead_id)
                    claimed.append((person.pk, lead_id))
                except DomainError as error:
                    if "limit" in str(error) or "the most" in str(error):
                        break
        except Exception as error:  # noqa: BLE001 (reported below, not swallowed)
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    holders = dict(Lead.objects.filter(pk__in=leads).values_list("pk", "holder_id"))
    assert all(holders[pk] is not None for pk in leads)  # 150 claims allowed: every lead taken
    assert sorted(lead for _person, lead in claimed) == sorted(leads)  # each exactly once
    per_person = {}
    for person, _lead in claimed:
        per_person[person] = per_person.get(person, 0) + 1
    assert max(per_person.values()) <= 3
    assert LeadMove.objects.filter(kind=LeadMove.Kind.CLAIM).count() == 100
