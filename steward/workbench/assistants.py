"""The product assistant, the customer assistant's at-risk signs and the customer reminders of the
workbench (SVC-09: "three assistants and two reminders"). Each reads with a fixed number of queries,
whatever the size of the book.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Window

from steward.basedata.defaults import ParameterSpec

AT_RISK_DROP = "workbench.at_risk_drop_share"
AT_RISK_MIN_AUM = "workbench.at_risk_min_aum"
MATURITY_HORIZON_DAYS = 30
IPO_HORIZON_DAYS = 14
ROWS = 5

PARAMETERS = [
    ParameterSpec(
        AT_RISK_DROP,
        "decimal",
        "0.30",
        "流失预警：客户AUM较30天前下降的比例",
        "At-risk sign: the share of AUM a customer lost against 30 days ago",
        "workbench",
        "0.01",
        "1",
    ),
    ParameterSpec(
        AT_RISK_MIN_AUM,
        "decimal",
        "50000",
        "流失预警：30天前AUM不低于（元）",
        "At-risk sign: only customers who held at least this AUM 30 days ago (CNY)",
        "workbench",
        "0",
    ),
]


def at_risk_customers(user, limit: int = ROWS) -> dict:
    """My customers whose AUM fell by at least the configured share against 30 days ago (an
    outflow that may be a customer leaving), the largest losses first."""
    from steward.basedata.services import parameter
    from steward.customers.models import Customer, CustomerFigures

    drop = Decimal(str(parameter(AT_RISK_DROP)))
    floor = Decimal(str(parameter(AT_RISK_MIN_AUM)))
    rows = (
        CustomerFigures.objects.filter(customer__owner=user, aum_30_days_ago__gte=floor, aum_30_days_ago__gt=0)
        .exclude(customer__status=Customer.Status.MERGED)
        .filter(aum__lte=F("aum_30_days_ago") * (1 - drop))
        .annotate(loss=F("aum_30_days_ago") - F("aum"))
    )
    # The first rows and how many there are in one read (a window count): two reads walked the
    # book's 2,000 customers twice.
    first = list(rows.annotate(total=Window(Count("pk"))).select_related("customer").order_by("-loss", "pk")[:limit])
    return {"at_risk": first, "at_risk_count": first[0].total if first else 0, "at_risk_share": drop}


LARGE_TRANSACTION_DAYS = 7


def book_reminders(user, today: dt.date) -> list[tuple]:
    """One read of the reminders on the customers the user owns that the workbench shows: those to
    act on now (open, or snoozed until today or earlier) dated up to MATURITY_HORIZON_DAYS ahead
    (the furthest any widget looks), and the large transactions of the last LARGE_TRANSACTION_DAYS
    whatever their state (the customer assistant's notable changes). Light rows
    (pk, kind, due_on, amount, is_current), by date: the product assistant, the customer
    assistant, the customer reminders and the work reminders share them (each read walked the
    book's 2,000 customers again, ~12 ms apiece at 1,000,000 customers)."""
    from django.db.models import BooleanField, Case, Value, When

    from steward.holdings.models import Reminder
    from steward.holdings.reminders import reminders_of

    current = Reminder.objects.current_q(today)
    wanted = (current & Q(due_on__lte=today + dt.timedelta(days=MATURITY_HORIZON_DAYS))) | Q(
        kind=Reminder.Kind.LARGE_TRANSACTION, due_on__gt=today - dt.timedelta(days=LARGE_TRANSACTION_DAYS)
    )
    return list(
        reminders_of(user)
        .filter(wanted)
        .annotate(is_current=Case(When(current, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by("due_on", "pk")
        .values_list("pk", "kind", "due_on", "amount", "is_current")
    )


def current_reminders(reminders: list[tuple], today: dt.date) -> list[tuple]:
    """Of book_reminders' rows, those to act on now."""
    horizon = today + dt.timedelta(days=MATURITY_HORIZON_DAYS)
    return [row for row in reminders if row[4] and row[2] <= horizon]


def large_transactions(reminders: list[tuple], today: dt.date, limit: int) -> list:
    """Of book_reminders' rows, the latest large transactions of the last days, newest first."""
    from steward.holdings.models import Reminder

    since = today - dt.timedelta(days=LARGE_TRANSACTION_DAYS)
    large = [row for row in reminders if row[1] == Reminder.Kind.LARGE_TRANSACTION and row[2] > since]
    large.sort(key=lambda row: (row[2], row[0]), reverse=True)
    return _load_reminders(large[:limit])


def _load_reminders(rows: list[tuple]) -> list:
    """The reminders of `rows` (already in order), with their customers, in one query."""
    from steward.holdings.models import Reminder

    by_pk = Reminder.objects.select_related("customer").in_bulk([row[0] for row in rows])
    return [by_pk[row[0]] for row in rows if row[0] in by_pk]


def product_assistant(user, today: dt.date, reminders: list[tuple] | None = None) -> dict:
    """Maturities on my customers in the next 30 days (open reminders: what the RM has not yet
    handled), the IPO subscriptions opening in the next two weeks, and the products on sale.
    `reminders`: the book's current reminders (book_reminders) when the caller has read them."""
    from steward.holdings.models import MarketEvent, Product, Reminder

    reminders = current_reminders(book_reminders(user, today) if reminders is None else reminders, today)
    horizon = today + dt.timedelta(days=MATURITY_HORIZON_DAYS)
    maturities = [row for row in reminders if row[1] == Reminder.Kind.MATURITY and today <= row[2] <= horizon]
    on_sale = Product.objects.filter(is_active=True, is_liability=False).filter(
        Q(maturity_date__isnull=True) | Q(maturity_date__gt=today)
    )
    return {
        "maturities": _load_reminders(maturities[:ROWS]),
        "maturity_count": len(maturities),
        "maturity_amount": sum((row[3] or Decimal("0") for row in maturities), Decimal("0")),
        "maturity_days": MATURITY_HORIZON_DAYS,
        "ipos": list(
            MarketEvent.objects.filter(
                kind=MarketEvent.Kind.IPO,
                event_date__gte=today,
                event_date__lte=today + dt.timedelta(days=IPO_HORIZON_DAYS),
            )
            .select_related("product")
            .order_by("event_date", "pk")[:ROWS]
        ),
        "on_sale": list(on_sale.select_related("category").order_by("-created_at", "-pk")[:ROWS]),
        "on_sale_count": on_sale.count(),
    }


CUSTOMER_REMINDER_DAYS = 7


def customer_reminders(user, today: dt.date, reminders: list[tuple] | None = None) -> dict:
    """The customer reminders to act on now (open, or snoozed until today or earlier) with a
    date up to a week ahead, counted per kind, and the first few. `reminders`: as for
    product_assistant."""
    from steward.holdings.models import Reminder

    reminders = current_reminders(book_reminders(user, today) if reminders is None else reminders, today)
    last_day = today + dt.timedelta(days=CUSTOMER_REMINDER_DAYS)
    due = [row for row in reminders if row[2] <= last_day]
    labels = dict(Reminder.Kind.choices)
    counts: dict[str, int] = {}
    for row in due:
        counts[row[1]] = counts.get(row[1], 0) + 1
    by_kind = [
        {"kind": kind, "label": labels.get(kind, kind), "count": n}
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"reminders": _load_reminders(due[:ROWS]), "by_kind": by_kind, "total": len(due), "today": today}
