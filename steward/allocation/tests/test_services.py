"""LEAD-03, LEAD-08: allocation rules run end to end — each method's shares, caps and leave
skipping, step-by-step versus direct, the three modes, the data scope, and two runs of one rule
never allocating a lead twice."""

import datetime as dt
import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from steward.allocation import services
from steward.allocation.models import AllocationRule, AllocationRun
from steward.allocation.tests.conftest import NOW, pooled
from steward.core.errors import DomainError
from steward.jobs.registry import jobs
from steward.leads.models import Lead, LeadMove, LeadPool
from steward.org.models import Employee


def held_by(people):
    return {person.pk: Lead.objects.filter(holder=person).count() for person in people}


def test_even_rule_gives_counts_that_differ_by_at_most_one_and_records_the_run(world):
    """LEAD-08 平均: 20 leads over 6 RMs → 3 or 4 each; every lead has one holder and one move."""
    leads = pooled(world.north_pool, 20)
    rule = world.rule()

    run = services.run(world.north_manager, rule, now=NOW)

    counts = held_by(world.rms)
    assert sorted(counts.values()) == [3, 3, 3, 3, 4, 4]
    assert run.leads_found == 20 and run.leads_moved == 20 and run.mode == "semi"
    assert {share["id"]: share["count"] for share in run.shares} == counts
    assert LeadMove.objects.filter(lead__in=leads, kind="assign").count() == 20
    assert not Lead.objects.filter(pool=world.north_pool).exists()
    lead = Lead.objects.get(pk=leads[0].pk)
    assert lead.org == world.bank.north_team and lead.assigned_at == NOW


def test_weighted_rule_shares_follow_the_allocation_weights(world):
    """LEAD-08 权重: weights 1, 3 and 0 over 100 leads → 25, 75 and nothing (weight 0 is skipped)."""
    one, three, zero = world.rms[:3]
    Employee.objects.filter(pk=one.pk).update(allocation_weight=1)
    Employee.objects.filter(pk=three.pk).update(allocation_weight=3)
    Employee.objects.filter(pk=zero.pk).update(allocation_weight=0)
    pooled(world.north_pool, 100)
    rule = world.rule(method="weighted", people=[one, three, zero])

    run = services.run(world.north_manager, rule, now=NOW)

    assert held_by([one, three, zero]) == {one.pk: 25, three.pk: 75, zero.pk: 0}
    assert run.skipped == [{"id": zero.pk, "name": zero.name, "reason": "no_weight"}]


def test_who_gets_the_remainder_is_random_not_the_first_created_rm(world):
    """LEAD-08: one lead, three RMs — over 300 previews each RM is drawn about a third of the time."""
    pooled(world.north_pool, 1)
    rule = world.rule(people=world.rms[:3])
    winners = Counter()
    for seed in range(300):
        plan = services.preview(world.north_manager, rule, now=NOW, rng=random.Random(seed))
        winners.update(share["id"] for share in plan.shares if share["count"])
    assert set(winners) == {rm.pk for rm in world.rms[:3]}
    assert all(60 <= n <= 140 for n in winners.values()), winners


def test_random_rule_with_fewer_leads_than_rms_gives_one_each_to_a_random_few(world):
    """LEAD-08 随机 (file 003): 2 leads, 6 RMs → two RMs get one each."""
    pooled(world.north_pool, 2)
    services.run(world.north_manager, world.rule(method="random"), now=NOW, rng=random.Random(3))
    assert sorted(held_by(world.rms).values()) == [0, 0, 0, 0, 1, 1]


def test_people_on_leave_or_gone_are_skipped_with_the_reason(world):
    """LEAD-08: an RM on leave and one who left receive nothing; the preview says why."""
    away, gone = world.rms[0], world.rms[1]
    Employee.objects.filter(pk=away.pk).update(status="on_leave")
    Employee.objects.filter(pk=gone.pk).update(status="left", is_active=False)
    pooled(world.north_pool, 8)
    rule = world.rule()

    plan = services.preview(world.north_manager, rule, now=NOW)
    run = services.run(world.north_manager, rule, now=NOW)

    reasons = {row["id"]: row["reason"] for row in plan.skipped}
    assert reasons == {away.pk: "on_leave", gone.pk: "left"}
    assert services.skip_reason_label("on_leave") == "On leave"
    assert held_by([away, gone]) == {away.pk: 0, gone.pk: 0}
    assert sorted(held_by(world.rms[2:]).values()) == [2, 2, 2, 2]
    assert {row["id"] for row in run.skipped} == {away.pk, gone.pk}


def test_daily_cap_counts_todays_assignments_and_claims(world):
    """LEAD-08: with 2 a day, an RM assigned 2 today is skipped, one claimed 1 gets only 1 more."""
    full, half, fresh = world.rms[:3]
    earlier = pooled(world.head_pool, 3)
    LeadMove.objects.create(lead=earlier[0], kind="assign", to_holder=full, at=NOW - dt.timedelta(hours=2))
    LeadMove.objects.create(lead=earlier[1], kind="claim", to_holder=full, at=NOW - dt.timedelta(hours=1))
    LeadMove.objects.create(lead=earlier[2], kind="claim", to_holder=half, at=NOW - dt.timedelta(hours=1))
    # Yesterday's does not count.
    LeadMove.objects.create(lead=earlier[2], kind="assign", to_holder=fresh, at=NOW - dt.timedelta(days=1))
    pooled(world.north_pool, 10)

    run = services.run(world.north_manager, world.rule(daily_cap=2, people=[full, half, fresh]), now=NOW)

    assert held_by([full, half, fresh]) == {full.pk: 0, half.pk: 1, fresh.pk: 2}
    assert run.skipped == [{"id": full.pk, "name": full.name, "reason": "daily_cap"}]
    assert run.leads_moved == 3 and Lead.objects.filter(pool=world.north_pool).count() == 7


def test_total_cap_counts_the_open_leads_held(world):
    """LEAD-08: at most 3 held — an RM holding 3 open leads is skipped; closed ones do not count."""
    busy, closing = world.rms[:2]
    for lead in pooled(world.head_pool, 3):
        Lead.objects.filter(pk=lead.pk).update(holder=busy, pool=None)
    for lead in pooled(world.south_pool, 3):
        Lead.objects.filter(pk=lead.pk).update(holder=closing, pool=None, stage="converted")
    pooled(world.north_pool, 10)

    run = services.run(world.north_manager, world.rule(total_cap=3, people=[busy, closing]), now=NOW)

    assert Lead.objects.filter(holder=busy).count() == 3
    assert Lead.objects.filter(holder=closing, stage="new").count() == 3
    assert [row["reason"] for row in run.skipped] == ["total_cap"]


def test_step_by_step_goes_level_by_level_each_level_allocating_its_share(world):
    """LEAD-03 逐级: head office → branches' public pools, then the branch → its RMs."""
    bank = world.bank
    pooled(world.head_pool, 10)
    head_rule = AllocationRule.objects.create(
        name="总行逐级", org=bank.head, source_pool=world.head_pool, path="step", method="even"
    )

    run = services.run(world.head_manager, head_rule, now=NOW)

    assert run.path == "step" and run.leads_moved == 10
    north = Lead.objects.filter(org=bank.north, pool__org=bank.north, holder__isnull=True).count()
    south = Lead.objects.filter(org=bank.south, pool__org=bank.south, holder__isnull=True).count()
    assert (north, south) == (5, 5)
    assert not Lead.objects.filter(holder__isnull=False).exists()  # nobody holds them yet
    pool = LeadPool.objects.get(org=bank.north, kind="public")
    assert pool == world.north_pool

    services.run(world.north_manager, world.rule(people=world.rms[:5]), now=NOW)
    assert held_by(world.rms[:5]) == {rm.pk: 1 for rm in world.rms[:5]}


def test_direct_allocation_from_head_office_goes_straight_to_rms(world):
    """LEAD-03 直接: a head-office rule gives its leads to RMs of a team two levels down."""
    bank = world.bank
    pooled(world.head_pool, 4)
    rule = AllocationRule.objects.create(
        name="总行直分", org=bank.head, source_pool=world.head_pool, path="direct", method="even"
    )
    rule.target_employees.set([bank.north_rm, bank.south_rm])

    services.run(world.head_manager, rule, now=NOW)

    assert held_by([bank.north_rm, bank.south_rm]) == {bank.north_rm.pk: 2, bank.south_rm.pk: 2}
    assert set(Lead.objects.filter(holder=bank.south_rm).values_list("org", flat=True)) == {bank.south_team.pk}


def test_step_rule_allocates_only_to_direct_child_orgs(world):
    """LEAD-03: a head-office step rule naming a sub-branch (a grandchild) is refused on its field."""
    bank = world.bank
    rule = AllocationRule(name="越级", org=bank.head, source_pool=world.head_pool, path="step", method="even")
    with pytest.raises(DomainError) as error:
        services.save_rule(world.head_manager, rule, target_orgs=[bank.north_sub])
    assert error.value.field == "target_orgs"
    saved = services.save_rule(world.head_manager, rule, target_orgs=[bank.north])
    assert list(saved.target_orgs.all()) == [bank.north]


def test_weighted_step_weighs_each_child_org_by_its_staff(world):
    """LEAD-03, LEAD-08: weighted step-by-step: north has 6 RMs + the manager, south 1 RM + manager."""
    bank = world.bank
    pooled(world.head_pool, 80)
    rule = AllocationRule.objects.create(
        name="总行权重", org=bank.head, source_pool=world.head_pool, path="step", method="weighted"
    )
    services.run(world.head_manager, rule, now=NOW)
    # Active staff with weight 1: north 6 RMs + its manager = 7; south 1 RM + its manager = 2.
    north = Lead.objects.filter(pool__org=bank.north).count()
    south = Lead.objects.filter(pool__org=bank.south).count()
    assert (north, south) == (62, 18)  # 80 × 7/9 = 62.2, 80 × 2/9 = 17.8


def test_the_filter_and_the_per_run_limit_choose_which_leads_go(world):
    """LEAD-08: only high-level leads of import IMP-7, and at most 3 of them in one run."""
    pooled(world.north_pool, 5, level="high", import_number="IMP-7")
    pooled(world.north_pool, 4, level="normal", import_number="IMP-7")
    pooled(world.north_pool, 2, level="high", import_number="IMP-8")
    rule = world.rule(lead_filter={"levels": ["high"], "import_number": "IMP-7"}, per_run_limit=3)

    run = services.run(world.north_manager, rule, now=NOW)

    assert run.leads_found == 3 and run.leads_moved == 3
    assert set(Lead.objects.filter(holder__isnull=False).values_list("level", "import_number")) == {("high", "IMP-7")}


def test_running_a_rule_twice_allocates_nothing_the_second_time(world):
    """LEAD-08: the second run finds the pool empty — no lead changes hands twice."""
    pooled(world.north_pool, 6)
    rule = world.rule()
    services.run(world.north_manager, rule, now=NOW)
    second = services.run(world.north_manager, rule, now=NOW)
    assert second.leads_found == 0 and second.leads_moved == 0
    assert LeadMove.objects.count() == 6


def test_a_switched_off_rule_does_not_run(world):
    """LEAD-08: an inactive rule refuses to run, with the reason."""
    pooled(world.north_pool, 2)
    with pytest.raises(DomainError, match="switched off"):
        services.run(world.north_manager, world.rule(is_active=False), now=NOW)
    assert not Lead.objects.filter(holder__isnull=False).exists()


def test_a_branch_manager_of_another_branch_can_neither_see_nor_run_nor_allocate(world):
    """LEAD-08 data scope: the south manager sees no north rule or run, cannot run it, cannot
    allocate north leads by hand, nor give south leads to north RMs, nor write a north rule."""
    leads = pooled(world.north_pool, 3)
    rule = world.rule()
    services.run(world.north_manager, rule, now=NOW)
    south = world.south_manager
    assert not AllocationRule.objects.visible_to(south, "allocation.rule:view").exists()
    assert not AllocationRun.objects.visible_to(south, "allocation.rule:view").exists()
    with pytest.raises(DomainError):
        services.preview(south, rule)
    with pytest.raises(DomainError):
        services.run(south, rule)
    fresh = pooled(world.north_pool, 2)
    with pytest.raises(DomainError) as error:
        services.allocate_manually(south, [lead.pk for lead in fresh], [world.bank.south_rm.pk], "even")
    assert error.value.field == "leads"
    own = pooled(world.south_pool, 1)
    with pytest.raises(DomainError) as error:
        services.allocate_manually(south, [own[0].pk], [world.bank.north_rm.pk], "even")
    assert error.value.field == "targets"
    with pytest.raises(DomainError) as error:
        services.save_rule(
            south,
            AllocationRule(name="越界", org=world.bank.north, source_pool=world.north_pool),
            target_employees=[world.bank.north_rm],
        )
    assert error.value.field == "org"
    assert Lead.objects.filter(pk__in=[lead.pk for lead in fresh + own], holder__isnull=False).count() == 0
    assert len(leads) == 3


def test_running_without_the_permission_is_refused(world):
    """LEAD-08: view alone does not run allocation."""
    from steward.testing import EmployeeFactory, grant

    auditor = EmployeeFactory(org=world.bank.north)
    grant(auditor, "allocation.rule:view", scope="subtree")
    with pytest.raises(PermissionDenied):
        services.run(auditor, world.rule())


def test_manual_allocation_gives_the_picked_leads_to_the_picked_people(world):
    """LEAD-08 手工: picked leads of two pools, two RMs, even; the run is recorded without a rule."""
    north = pooled(world.north_pool, 3)
    head = pooled(world.head_pool, 1)
    picked = [lead.pk for lead in north + head]
    people = [world.rms[0].pk, world.rms[1].pk]

    plan = services.preview_manual(world.head_manager, picked, people, "even")
    assert sorted(share["count"] for share in plan.shares) == [2, 2]
    assert not Lead.objects.filter(holder__isnull=False).exists()

    run = services.allocate_manually(world.head_manager, picked, people, "even", now=NOW)

    assert run.mode == "manual" and run.rule is None and run.leads_moved == 4
    assert run.org == world.bank.head  # the nearest org above every lead: the run is seen from there
    assert held_by(world.rms[:2]) == {world.rms[0].pk: 2, world.rms[1].pk: 2}
    with pytest.raises(DomainError) as error:  # already held now
        services.allocate_manually(world.head_manager, picked[:1], people, "even")
    assert error.value.field == "leads"


def test_automatic_rules_run_once_a_day_from_their_time(world):
    """LEAD-08 自动: before 09:00 nothing; at 10:00 the rule runs; again the same day nothing;
    the next day it runs again. The job is registered with the jobs registry."""
    assert "allocation.run_automatic_rules" in jobs
    rule = world.rule(mode="auto", run_at=dt.time(9, 0))
    pooled(world.north_pool, 6)
    early = NOW.replace(hour=8)

    assert services.run_due_rules(now=early) == {"processed": 0, "updated": 0}
    assert services.run_due_rules(now=NOW) == {"processed": 1, "updated": 6}
    pooled(world.north_pool, 6)
    assert services.run_due_rules(now=NOW + dt.timedelta(hours=1)) == {"processed": 0, "updated": 0}
    assert services.run_due_rules(now=NOW + dt.timedelta(days=1)) == {"processed": 1, "updated": 6}

    runs = AllocationRun.objects.filter(rule=rule)
    assert runs.count() == 2 and set(runs.values_list("mode", flat=True)) == {"auto"}
    assert set(runs.values_list("run_by", flat=True)) == {None}


def test_an_automatic_rule_needs_its_time(world):
    """LEAD-08: an automatic rule without a daily time is refused on that field."""
    rule = AllocationRule(name="自动", org=world.bank.north, source_pool=world.north_pool, mode="auto")
    with pytest.raises(DomainError) as error:
        services.save_rule(world.north_manager, rule, target_employees=world.rms)
    assert error.value.field == "run_at"


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_rule_at_once_never_allocate_a_lead_twice(bank):
    """LEAD-08 (PostgreSQL): two simultaneous runs of the same rule — every lead moves once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL")
    from steward.allocation.tests.conftest import World

    world = World(bank)
    pooled(world.north_pool, 60)
    rule = world.rule()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run_once():
        try:
            barrier.wait()
            results.append(services.run(world.north_manager, AllocationRule.objects.get(pk=rule.pk)).leads_moved)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and sorted(results) == [0, 60]
    assert LeadMove.objects.count() == 60
    assert Lead.objects.filter(holder__isnull=False).count() == 60
