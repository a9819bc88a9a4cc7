"""What the workbench shows, computed with a fixed number of queries whatever the book's size
(issue 14: the workbench of an RM with 2,000 customers at 1,000,000 customers, p95 ≤ 150 ms)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Sum
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
    made this month and contacts planned for it. Five grouped queries for any number of RMs."""
    from steward.contactplans.services import planned_vs_actual
    from steward.holdings.models import DailyFigures

    figures = {pk: BookFigures() for pk in owner_ids}
    active = Customer.objects.filter(owner_id__in=owner_ids).exclude(status=Customer.Status.MERGED)
    for row in active.values("owner_id").annotate(n=Count("pk")):
        figures[row["owner_id"]].customers = row["n"]
    aum_rows = (
        CustomerFigures.objects.filter(customer__owner_id__in=owner_ids)
        .exclude(customer__status=Customer.Status.MERGED)
        .values("customer__owner_id")
        .annotate(total=Sum("aum"))
    )
    for row in aum_rows:
        figures[row["customer__owner_id"]].aum = row["total"] or Decimal("0")
    month_start = today.replace(day=1)
    before = DailyFigures.objects.filter(data_date__lt=month_start).aggregate(day=Max("data_date"))["day"]
    if before is not None:
        start_rows = (
            DailyFigures.objects.filter(data_date=before, customer_id__in=active.values("pk"))
            .values("customer__owner_id")
            .annotate(total=Sum("aum"))
        )
        for pk in owner_ids:
            figures[pk].aum_month_start = Decimal("0")
        for row in start_rows:
            figures[row["customer__owner_id"]].aum_month_start = row["total"] or Decimal("0")
    for pk, counts in planned_vs_actual(owner_ids, today).items():
        figures[pk].contacts_month = counts.contacts
        figures[pk].planned_month = counts.planned
    return figures


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


def customer_changes(user, today: dt.date, days: int = 7) -> dict:
    """The customer assistant: my customers' tier moves and large transactions of the last days."""
    from steward.holdings.models import Reminder, TierChange

    since = today - dt.timedelta(days=days)
    # From the RM's customers (the owner index) to each one's changes through the (customer,
    # date) indexes: a join on customer__owner let PostgreSQL walk every tier change of the bank.
    book = Customer.objects.filter(owner=user).values("pk")
    tier_moves = list(
        TierChange.objects.filter(customer_id__in=book, data_date__gt=since)
        .select_related("customer")
        .order_by("-data_date", "-pk")[:6]
    )
    large = list(
        Reminder.objects.filter(customer_id__in=book, kind=Reminder.Kind.LARGE_TRANSACTION, due_on__gt=since)
        .select_related("customer")
        .order_by("-due_on", "-pk")[:6]
    )
    return {"tier_moves": tier_moves, "large_transactions": large}


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
