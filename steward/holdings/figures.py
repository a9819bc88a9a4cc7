"""Figures derived after each day's load — DAT-04, DAT-06, CUS-06, CUS-07 — and the reminders
the data raises — DAT-05. Everything is set-based and costs O(that day's rows):

* `DailyFigures` (customer, date): AUM (non-liability balances), liabilities, contribution —
  the asset trend's daily points;
* `PeriodTotal` (customer, month/quarter/year): running sums; a day first takes back what an
  earlier run of the same day added, then adds its own, so averages never rescan history;
* `CategoryAum`: current AUM per top-level category;
* Customer fields: aum, aum_30_days_ago, avg_daily_assets_month/quarter/year (sum ÷ calendar
  days of the period so far), contribution_ytd, tier (thresholds parameter) with `TierChange`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from steward.basedata.services import parameter
from steward.customers.models import Customer
from steward.holdings.models import (
    Account,
    CategoryAum,
    DailyBalance,
    DailyFigures,
    PeriodTotal,
    Product,
    ProductCategory,
    Reminder,
    TierChange,
    Transaction,
)


def period_starts(day: dt.date) -> dict[str, dt.date]:
    return {
        "M": day.replace(day=1),
        "Q": day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1),
        "Y": day.replace(month=1, day=1),
    }


def tier_ladder() -> list[tuple[str, Decimal]]:
    """[(tier, minimum AUM)], highest first, from the `holdings.tier_thresholds` parameter."""
    raw = parameter("holdings.tier_thresholds") or {}
    return sorted(((str(name), Decimal(str(minimum))) for name, minimum in raw.items()), key=lambda t: -t[1])


def tier_for(aum: Decimal) -> str:
    for name, minimum in tier_ladder():
        if aum >= minimum:
            return name
    return ""


def _tier_case(expr: str) -> tuple[str, list]:
    ladder = tier_ladder()
    if not ladder:
        return "''", []
    parts, params = [], []
    for name, minimum in ladder:
        parts.append(f"WHEN {expr} >= %s THEN %s")
        params += [minimum, name]
    return f"CASE {' '.join(parts)} ELSE '' END", params


def _category_cases() -> tuple[str, list, str, list]:
    """(root-category CASE, params, annual contribution rate CASE, params) over p.category_id."""
    rates = {k: Decimal(str(v)) for k, v in (parameter("holdings.contribution_rates") or {}).items()}
    categories = list(ProductCategory.objects.values_list("pk", "code", "path"))
    by_id = {pk: (code, path) for pk, code, path in categories}
    root_parts, root_params, rate_parts, rate_params = [], [], [], []
    for pk, _code, path in categories:
        ancestors = [by_id.get(int(part)) for part in path.strip("/").split("/")]
        root_parts.append("WHEN %s THEN %s")
        root_params += [pk, int(path.split("/")[0])]
        # the nearest category (itself, then up the tree) with a configured rate
        rate = next((rates[a[0]] for a in reversed(ancestors) if a and a[0] in rates), Decimal("0"))
        rate_parts.append("WHEN %s THEN %s")
        rate_params += [pk, rate]
    root = f"CASE p.category_id {' '.join(root_parts)} END" if root_parts else "NULL"
    rate = f"CASE p.category_id {' '.join(rate_parts)} ELSE 0 END" if rate_parts else "0"
    return root, root_params, rate, rate_params


def _period_add(cursor, day: dt.date) -> None:
    """Add the day's change (new figures minus what an earlier run of the day stored) to the
    month, quarter and year sums in one statement; unchanged customers cost nothing."""
    table, figures = PeriodTotal._meta.db_table, DailyFigures._meta.db_table
    starts = period_starts(day)
    cursor.execute("DROP TABLE IF EXISTS day_delta")
    cursor.execute(
        f"CREATE TEMP TABLE day_delta AS SELECT n.customer_id AS customer_id, n.aum - COALESCE(o.aum, 0) AS aum, "
        f"n.contribution - COALESCE(o.contribution, 0) AS contribution FROM day_figures n "
        f"LEFT JOIN {figures} o ON o.customer_id = n.customer_id AND o.data_date = %s",
        [day],
    )
    cursor.execute(
        f"INSERT INTO day_delta (customer_id, aum, contribution) SELECT o.customer_id, -o.aum, -o.contribution "
        f"FROM {figures} o WHERE o.data_date = %s "
        f"AND NOT EXISTS (SELECT 1 FROM day_figures n WHERE n.customer_id = o.customer_id)",
        [day],
    )
    cursor.execute("DELETE FROM day_delta WHERE aum = 0 AND contribution = 0")
    cursor.execute(
        f"INSERT INTO {table} AS t (customer_id, period, period_start, aum_total, contribution_total) "
        f"SELECT d.customer_id, p.period, p.start, d.aum, d.contribution FROM day_delta d CROSS JOIN "
        f"(SELECT 'M' AS period, %s AS start UNION ALL SELECT 'Q', %s UNION ALL SELECT 'Y', %s) p WHERE 1 = 1 "
        f"ON CONFLICT (customer_id, period, period_start) DO UPDATE SET "
        f"aum_total = t.aum_total + excluded.aum_total, "
        f"contribution_total = t.contribution_total + excluded.contribution_total",
        [starts["M"], starts["Q"], starts["Y"]],
    )
    cursor.execute("DROP TABLE day_delta")


@transaction.atomic
def derive_day(day: dt.date, *, now=None) -> dict:
    """Recompute the derived figures of `day` (idempotent) and raise its reminders."""
    now = now or timezone.now()
    balance_t, account_t, product_t = DailyBalance._meta.db_table, Account._meta.db_table, Product._meta.db_table
    figures_t, period_t = DailyFigures._meta.db_table, PeriodTotal._meta.db_table
    customer_t, category_t, tier_t = Customer._meta.db_table, CategoryAum._meta.db_table, TierChange._meta.db_table
    root_case, root_params, rate_case, rate_params = _category_cases()
    day_rows = (
        f"FROM {balance_t} b JOIN {account_t} a ON a.id = b.account_id JOIN {product_t} p ON p.id = a.product_id "
        f"WHERE b.data_date = %s"
    )
    with connection.cursor() as cursor:
        # 1. The day's points; the period sums take the difference to an earlier run of the day.
        cursor.execute("DROP TABLE IF EXISTS day_figures")
        cursor.execute(
            f"CREATE TEMP TABLE day_figures AS SELECT b.customer_id AS customer_id, "
            f"SUM(CASE WHEN p.is_liability THEN 0 ELSE b.balance END) AS aum, "
            f"SUM(CASE WHEN p.is_liability THEN b.balance ELSE 0 END) AS liabilities, "
            f"ROUND(SUM(b.balance * {rate_case}) / 365, 4) AS contribution {day_rows} GROUP BY b.customer_id",
            [*rate_params, day],
        )
        cursor.execute("CREATE INDEX day_figures_customer ON day_figures (customer_id)")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE day_figures")
        _period_add(cursor, day)
        cursor.execute(f"DELETE FROM {figures_t} WHERE data_date = %s", [day])
        cursor.execute(
            f"INSERT INTO {figures_t} (customer_id, data_date, aum, liabilities, contribution) "
            f"SELECT customer_id, %s, aum, liabilities, contribution FROM day_figures",
            [day],
        )
        customers = cursor.rowcount
        cursor.execute("DROP TABLE day_figures")

        cursor.execute(f"SELECT MAX(figures_as_of) FROM {customer_t}")
        latest = cursor.fetchone()[0]
        if isinstance(latest, str):
            latest = dt.date.fromisoformat(latest)
        is_latest = latest is None or day >= latest
        if is_latest:
            # 2. Current AUM by top-level category.
            cursor.execute(f"DELETE FROM {category_t}")
            cursor.execute(
                f"INSERT INTO {category_t} (customer_id, category_id, data_date, amount) "
                f"SELECT b.customer_id, {root_case}, %s, SUM(b.balance) {day_rows} AND NOT p.is_liability "
                f"GROUP BY b.customer_id, {root_case}",
                [*root_params, day, day, *root_params],
            )
            # 3. The customer's figures (customers without any balance today drop to zero).
            starts = period_starts(day)
            days = {k: (day - s).days + 1 for k, s in starts.items()}
            cursor.execute(
                f"UPDATE {customer_t} SET figures_as_of = %s, aum = x.aum, aum_30_days_ago = x.aum30, "
                f"avg_daily_assets_month = ROUND(x.m * 1.0 / %s, 2), avg_daily_assets_quarter = ROUND(x.q * 1.0 / %s, 2), "
                f"avg_daily_assets_year = ROUND(x.y * 1.0 / %s, 2), contribution_ytd = ROUND(x.c, 2) "
                f"FROM (SELECT c.id, COALESCE(f.aum, 0) AS aum, COALESCE(f30.aum, 0) AS aum30, "
                f"COALESCE(pm.aum_total, 0) AS m, COALESCE(pq.aum_total, 0) AS q, COALESCE(py.aum_total, 0) AS y, "
                f"COALESCE(py.contribution_total, 0) AS c FROM {customer_t} c "
                f"LEFT JOIN {figures_t} f ON f.customer_id = c.id AND f.data_date = %s "
                f"LEFT JOIN {figures_t} f30 ON f30.customer_id = c.id AND f30.data_date = %s "
                f"LEFT JOIN {period_t} pm ON pm.customer_id = c.id AND pm.period = 'M' AND pm.period_start = %s "
                f"LEFT JOIN {period_t} pq ON pq.customer_id = c.id AND pq.period = 'Q' AND pq.period_start = %s "
                f"LEFT JOIN {period_t} py ON py.customer_id = c.id AND py.period = 'Y' AND py.period_start = %s "
                f"WHERE f.customer_id IS NOT NULL OR c.figures_as_of IS NOT NULL) x "
                f"WHERE {customer_t}.id = x.id AND ({customer_t}.figures_as_of IS DISTINCT FROM %s "
                f"OR {customer_t}.aum <> x.aum OR {customer_t}.aum_30_days_ago <> x.aum30 "
                f"OR {customer_t}.contribution_ytd <> ROUND(x.c, 2) "
                f"OR {customer_t}.avg_daily_assets_month <> ROUND(x.m * 1.0 / %s, 2) "
                f"OR {customer_t}.avg_daily_assets_quarter <> ROUND(x.q * 1.0 / %s, 2) "
                f"OR {customer_t}.avg_daily_assets_year <> ROUND(x.y * 1.0 / %s, 2))",
                [
                    day,
                    days["M"],
                    days["Q"],
                    days["Y"],
                    day,
                    day - dt.timedelta(days=30),
                    starts["M"],
                    starts["Q"],
                    starts["Y"],
                    day,
                    days["M"],
                    days["Q"],
                    days["Y"],
                ],
            )
            # 4. Tier, with its history (an unchanged tier writes nothing).
            tier_case, tier_params = _tier_case("c.aum")
            cursor.execute(
                f"INSERT INTO {tier_t} AS t (customer_id, data_date, old_tier, new_tier, aum) "
                f"SELECT c.id, %s, c.tier, {tier_case}, c.aum FROM {customer_t} c "
                f"WHERE c.figures_as_of = %s AND c.tier <> {tier_case} "
                f"ON CONFLICT (customer_id, data_date) DO UPDATE SET new_tier = excluded.new_tier, aum = excluded.aum",
                [day, *tier_params, day, *tier_params],
            )
            cursor.execute(f"DELETE FROM {tier_t} WHERE data_date = %s AND old_tier = new_tier", [day])
            set_case, set_params = _tier_case("aum")
            cursor.execute(
                f"UPDATE {customer_t} SET tier = {set_case} WHERE figures_as_of = %s AND tier <> {set_case}",
                [*set_params, day, *set_params],
            )
            tier_changes = cursor.rowcount
        else:
            tier_changes = 0
        reminders = raise_reminders(cursor, day, now)
    return {"customers": customers, "tier_changes": tier_changes, "reminders": reminders, "latest": is_latest}


def raise_reminders(cursor, day: dt.date, now) -> int:
    """Large transactions of the day, maturities in the next N days, birthdays in the next 7 days.
    One reminder per (kind, customer, subject, date): a re-run adds nothing."""
    reminder_t, customer_t = Reminder._meta.db_table, Customer._meta.db_table
    txn_t, account_t, product_t = Transaction._meta.db_table, Account._meta.db_table, Product._meta.db_table
    columns = "(kind, customer_id, owner_id, subject, due_on, data_date, amount, text, is_done, created_at)"
    conflict = "ON CONFLICT (kind, customer_id, subject, due_on) DO NOTHING"
    now_db = connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now
    created = 0
    threshold = Decimal(str(parameter("customers.large_transaction_threshold")))
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'large_txn', t.customer_id, c.owner_id, t.reference, %s, %s, "
        f"t.amount, t.direction, %s, %s FROM {txn_t} t JOIN {customer_t} c ON c.id = t.customer_id "
        f"WHERE t.data_date = %s AND t.amount >= %s {conflict}",
        [day, day, False, now_db, day, threshold],
    )
    created += max(cursor.rowcount, 0)
    lead = int(parameter("customers.maturity_reminder_days"))
    balance_t = DailyBalance._meta.db_table
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'maturity', a.customer_id, c.owner_id, p.code, p.maturity_date, "
        f"%s, b.balance, p.name, %s, %s FROM {balance_t} b JOIN {account_t} a ON a.id = b.account_id "
        f"JOIN {product_t} p ON p.id = a.product_id JOIN {customer_t} c ON c.id = a.customer_id "
        f"WHERE b.data_date = %s AND p.maturity_date > %s AND p.maturity_date <= %s "
        f"AND a.closed_on IS NULL AND b.balance > 0 AND NOT p.is_liability {conflict}",
        [day, False, now_db, day, day, day + dt.timedelta(days=lead)],
    )
    created += max(cursor.rowcount, 0)
    birthday_days = int(parameter("holdings.birthday_reminder_days"))
    month_day = (
        "strftime('%%m-%%d', c.birth_date)" if connection.vendor == "sqlite" else "to_char(c.birth_date, 'MM-DD')"
    )
    for offset in range(1, birthday_days + 1):
        date = day + dt.timedelta(days=offset)
        cursor.execute(
            f"INSERT INTO {reminder_t} {columns} SELECT 'birthday', c.id, c.owner_id, '', %s, %s, NULL, '', %s, %s "
            f"FROM {customer_t} c WHERE c.birth_date IS NOT NULL AND {month_day} = %s AND c.status = 'active' "
            f"{conflict}",
            [date, day, False, now_db, date.strftime("%m-%d")],
        )
        created += max(cursor.rowcount, 0)
    return created


def asset_trend(customer, as_of: dt.date | None = None, daily_days: int = 90) -> dict:
    """The asset trend (DAT-06): daily AUM points for the last `daily_days` days, and monthly average
    daily assets (from the running sums) for the months before. Two indexed reads."""
    as_of = as_of or customer.figures_as_of
    if as_of is None:
        return {"daily": [], "monthly": []}
    first_daily = as_of - dt.timedelta(days=daily_days - 1)
    daily = list(
        DailyFigures.objects.filter(customer=customer, data_date__gte=first_daily, data_date__lte=as_of)
        .order_by("data_date")
        .values_list("data_date", "aum")
    )
    monthly = []
    for start, total in (
        PeriodTotal.objects.filter(customer=customer, period="M", period_start__lt=first_daily.replace(day=1))
        .order_by("period_start")
        .values_list("period_start", "aum_total")
    ):
        next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        monthly.append((start, (Decimal(total) / (next_month - start).days).quantize(Decimal("0.01"))))
    return {"daily": daily, "monthly": monthly}


def aum_by_category(customer) -> list[tuple[ProductCategory, Decimal]]:
    """Current AUM per top-level product category, largest first (the 360° assets pie)."""
    rows = CategoryAum.objects.filter(customer=customer, amount__gt=0).select_related("category").order_by("-amount")
    return [(row.category, row.amount) for row in rows]
