"""Potential customers (issue 15): the protection job at scale (LEAD-04, LEAD-09).

`lead-reclaim`: 1,000,000 leads held by the bench bank's RMs (written once by one INSERT … SELECT
over generate_series), of which every 20th — 50,000 — has a protection deadline one hour past.
Timed: `reclaim_expired()` — the indexed read of the expired leads, each one's rule from the rule
book, the hand-over writer's UPDATEs into the orgs' public pools, 50,000 moves with the rule's
reason, the audit entries and one notification per former holder. Untimed between runs: the 50,000
are given back to their holders with the past deadline, their moves and notifications removed.
Checked: exactly 50,000 reclaimed per run, none of the other 950,000 touched, a second run at once
finds nothing. Target ≤ 10 s. PostgreSQL only.
"""

from __future__ import annotations

import os

from bench.registry import scenario

NOT_HTTP = (None,)
# The size; a smaller one (BENCH_LEAD_RECLAIM_HELD) for a quick look.
HELD = int(os.environ.get("BENCH_LEAD_RECLAIM_HELD", "1000000"))
EVERY = 20  # every 20th lead's protection has ended: 50,000


@scenario("lead-reclaim", "The protection job over 1,000,000 held leads, 50,000 expired (LEAD-09)")
def lead_reclaim(ctx):
    from django.db import connection
    from django.utils import timezone

    from steward.leads.models import Lead, LeadMove
    from steward.leads.reclaim import RECLAIMED, reclaim_expired
    from steward.notices.models import Notification
    from steward.org.models import Employee

    if connection.vendor != "postgresql":
        ctx.note("lead-reclaim runs on PostgreSQL only (the issue's target is PostgreSQL's).")
        return
    rms = list(Employee.objects.filter(position="rm").order_by("pk").values_list("pk", "org_id"))
    ctx.check(bool(rms), "the bench bank has no RMs")
    holders = "ARRAY[" + ",".join(str(pk) for pk, _org in rms) + "]::bigint[]"
    orgs = "ARRAY[" + ",".join(str(org) for _pk, org in rms) + "]::bigint[]"
    now = timezone.now()
    explicit = {
        "name": "'bench lead ' || g",
        "mobile": "'139' || lpad(g::text, 8, '0')",
        "org_id": f"({orgs})[1 + mod(g, {len(rms)})]",
        "holder_id": f"({holders})[1 + mod(g, {len(rms)})]",
        "stage": "'contacted'",
        "level": "'normal'",
        "source": "'channel'",
        "channel": "'bench-reclaim'",
        "assigned_at": "%(now)s - interval '10 days'",
        "protected_until": f"CASE WHEN mod(g, {EVERY}) = 0 THEN %(now)s - interval '1 hour' ELSE %(now)s + interval '30 days' END",
        "created_at": "%(now)s - interval '10 days'",
        "followups": "1",
        "valid_followups": "0",
    }
    columns, values = [], []
    for field in Lead._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in explicit:
            values.append(explicit[field.column])
        elif field.null:
            values.append("NULL")
        elif field.get_internal_type() in ("PositiveIntegerField", "IntegerField"):
            values.append("0")
        elif field.get_internal_type() == "JSONField":
            values.append("'[]'")
        else:
            values.append("''")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM leads_lead WHERE channel = 'bench-reclaim'")
        cursor.execute(
            f"INSERT INTO leads_lead ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM generate_series(1, {HELD}) AS g",
            {"now": now},
        )
        cursor.execute("ANALYZE leads_lead")
    bench_leads = Lead.objects.filter(channel="bench-reclaim")
    first_id = bench_leads.order_by("pk").values_list("pk", flat=True).first()
    runs = []

    def reset():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM leads_leadmove WHERE kind = 'reclaim' AND lead_id >= %s", [first_id])
            cursor.execute("DELETE FROM notices_notification WHERE kind = %s", [RECLAIMED])
            # Back to their holders (the same arithmetic as the INSERT: id - first_id + 1 is g).
            cursor.execute(
                f"UPDATE leads_lead SET holder_id = ({holders})[1 + mod(id - %(first)s + 1, {len(rms)})], "
                f"org_id = ({orgs})[1 + mod(id - %(first)s + 1, {len(rms)})], pool_id = NULL, pooled_at = NULL, "
                "assigned_at = %(now)s - interval '10 days', protected_until = %(now)s - interval '1 hour' "
                "WHERE channel = 'bench-reclaim' AND holder_id IS NULL",
                {"first": first_id, "now": timezone.now()},
            )
            cursor.execute("CHECKPOINT")
        return timezone.now()

    def run(at):
        result = reclaim_expired(now=at)
        runs.append(result.reclaimed)

    measured = ctx.measure(
        f"reclaim job: {HELD:,} held leads, {HELD // EVERY:,} expired",
        run,
        setup=reset,
        expect_status=NOT_HTTP,
        count_statements_only=True,
    )
    ctx.check(all(n == HELD // EVERY for n in runs), f"reclaimed per run: {runs}")
    untouched = bench_leads.filter(holder__isnull=False).count()
    ctx.check(untouched == HELD - HELD // EVERY, f"{untouched:,} leads still held")
    again = reclaim_expired(now=timezone.now())
    ctx.check(again.reclaimed == 0, f"a second run reclaimed {again.reclaimed}")
    moves = LeadMove.objects.filter(kind=LeadMove.Kind.RECLAIM, lead_id__gte=first_id).count()
    told = Notification.objects.filter(kind=RECLAIMED).count()
    ctx.note(
        f"{len(runs)} runs, {HELD // EVERY:,} reclaimed each (to the orgs' public pools, the default rule's "
        f"reason logged on each move), median {measured.median_ms / 1000:.2f} s; {moves:,} moves and "
        f"{told:,} notifications (one per former holder, {len(rms):,} RMs) after the last run; "
        f"a second run at once reclaimed 0."
    )
