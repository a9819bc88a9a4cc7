"""Potential customers (issue 15): claims from one pool under concurrency (LEAD-06).

`lead-claims`: 50 people (RMs of the bench bank, each given leads.lead:claim) claim at once from
one public pool of 100 leads (the head office's, so every one of them may; 3 claims a day each,
at most 3 held). Each person walks the 100 leads in their own random order until the pool's cap
refuses them. Timed: from the start signal to the last claim. Checked after every run: every lead
has exactly one holder, one claim move per lead, nobody over 3. Target: zero double claims and
zero cap overruns; claims/s reported. PostgreSQL only (SQLite runs one writer at a time).
"""

from __future__ import annotations

import random
import threading

from bench.registry import scenario

NOT_HTTP = (None,)
PEOPLE = 50
LEADS = 100
CAP = 3


@scenario("lead-claims", "50 concurrent claimants on one pool of 100 leads (LEAD-06)")
def lead_claims(ctx):
    from django.db import connection, connections

    from steward.core.errors import DomainError
    from steward.leads import pools
    from steward.leads.models import Lead, LeadMove, LeadPool
    from steward.leads.permissions import CLAIM
    from steward.org.models import Employee, Org
    from steward.testing import grant

    if connection.vendor != "postgresql":
        ctx.note("lead-claims runs on PostgreSQL only (SQLite runs one writer at a time).")
        return
    head = Org.objects.filter(parent__isnull=True).order_by("pk").first()
    people = list(Employee.objects.filter(position="rm").order_by("pk")[:PEOPLE])
    ctx.check(len(people) == PEOPLE, f"the bank has {len(people)} RMs, {PEOPLE} needed")
    for person in people:
        grant(person, CLAIM)
    pool, _created = LeadPool.objects.get_or_create(
        org=head,
        kind=LeadPool.Kind.PUBLIC,
        defaults={"name": "bench pool", "daily_claim_cap": CAP, "max_held": CAP},
    )
    outcomes = []

    def reset():
        Lead.objects.filter(source=Lead.Source.CHANNEL, channel="bench-claims").delete()
        LeadMove.objects.filter(pool=pool).delete()
        leads = Lead.objects.bulk_create(
            [
                Lead(
                    name=f"bench lead {i}",
                    mobile=f"139{i:08d}",
                    org=head,
                    pool=pool,
                    source=Lead.Source.CHANNEL,
                    channel="bench-claims",
                    channel_ref=f"B{i}",
                )
                for i in range(LEADS)
            ]
        )
        return [lead.pk for lead in leads]

    def run(lead_ids):
        start = threading.Barrier(PEOPLE + 1)
        claimed, errors, refused = [], [], []

        def work(person):
            try:
                order = lead_ids[:]
                random.Random(person.pk).shuffle(order)
                start.wait()
                for lead_id in order:
                    try:
                        pools.claim(person, lead_id)
                        claimed.append((person.pk, lead_id))
                    except DomainError as error:
                        refused.append(1)
                        if "limit" in str(error) or "the most" in str(error):
                            break
            except Exception as error:  # noqa: BLE001 (reported by the check below)
                errors.append(repr(error))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        start.wait()
        for thread in threads:
            thread.join()
        outcomes.append((claimed, errors, len(refused)))

    measured = ctx.measure(
        f"{PEOPLE} people claiming at once from one pool of {LEADS} leads (cap {CAP} each)",
        run,
        setup=reset,
        expect_status=NOT_HTTP,
        count_statements_only=True,
    )
    doubles = overruns = 0
    for claimed, errors, _refused in outcomes:
        ctx.check(not errors, f"errors in the claimants: {errors[:3]}")
        leads = [lead for _person, lead in claimed]
        doubles += len(leads) - len(set(leads))
        per_person = {}
        for person, _lead in claimed:
            per_person[person] = per_person.get(person, 0) + 1
        overruns += sum(1 for n in per_person.values() if n > CAP)
    last_claimed = outcomes[-1][0]
    ctx.check(len(last_claimed) == LEADS, f"{len(last_claimed)} of {LEADS} leads claimed")
    ctx.check(doubles == 0 and overruns == 0, f"{doubles} double claims, {overruns} people over the cap")
    held = Lead.objects.filter(channel="bench-claims", holder__isnull=False).count()
    ctx.check(held == LEADS, f"{held} of {LEADS} leads held after the last run")
    refusals = sorted(n for _c, _e, n in outcomes)[len(outcomes) // 2]
    seconds = measured.median_ms / 1000
    ctx.note(
        f"{len(outcomes)} runs: {doubles} double claims, {overruns} people over the cap; every lead one holder. "
        f"Median {seconds:.1f} s for {LEADS} claims = {LEADS / seconds:,.1f} claims/s, with a median of "
        f"{refusals:,} refused attempts (a lead taken by someone else, or the cap) = "
        f"{(LEADS + refusals) / seconds:,.0f} attempts/s; each attempt is a transaction, each claim also "
        f"writes two audit entries on the one chain ({PEOPLE} threads, one database connection each)."
    )
