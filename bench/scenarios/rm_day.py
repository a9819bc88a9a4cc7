"""An RM's day at size (issue 14, "Performance"): the day's reminders in the T+1 intake, the RM's
workbench, the calendar's month view, and a mass SMS. Four scenarios that share one bank; run them
in this order (the intake first: a day's customers file puts the customers back with their core
owner):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steward_bench BENCH_CUSTOMERS=1000000 \\
        .venv/bin/python -m bench run --scenario rm-day-intake --scenario rm-day-workbench \\
        --scenario rm-day-calendar --scenario rm-day-sms --runs 15 --warmup 2 --label postgresql-1m

Targets (PostgreSQL, 1,000,000 customers):

* ``rm-day-intake`` — the reminders of one T+1 day (every kind: large transactions, maturities, card
  expiries, birthdays, risk-assessment expiries, important dates, IPO and dividend events) add
  ≤ 10 % to that day's intake time. Each run loads the next data date through ``load_day`` and
  times the reminder step (``figures.raise_reminders``) inside it, in the same run.
* ``rm-day-workbench`` — the home page with its widgets for an RM owning 2,000 customers: p95 ≤
  150 ms, and the same number of queries as for an RM owning 20.
* ``rm-day-calendar`` — the calendar's month view (the page, its entries JSON for the six weeks
  the month grid shows, and the API ``calendar-entries/`` for the month): p95 ≤ 100 ms.
* ``rm-day-sms`` — a mass SMS to 100,000 customers of a group (the approved application's path:
  ``mass_sms.audience`` → ``queue_messages``, tasks handed to the broker): queued ≤ 10 s; then the
  send throughput through a real local HTTP gateway with 1 and 2 Celery worker processes.

Customers come from an earlier scenario of the run, else BENCH_CUSTOMERS (default 20,000) are
generated and loaded through the intake (bench/scenarios/customers.py). The month of the RM is
made set-based for the whole bank (one INSERT … SELECT per table over the customers), so every RM
has one: ≈ 0.4 reminders, 0.22 contact plans, 0.3 contacts and 0.03 calendar notes per customer in
the current month; "rm" owns 2,000 customers (≈ 820 reminders, 450 plans, 600 contacts, 54 notes)
and a colleague 20.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.registry import scenario

NOT_HTTP = (None,)
REMINDER_SHARE_MEDIAN = 0.10
WORKBENCH_P95_MS = 150
CALENDAR_P95_MS = 100
SMS_RECIPIENTS = 100_000
SMS_QUEUE_S = 10
MONTH_MARK = "bench-month"
# ensure_customers loaded 2026-03-31. The first day loaded here (untimed) takes up the month of
# windows (risk expiries, cards …) since then; the timed days follow it one by one, the first of them
# being the day a month's end (31 May) enters the 30-day card-expiry window, so every kind is raised.
INTAKE_WARM_DAY = dt.date(2026, 4, 30)


# --------------------------------------------------------------------------- shared data


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _moment(value: dt.datetime):
    from django.db import connection

    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def _at(days_sql: str, hours_sql: str) -> str:
    """SQL for a timestamp: the parameter (a moment) plus whole days and hours."""
    if _vendor() == "postgresql":
        return f"(%s::timestamptz + ({days_sql}) * interval '1 day' + ({hours_sql}) * interval '1 hour')"
    return f"datetime(%s, '+' || ({days_sql}) || ' days', '+' || ({hours_sql}) || ' hours')"


def _day(days_sql: str) -> str:
    if _vendor() == "postgresql":
        return f"(%s::date + ({days_sql})::int)"
    return f"date(%s, '+' || ({days_sql}) || ' days')"


def _month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _people():
    from steward.org.models import Employee

    rm = Employee.objects.get(employee_no="rm")
    small_rm, other_rm = (
        Employee.objects.filter(position="rm", org=rm.org).exclude(pk=rm.pk).order_by("employee_no")[:2]
    )
    return rm, small_rm, other_rm


def ensure_month(ctx) -> dict:
    """Once per run: rm owns 2,000 customers and a colleague 20 (bench/scenarios/customers.py), and
    every owned customer gets this month's reminders, contact plans, contacts and calendar notes
    (set-based); then the tables are settled. Returns facts for the notes."""
    from django.db import connection
    from django.utils import timezone

    from bench.database import settle_tables
    from bench.scenarios.customers import MY_CUSTOMERS, SMALL_PORTFOLIO, ensure_customers, give_customers
    from steward.agenda.models import CalendarNote
    from steward.contactplans.models import ContactPlan
    from steward.customers.models import Customer
    from steward.holdings.models import Reminder
    from steward.interactions.models import Interaction

    total = ensure_customers()
    rm, small_rm, other_rm = _people()
    if Reminder.objects.filter(subject=MONTH_MARK).exists():
        return {"total": total, "rm": rm, "small_rm": small_rm}
    started = time.perf_counter()
    give_customers(rm, small_rm, other_rm)
    ctx.check(Customer.objects.filter(owner=rm).count() == MY_CUSTOMERS, "rm should own 2,000 customers")
    ctx.check(Customer.objects.filter(owner=small_rm).count() == SMALL_PORTFOLIO, "the colleague should own 20")

    now = timezone.now()
    today = timezone.localdate(now)
    first, _after = _month_bounds(today)
    tz = timezone.get_current_timezone()
    midnight = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    customer_t = Customer._meta.db_table
    kinds = ["large_txn", "maturity", "birthday", "card_expiry", "risk_expiry", "important_date", "ipo", "dividend",
             "maturity", "birthday", "large_txn"]  # fmt: skip
    kind_case = "CASE c.id %% 11 " + " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(kinds)) + " END"
    true = True
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Reminder._meta.db_table} (kind, customer_id, owner_id, subject, due_on, data_date, amount, "
            f"text, is_done, state, created_at) SELECT {kind_case}, c.id, c.owner_id, %s, {_day('c.id %% 29')}, %s, "
            f"CASE WHEN c.id %% 11 IN (0, 1, 6, 7, 8, 10) THEN 50000 + c.id %% 1000 ELSE NULL END, 'bench', "
            f"(c.id %% 7 = 0 OR c.id %% 13 = 0), "
            f"CASE WHEN c.id %% 7 = 0 THEN 'done' WHEN c.id %% 13 = 0 THEN 'dismissed' ELSE 'open' END, %s "
            f"FROM {customer_t} c WHERE c.id %% 97 < 40",
            [MONTH_MARK, first, first, _moment(now)],
        )
        reminders = cursor.rowcount
        plan_at = _at("c.id %% 29", "9 + c.id %% 9")
        cursor.execute(
            f"INSERT INTO {ContactPlan._meta.db_table} (customer_id, owner_id, planned_at, channel, purpose, status, "
            f"source, completed_at, created_by_id, created_at) SELECT c.id, c.owner_id, {plan_at}, 'call', "
            f"'bench: follow-up', CASE WHEN c.id %% 17 = 0 THEN 'cancelled' WHEN {plan_at} < %s AND c.id %% 3 <> 0 "
            f"THEN 'done' ELSE 'planned' END, 'manual', NULL, c.owner_id, %s FROM {customer_t} c "
            f"WHERE c.owner_id IS NOT NULL AND c.id %% 89 < 20",
            [_moment(midnight), _moment(midnight), _moment(now), _moment(now)],
        )
        plans = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {Interaction._meta.db_table} (customer_id, employee_id, channel, direction, occurred_at, "
            f"duration_seconds, outcome, summary, next_step, source, external_ref, is_contact, created_by_id, "
            f"created_at) SELECT c.id, c.owner_id, 'call', 'outbound', {_at(f'c.id %% {today.day}', '9 + c.id %% 9')}, "
            f"60 + c.id %% 300, CASE c.id %% 4 WHEN 1 THEN 'no_answer' WHEN 2 THEN 'left_message' ELSE 'reached' END, "
            f"'bench contact', '', 'manual', '', %s, c.owner_id, %s FROM {customer_t} c "
            f"WHERE c.owner_id IS NOT NULL AND c.id %% 83 < 25",
            [_moment(midnight), true, _moment(now)],
        )
        contacts = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {CalendarNote._meta.db_table} (owner_id, title, text, starts_at, ends_at, all_day, "
            f"customer_id, created_at, updated_at) SELECT c.owner_id, 'bench note', 'bench', "
            f"{_at('c.id %% 29', 'CASE WHEN c.id %% 5 = 0 THEN 0 ELSE 8 + c.id %% 10 END')}, NULL, (c.id %% 5 = 0), "
            f"c.id, %s, %s FROM {customer_t} c WHERE c.owner_id IS NOT NULL AND c.id %% 37 = 0",
            [_moment(midnight), _moment(now), _moment(now)],
        )
        notes = cursor.rowcount
    settle_tables()
    mine = {
        "reminders": Reminder.objects.filter(subject=MONTH_MARK, customer__owner=rm).count(),
        "plans": ContactPlan.objects.filter(owner=rm).count(),
        "contacts": Interaction.objects.filter(employee=rm).count(),
        "notes": CalendarNote.objects.filter(owner=rm).count(),
    }
    ctx.note(
        f"Month {first:%Y-%m} made set-based for the whole bank in {time.perf_counter() - started:.1f} s: "
        f"{reminders:,} reminders, {plans:,} contact plans, {contacts:,} contacts, {notes:,} calendar notes; "
        f"rm (2,000 customers): {mine['reminders']} reminders, {mine['plans']} plans, {mine['contacts']} contacts, "
        f"{mine['notes']} notes."
    )
    return {"total": total, "rm": rm, "small_rm": small_rm}


# --------------------------------------------------------------------------- 1. the day's reminders


def _important_dates_and_events(day: dt.date) -> tuple[int, int]:
    """Important dates for every tenth customer (yearly, spread over the year) once; the market
    events (an IPO and a dividend) announced on `day` for the products held most, due within the lead."""
    from django.db import connection
    from django.utils import timezone

    from steward.basedata.services import parameter
    from steward.customers.models import Customer
    from steward.holdings.models import ImportantDate, MarketEvent, Product

    dates = 0
    if not ImportantDate.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ImportantDate._meta.db_table} (customer_id, date, label, yearly, created_at) "
                f"SELECT c.id, {_day('c.id %% 365')}, 'bench anniversary', %s, %s "
                f"FROM {Customer._meta.db_table} c WHERE c.id %% 10 = 3",
                [dt.date(2000, 1, 1), True, _moment(timezone.now())],
            )
            dates = cursor.rowcount
    lead = int(parameter("holdings.market_event_reminder_days"))
    products = dict(Product.objects.filter(code__in=["FD-EQ", "FD-TECH"]).values_list("code", "pk"))
    events = MarketEvent.objects.bulk_create(
        [
            MarketEvent(
                data_date=day,
                line=1,
                product_id=products["FD-TECH"],
                kind="ipo",
                event_date=day + dt.timedelta(days=lead),
                note="bench IPO",
            ),
            MarketEvent(
                data_date=day,
                line=2,
                product_id=products["FD-EQ"],
                kind="dividend",
                event_date=day + dt.timedelta(days=lead),
                note="bench dividend",
            ),
        ]  # fmt: skip
    )
    return dates, len(events)


@scenario("rm-day-intake", "Issue 14: the reminders of one T+1 day (every kind) against that day's intake time")
def rm_day_intake(ctx):
    from django.db import connection
    from django.db.models import Count

    from bench.scenarios.customers import ensure_customers
    from bench.scenarios.intake import settle
    from steward.holdings import figures
    from steward.holdings.generator import generate_day
    from steward.holdings.intake import load_day
    from steward.holdings.models import Reminder
    from steward.org.models import Employee, Org

    total = ensure_customers()
    orgs = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True))
    owners = list(Employee.objects.filter(position="rm").order_by("employee_no").values_list("employee_no", flat=True))
    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, int(os.environ.get("BENCH_RM_DAY_LOADS", "3"))), 1
    step_ms: list[float] = []
    per_kind: dict[str, list[int]] = {}
    original = figures.raise_reminders

    def timed_reminders(cursor, day, now):
        start = time.perf_counter()
        try:
            return original(cursor, day, now)
        finally:
            step_ms.append((time.perf_counter() - start) * 1000)

    days = [INTAKE_WARM_DAY + dt.timedelta(days=i) for i in range(ctx.warmup + ctx.runs)]
    pending = list(days)
    tmp = Path(tempfile.mkdtemp(prefix="steward-rm-day-"))

    def next_day():
        day = pending.pop(0)
        directory = tmp / day.isoformat()
        shutil.rmtree(tmp, ignore_errors=True)
        generate_day(directory, total, day, orgs=orgs, owners=owners)
        dates, events = _important_dates_and_events(day)
        if dates:
            ctx.note(f"{dates:,} important dates (yearly, every tenth customer) were added before the first day.")
        settle()
        return day, directory

    figures.raise_reminders = timed_reminders
    try:
        full = ctx.measure(
            "load_day of a new T+1 day (master data, balances, transactions, figures, reminders)",
            lambda state: load_day(None, state[1], state[0]),
            setup=next_day,
            expect_status=NOT_HTTP,
            note="each run loads the next data date",
            queries_follow_data=True,
            count_statements_only=True,
        )
    finally:
        figures.raise_reminders = original
        shutil.rmtree(tmp, ignore_errors=True)
    step_ms = step_ms[ctx.warmup :]  # the untimed first day's
    days = days[ctx.warmup :]
    ctx.runs, ctx.warmup = runs, warmup
    ctx.check(len(step_ms) == len(full.samples_ms), f"the reminder step ran {len(step_ms)} times in {full.runs} loads")
    for day in days:
        rows = Reminder.objects.filter(data_date=day).values("kind").annotate(n=Count("pk"))
        for row in rows:
            per_kind.setdefault(row["kind"], []).append(row["n"])
    missing = sorted(set(Reminder.Kind.values) - set(per_kind))
    ctx.check(not missing, f"no reminders of the kinds {missing} were raised by the loaded days")
    shares = [step / load for step, load in zip(step_ms, full.samples_ms, strict=True)]
    step = _derived(ctx, "… of which the reminder step (figures.raise_reminders, every kind)", step_ms, full)
    share = sorted(shares)[len(shares) // 2]
    ctx.note(
        f"{connection.vendor}: {total:,} customers. Reminders raised per day, by kind (median of {len(days)} days): "
        + ", ".join(f"{kind} {sorted(n)[len(n) // 2]:,}" for kind, n in sorted(per_kind.items()))
        + "."
    )
    ctx.note(
        f"Reminder step per load: {', '.join(f'{s / 1000:.2f} s of {t / 1000:.1f} s' for s, t in zip(step_ms, full.samples_ms, strict=True))}; "
        f"median share {share:.1%}, worst {max(shares):.1%} "
        # The figures are medians of one run: the median day decides, the worst is shown.
        f"(median {'ok' if share <= REMINDER_SHARE_MEDIAN else 'MISSED'} ≤ {REMINDER_SHARE_MEDIAN:.0%} of the day's intake). "
        f"Median step {step.median_ms / 1000:.2f} s, median load {full.median_ms / 1000:.1f} s."
    )


def _derived(ctx, name: str, samples: list[float], base):
    """A measurement taken inside another one (a step of each timed call), reported like the others."""
    import statistics

    from bench.context import Measurement, percentile

    measurement = Measurement(
        name=name,
        median_ms=statistics.median(samples),
        min_ms=min(samples),
        max_ms=max(samples),
        p95_ms=percentile(samples, 0.95),
        queries=0,
        queries_constant=True,
        query_counts=[],
        runs=len(samples),
        response_bytes=0,
        samples_ms=list(samples),
        queries_follow_data=True,
        ratio_to=base.name,
        ratio=statistics.median(samples) / base.median_ms,
        note="timed inside each load above",
    )
    ctx.measurements.append(measurement)
    print(f"  {name:<46} median {measurement.median_ms:8.2f} ms  p95 {measurement.p95_ms:8.2f} ms", flush=True)
    return measurement


# --------------------------------------------------------------------------- 2. the workbench


@scenario("rm-day-workbench", "Issue 14: the RM workbench (home widgets) for an RM of 2,000 vs 20 customers")
def rm_day_workbench(ctx):
    facts = ensure_month(ctx)
    small_rm = facts["small_rm"]
    rm_client = ctx.client("rm")
    small_client = ctx.client(small_rm.employee_no)
    lead_client = ctx.client("lead")
    for client, who in ((rm_client, "rm"), (small_client, small_rm.employee_no), (lead_client, "lead")):
        response = client.get("/")
        ctx.check(response.status_code == 200, f"home as {who}: {response.status_code}")
    page = rm_client.get("/").content.decode()
    ctx.check("2,000" in page or "2000" in page, "rm's workbench does not show the book of 2,000 customers")
    big = ctx.measure("workbench (home) · rm, 2,000 customers", lambda _: rm_client.get("/"))
    small = ctx.measure(
        f"workbench (home) · RM with 20 customers ({small_rm.employee_no})",
        lambda _: small_client.get("/"),
        ratio_to=big.name,
    )
    lead = ctx.measure("workbench (home) · team lead (team widget)", lambda _: lead_client.get("/"), ratio_to=big.name)
    ctx.note(
        f"{facts['total']:,} customers. Workbench p95: rm (2,000) {big.p95_ms:.1f} ms "
        f"({'ok' if big.p95_ms <= WORKBENCH_P95_MS else 'MISSED'} ≤ {WORKBENCH_P95_MS}), RM with 20 "
        f"{small.p95_ms:.1f} ms, team lead {lead.p95_ms:.1f} ms; queries {big.queries} (2,000) vs "
        f"{small.queries} (20): {'equal' if big.queries == small.queries else 'DIFFERENT'}."
    )
    ctx.note("Per widget, median ms of its context (queries and Python, no rendering): " + widget_times(ctx, facts))
    ctx.check(big.queries == small.queries, f"workbench: {big.queries} queries for 2,000 vs {small.queries} for 20")


def widget_times(ctx, facts) -> str:
    """Each home widget's context for rm (2,000 customers) and the RM with 20, timed alone: where
    the workbench's time goes, widget by widget (their modules differ)."""
    import statistics

    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from steward.access.services import has_permission
    from steward.core.home import WIDGETS

    factory = RequestFactory(HTTP_HOST="localhost")
    parts = []
    for widget in WIDGETS:
        times = {}
        for who, user in (("rm", facts["rm"]), ("20", facts["small_rm"])):
            if widget.permission and not has_permission(user, widget.permission):
                continue
            samples = []
            for _ in range(ctx.warmup + ctx.runs):
                request = factory.get("/")
                request.user, request.session = user, SessionStore()
                start = time.perf_counter()
                try:
                    widget.context(request)
                except Exception as error:  # noqa: BLE001 - a widget needing more of a request: reported
                    samples = None
                    times[who] = type(error).__name__
                    break
                samples.append((time.perf_counter() - start) * 1000)
            if samples:
                times[who] = f"{statistics.median(samples[ctx.warmup :]):.1f}"
        if times:
            parts.append(f"{widget.key} {times.get('rm', '–')} / {times.get('20', '–')}")
    return "; ".join(parts) + " (rm with 2,000 / RM with 20)."


# --------------------------------------------------------------------------- 3. the calendar


@scenario("rm-day-calendar", "Issue 14: the calendar month view (page, entries JSON, API) of an RM of 2,000 customers")
def rm_day_calendar(ctx):
    from django.utils import timezone

    facts = ensure_month(ctx)
    small_rm = facts["small_rm"]
    today = timezone.localdate()
    first, after = _month_bounds(today)
    grid_start = first - dt.timedelta(days=first.isoweekday() % 7)  # the month grid starts on a Sunday
    grid = {"start": grid_start.isoformat(), "end": (grid_start + dt.timedelta(days=42)).isoformat()}
    month = {"start": first.isoformat(), "end": after.isoformat()}
    rm_client = ctx.client("rm")
    small_client = ctx.client(small_rm.employee_no)
    entries = rm_client.get("/agenda/entries/", grid)
    ctx.check(entries.status_code == 200, f"calendar entries: {entries.status_code}")
    shown = entries.json()
    by_source: dict[str, int] = {}
    for entry in shown:
        source = entry["extendedProps"]["source"]
        by_source[source] = by_source.get(source, 0) + 1
    ctx.check(by_source.get("reminders", 0) > 100, f"rm's month shows too few reminders: {by_source}")
    ctx.check(by_source.get("contact_plans", 0) > 100, f"rm's month shows too few contact plans: {by_source}")
    ctx.check(by_source.get("notes", 0) > 10, f"rm's month shows too few notes: {by_source}")
    outsider = small_client.get("/agenda/entries/", grid).json()
    mine_ids = {e["id"] for e in shown}
    ctx.check(not mine_ids & {e["id"] for e in outsider}, "another RM sees rm's calendar entries")
    api = rm_client.get("/api/v1/calendar-entries/", month)
    ctx.check(api.status_code == 200, f"calendar-entries API: {api.status_code}")
    ctx.note(
        f"{facts['total']:,} customers. rm's month grid ({grid['start']} – {grid['end']}): {len(shown):,} entries "
        f"(" + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())) + f"); the API's month: {len(api.json()):,}."
    )
    results = [
        ctx.measure("calendar page · rm", lambda _: rm_client.get("/agenda/")),
        ctx.measure("calendar entries (month grid, 6 weeks) · rm", lambda _: rm_client.get("/agenda/entries/", grid)),
        ctx.measure("calendar-entries API (month) · rm", lambda _: rm_client.get("/api/v1/calendar-entries/", month)),
    ]
    small = ctx.measure(
        "calendar entries (month grid) · RM with 20 customers",
        lambda _: small_client.get("/agenda/entries/", grid),
        ratio_to=results[1].name,
    )
    worst = max(results, key=lambda m: m.p95_ms)
    ctx.note(
        f"Calendar p95: worst {worst.name} {worst.p95_ms:.1f} ms "
        f"({'ok' if worst.p95_ms <= CALENDAR_P95_MS else 'MISSED'} ≤ {CALENDAR_P95_MS}); entries queries "
        f"{results[1].queries} (rm) vs {small.queries} (RM with 20)."
    )


# --------------------------------------------------------------------------- 4. mass SMS


class _Gateway:
    """A local HTTP SMS gateway (as in steward/channels/tests/conftest.py): answers every POST with
    a message id, counting them."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        gateway = self
        self.count = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with gateway.lock:
                    gateway.count += 1
                    number = gateway.count
                body = f'{{"id": "gw-{number}"}}'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                """Silent: 10,000 requests would each print a line into the benchmark's output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _queue_dir() -> Path:
    from django.conf import settings

    return Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])


def _empty_queue() -> None:
    folder = _queue_dir()
    for item in folder.iterdir():
        if item.is_file():
            item.unlink()


def _throughput(ctx, workers: int, messages: int, send_now: dt.datetime, gateway: _Gateway, group, marketing):
    """Queue `messages` SMS (tasks into the file broker), start one Celery worker with `workers`
    processes, and time the sending from the first message sent to the last."""
    from django.conf import settings

    from steward.channels.mass_sms import audience
    from steward.channels.models import OutboundMessage, Status
    from steward.channels.services import queue_messages

    _empty_queue()
    recipients = audience(marketing, {"group_id": group.pk}).filter(sms_subscribed=True).order_by("pk")[:messages]
    result = queue_messages(
        marketing, "sms", recipients, body="{name}，您好：本行新品理财今日开售。", purpose="marketing",
        batch=f"bench throughput {workers}", now=send_now,
    )  # fmt: skip
    ids = result.ids
    queued = OutboundMessage.objects.filter(pk__in=ids, status=Status.QUEUED).count()
    ctx.check(queued == len(ids), f"{queued} of {len(ids)} messages queued for the throughput run")
    env = dict(os.environ)
    env.update(
        {
            "CELERY_REAL_WORKER": "1",
            "STEWARD_SMS_GATEWAY_URL": gateway.url,
            "STEWARD_SMS_GATEWAY_TOKEN": "bench",
            "STEWARD_SMS_ADAPTER": "gateway",
            "DATABASE_URL": os.environ["DATABASE_URL"],
        }
    )
    command = [sys.executable, "-m", "celery", "-A", "steward", "worker", "--pool", "prefork", "--concurrency",
               str(workers), "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    done_statuses = [Status.SENT, Status.DELIVERED, Status.FAILED, Status.REFUSED]
    mine = OutboundMessage.objects.filter(batch=result.batch)
    first_at = first_count = None
    with open(Path(settings.VAR_DIR) / f"worker-{workers}.log", "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[2], stdout=log, stderr=log)
        try:
            deadline = started + 1800
            while time.perf_counter() < deadline:
                time.sleep(0.25)
                done = mine.filter(status__in=done_statuses).count()
                now = time.perf_counter()
                if first_at is None and done:
                    first_at, first_count = now, done
                if done >= len(ids):
                    break
                ctx.check(process.poll() is None, f"the Celery worker stopped ({process.returncode}); see its log")
            finished = time.perf_counter()
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    sent = mine.filter(status__in=[Status.SENT, Status.DELIVERED]).count()
    ctx.check(sent == len(ids), f"{sent} of {len(ids)} messages were sent with {workers} worker process(es)")
    rate = (len(ids) - first_count) / max(finished - first_at, 1e-6)
    ctx.note(
        f"Send throughput, {workers} worker process(es): {len(ids):,} SMS through the local HTTP gateway in "
        f"{finished - first_at:.1f} s after the first was sent ({first_at - started:.1f} s worker start-up): "
        f"**{rate:,.0f} messages/s**; the gateway received {gateway.count:,} requests so far."
    )
    return rate


@scenario("rm-day-sms", "Issue 14: a mass SMS to 100,000 customers queued; send throughput with 1 and 2 workers")
def rm_day_sms(ctx):
    from django.db import connection
    from django.utils import timezone

    from steward.celery import app
    from steward.channels.mass_sms import audience
    from steward.channels.models import Status
    from steward.channels.services import queue_messages
    from steward.customers.models import Customer
    from steward.org.models import Employee
    from steward.tags.models import CustomerGroup, GroupMember

    total = ensure_month(ctx)["total"]
    marketing = Employee.objects.get(employee_no="marketing")
    recipients = min(SMS_RECIPIENTS, total)
    cutoff = Customer.objects.order_by("pk").values_list("pk", flat=True)[recipients - 1]
    group = CustomerGroup.objects.create(
        name="bench mass SMS", owner=marketing, org=marketing.org, created_by=marketing
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {GroupMember._meta.db_table} (group_id, customer_id, added_by_id, added_at) "
            f"SELECT %s, c.id, %s, %s FROM {Customer._meta.db_table} c WHERE c.id <= %s",
            [group.pk, marketing.pk, _moment(timezone.now()), cutoff],
        )
        # 95 % took SMS notices; the others opted out and get a refused message, nothing sent.
        cursor.execute(
            f"UPDATE {Customer._meta.db_table} SET sms_subscribed = (id %% 20 <> 0) WHERE id <= %s", [cutoff]
        )
    members = audience(marketing, {"group_id": group.pk}).count()
    ctx.check(members == recipients, f"marketing may send to {members} of the group's {recipients} customers")
    opted_out = Customer.objects.filter(pk__lte=cutoff, sms_subscribed=False).count()
    send_now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 0)))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # tasks go to the file broker, as in production to the broker
    created = []

    def clean():
        """Untimed: the previous run's tasks leave the broker (its messages stay queued in the outbox)."""
        _empty_queue()

    def send(_):
        result = queue_messages(
            marketing, "sms", audience(marketing, {"group_id": group.pk}), body="{name}：本行新品理财今日开售。",
            purpose="marketing", batch="bench mass SMS", now=send_now,
        )  # fmt: skip
        created.append(result)
        return None

    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, int(os.environ.get("BENCH_SMS_RUNS", "3"))), 0
    try:
        queued = ctx.measure(
            f"mass SMS to {recipients:,} customers queued (queue_messages + tasks handed to the broker)",
            send,
            setup=clean,
            expect_status=NOT_HTTP,
            count_statements_only=True,
            # (a run that falls on the minute also reloads the parameter cache: one statement more)
            queries_follow_data=True,
        )
        last = created[-1]
        ctx.check(last.total == recipients, f"{last.total} messages for {recipients} recipients")
        ctx.check(
            last.counts.get(Status.REFUSED, 0) == opted_out
            and last.counts.get(Status.QUEUED, 0) == recipients - opted_out,
            f"queued/refused {last.counts} for {opted_out} opted-out customers",
        )
        tasks = sum(1 for item in _queue_dir().iterdir() if item.is_file())
        ctx.note(
            f"{connection.vendor}: {total:,} customers; the group holds {recipients:,}, {opted_out:,} opted out of SMS "
            f"(refused, with their reason). One run: {last.counts}; {tasks} tasks of ≤ 500 ids handed to the broker. "
            f"Queued p50 {queued.median_ms / 1000:.2f} s, worst {queued.max_ms / 1000:.2f} s "
            f"({'ok' if queued.max_ms <= SMS_QUEUE_S * 1000 else 'MISSED'} ≤ {SMS_QUEUE_S} s)."
        )
        clean()
        sample = int(os.environ.get("BENCH_SMS_SEND", "10000"))
        rates = {}
        with _Gateway() as gateway:
            for workers in (1, 2):
                rates[workers] = _throughput(ctx, workers, sample, send_now, gateway, group, marketing)
        ctx.note(
            f"Throughput 2 workers / 1 worker: {rates[2] / rates[1]:.2f}× on a machine of {os.cpu_count()} cores "
            f"(the bench process, PostgreSQL and the gateway share them). At these rates 100,000 SMS take "
            f"{SMS_RECIPIENTS / rates[1] / 60:.1f} min with 1 worker, {SMS_RECIPIENTS / rates[2] / 60:.1f} min with 2."
        )
    finally:
        ctx.runs, ctx.warmup = runs, warmup
        app.conf.task_always_eager = eager
        _empty_queue()
