"""Figures derived after each day's load — DAT-04, DAT-06, CUS-06, CUS-07 — and the reminders
the data raises — DAT-05. Everything is set-based and costs O(that day's rows):

* `DailyFigures` (customer, date): AUM (non-liability balances), liabilities, contribution —
  the asset trend's daily points, and what a re-run of the day takes back;
* `CustomerFigures` (one narrow row per customer, `customer.figures`): aum, aum_30_days_ago,
  the running sums of the month, quarter and year containing `as_of` and the averages from them
  (sum ÷ calendar days of the period so far), contribution_ytd, tier (thresholds parameter) with
  `TierChange`. A new day adds its AUM to the sums (a new period starts from zero); a re-run adds
  the difference to what the earlier run of the day stored, so history is never rescanned.

The AUM by category (the 360° pie) and the monthly trend beyond 90 days are read per customer
from the day's balances and the daily figures: they cost the loader nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from steward.basedata.services import parameter
from steward.customers.models import Customer, CustomerFigures
from steward.holdings.models import (
    Account,
    DailyBalance,
    DailyFigures,
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
        # The cast: SQLite compares a text-bound parameter with an expression of no affinity as text.
        parts.append(f"WHEN {expr} >= CAST(%s AS DECIMAL(20, 2)) THEN %s")
        params += [minimum, name]
    return f"CASE {' '.join(parts)} ELSE '' END", params


def _rate_case() -> tuple[str, list]:
    """The annual contribution rate CASE over p.category_id: the nearest category (itself, then up
    the tree) with a configured rate."""
    rates = {k: Decimal(str(v)) for k, v in (parameter("holdings.contribution_rates") or {}).items()}
    categories = list(ProductCategory.objects.values_list("pk", "code", "path"))
    by_id = {pk: (code, path) for pk, code, path in categories}
    parts, params = [], []
    for pk, _code, path in categories:
        ancestors = [by_id.get(int(part)) for part in path.strip("/").split("/")]
        rate = next((rates[a[0]] for a in reversed(ancestors) if a and a[0] in rates), Decimal("0"))
        parts.append("WHEN %s THEN %s")
        params += [pk, rate]
    return (f"CASE p.category_id {' '.join(parts)} ELSE 0 END" if parts else "0"), params


def _analyze(cursor, table: str) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")  # temp tables are never analysed automatically


@transaction.atomic
def derive_day(day: dt.date, *, now=None) -> dict:
    """Derive the figures of `day` (idempotent: a re-run changes nothing) and raise its reminders."""
    now = now or timezone.now()
    balance_t, account_t, product_t = DailyBalance._meta.db_table, Account._meta.db_table, Product._meta.db_table
    daily_t, figures_t, customer_t = (
        DailyFigures._meta.db_table,
        CustomerFigures._meta.db_table,
        Customer._meta.db_table,
    )
    rate_case, rate_params = _rate_case()
    with connection.cursor() as cursor:
        # The day's balances were just written: without statistics for the new date PostgreSQL
        # expects one row and joins a day's 2,500,000 balances by nested loops (day figures and
        # maturity reminders: 12.2 → 5.9 s at 1,000,000 customers, for an ANALYZE of 0.6 s).
        _analyze(cursor, balance_t)
        # 1. The day's points, and their difference to what an earlier run of the day stored.
        for name in ("day_figures", "day_delta", "day_new"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMP TABLE day_figures AS SELECT b.customer_id AS customer_id, "
            f"SUM(CASE WHEN p.is_liability THEN 0 ELSE b.balance END) AS aum, "
            f"SUM(CASE WHEN p.is_liability THEN b.balance ELSE 0 END) AS liabilities, "
            f"ROUND(SUM(b.balance * {rate_case}) / 365, 4) AS contribution "
            f"FROM {balance_t} b JOIN {account_t} a ON a.id = b.account_id JOIN {product_t} p ON p.id = a.product_id "
            f"WHERE b.data_date = %s GROUP BY b.customer_id",
            [*rate_params, day],
        )
        if connection.vendor == "sqlite":
            # SQLite looks the day's points up per stored point below (NOT EXISTS): without an index
            # a re-run of a 100,000-customer day compared every pair (minutes, not a second).
            # PostgreSQL hashes them.
            cursor.execute("CREATE UNIQUE INDEX day_figures_customer ON day_figures (customer_id)")
        cursor.execute(
            f"CREATE TEMP TABLE day_delta AS SELECT n.customer_id AS customer_id, n.aum AS aum, "
            f"n.aum - COALESCE(o.aum, 0) AS d_aum, n.contribution - COALESCE(o.contribution, 0) AS d_contribution "
            f"FROM day_figures n LEFT JOIN {daily_t} o ON o.customer_id = n.customer_id AND o.data_date = %s",
            [day],
        )
        cursor.execute(
            f"INSERT INTO day_delta (customer_id, aum, d_aum, d_contribution) "
            f"SELECT o.customer_id, 0, -o.aum, -o.contribution FROM {daily_t} o WHERE o.data_date = %s "
            f"AND NOT EXISTS (SELECT 1 FROM day_figures n WHERE n.customer_id = o.customer_id)",
            [day],
        )
        cursor.execute("CREATE UNIQUE INDEX day_delta_customer ON day_delta (customer_id)")
        _analyze(cursor, "day_delta")

        cursor.execute(f"SELECT MAX(data_date) FROM {daily_t}")
        latest = cursor.fetchone()[0]
        if isinstance(latest, str):
            latest = dt.date.fromisoformat(latest)
        is_latest = latest is None or day >= latest

        # 2. The daily points themselves.
        cursor.execute(f"DELETE FROM {daily_t} WHERE data_date = %s", [day])
        cursor.execute(
            f"INSERT INTO {daily_t} (customer_id, data_date, aum, liabilities, contribution) "
            f"SELECT customer_id, %s, aum, liabilities, contribution FROM day_figures",
            [day],
        )
        customers = cursor.rowcount
        cursor.execute("DROP TABLE day_figures")

        # 3. Every customer has a figures row (the intake inserts customers in SQL, past the signal).
        # The customers lacking one are found first: an INSERT whose NOT EXISTS reads the table it
        # fills is quadratic when the planner, with statistics of an empty table, probes it by a
        # sequential scan per customer (a first load of 1,000,000 customers had not finished it in 25 min).
        cursor.execute("DROP TABLE IF EXISTS customers_without_figures")
        cursor.execute(
            f"CREATE TEMP TABLE customers_without_figures AS SELECT c.id AS customer_id FROM {customer_t} c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {figures_t} f WHERE f.customer_id = c.id)"
        )
        cursor.execute(
            f"INSERT INTO {figures_t} (customer_id, as_of, aum, aum_30_days_ago, avg_daily_assets_month, "
            f"avg_daily_assets_quarter, avg_daily_assets_year, tier, contribution_ytd, aum_sum_month, "
            f"aum_sum_quarter, aum_sum_year, contribution_sum_year) "
            f"SELECT customer_id, NULL, 0, 0, 0, 0, 0, '', 0, 0, 0, 0, 0 FROM customers_without_figures "
            # (A customer added meanwhile in the UI has its row from the signal.)
            f"WHERE 1 = 1 ON CONFLICT (customer_id) DO NOTHING"
        )
        new_customers = max(cursor.rowcount, 0)
        cursor.execute("DROP TABLE customers_without_figures")
        if is_latest:
            tier_changes = _apply_latest(cursor, day)
        else:
            _apply_past(cursor, day)
            tier_changes = _recompute_tier_history(cursor, day)
        cursor.execute("DROP TABLE day_delta")
        reminders = raise_reminders(cursor, day, now)
        # Fresh statistics: every figure moved, and a first load of many customers leaves the
        # planner guessing (it then walks the AUM index for a search by name).
        _analyze(cursor, figures_t)
        if new_customers * 10 > customers:
            _analyze(cursor, customer_t)
    return {"customers": customers, "tier_changes": tier_changes, "reminders": reminders, "latest": is_latest}


def _apply_latest(cursor, day: dt.date) -> int:
    """`day` is the newest data date: every customer with figures moves to it (no balance today
    means zero AUM today); the sums of a period that `day` continues keep growing, others restart."""
    figures_t, daily_t, tier_t = CustomerFigures._meta.db_table, DailyFigures._meta.db_table, TierChange._meta.db_table
    starts = period_starts(day)
    days = {k: (day - s).days + 1 for k, s in starts.items()}
    tier_case, tier_params = _tier_case("COALESCE(d.aum, 0)")
    cursor.execute(
        f"CREATE TEMP TABLE day_new AS SELECT f.customer_id AS customer_id, f.tier AS old_tier, "
        f"COALESCE(d.aum, 0) AS aum, COALESCE(p.aum, 0) AS aum30, {tier_case} AS tier, "
        f"CASE WHEN f.as_of >= %s THEN f.aum_sum_month ELSE 0 END + COALESCE(d.d_aum, 0) AS sum_m, "
        f"CASE WHEN f.as_of >= %s THEN f.aum_sum_quarter ELSE 0 END + COALESCE(d.d_aum, 0) AS sum_q, "
        f"CASE WHEN f.as_of >= %s THEN f.aum_sum_year ELSE 0 END + COALESCE(d.d_aum, 0) AS sum_y, "
        f"CASE WHEN f.as_of >= %s THEN f.contribution_sum_year ELSE 0 END + COALESCE(d.d_contribution, 0) AS sum_c "
        f"FROM {figures_t} f LEFT JOIN day_delta d ON d.customer_id = f.customer_id "
        f"LEFT JOIN {daily_t} p ON p.customer_id = f.customer_id AND p.data_date = %s "
        f"WHERE (f.as_of IS NOT NULL AND f.as_of <= %s) OR d.customer_id IS NOT NULL",
        [*tier_params, starts["M"], starts["Q"], starts["Y"], starts["Y"], day - dt.timedelta(days=30), day],
    )
    # Tier history first, while the old tier is known (a re-run that lands on the old tier drops its row).
    cursor.execute(
        f"INSERT INTO {tier_t} AS t (customer_id, data_date, old_tier, new_tier, aum) "
        f"SELECT customer_id, %s, old_tier, tier, aum FROM day_new WHERE old_tier <> tier "
        f"ON CONFLICT (customer_id, data_date) DO UPDATE SET new_tier = excluded.new_tier, aum = excluded.aum",
        [day],
    )
    tier_changes = max(cursor.rowcount, 0)
    cursor.execute(f"DELETE FROM {tier_t} WHERE data_date = %s AND old_tier = new_tier", [day])
    cursor.execute(
        f"UPDATE {figures_t} SET as_of = %s, aum = x.aum, aum_30_days_ago = x.aum30, tier = x.tier, "
        f"aum_sum_month = x.sum_m, aum_sum_quarter = x.sum_q, aum_sum_year = x.sum_y, contribution_sum_year = x.sum_c, "
        f"avg_daily_assets_month = ROUND(x.sum_m * 1.0 / %s, 2), avg_daily_assets_quarter = ROUND(x.sum_q * 1.0 / %s, 2), "
        f"avg_daily_assets_year = ROUND(x.sum_y * 1.0 / %s, 2), contribution_ytd = ROUND(x.sum_c, 2) "
        f"FROM day_new x WHERE {figures_t}.customer_id = x.customer_id",
        [day, days["M"], days["Q"], days["Y"]],
    )
    cursor.execute("DROP TABLE day_new")
    return tier_changes


def _apply_past(cursor, day: dt.date) -> int:
    """A late or corrected file for a day before the newest: only the sums of the periods the
    newest day shares with it take the difference, and the 30-days-ago AUM if it is that day."""
    figures_t = CustomerFigures._meta.db_table
    cursor.execute(f"SELECT MAX(as_of) FROM {figures_t}")
    as_of = cursor.fetchone()[0]
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if as_of is None:
        return 0
    shared = {k: start == period_starts(as_of)[k] for k, start in period_starts(day).items()}
    days = {k: (as_of - s).days + 1 for k, s in period_starts(as_of).items()}
    delta = {k: ("x.d_aum" if shared[k] else "0") for k in ("M", "Q", "Y")}
    contribution = "x.d_contribution" if shared["Y"] else "0"
    aum30 = "x.aum" if day == as_of - dt.timedelta(days=30) else "aum_30_days_ago"
    # A customer first seen on this older day (no figures yet: as_of is NULL) joins the newest day
    # as it would have in date order: with no balance there, zero AUM and the tier of zero.
    zero_tier, zero_params = _tier_case("0")
    cursor.execute(
        f"UPDATE {figures_t} SET as_of = %s, aum_30_days_ago = {aum30}, "
        f"tier = CASE WHEN {figures_t}.as_of IS NULL THEN {zero_tier} ELSE tier END, "
        f"aum_sum_month = aum_sum_month + {delta['M']}, aum_sum_quarter = aum_sum_quarter + {delta['Q']}, "
        f"aum_sum_year = aum_sum_year + {delta['Y']}, contribution_sum_year = contribution_sum_year + {contribution}, "
        f"avg_daily_assets_month = ROUND((aum_sum_month + {delta['M']}) * 1.0 / %s, 2), "
        f"avg_daily_assets_quarter = ROUND((aum_sum_quarter + {delta['Q']}) * 1.0 / %s, 2), "
        f"avg_daily_assets_year = ROUND((aum_sum_year + {delta['Y']}) * 1.0 / %s, 2), "
        f"contribution_ytd = ROUND(contribution_sum_year + {contribution}, 2) "
        f"FROM day_delta x WHERE {figures_t}.customer_id = x.customer_id "
        f"AND ({figures_t}.as_of = %s OR {figures_t}.as_of IS NULL)",
        [as_of, *zero_params, days["M"], days["Q"], days["Y"], as_of],
    )
    return 0


def _recompute_tier_history(cursor, day: dt.date) -> int:
    """Tier history after a day older than the newest was (re)derived — a late, corrected or
    out-of-order file: the changes on `day` and on the next derived day are worked out again from
    the daily figures, and the following change takes the corrected tier as its "from". The history
    is then what loading every day in date order gives. Set-based; the customers read are those
    with figures on the two days or with a tier history up to them."""
    tier_t, daily_t, figures_t = TierChange._meta.db_table, DailyFigures._meta.db_table, CustomerFigures._meta.db_table
    cursor.execute(f"SELECT MIN(data_date) FROM {daily_t} WHERE data_date > %s", [day])
    following = cursor.fetchone()[0]
    if following is None:
        return 0
    if isinstance(following, str):
        following = dt.date.fromisoformat(following)
    for name in ("tier_seen", "tier_fix"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    # The tier before `day` is the last change before it ('' = never had figures).
    cursor.execute(
        f"CREATE TEMP TABLE tier_seen AS SELECT c.customer_id AS customer_id, "
        f"COALESCE((SELECT t.new_tier FROM {tier_t} t WHERE t.customer_id = c.customer_id AND t.data_date < %s "
        f"ORDER BY t.data_date DESC LIMIT 1), '') AS tier_before, "
        f"(SELECT d.aum FROM {daily_t} d WHERE d.customer_id = c.customer_id AND d.data_date = %s) AS aum_day, "
        f"(SELECT d.aum FROM {daily_t} d WHERE d.customer_id = c.customer_id AND d.data_date = %s) AS aum_next "
        f"FROM (SELECT customer_id FROM {tier_t} WHERE data_date <= %s "
        f"UNION SELECT customer_id FROM {daily_t} WHERE data_date = %s OR data_date = %s) c",
        [day, day, following, following, day, following],
    )
    # A customer takes part in a day once it has had figures (no balance that day = zero AUM).
    day_case, day_params = _tier_case("COALESCE(s.aum_day, 0)")
    cursor.execute(
        f"CREATE TEMP TABLE tier_fix AS SELECT s.customer_id AS customer_id, s.tier_before AS tier_before, "
        f"CASE WHEN s.aum_day IS NOT NULL OR s.tier_before <> '' THEN {day_case} ELSE s.tier_before END AS tier_day, "
        f"COALESCE(s.aum_day, 0) AS aum_day, s.aum_next AS aum_next FROM tier_seen s",
        day_params,
    )
    cursor.execute("DROP TABLE tier_seen")
    cursor.execute("CREATE UNIQUE INDEX tier_fix_customer ON tier_fix (customer_id)")
    next_case, next_params = _tier_case("COALESCE(x.aum_next, 0)")
    mine = "customer_id IN (SELECT customer_id FROM tier_fix)"
    cursor.execute(f"DELETE FROM {tier_t} WHERE (data_date = %s OR data_date = %s) AND {mine}", [day, following])
    cursor.execute(
        f"INSERT INTO {tier_t} (customer_id, data_date, old_tier, new_tier, aum) "
        f"SELECT customer_id, %s, tier_before, tier_day, aum_day FROM tier_fix WHERE tier_before <> tier_day",
        [day],
    )
    changes = max(cursor.rowcount, 0)
    next_tier = f"CASE WHEN x.aum_next IS NOT NULL OR x.tier_day <> '' THEN {next_case} ELSE x.tier_day END"
    cursor.execute(
        f"INSERT INTO {tier_t} (customer_id, data_date, old_tier, new_tier, aum) "
        f"SELECT x.customer_id, %s, x.tier_day, {next_tier}, COALESCE(x.aum_next, 0) FROM tier_fix x "
        f"WHERE x.tier_day <> {next_tier}",
        [following, *next_params, *next_params],
    )
    # The change after the next day starts from the tier the next day now has.
    cursor.execute(
        f"UPDATE {tier_t} SET old_tier = COALESCE((SELECT n.new_tier FROM {tier_t} n "
        f"WHERE n.customer_id = {tier_t}.customer_id AND n.data_date <= %s ORDER BY n.data_date DESC LIMIT 1), '') "
        f"WHERE {mine} AND data_date = (SELECT MIN(l.data_date) FROM {tier_t} l "
        f"WHERE l.customer_id = {tier_t}.customer_id AND l.data_date > %s)",
        [following, following],
    )
    cursor.execute(f"DELETE FROM {tier_t} WHERE data_date > %s AND old_tier = new_tier AND {mine}", [following])
    # The current tier when the next day is the newest.
    cursor.execute(
        f"UPDATE {figures_t} SET tier = COALESCE((SELECT n.new_tier FROM {tier_t} n "
        f"WHERE n.customer_id = {figures_t}.customer_id AND n.data_date <= %s ORDER BY n.data_date DESC LIMIT 1), tier) "
        f"WHERE as_of = %s AND {mine}",
        [following, following],
    )
    cursor.execute("DROP TABLE tier_fix")
    return changes


def yearly_window(day: dt.date, days: int) -> list[tuple[str, dt.date]]:
    """(MM-DD, date) for each of the `days` days after `day`: what a yearly date (a birthday, an
    important date) is matched on. Outside leap years 28 February also stands for 29 February."""
    window = []
    for offset in range(1, days + 1):
        date = day + dt.timedelta(days=offset)
        window.append((date.strftime("%m-%d"), date))
        if date.month == 2 and date.day == 28 and not calendar.isleap(date.year):
            window.append(("02-29", date))
    return window


def raise_reminders(cursor, day: dt.date, now) -> int:
    """Large transactions of the day; maturities, card expiries, risk-assessment expiries, IPO
    subscriptions and dividends in the next N days (each its own parameter); birthdays and
    important dates in the next 7 (docs/reminders-calendar.md).
    One reminder per (kind, customer, subject, date): a re-run adds nothing. Each kind is one
    set-based INSERT … SELECT; a reminder is raised open for the customer's owner at that moment
    (the reminder centre follows the customer's current owner afterwards)."""
    from steward.holdings.models import ImportantDate
    from steward.holdings.reminders import raise_market_event_reminders

    reminder_t, customer_t = Reminder._meta.db_table, Customer._meta.db_table
    txn_t, account_t, product_t = Transaction._meta.db_table, Account._meta.db_table, Product._meta.db_table
    columns = "(kind, customer_id, owner_id, subject, due_on, data_date, amount, text, is_done, state, created_at)"
    conflict = "ON CONFLICT (kind, customer_id, subject, due_on) DO NOTHING"
    now_db = connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now
    created = 0
    threshold = Decimal(str(parameter("customers.large_transaction_threshold")))
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'large_txn', t.customer_id, c.owner_id, t.reference, %s, %s, "
        f"t.amount, t.direction, %s, 'open', %s FROM {txn_t} t JOIN {customer_t} c ON c.id = t.customer_id "
        f"WHERE t.data_date = %s AND t.amount >= %s {conflict}",
        [day, day, False, now_db, day, threshold],
    )
    created += max(cursor.rowcount, 0)
    lead = int(parameter("customers.maturity_reminder_days"))
    balance_t = DailyBalance._meta.db_table
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'maturity', a.customer_id, c.owner_id, p.code, p.maturity_date, "
        f"%s, b.balance, p.name, %s, 'open', %s FROM {balance_t} b JOIN {account_t} a ON a.id = b.account_id "
        f"JOIN {product_t} p ON p.id = a.product_id JOIN {customer_t} c ON c.id = a.customer_id "
        f"WHERE b.data_date = %s AND p.maturity_date > %s AND p.maturity_date <= %s "
        f"AND a.closed_on IS NULL AND b.balance > 0 AND NOT p.is_liability {conflict}",
        [day, False, now_db, day, day, day + dt.timedelta(days=lead)],
    )
    created += max(cursor.rowcount, 0)
    # Cards expiring in the window; the subject is the card's last four digits (what the RM tells
    # the customer), the text its product.
    card_days = int(parameter("holdings.card_expiry_reminder_days"))
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'card_expiry', a.customer_id, c.owner_id, "
        f"substr(a.number, length(a.number) - 3), a.expires_on, %s, NULL, p.name, %s, 'open', %s "
        f"FROM {account_t} a JOIN {product_t} p ON p.id = a.product_id JOIN {customer_t} c ON c.id = a.customer_id "
        f"WHERE a.expires_on > %s AND a.expires_on <= %s AND a.closed_on IS NULL {conflict}",
        [day, False, now_db, day, day + dt.timedelta(days=card_days)],
    )
    created += max(cursor.rowcount, 0)
    # The customer's risk assessment (KYC risk rating) running out: it must be redone before the
    # customer may buy riskier products again. (The customer record has no ID-document expiry.)
    risk_days = int(parameter("holdings.risk_expiry_reminder_days"))
    cursor.execute(
        f"INSERT INTO {reminder_t} {columns} SELECT 'risk_expiry', c.id, c.owner_id, '', c.risk_expires_on, %s, "
        f"NULL, c.risk_level, %s, 'open', %s FROM {customer_t} c "
        f"WHERE c.risk_expires_on > %s AND c.risk_expires_on <= %s AND c.status = 'active' {conflict}",
        [day, False, now_db, day, day + dt.timedelta(days=risk_days)],
    )
    created += max(cursor.rowcount, 0)
    birthday_days = int(parameter("holdings.birthday_reminder_days"))

    def month_day(column: str) -> str:
        if connection.vendor == "sqlite":
            return f"strftime('%%m-%%d', {column})"
        return f"to_char({column}, 'MM-DD')"

    # One scan of the customers for the whole window (not one per day of it).
    window = yearly_window(day, birthday_days)
    if window:
        days_sql = " UNION ALL ".join(["SELECT %s AS month_day, %s AS due_on"] * len(window))
        days_params = [p for month_day_, date in window for p in (month_day_, date)]
        cursor.execute(
            f"INSERT INTO {reminder_t} {columns} SELECT 'birthday', c.id, c.owner_id, '', w.due_on, %s, NULL, '', "
            f"%s, 'open', %s FROM {customer_t} c JOIN ({days_sql}) w ON {month_day('c.birth_date')} = w.month_day "
            f"WHERE c.birth_date IS NOT NULL AND c.status = 'active' {conflict}",
            [day, False, now_db, *days_params],
        )
        created += max(cursor.rowcount, 0)
    # Important dates the RMs entered: a yearly one on its month and day, a one-off on its date.
    date_t = ImportantDate._meta.db_table
    date_days = int(parameter("holdings.important_date_reminder_days"))
    window = yearly_window(day, date_days)
    subject = "'date:' || CAST(d.id AS TEXT)"
    if window:
        days_sql = " UNION ALL ".join(["SELECT %s AS month_day, %s AS due_on"] * len(window))
        days_params = [p for month_day_, date in window for p in (month_day_, date)]
        cursor.execute(
            f"INSERT INTO {reminder_t} {columns} SELECT 'important_date', d.customer_id, c.owner_id, {subject}, "
            f"w.due_on, %s, NULL, d.label, %s, 'open', %s FROM {date_t} d "
            f"JOIN ({days_sql}) w ON {month_day('d.date')} = w.month_day "
            f"JOIN {customer_t} c ON c.id = d.customer_id WHERE d.yearly AND d.date <= w.due_on {conflict}",
            [day, False, now_db, *days_params],
        )
        created += max(cursor.rowcount, 0)
        cursor.execute(
            f"INSERT INTO {reminder_t} {columns} SELECT 'important_date', d.customer_id, c.owner_id, {subject}, "
            f"d.date, %s, NULL, d.label, %s, 'open', %s FROM {date_t} d JOIN {customer_t} c ON c.id = d.customer_id "
            f"WHERE NOT d.yearly AND d.date > %s AND d.date <= %s {conflict}",
            [day, False, now_db, day, day + dt.timedelta(days=date_days)],
        )
        created += max(cursor.rowcount, 0)
    # IPO subscriptions and dividends of the market-events file, for the products' holders.
    created += raise_market_event_reminders(cursor, day, now)
    return created


def asset_trend(customer, as_of: dt.date | None = None, daily_days: int = 90) -> dict:
    """The asset trend (DAT-06): daily AUM points for the last `daily_days` days, and the average
    daily assets of each earlier month (its daily points summed ÷ its calendar days). Two indexed reads."""
    as_of = as_of or customer.figures.as_of
    if as_of is None:
        return {"daily": [], "monthly": []}
    first_daily = as_of - dt.timedelta(days=daily_days - 1)
    daily = list(
        DailyFigures.objects.filter(customer=customer, data_date__gte=first_daily, data_date__lte=as_of)
        .order_by("data_date")
        .values_list("data_date", "aum")
    )
    monthly = []
    for row in (
        DailyFigures.objects.filter(customer=customer, data_date__lt=first_daily.replace(day=1))
        .annotate(month=TruncMonth("data_date"))
        .values("month")
        .annotate(total=Sum("aum"))
        .order_by("month")
    ):
        start = row["month"]
        start = start.date() if isinstance(start, dt.datetime) else start
        next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        monthly.append((start, (Decimal(row["total"]) / (next_month - start).days).quantize(Decimal("0.01"))))
    return {"daily": daily, "monthly": monthly}


def aum_by_category(customer) -> list[tuple[ProductCategory, Decimal]]:
    """Current AUM per top-level product category, largest first (the 360° assets pie): the
    customer's positive non-liability balances on its figures' date, summed by root category."""
    as_of = customer.figures.as_of
    if as_of is None:
        return []
    by_path = (
        DailyBalance.objects.filter(
            customer=customer, data_date=as_of, balance__gt=0, account__product__is_liability=False
        )
        .values_list("account__product__category__path")
        .annotate(total=Sum("balance"))
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for path, total in by_path:
        totals[int(path.split("/")[0])] += total
    roots = ProductCategory.objects.in_bulk(list(totals))
    return sorted(((roots[pk], amount) for pk, amount in totals.items()), key=lambda item: -item[1])
