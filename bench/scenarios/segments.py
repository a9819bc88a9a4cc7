"""Segment count scenario (issue "Customers and their money", CUS-03): the four-predicate count
"age 30–50, risk rating ≥ R3, AUM 0.5–5M, holds category X" compiled from a filter definition and
applied on top of the viewer's visibility, against hand-written SQL for the same question.

Tags do not exist yet (issue 4 point 9), so the fourth predicate is "holds a product of category
'wealth'" (a positive balance on the customer's latest data date). Customers come from the intake
scenario if it ran; otherwise BENCH_SEGMENT_CUSTOMERS (default 20,000) are generated and loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from bench.registry import scenario

NOT_HTTP = (None,)
TODAY = dt.date(2026, 4, 1)
DEFINITION = {
    "op": "and",
    "rules": [
        {"field": "age", "operator": "between", "value": [30, 50]},
        {"field": "risk_level", "operator": "gte", "value": "R3"},
        {"field": "aum", "operator": "between", "value": ["500000", "5000000"]},
        {"field": "category", "operator": "holds", "value": ["wealth"]},
    ],
}


class Counted:
    """measure() expects something with a status; a count has none."""

    status_code = None

    def __init__(self, value):
        self.value = value


def ensure_customers(ctx):
    from steward.customers.models import Customer
    from steward.holdings.generator import generate_day
    from steward.holdings.intake import load_day
    from steward.org.models import Employee, Org

    if Customer.objects.exists():
        return
    customers = int(os.environ.get("BENCH_SEGMENT_CUSTOMERS", "20000"))
    orgs = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("code").values_list("code", flat=True))
    owners = list(Employee.objects.filter(position="rm").order_by("employee_no").values_list("employee_no", flat=True))
    with tempfile.TemporaryDirectory(prefix="steward-segments-") as tmp:
        day = TODAY - dt.timedelta(days=1)
        generate_day(Path(tmp), customers, day, orgs=orgs, owners=owners)
        load_day(None, Path(tmp), day)


def hand_sql(user_id: int) -> int:
    from django.db import connection

    from steward.holdings.models import ProductCategory

    path = ProductCategory.objects.get(code="wealth").path
    low, high = TODAY.replace(year=TODAY.year - 51), TODAY.replace(year=TODAY.year - 30)
    sql = """
        SELECT COUNT(*) FROM customers_customer c
        JOIN customers_customerfigures f ON f.customer_id = c.id
        WHERE c.birth_date > %s AND c.birth_date <= %s
          AND c.risk_level IN ('R3', 'R4', 'R5')
          AND f.aum >= 500000 AND f.aum <= 5000000
          AND (NOT c.is_confidential OR c.owner_id = %s
               OR c.id IN (SELECT g.customer_id FROM customers_confidentialgrant g WHERE g.user_id = %s))
          AND EXISTS (
            SELECT 1 FROM holdings_dailybalance b
            JOIN holdings_account a ON a.id = b.account_id
            JOIN holdings_product p ON p.id = a.product_id
            JOIN holdings_productcategory pc ON pc.id = p.category_id
            WHERE b.customer_id = c.id AND b.data_date = f.as_of AND b.balance > 0
              AND pc.path >= %s AND pc.path < %s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high, user_id, user_id, path, path + "~"])
        return cursor.fetchone()[0]


@scenario("segments", "Four-predicate segment count (compiled definition + visibility) vs hand-written SQL")
def segments(ctx):
    from django.db import connection

    from steward.org.models import Employee
    from steward.segments.services import matching

    ensure_customers(ctx)
    admin = Employee.objects.get(employee_no="admin")  # the demo system administrator (head-office scope)
    bare = ctx.measure("hand-written SQL count", lambda _: Counted(hand_sql(admin.pk)), expect_status=NOT_HTTP)
    compiled = ctx.measure(
        "compiled definition on top of visible_to (system admin)",
        lambda _: Counted(matching(admin, DEFINITION, TODAY).count()),
        expect_status=NOT_HTTP,
        ratio_to=bare.name,
    )
    expected, got = hand_sql(admin.pk), matching(admin, DEFINITION, TODAY).count()
    ctx.check(expected == got, f"compiled count {got} differs from the hand-written SQL's {expected}")
    ctx.note(
        f"{connection.vendor}: {got:,} customers match; compiled {compiled.median_ms:.1f} ms vs hand SQL "
        f"{bare.median_ms:.1f} ms = {compiled.median_ms / max(bare.median_ms, 0.001):.1f}×. "
        "'has tag X' is stood in for by 'holds category wealth' (tags come with point 9)."
    )
