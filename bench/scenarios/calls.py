"""Call-centre scenario (issue 14, SVC-05 / INT-05): the end-of-day matching of one day's calls.

BENCH_CALLS calls (default 20,000; the target is stated for 1,000,000) of one day are stored as the
CTI's events would store them (untimed: checked, the numbers turned into blind indexes, COPY on
PostgreSQL), against the bench bank's customers — reused from an earlier scenario of the run, else
BENCH_CUSTOMERS (default 20,000) loaded through the T+1 intake. Each RM gets a desk extension.

The calls: 80 % to a customer's mobile (answered 70 %, then no answer, busy, voicemail), of them
one in twenty by employee number instead of extension and one in fifty from an extension nobody
has; 15 % from numbers no customer has; 5 % without a number. Timed: `match_calls` for the day —
the customers by the number's blind index, the employees, the calls updated, one interaction per
matched call and the customers' last contact. Between runs (untimed) the day is reset: its calls
back to "waiting", its interactions deleted, last contact cleared. Target: 1,000,000 calls ≤ 60 s
on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import random

from bench.registry import scenario

NOT_HTTP = (None,)
MAX_RUNS = 3
DAY = dt.date(2026, 3, 31)


def _reset(day) -> None:
    from django.db import connection

    from steward.customers.models import LastContact
    from steward.interactions.models import CallRecord, Interaction

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Interaction._meta.db_table} WHERE source IN ('cti_event', 'cti_file')",
        )
        cursor.execute(
            f"UPDATE {CallRecord._meta.db_table} SET status = 'pending', reason = '', customer_id = NULL, "
            f"employee_id = NULL, matched_at = NULL WHERE data_date = %s",
            [day],
        )
        cursor.execute(f"DELETE FROM {LastContact._meta.db_table}")
    from bench.scenarios.intake import settle

    # As before an intake run: vacuumed, analysed, and checkpointed, so that the timed job does not
    # also write out what the reset and the vacuum left dirty.
    settle()


def _store_calls(count: int, day, now) -> dict:
    """`count` calls of `day`, stored as the events path stores them (one COPY per 100,000)."""
    from django.db import transaction
    from django.utils import timezone

    from steward.customers.models import Customer
    from steward.interactions.calls import _insert_calls, check_call
    from steward.org.models import Employee

    rng = random.Random(20261207)
    mobiles = list(Customer.objects.exclude(mobile="").values_list("mobile", flat=True).iterator(10000))
    staff = list(Employee.objects.filter(position="rm").values_list("extension", "employee_no"))
    outcomes = ["answered"] * 7 + ["no_answer", "busy", "voicemail"]
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
    kinds = {"customer": 0, "stranger": 0, "no number": 0}
    batch = []
    for i in range(count):
        roll = rng.random()
        extension, employee_no = rng.choice(staff)
        if rng.random() < 0.05:
            extension, employee_no = "", employee_no
        elif rng.random() < 0.02:
            extension, employee_no = "999999", ""
        else:
            employee_no = ""
        if roll < 0.80 and mobiles:
            number, kind = rng.choice(mobiles), "customer"
        elif roll < 0.95:
            number, kind = f"170{rng.randrange(10**8):08d}", "stranger"
        else:
            number, kind = "", "no number"
        kinds[kind] += 1
        values = {
            "call_id": f"B{day:%Y%m%d}{i:09d}",
            "direction": "outbound" if i % 3 else "inbound",
            "started_at": start + dt.timedelta(seconds=(i * 37) % 36000),
            "duration_seconds": rng.randrange(0, 900),
            "outcome": rng.choice(outcomes),
            "number": number,
            "extension": extension,
            "employee_no": employee_no,
        }
        batch.append(check_call(values, source="cti_event", now=now))
        if len(batch) >= 100_000:
            with transaction.atomic():
                _insert_calls(batch, now)
            batch = []
    if batch:
        with transaction.atomic():
            _insert_calls(batch, now)
    return kinds


@scenario("calls", "End-of-day call matching: N calls of a day matched to customers and employees")
def calls(ctx):
    from django.db import connection
    from django.utils import timezone

    from bench.database import settle_tables
    from bench.scenarios.customers import ensure_customers
    from steward.interactions.calls import match_calls
    from steward.interactions.models import CallRecord, Interaction
    from steward.org.models import Employee

    count = int(os.environ.get("BENCH_CALLS", "20000"))
    customers = ensure_customers()
    rms = list(Employee.objects.filter(position="rm").order_by("pk"))
    for n, rm in enumerate(rms):
        rm.extension = f"{8000 + n}"
    Employee.objects.bulk_update(rms, ["extension"], batch_size=500)
    now = timezone.make_aware(dt.datetime.combine(DAY, dt.time(23, 30)))
    kinds = _store_calls(count, DAY, now)
    settle_tables()
    ctx.check(CallRecord.objects.filter(data_date=DAY).count() == count, "calls stored")
    results = []
    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, MAX_RUNS), 0
    try:

        def run(_):
            results.append(match_calls(now=now, days=[DAY]))

        measured = ctx.measure(
            f"end-of-day matching of {count:,} calls (customers by blind index, employees, interactions, last contact)",
            run,
            setup=lambda: _reset(DAY),
            expect_status=NOT_HTTP,
            count_statements_only=True,
        )
    finally:
        ctx.runs, ctx.warmup = runs, warmup
    last = results[-1]
    ctx.check(last.processed == count, f"{last.processed} calls processed, expected {count}")
    written = Interaction.objects.filter(source="cti_event").count()
    ctx.check(written == last.matched == last.interactions, f"{written} interactions for {last.matched} matched")
    seconds = measured.median_ms / 1000
    ctx.note(
        f"{connection.vendor}: {count:,} calls of one day against {customers:,} customers "
        f"({kinds['customer']:,} to a customer's mobile, {kinds['stranger']:,} from unknown numbers, "
        f"{kinds['no number']:,} without a number); {last.matched:,} matched and recorded as contacts, "
        f"{last.unmatched:,} not matched. Median {seconds:.1f} s = {count / seconds:,.0f} calls/s. "
        f"Target: 1,000,000 calls ≤ 60 s (PostgreSQL)."
    )
