"""The product assistant, the customer assistant's at-risk signs and the customer reminders of the
workbench (SVC-09: "three assistants and two reminders"). Each reads with a fixed number of queries,
whatever the size of the book.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

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
    return {
        "at_risk": list(rows.select_related("customer").order_by("-loss")[:limit]),
        "at_risk_count": rows.count(),
        "at_risk_share": drop,
    }


def product_assistant(user, today: dt.date) -> dict:
    """Maturities on my customers in the next 30 days (open reminders: what the RM has not yet
    handled), the IPO subscriptions opening in the next two weeks, and the products on sale."""
    from steward.holdings.models import MarketEvent, Product, Reminder
    from steward.holdings.reminders import reminders_of

    horizon = today + dt.timedelta(days=MATURITY_HORIZON_DAYS)
    maturities = (
        reminders_of(user).current(today).filter(kind=Reminder.Kind.MATURITY, due_on__gte=today, due_on__lte=horizon)
    )
    totals = maturities.aggregate(n=Count("pk"), amount=Sum("amount"))
    on_sale = Product.objects.filter(is_active=True, is_liability=False).filter(
        Q(maturity_date__isnull=True) | Q(maturity_date__gt=today)
    )
    return {
        "maturities": list(maturities.select_related("customer").order_by("due_on", "pk")[:ROWS]),
        "maturity_count": totals["n"],
        "maturity_amount": totals["amount"] or Decimal("0"),
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


def customer_reminders(user, today: dt.date) -> dict:
    """The customer reminders to act on now (open, or snoozed until today or earlier) with a
    date up to a week ahead, counted per kind, and the first few."""
    from steward.holdings.models import Reminder
    from steward.holdings.reminders import reminders_of

    due = reminders_of(user).current(today).filter(due_on__lte=today + dt.timedelta(days=7))
    labels = dict(Reminder.Kind.choices)
    by_kind = [
        {"kind": row["kind"], "label": labels.get(row["kind"], row["kind"]), "count": row["n"]}
        for row in due.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    return {
        "reminders": list(due.select_related("customer").order_by("due_on", "pk")[:ROWS]),
        "by_kind": by_kind,
        "total": sum(row["count"] for row in by_kind),
        "today": today,
    }
