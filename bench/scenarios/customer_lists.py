"""Customer lists at size (issue 12, point 6: "lists as fast at 100k as at 1k").

The org-wide customer list as an administrator (scope all) and as a branch manager (scope subtree):
unfiltered, sorted by AUM both ways, first and last page; the branch manager's name + birthday-month
filter; the filter results of a segment definition with a birthday-month rule. Target: every list
page p95 ≤ 80 ms at 100,000 customers on SQLite and 1,000,000 on PostgreSQL.

Customers come from an earlier scenario of the run, else BENCH_CUSTOMERS (default 20,000) are
generated and loaded through the T+1 intake (see bench/scenarios/customers.py). Three customers lose
their figures row (a customer created by hand before any intake has none) so that the "no figures
last" rule of the AUM order is exercised on the last page. Statistics are then refreshed the way the
intake and the import refresh them (`steward.core.statistics.refresh_statistics`), not settled by a
VACUUM: the lists must be fast in the state a load leaves, without waiting for autovacuum.
"""

from __future__ import annotations

import json
import re

from bench.registry import scenario
from bench.scenarios.customers import ensure_customers, row_cifs, table_rows

PAGE_P95_MS = 80
HTMX = {"HX-Request": "true"}
WITHOUT_FIGURES = 3
TOTAL_TEXT = re.compile(r"of (about )?([\d,]+)|([\d,]+) records?")


def shown_total(response) -> tuple[int, bool]:
    """The row total the page shows, and whether it says it is an estimate ("about")."""
    match = TOTAL_TEXT.search(response.content.decode())
    if match is None:
        return 0, False
    return int((match.group(2) or match.group(3)).replace(",", "")), bool(match.group(1))


@scenario(
    "customer-lists", "Org-wide customer list (admin, branch manager): unfiltered, filtered, by AUM, first/last page"
)
def customer_lists(ctx):
    from django.db import connection

    from steward.core.statistics import refresh_statistics
    from steward.customers.models import CoManager, ConfidentialGrant, Customer, CustomerFigures
    from steward.customers.permissions import VIEW
    from steward.org.models import Employee, Org

    total = ensure_customers()
    admin = Employee.objects.get(employee_no="admin")
    branch = Employee.objects.get(employee_no="branch")
    orphans = list(Customer.objects.order_by("-pk").values_list("pk", flat=True)[:WITHOUT_FIGURES])
    CustomerFigures.objects.filter(customer_id__in=orphans).delete()
    refresh_statistics(Customer, CustomerFigures, Org, Employee, CoManager, ConfidentialGrant)

    visible_admin = Customer.objects.visible_to(admin, VIEW).count()
    visible_branch = Customer.objects.visible_to(branch, VIEW).count()
    ctx.check(visible_admin == total, f"the admin should see all {total} customers, sees {visible_admin}")
    ctx.check(0 < visible_branch < total, f"the branch manager should see part of the bank, sees {visible_branch}")
    sample = Customer.objects.visible_to(branch, VIEW).order_by("pk")[visible_branch // 2]
    surname, month = sample.name[:1], sample.birth_date.month
    matches = (
        Customer.objects.visible_to(branch, VIEW).filter(name__startswith=surname, birth_date__month=month).count()
    )
    ctx.note(
        f"{connection.vendor}: {total:,} customers; the admin sees all, the branch manager {visible_branch:,}; "
        f"{WITHOUT_FIGURES} customers have no figures row. Name + birthday filter: surname {surname!r}, "
        f"month {month}: {matches:,} matches in the branch."
    )

    admin_client = ctx.client("admin")
    branch_client = ctx.client("branch")
    for client in (admin_client, branch_client):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the totals are read from the English text
    per_page = 20
    last_admin = (total + per_page - 1) // per_page
    last_branch = (visible_branch + per_page - 1) // per_page

    # --- preconditions: what the user sees is right ----------------------------------------------
    first = admin_client.get("/customers/org/")
    ctx.check(table_rows(first) == per_page, f"admin org list: {table_rows(first)} rows")
    shown, estimated = shown_total(first)
    ctx.check(abs(shown - total) <= total // 10, f"admin org list shows a total of {shown}, the bank has {total}")
    ctx.note(f"Admin org list total shown: {'about ' if estimated else ''}{shown:,}.")
    top = list(
        Customer.objects.filter(figures__isnull=False)
        .order_by("-figures__aum")
        .values_list("figures__aum", flat=True)[:1]
    )
    first_cif = row_cifs(first)[0]
    ctx.check(
        Customer.objects.get(cif=first_cif).figures.aum == top[0], "the org list's first row is not the largest AUM"
    )
    tail = admin_client.get("/customers/org/", {"page": last_admin})
    orphan_cifs = set(Customer.objects.filter(pk__in=orphans).values_list("cif", flat=True))
    ctx.check(
        orphan_cifs <= set(row_cifs(tail)),
        "customers without figures should come last in the AUM order (the admin's last page)",
    )
    filtered = branch_client.get("/customers/org/", {"q": surname, "birthday_month": month})
    ctx.check(
        len(row_cifs(filtered)) == min(matches, per_page),
        f"branch name + birthday filter: {len(row_cifs(filtered))} rows for {matches} matches",
    )
    ctx.check(shown_total(filtered)[0] == matches, f"branch filter total {shown_total(filtered)} ≠ {matches}")

    # --- measurements ----------------------------------------------------------------------------
    results = [
        ctx.measure("org list · admin, by AUM (first page)", lambda _: admin_client.get("/customers/org/")),
        ctx.measure(
            "org list · admin, by AUM (last page)",
            lambda _: admin_client.get("/customers/org/", {"page": last_admin}),
        ),
        ctx.measure(
            "org list · admin, by AUM ascending", lambda _: admin_client.get("/customers/org/", {"sort": "aum"})
        ),
        ctx.measure("org list · admin, by AUM (htmx)", lambda _: admin_client.get("/customers/org/", headers=HTMX)),
        ctx.measure("org list · branch manager, by AUM (first page)", lambda _: branch_client.get("/customers/org/")),
        ctx.measure(
            "org list · branch manager, by AUM (last page)",
            lambda _: branch_client.get("/customers/org/", {"page": last_branch}),
        ),
        ctx.measure(
            "org list · branch manager, name + birthday month",
            lambda _: branch_client.get("/customers/org/", {"q": surname, "birthday_month": month}),
        ),
        ctx.measure(
            "org list · branch manager, birthday month only",
            lambda _: branch_client.get("/customers/org/", {"birthday_month": month}),
        ),
    ]
    definition = json.dumps({"op": "and", "rules": [{"field": "birthday_month", "operator": "eq", "value": month}]})
    results.append(
        ctx.measure(
            "segment results · branch manager, birthday-month rule",
            lambda _: branch_client.get("/segments/filter/results/", {"definition": definition}),
        )
    )
    worst = max(results, key=lambda m: m.p95_ms)
    ctx.note(
        f"List pages p95: worst {worst.name} {worst.p95_ms:.1f} ms "
        f"({'ok' if worst.p95_ms <= PAGE_P95_MS else 'MISSED'} ≤ {PAGE_P95_MS})."
    )
