"""Segment count scenario (issue "Customers and their money", CUS-03): the four-predicate count
"age 30–50, risk rating ≥ R3, AUM 0.5–5M, has tag X" compiled from a filter definition and
applied on top of the viewer's visibility, against hand-written SQL for the same question (the
same visibility rule included). Tag X is a manual tag on every fifth customer. A second pair
replaces the tag by "holds a product of category 'wealth'" (a positive balance on the customer's
latest data date). Customers come from the intake scenario if it ran; otherwise
BENCH_SEGMENT_CUSTOMERS (default 20,000) are generated and loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from bench.database import settle_tables
from bench.registry import scenario

NOT_HTTP = (None,)
TODAY = dt.date(2026, 4, 1)
DEFINITION = {
    "op": "and",
    "rules": [
        {"field": "age", "operator": "between", "value": [30, 50]},
        {"field": "risk_level", "operator": "gte", "value": "R3"},
        {"field": "aum", "operator": "between", "value": ["500000", "5000000"]},
        {"field": "tag", "operator": "has", "value": ["bench-x"]},
    ],
}
HOLDS_DEFINITION = {
    "op": "and",
    "rules": [*DEFINITION["rules"][:3], {"field": "category", "operator": "holds", "value": ["wealth"]}],
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


VISIBLE_AND_FIRST_THREE = """
    SELECT COUNT(*) FROM customers_customer c
    JOIN customers_customerfigures f ON f.customer_id = c.id
    WHERE c.birth_date > %s AND c.birth_date <= %s
      AND c.risk_level IN ('R3', 'R4', 'R5')
      AND f.aum >= 500000 AND f.aum <= 5000000
      AND (NOT c.is_confidential OR c.owner_id = %s
           OR c.id IN (SELECT g.customer_id FROM customers_confidentialgrant g WHERE g.user_id = %s))
"""


def _ages():
    return TODAY.replace(year=TODAY.year - 51), TODAY.replace(year=TODAY.year - 30)


def hand_sql(user_id: int, tag_id: int) -> int:
    from django.db import connection

    low, high = _ages()
    sql = (
        VISIBLE_AND_FIRST_THREE
        + """
      AND EXISTS (SELECT 1 FROM tags_customertag t WHERE t.customer_id = c.id AND t.tag_id = %s)
    """
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high, user_id, user_id, tag_id])
        return cursor.fetchone()[0]


def hand_sql_holds(user_id: int) -> int:
    from django.db import connection

    from steward.holdings.models import ProductCategory

    path = ProductCategory.objects.get(code="wealth").path
    low, high = _ages()
    sql = (
        VISIBLE_AND_FIRST_THREE
        + """
      AND EXISTS (
        SELECT 1 FROM holdings_dailybalance b
        JOIN holdings_account a ON a.id = b.account_id
        JOIN holdings_product p ON p.id = a.product_id
        JOIN holdings_productcategory pc ON pc.id = p.category_id
        WHERE b.customer_id = c.id AND b.data_date = f.as_of AND b.balance > 0
          AND pc.path >= %s AND pc.path < %s)
    """
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high, user_id, user_id, path, path + "~"])
        return cursor.fetchone()[0]


def ensure_tag():
    """Tag X: a manual tag on every fifth customer, written set-based."""
    from django.db import connection
    from django.utils import timezone

    from steward.tags.models import CustomerTag, Tag, TagCategory

    category, _ = TagCategory.objects.get_or_create(code="bench", defaults={"name": "bench"})
    tag, created = Tag.objects.get_or_create(code="bench-x", defaults={"name": "X", "category": category})
    if created:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CustomerTag._meta.db_table} (customer_id, tag_id, source, tagged_at) "
                f"SELECT id, %s, 'manual', %s FROM customers_customer WHERE id %% 5 = 0",
                [tag.pk, timezone.now()],
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {CustomerTag._meta.db_table}")
    return tag


@scenario("segments", "Four-predicate segment count (compiled definition + visibility) vs hand-written SQL")
def segments(ctx):
    from django.db import connection

    from steward.org.models import Employee
    from steward.segments.services import matching

    ensure_customers(ctx)
    tag = ensure_tag()
    settle_tables()  # as autovacuum leaves the tables after the night's load
    admin = Employee.objects.get(employee_no="admin")  # the demo system administrator (head-office scope)
    bare = ctx.measure("hand-written SQL count", lambda _: Counted(hand_sql(admin.pk, tag.pk)), expect_status=NOT_HTTP)
    compiled = ctx.measure(
        "compiled definition on top of visible_to (system admin)",
        lambda _: Counted(matching(admin, DEFINITION, TODAY).count()),
        expect_status=NOT_HTTP,
        ratio_to=bare.name,
    )
    expected, got = hand_sql(admin.pk, tag.pk), matching(admin, DEFINITION, TODAY).count()
    ctx.check(expected == got, f"compiled count {got} differs from the hand-written SQL's {expected}")
    bare_holds = ctx.measure(
        "hand-written SQL count, holds category instead of tag",
        lambda _: Counted(hand_sql_holds(admin.pk)),
        expect_status=NOT_HTTP,
    )
    compiled_holds = ctx.measure(
        "compiled definition, holds category instead of tag",
        lambda _: Counted(matching(admin, HOLDS_DEFINITION, TODAY).count()),
        expect_status=NOT_HTTP,
        ratio_to=bare_holds.name,
    )
    got_holds = matching(admin, HOLDS_DEFINITION, TODAY).count()
    ctx.check(hand_sql_holds(admin.pk) == got_holds, "compiled 'holds' count differs from the hand-written SQL's")
    ctx.note(
        f"{connection.vendor}: {got:,} customers match (tag); compiled {compiled.median_ms:.1f} ms vs hand SQL "
        f"{bare.median_ms:.1f} ms = {compiled.median_ms / max(bare.median_ms, 0.001):.2f}× (target ≤ 1.5×, p50 ≤ 300 ms). "
        f"With 'holds category' instead: {got_holds:,} match, {compiled_holds.median_ms:.1f} ms vs "
        f"{bare_holds.median_ms:.1f} ms = {compiled_holds.median_ms / max(bare_holds.median_ms, 0.001):.2f}×."
    )
