"""T+1 intake scenario (issue "Customers and their money", DAT-01/DAT-04): one day's files for N
customers (BENCH_INTAKE_CUSTOMERS, default 20,000), loaded

(a) bare: the four CSV files copied as they are into unindexed text tables — `COPY … FROM STDIN
    (FORMAT csv)` on PostgreSQL, csv.reader + executemany on SQLite;
(b) full: `load_day` (what `manage.py load_daily` runs): validation, quarantine, staging,
    set-based upserts, the day's balances and transactions replaced, derived figures, reminders.

The target is (b) ≤ 3 × (a). Every full load (warm-up included) loads the next data date — a new
day, with drifted balances and new transactions, as in production — and (c) re-loading the last day
again measures the replace path (nothing changed: the re-run writes nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path

from bench.registry import scenario

NOT_HTTP = (None,)
DAY = dt.date(2026, 3, 31)
MAX_RUNS = 3


def bare_load(directory: Path) -> None:
    from django.db import connection, transaction

    from steward.holdings.intake import ENTITY_ORDER, LAYOUTS

    with transaction.atomic(), connection.cursor() as cursor:
        for entity in ENTITY_ORDER:
            table = f"bench_raw_{entity}"
            columns = LAYOUTS[entity]
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in columns)})")
            path = directory / f"{entity}.csv"
            if connection.vendor == "postgresql":
                with (
                    open(path, "rb") as handle,
                    cursor.cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            else:
                sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})"
                with open(path, newline="", encoding="utf-8") as handle:
                    reader = csv.reader(handle)
                    next(reader)
                    batch = []
                    for row in reader:
                        batch.append(row)
                        if len(batch) >= 5000:
                            cursor.executemany(sql, batch)
                            batch = []
                    if batch:
                        cursor.executemany(sql, batch)
        for entity in ENTITY_ORDER:
            cursor.execute(f"DROP TABLE IF EXISTS bench_raw_{entity}")


@scenario("intake", "T+1 intake of one day for N customers: bare COPY vs full load with derived figures")
def intake(ctx):
    from django.db import connection

    from steward.customers.models import Customer
    from steward.holdings.generator import generate_day
    from steward.holdings.intake import load_day
    from steward.org.models import Employee, Org

    customers = int(os.environ.get("BENCH_INTAKE_CUSTOMERS", "20000"))
    orgs = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True))
    owners = list(Employee.objects.filter(position="rm").order_by("employee_no").values_list("employee_no", flat=True))
    with tempfile.TemporaryDirectory(prefix="steward-intake-") as tmp:
        runs, warmup = ctx.runs, ctx.warmup
        ctx.runs, ctx.warmup = min(runs, MAX_RUNS), min(warmup, 1)
        days = [DAY + dt.timedelta(days=i) for i in range(ctx.runs + ctx.warmup)]
        for day in days:
            counts = generate_day(Path(tmp) / day.isoformat(), customers, day, orgs=orgs, owners=owners)
        directory = Path(tmp) / DAY.isoformat()
        size = sum(f.stat().st_size for f in directory.glob("*.csv"))
        ctx.note(
            f"{connection.vendor}: {customers:,} customers, {counts['accounts']:,} accounts with balances, "
            f"{counts['transactions']:,} transactions, {counts['products']} products ({size / 1e6:.1f} MB of CSV) a day."
        )
        pending = list(days)

        def next_day():
            day = pending.pop(0)
            return day, Path(tmp) / day.isoformat()

        try:
            bare = ctx.measure(
                "bare copy of the day's 4 files into unindexed tables",
                lambda _: bare_load(directory),
                expect_status=NOT_HTTP,
            )
            full = ctx.measure(
                "full load_daily of a new day, with derived figures and reminders",
                lambda state: load_day(None, state[1], state[0]),
                setup=next_day,
                expect_status=NOT_HTTP,
                ratio_to=bare.name,
                note="each run loads the next data date",
                # Statements that run only when a day has something for them (rows the SQL fast path
                # leaves to the Python rules, rejects) make the count follow the day's data.
                queries_follow_data=True,
            )
            last = days[-1]
            rerun = ctx.measure(
                "re-run of the last day (replace path, nothing changed)",
                lambda _: load_day(None, Path(tmp) / last.isoformat(), last),
                expect_status=NOT_HTTP,
                ratio_to=bare.name,
            )
        finally:
            ctx.runs, ctx.warmup = runs, warmup
        loaded = Customer.objects.filter(figures__as_of=last).count()
        ctx.check(loaded == customers, f"{loaded} customers have figures as of {last}, expected {customers}")
        ctx.note(
            f"New day: full load {full.median_ms / 1000:.2f} s vs bare {bare.median_ms / 1000:.2f} s = "
            f"{full.median_ms / bare.median_ms:.1f}× (target ≤ 3×); re-run {rerun.median_ms / 1000:.2f} s. "
            f"Throughput {customers / full.median_ms * 1000:,.0f} customers/s; linear extrapolation to 1,000,000 "
            f"customers: {full.median_ms / 1000 * 1_000_000 / customers:.0f} s (target < 120 s on PostgreSQL)."
        )
