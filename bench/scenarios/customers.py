"""Customer scenario (issue "Customers and their money", performance point): quick search, the 360° view
and an RM's "my customers" page.

Targets (issue 4; PostgreSQL at 1,000,000 customers, SQLite at 100,000 reported):

* quick search by customer number, resident ID number or mobile: p50 ≤ 10 ms; name prefix p50 ≤ 50 ms;
* the 360° view (page and each tab) and "my customers" for an RM owning 2,000 customers, sorted by
  AUM: server time p95 ≤ 80 ms, query count constant in data size.

Customers come from the intake scenario if it ran in the same run; otherwise BENCH_CUSTOMERS (default
20,000) are generated and loaded through the T+1 intake. The demo RM "rm" is then given exactly 2,000
of them and a colleague exactly 20 (set-based UPDATEs of owner); two of rm's customers get a little
(light) and a lot (heavy) of holdings, transactions, notes, relations … for the 360° view; then the
database is settled (VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite). Pages are driven through URLs and the table's sort parameter only, so the
scenario does not depend on where the derived figures (AUM …) are stored. See docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from bench.database import settle_tables
from bench.registry import scenario

NOT_HTTP = (None,)
TODAY = dt.date(2026, 4, 1)
MY_CUSTOMERS = 2000
SMALL_PORTFOLIO = 20  # the RM to compare "my customers" with
HTMX = {"HX-Request": "true"}
TBODY = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.S)
CIF_CELL = re.compile(r">(C\d{10})<")
SEARCH_P50_MS = {"customer number": 10, "ID number": 10, "mobile": 10, "name prefix (1 char)": 50,
                 "name prefix (2 chars)": 50}  # fmt: skip
PAGE_P95_MS = 80
# Extra data for the "heavy" customer of the 360° view (the "light" one gets one of each).
HEAVY = {"accounts": 40, "transactions": 2000, "trend_days": 90, "months": 24, "notes": 60, "relations": 20,
         "ownership_changes": 30, "household_members": 6}  # fmt: skip


class Counted:
    """measure() expects something with a status; a search result has none."""

    status_code = None

    def __init__(self, value):
        self.value = value


def table_rows(response) -> int:
    body = TBODY.search(response.content.decode())
    return body.group(1).count("<tr") if body else 0


def row_cifs(response) -> list[str]:
    body = TBODY.search(response.content.decode())
    return CIF_CELL.findall(body.group(1)) if body else []


def ensure_customers() -> int:
    """Reuse the customers an earlier scenario of this run loaded; else load BENCH_CUSTOMERS through intake."""
    from steward.customers.models import Customer
    from steward.holdings.generator import generate_day
    from steward.holdings.intake import load_day
    from steward.org.models import Employee, Org

    if not Customer.objects.exists():
        customers = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
        orgs = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True))
        owners = list(
            Employee.objects.filter(position="rm").order_by("employee_no").values_list("employee_no", flat=True)
        )
        with tempfile.TemporaryDirectory(prefix="steward-customers-") as tmp:
            day = TODAY - dt.timedelta(days=1)
            generate_day(Path(tmp), customers, day, orgs=orgs, owners=owners)
            load_day(None, Path(tmp), day)
    return Customer.objects.count()


def give_customers(rm, small_rm, other_rm) -> tuple[list[int], list[int]]:
    """Make `rm` the owner of exactly MY_CUSTOMERS customers spread over the whole bank, and
    `small_rm` of exactly SMALL_PORTFOLIO (set-based UPDATEs; their other customers go to `other_rm`)."""
    from steward.customers.models import Customer

    candidates = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(candidates) // (MY_CUSTOMERS + SMALL_PORTFOLIO))
    spread = candidates[::step]
    chosen, small = spread[:MY_CUSTOMERS], spread[MY_CUSTOMERS : MY_CUSTOMERS + SMALL_PORTFOLIO]
    for user, pks in ((rm, chosen), (small_rm, small)):
        Customer.objects.filter(owner=user).exclude(pk__in=pks).update(owner=other_rm)
        for start in range(0, len(pks), 500):
            Customer.objects.filter(pk__in=pks[start : start + 500]).update(owner=user, org=user.org)
    return chosen, small


def add_customer_data(rm, customer, peers, *, heavy: bool) -> None:
    """Holdings, trend points, transactions, notes, relations, ownership history and a household for
    one customer: one of each (light) or many (heavy), so the 360° view's query counts can be compared."""
    from django.db.models import Max
    from django.utils import timezone

    from steward.customers import services
    from steward.customers.models import OwnershipChange
    from steward.holdings import models as holdings
    from steward.holdings.models import Account, DailyBalance, DailyFigures, Product, ProductCategory, Transaction

    n = HEAVY if heavy else dict.fromkeys(HEAVY, 1) | {"household_members": 2, "trend_days": 1, "months": 1}
    # The customer's latest data date, from its daily points (wherever the current figures live).
    as_of = DailyFigures.objects.filter(customer=customer).aggregate(day=Max("data_date"))["day"] or TODAY
    now = timezone.now()
    products = list(Product.objects.order_by("code"))
    accounts = Account.objects.bulk_create(
        Account(
            number=f"99{customer.pk:08d}{k:04d}",
            customer=customer,
            product=products[k % len(products)],
            opened_on=as_of - dt.timedelta(days=30 + k),
        )
        for k in range(n["accounts"])
    )
    accounts = list(Account.objects.filter(customer=customer, number__startswith="99"))
    DailyBalance.objects.bulk_create(
        DailyBalance(account=a, customer=customer, data_date=as_of, balance=Decimal(10000 + 100 * k))
        for k, a in enumerate(accounts)
    )
    Transaction.objects.bulk_create(
        (
            Transaction(
                reference=f"B{customer.pk:08d}{k:06d}",
                account=accounts[k % len(accounts)],
                customer=customer,
                data_date=(day := as_of - dt.timedelta(days=k % 90)),
                booked_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9 + k % 12, k % 60))),
                amount=Decimal(100 + k),
                direction="CD"[k % 2],
                channel="mobile",
                description="bench",
            )
            for k in range(n["transactions"])
        ),
        batch_size=1000,
    )
    DailyFigures.objects.bulk_create(
        (
            DailyFigures(
                customer=customer,
                data_date=as_of - dt.timedelta(days=k),
                aum=Decimal(500000 + k),
                liabilities=Decimal(0),
                contribution=Decimal(1),
            )
            for k in range(1, n["trend_days"])
        ),
        ignore_conflicts=True,
    )
    # Monthly sums and the category pie, where they are tables of their own (older schema).
    if hasattr(holdings, "PeriodTotal"):
        month = as_of.replace(day=1)
        for _ in range(n["months"] + 3):  # the months before the 90 daily points
            month = (month - dt.timedelta(days=1)).replace(day=1)
            holdings.PeriodTotal.objects.get_or_create(
                customer=customer,
                period="M",
                period_start=month,
                defaults={"aum_total": Decimal(15_000_000), "contribution_total": Decimal(30)},
            )
    if hasattr(holdings, "CategoryAum"):
        for category in ProductCategory.objects.filter(parent=None):
            holdings.CategoryAum.objects.update_or_create(
                customer=customer, category=category, defaults={"data_date": as_of, "amount": Decimal(100000)}
            )
    for k in range(n["notes"]):
        services.add_note(rm, customer, f"bench note {k}", private=k % 5 == 0)
    for k, peer in enumerate(peers[: n["relations"]]):
        services.add_relation(rm, customer, ("friend", "relative", "sibling")[k % 3], related_customer=peer)
    OwnershipChange.objects.bulk_create(
        OwnershipChange(
            customer=customer,
            kind=OwnershipChange.Kind.MANUAL,
            from_owner=rm,
            to_owner=rm,
            changed_by=rm,
            changed_at=now - dt.timedelta(days=k),
            reason="bench",
        )
        for k in range(n["ownership_changes"])
    )
    household = services.create_household(rm, customer)
    for peer in peers[n["relations"] : n["relations"] + n["household_members"] - 1]:
        services.add_household_member(rm, household, peer, "child")


@scenario("customers", "Quick search (admin), 360° view and tabs (owner RM), 'my customers' of 2,000 by AUM")
def customers(ctx):
    from django.db import connection
    from django.test import RequestFactory

    from steward.customers.models import Customer
    from steward.customers.permissions import TAB_PERMISSIONS, VIEW
    from steward.customers.views import OrgCustomersView
    from steward.org.models import Employee

    total = ensure_customers()
    admin = Employee.objects.get(employee_no="admin")
    rm = Employee.objects.get(employee_no="rm")
    # The RM to compare with (20 customers) and one who takes over their other customers.
    small_rm, other_rm = (
        Employee.objects.filter(position="rm", org=rm.org).exclude(pk=rm.pk).order_by("employee_no")[:2]
    )
    chosen, _small = give_customers(rm, small_rm, other_rm)
    mine = Customer.objects.visible_to(rm, VIEW).filter(owner=rm).count()
    small = Customer.objects.visible_to(small_rm, VIEW).filter(owner=small_rm).count()
    ctx.check(mine == MY_CUSTOMERS, f"rm should own {MY_CUSTOMERS} customers, owns {mine}")
    ctx.check(small == SMALL_PORTFOLIO, f"{small_rm.employee_no} should own {SMALL_PORTFOLIO} customers, owns {small}")
    ctx.check(
        Customer.objects.visible_to(admin, VIEW).count() == total, "the admin should see every customer (scope all)"
    )
    ctx.note(
        f"{connection.vendor}: {total:,} customers; 'rm' owns {mine:,} (set by one UPDATE), "
        f"{small_rm.employee_no} owns {small}."
    )

    # The 360° view's two customers: one of everything (light) and a lot of everything (heavy).
    light, heavy = Customer.objects.filter(pk__in=chosen[:2]).order_by("pk")
    peers = list(Customer.objects.filter(pk__in=chosen[10:40]).order_by("pk"))
    add_customer_data(rm, light, peers[:3], heavy=False)
    add_customer_data(rm, heavy, peers[3:], heavy=True)
    ctx.note(
        f"360° view: light customer {light.cif} (one note, relation, ownership change, 2-person household, "
        f"its intake accounts +1); heavy {heavy.cif} (+{HEAVY['accounts']} accounts, {HEAVY['transactions']:,} "
        f"transactions, {HEAVY['trend_days']} trend days + {HEAVY['months']} months, {HEAVY['notes']} notes, "
        f"{HEAVY['relations']} relations, {HEAVY['ownership_changes']} ownership changes, "
        f"{HEAVY['household_members']}-person household)."
    )
    # Statistics and visibility as autovacuum leaves them: right after a bulk load PostgreSQL has no
    # statistics and plans the searches as a backward scan of the AUM index (see docs/benchmarks.md).
    settle_tables()

    # --- data-scope sanity: a user outside the scope sees nothing of rm's customers --------------
    outsider = ctx.client(small_rm.employee_no)
    target = Customer.objects.get(pk=chosen[len(chosen) // 2])
    ctx.check(outsider.get(f"/customers/{target.pk}/").status_code == 404, "another RM opened rm's customer")
    ctx.check(
        not row_cifs(outsider.get("/customers/", {"q": target.cif})),
        "another RM found rm's customer by quick search",
    )
    found_by_api = outsider.get("/api/v1/customers/", {"q": target.cif}).json()["count"]
    ctx.check(found_by_api == 0, "another RM found rm's customer through the API's quick search")

    # --- quick search (the org customer list's q, admin sees the whole bank) ---------------------
    admin_client = ctx.client("admin")
    sample = Customer.objects.get(pk=Customer.objects.order_by("pk").values_list("pk", flat=True)[total // 2])
    searches = {
        "customer number": sample.cif,
        "ID number": sample.id_number,
        "mobile": sample.mobile,
        "name prefix (1 char)": sample.name[:1],
        "name prefix (2 chars)": sample.name[:2],
    }
    factory = RequestFactory(HTTP_HOST="localhost")

    def search(value):
        """The search itself, as the org list runs it (ObjectListView.paginated_table): its queryset
        (data scope) through the list's filter set and the table's default order (AUM), then the
        first page of 20 rows and the count."""
        request = factory.get("/customers/org/", {"q": value, "per_page": 20})
        request.user = admin
        view = OrgCustomersView()
        view.setup(request)
        _filterset, table = view.paginated_table(request)
        return Counted((table.paginator.count, [row.record.cif for row in table.page.object_list]))

    found = {}
    for kind, value in searches.items():
        count, cifs = search(value).value
        found[kind] = count
        ctx.check(count >= 1, f"search by {kind} ({value!r}) found nothing")
        if kind in ("customer number", "ID number"):
            ctx.check(count == 1 and cifs == [sample.cif], f"search by {kind} should find exactly {sample.cif}")
        page = admin_client.get("/customers/org/", {"q": value}, headers=HTMX)
        ctx.check(len(row_cifs(page)) == min(count, 20), f"htmx search by {kind}: {len(row_cifs(page))} rows")
    ctx.note("Matches: " + ", ".join(f"{kind} {found[kind]:,}" for kind in searches) + " (admin, whole bank).")
    results = {}
    for kind, value in searches.items():
        results[kind] = ctx.measure(
            f"search · {kind} (first page + count)", lambda _, v=value: search(v), expect_status=NOT_HTTP
        )
        ctx.measure(
            f"search · {kind} (htmx list request)",
            lambda _, v=value: admin_client.get("/customers/org/", {"q": v}, headers=HTMX),
            ratio_to=results[kind].name,
        )
    ctx.note(
        "Quick search p50 vs target: "
        + "; ".join(
            f"{kind} {m.median_ms:.1f} ms ({'ok' if m.median_ms <= SEARCH_P50_MS[kind] else 'MISSED'} ≤ "
            f"{SEARCH_P50_MS[kind]})"
            for kind, m in results.items()
        )
        + "."
    )

    # --- "my customers" sorted by AUM: 2,000 vs ~20 customers ------------------------------------
    rm_client = ctx.client("rm")
    small_client = ctx.client(small_rm.employee_no)
    for client, who, expected in ((rm_client, "rm", mine), (small_client, small_rm.employee_no, small)):
        response = client.get("/customers/", {"sort": "-aum"})
        ctx.check(response.status_code == 200, f"my customers as {who}: status {response.status_code}")
        ctx.check(table_rows(response) == min(20, expected), f"my customers as {who}: {table_rows(response)} rows")
    big = ctx.measure("my customers · rm (2,000) by AUM", lambda _: rm_client.get("/customers/", {"sort": "-aum"}))
    last = ctx.measure(
        "my customers · rm (2,000) by AUM, last page",
        lambda _: rm_client.get("/customers/", {"sort": "-aum", "page": MY_CUSTOMERS // 20}),
        ratio_to=big.name,
    )
    tiny = ctx.measure(
        f"my customers · RM with {small} by AUM",
        lambda _: small_client.get("/customers/", {"sort": "-aum"}),
        ratio_to=big.name,
    )
    ctx.measure(
        "my customers · rm (2,000) by AUM, htmx",
        lambda _: rm_client.get("/customers/", {"sort": "-aum"}, headers=HTMX),
        ratio_to=big.name,
    )
    ctx.note(
        f"My customers p95: {big.p95_ms:.1f} ms first page, {last.p95_ms:.1f} ms last page "
        f"({'ok' if max(big.p95_ms, last.p95_ms) <= PAGE_P95_MS else 'MISSED'} ≤ {PAGE_P95_MS}); "
        f"queries {big.queries} (2,000 customers) vs {tiny.queries} ({small} customers)."
    )

    # --- 360° view and its tabs, as the owner RM: light vs heavy customer ------------------------
    pages = [("page", "")] + [(tab, f"tab/{tab}/") for tab in TAB_PERMISSIONS]
    for page, suffix in pages:
        response = rm_client.get(f"/customers/{heavy.pk}/{suffix}")
        ctx.check(response.status_code == 200, f"360° {page}: status {response.status_code}")
        if page in ("assets", "trend", "transactions"):
            ctx.check(b"tab-empty" not in response.content, f"360° {page}: no data shown for the heavy customer")
    mismatches, worst = [], None
    for page, suffix in pages:
        a = ctx.measure(f"360° {page} · light", lambda _, s=suffix: rm_client.get(f"/customers/{light.pk}/{s}"))
        b = ctx.measure(
            f"360° {page} · heavy",
            lambda _, s=suffix: rm_client.get(f"/customers/{heavy.pk}/{s}"),
            ratio_to=a.name,
        )
        if a.queries != b.queries:
            mismatches.append(f"{page} {a.queries}≠{b.queries}")
        worst = max((worst, a, b), key=lambda m: m.p95_ms if m else -1)
    ctx.note(
        f"360° view p95: worst {worst.name} {worst.p95_ms:.1f} ms "
        f"({'ok' if worst.p95_ms <= PAGE_P95_MS else 'MISSED'} ≤ {PAGE_P95_MS}); query counts light = heavy: "
        + ("yes" if not mismatches else "NO (" + ", ".join(mismatches) + ")")
        + "."
    )
    ctx.check(big.queries == tiny.queries, f"my customers: {big.queries} queries for 2,000 vs {tiny.queries}")
    ctx.check(not mismatches, "360° view query counts grow with data: " + ", ".join(mismatches))
