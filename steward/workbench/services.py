"""What the workbench shows, computed with a fixed number of queries whatever the book's size
(issue 14: the workbench of an RM with 2,000 customers at 1,000,000 customers, p95 ≤ 150 ms)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from steward.customers.models import Customer, CustomerFigures


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


@dataclass
class BookFigures:
    customers: int = 0
    aum: Decimal = Decimal("0")
    aum_month_start: Decimal | None = None
    contacts_month: int = 0
    planned_month: int = 0

    @property
    def aum_change(self) -> Decimal | None:
        return None if self.aum_month_start is None else self.aum - self.aum_month_start


def book_figures(owner_ids: list[int], today: dt.date) -> dict[int, BookFigures]:
    """Per RM: customers, AUM now, AUM at the last data date before the month began, contacts
    made this month and contacts planned for it. The book's three figures come from one grouped
    read of the customers (their figures and that day's daily figures joined), for any number of
    RMs: three separate reads walked the same 2,000 customers three times (37 → 20 ms at 1M)."""
    from django.db import connection

    from steward.contactplans.services import planned_vs_actual
    from steward.holdings.models import DailyFigures

    figures = {pk: BookFigures() for pk in owner_ids}
    if not owner_ids:
        return figures
    month_start = today.replace(day=1)
    before = DailyFigures.objects.filter(data_date__lt=month_start).aggregate(day=Max("data_date"))["day"]
    customer_t, figures_t = Customer._meta.db_table, CustomerFigures._meta.db_table
    daily_t = DailyFigures._meta.db_table
    owners = ", ".join(["%s"] * len(owner_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.owner_id, COUNT(*), SUM(f.aum), SUM(d.aum) FROM {customer_t} c "
            f"LEFT JOIN {figures_t} f ON f.customer_id = c.id "
            f"LEFT JOIN {daily_t} d ON d.customer_id = c.id AND d.data_date = %s "
            f"WHERE c.owner_id IN ({owners}) AND c.status <> %s GROUP BY c.owner_id",
            [before, *owner_ids, Customer.Status.MERGED],
        )
        rows = cursor.fetchall()
    for pk in owner_ids:
        if before is not None:
            figures[pk].aum_month_start = Decimal("0")
    for owner_id, count, aum, aum_start in rows:
        book = figures[owner_id]
        book.customers = count
        book.aum = _money(aum)
        if before is not None:
            book.aum_month_start = _money(aum_start)
    for pk, counts in planned_vs_actual(owner_ids, today).items():
        figures[pk].contacts_month = counts.contacts
        figures[pk].planned_month = counts.planned
    return figures


def _money(value) -> Decimal:
    """A SUM as the database returns it (SQLite: a float or an int; None for no rows) as money."""
    if value is None:
        return Decimal("0")
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass
class Agenda:
    plans_today: list = field(default_factory=list)
    plans_overdue: int = 0
    steps_due: list = field(default_factory=list)
    work_due: list = field(default_factory=list)
    key_due: int = 0


AGENDA_ROWS = 8


def agenda(user, today: dt.date, now: dt.datetime) -> Agenda:
    """Today's contact plans, overdue plans, workflow steps and work items due, key customers due."""
    from steward.contactplans.models import ContactPlan
    from steward.worklog.models import WorkAssignment, WorkflowStep

    start, end = _day_bounds(today)
    mine = ContactPlan.objects.filter(owner=user, status=ContactPlan.Status.PLANNED)
    result = Agenda()
    result.plans_today = list(
        mine.filter(planned_at__gte=start, planned_at__lt=end)
        .select_related("customer")
        .order_by("planned_at")[:AGENDA_ROWS]
    )
    # Earlier days' open plans (today's are listed above, overdue or not).
    result.plans_overdue = mine.filter(planned_at__lt=start).count()
    result.steps_due = list(
        WorkflowStep.objects.filter(run__owner=user, run__status="running", done_at__isnull=True, due_on__lte=today)
        .select_related("run__customer", "run__template")
        .order_by("due_on")[:AGENDA_ROWS]
    )
    result.work_due = list(
        WorkAssignment.objects.filter(assignee=user)
        .exclude(status=WorkAssignment.Status.DONE)
        .filter(item__due_on__lte=today + dt.timedelta(days=2))
        .select_related("item")
        .order_by("item__due_on")[:AGENDA_ROWS]
    )
    return result


def customer_changes(user, today: dt.date, reminders: list[tuple] | None = None) -> dict:
    """The customer assistant: my customers' tier moves and large transactions of the last days
    (assistants.LARGE_TRANSACTION_DAYS).
    `reminders`: the book's reminders as the workbench read them once (assistants.book_reminders)."""
    from steward.holdings.models import TierChange
    from steward.workbench import assistants

    since = today - dt.timedelta(days=assistants.LARGE_TRANSACTION_DAYS)
    # From the RM's customers (the owner index) to each one's changes through the (customer,
    # date) indexes: a join on customer__owner let PostgreSQL walk every tier change of the bank.
    book = Customer.objects.filter(owner=user).values("pk")
    tier_moves = list(
        TierChange.objects.filter(customer_id__in=book, data_date__gt=since)
        .select_related("customer")
        .order_by("-data_date", "-pk")[:6]
    )
    if reminders is None:
        reminders = assistants.book_reminders(user, today)
    return {"tier_moves": tier_moves, "large_transactions": assistants.large_transactions(reminders, today, 6)}


def team_rows(user, today: dt.date) -> list[dict]:
    """A supervisor's team by RM: the book's figures, planned vs actual contacts, overdue plans."""
    from steward.contactplans.models import ContactPlan
    from steward.org.hierarchy import SUPERVISE
    from steward.org.models import Employee

    # EXISTS, not a join on the customers with DISTINCT: the join read every customer of the team
    # (2,000 per RM) and sorted them away again.
    owns_customers = Exists(Customer.objects.filter(owner=OuterRef("pk")))
    people = list(
        Employee.objects.visible_to(user, SUPERVISE)
        .filter(owns_customers, is_active=True)
        .exclude(pk=user.pk)
        .select_related("org")
        .order_by("org__path", "employee_no")[:200]
    )
    ids = [p.pk for p in people]
    figures = book_figures(ids, today)
    overdue = dict(
        ContactPlan.objects.filter(owner_id__in=ids, status=ContactPlan.Status.PLANNED, planned_at__lt=timezone.now())
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return [{"employee": p, "figures": figures[p.pk], "overdue_plans": overdue.get(p.pk, 0)} for p in people]


def open_guidance(user, limit: int = 3):
    from steward.worklog.models import Guidance

    return list(Guidance.objects.filter(employee=user).select_related("author").order_by("-created_at")[:limit])
