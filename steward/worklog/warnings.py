"""Work warnings (工作预警) — SVC-06.

One place that tells an RM what has slipped: contact plans past their time, key customers not
contacted within their tier's frequency (CUS-14), reminders left open for more than a few days
after their date (parameter ``worklog.reminder_open_days``), work plans past their day and not
done, work items past their due date and not done, and workflow steps past their due date.

A supervisor (``org.employee:supervise``) sees the same for the employees they supervise,
counted by RM, and opens one RM's list read-only; a peer's warnings are nobody else's business.

Every kind is one set-based query over the RMs asked about, narrowed by the viewer's own data
scope for that kind (no scope, no rows), so the number of queries does not grow with a book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.db.models.functions import PercentRank
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.services import has_permission
from steward.basedata.services import parameter

REMINDER_OPEN_DAYS = "worklog.reminder_open_days"
ROWS_PER_KIND = 50

CONTACT_PLANS = "contact_plans"
KEY_CUSTOMERS = "key_customers"
REMINDERS = "reminders"
WORK_PLANS = "work_plans"
WORK_ITEMS = "work_items"
WORKFLOW_STEPS = "workflow_steps"

KIND_LABELS = {
    CONTACT_PLANS: _("Overdue contact plans"),
    KEY_CUSTOMERS: _("Key customers not contacted in time"),
    REMINDERS: _("Reminders left open"),
    WORK_PLANS: _("Work plans past their day"),
    WORK_ITEMS: _("Overdue work items"),
    WORKFLOW_STEPS: _("Overdue workflow steps"),
}
KINDS = list(KIND_LABELS)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reminder_open_days() -> int:
    try:
        return max(0, int(parameter(REMINDER_OPEN_DAYS)))
    except (KeyError, TypeError, ValueError):
        return 3


def reminders_left_open_before(today: dt.date) -> dt.date:
    """A current reminder dated before this day has been left open too long (a work warning)."""
    return today - dt.timedelta(days=reminder_open_days())


def kind_permissions() -> dict[str, str]:
    """The permission each kind of warning is read under (the viewer's data scope for it)."""
    from steward.contactplans.permissions import KEY_VIEW
    from steward.contactplans.permissions import VIEW as PLAN_VIEW
    from steward.holdings.reminders import VIEW as REMINDER_VIEW
    from steward.worklog.permissions import ITEM_VIEW, VIEW, WORKFLOW_VIEW

    return {
        CONTACT_PLANS: PLAN_VIEW,
        KEY_CUSTOMERS: KEY_VIEW,
        REMINDERS: REMINDER_VIEW,
        WORK_PLANS: VIEW,
        WORK_ITEMS: ITEM_VIEW,
        WORKFLOW_STEPS: WORKFLOW_VIEW,
    }


def visible_kinds(user) -> list[str]:
    """The kinds of warning `user` holds the permission to read."""
    permissions = kind_permissions()
    return [kind for kind in KINDS if has_permission(user, permissions[kind])]


def overdue_key_customers(viewer, owner_ids, today: dt.date):
    """Key customers (the top share of each RM's book by AUM, or flagged by hand) whose last
    contact is older than their tier's frequency, or who were never contacted — the rule of
    contactplans.services.key_customer_warnings, for many books in one query."""
    from steward.contactplans.defaults import KEY_CONTACT_DAYS, KEY_SHARE
    from steward.contactplans.models import KeyCustomerFlag
    from steward.contactplans.permissions import KEY_VIEW
    from steward.contactplans.services import contact_days_for
    from steward.customers.models import Customer

    share = float(parameter(KEY_SHARE))
    books = Customer.objects.filter(owner_id__in=owner_ids, status=Customer.Status.ACTIVE)
    top = (
        books.annotate(
            rank=Window(
                expression=PercentRank(),
                partition_by=[F("owner_id")],
                order_by=[F("figures__aum").desc(nulls_last=True), F("pk").asc()],
            )
        )
        .filter(rank__lt=share)
        .values("pk")
    )
    flagged = KeyCustomerFlag.objects.filter(customer__owner_id__in=owner_ids).values("customer_id")
    tiers = [tier for tier in (parameter(KEY_CONTACT_DAYS) or {}) if tier != "default"]
    late = Q(last_contact__isnull=True)
    for tier in tiers:
        late |= Q(figures__tier=tier, last_contact__at__lt=_start_of(today - dt.timedelta(days=contact_days_for(tier))))
    late |= ~Q(figures__tier__in=tiers) & Q(
        last_contact__at__lt=_start_of(today - dt.timedelta(days=contact_days_for("")))
    )
    return (
        Customer.objects.visible_to(viewer, KEY_VIEW)
        .filter(owner_id__in=owner_ids, status=Customer.Status.ACTIVE)
        .filter(Q(pk__in=top) | Q(pk__in=flagged))
        .filter(late)
        .annotate(rm_id=F("owner_id"), last_contact_at=F("last_contact__at"))
    )


def warning_querysets(viewer, owner_ids, *, today: dt.date | None = None, now=None, only=None) -> dict:
    """kind → the queryset of that kind's warnings of the RMs `owner_ids`, as `viewer` may see
    them; each row carries `rm_id` (whose warning it is). Only the kinds `viewer` may read (and,
    given `only`, of those only these)."""
    from steward.contactplans.models import ContactPlan
    from steward.customers.models import Customer
    from steward.holdings.models import Reminder
    from steward.holdings.reminders import VIEW as REMINDER_VIEW
    from steward.worklog.models import WorkAssignment, WorkEntry, WorkflowRun, WorkflowStep, WorkItem

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    owner_ids = list(owner_ids)
    permissions = kind_permissions()
    kinds = visible_kinds(viewer)
    if only is not None:
        kinds = [kind for kind in kinds if kind in only]
    result = {}
    if CONTACT_PLANS in kinds:
        result[CONTACT_PLANS] = (
            ContactPlan.objects.visible_to(viewer, permissions[CONTACT_PLANS])
            .overdue(now)
            .filter(owner_id__in=owner_ids)
            .annotate(rm_id=F("owner_id"))
            .select_related("customer")
            .order_by("planned_at", "pk")
        )
    if KEY_CUSTOMERS in kinds:
        result[KEY_CUSTOMERS] = (
            overdue_key_customers(viewer, owner_ids, today)
            .select_related("figures")
            .order_by(F("last_contact_at").asc(nulls_first=True), "pk")
        )
    if REMINDERS in kinds:
        customers = Customer.objects.visible_to(viewer, REMINDER_VIEW).filter(owner_id__in=owner_ids)
        result[REMINDERS] = (
            Reminder.objects.filter(customer_id__in=customers.values("pk"))
            .current(today)
            .filter(due_on__lt=reminders_left_open_before(today))
            .annotate(rm_id=F("customer__owner_id"))
            .select_related("customer")
            .order_by("due_on", "pk")
        )
    if WORK_PLANS in kinds:
        result[WORK_PLANS] = (
            WorkEntry.objects.visible_to(viewer, permissions[WORK_PLANS])
            .filter(owner_id__in=owner_ids, kind=WorkEntry.Kind.PLAN, is_done=False)
            .filter(
                Q(period=WorkEntry.Period.DAY, on__lt=today)
                | Q(period=WorkEntry.Period.WEEK, on__lt=today - dt.timedelta(days=6))
            )
            .annotate(rm_id=F("owner_id"))
            .order_by("on", "pk")
        )
    if WORK_ITEMS in kinds:
        items = WorkItem.objects.visible_to(viewer, permissions[WORK_ITEMS]).values("pk")
        result[WORK_ITEMS] = (
            WorkAssignment.objects.filter(item_id__in=items, assignee_id__in=owner_ids, item__due_on__lt=today)
            .exclude(status=WorkAssignment.Status.DONE)
            .annotate(rm_id=F("assignee_id"))
            .select_related("item")
            .order_by("item__due_on", "pk")
        )
    if WORKFLOW_STEPS in kinds:
        runs = (
            WorkflowRun.objects.visible_to(viewer, permissions[WORKFLOW_STEPS])
            .filter(owner_id__in=owner_ids, status=WorkflowRun.Status.RUNNING)
            .values("pk")
        )
        result[WORKFLOW_STEPS] = (
            WorkflowStep.objects.filter(run_id__in=runs, done_at__isnull=True, due_on__lt=today)
            .annotate(rm_id=F("run__owner_id"))
            .select_related("run__customer", "run__template")
            .order_by("due_on", "pk")
        )
    return result


@dataclass
class WarningRow:
    """One warning as the page lists it: when, what, about whom, and where it is acted on."""

    when: object
    title: str
    customer: object
    url: str
    detail: str = ""


def _row(kind: str, obj) -> WarningRow:
    if kind == CONTACT_PLANS:
        return WarningRow(obj.planned_at, obj.purpose, obj.customer, obj.get_absolute_url(), obj.get_channel_display())
    if kind == KEY_CUSTOMERS:
        figures = getattr(obj, "figures", None)
        detail = str(_("never contacted")) if obj.last_contact_at is None else ""
        return WarningRow(obj.last_contact_at, figures.tier if figures else "", obj, obj.get_absolute_url(), detail)
    if kind == REMINDERS:
        return WarningRow(obj.due_on, obj.get_kind_display(), obj.customer, obj.get_absolute_url(), obj.shown_text)
    if kind == WORK_PLANS:
        return WarningRow(obj.on, obj.title, None, obj.get_absolute_url(), obj.get_period_display())
    if kind == WORK_ITEMS:
        detail = f"{obj.get_status_display()} · {obj.progress}%"
        return WarningRow(obj.item.due_on, obj.item.title, None, obj.item.get_absolute_url(), detail)
    return WarningRow(obj.due_on, obj.title, obj.run.customer, obj.run.get_absolute_url(), str(obj.run.template))


@dataclass
class WarningSection:
    kind: str
    label: str
    count: int
    rows: list = field(default_factory=list)


def work_warnings(viewer, owner_id: int, *, today=None, now=None, limit: int = ROWS_PER_KIND) -> list[WarningSection]:
    """One RM's warnings as `viewer` may see them: per kind its count and its first `limit` rows
    (oldest first). Two queries per kind, whatever the size of the book."""
    sections = []
    for kind, queryset in warning_querysets(viewer, [owner_id], today=today, now=now).items():
        rows = [_row(kind, obj) for obj in queryset[:limit]]
        count = len(rows) if len(rows) < limit else queryset.count()
        sections.append(WarningSection(kind, KIND_LABELS[kind], count, rows))
    return sections


def counts_by_rm(viewer, owner_ids, *, today=None, now=None) -> dict[int, dict[str, int]]:
    """RM id → kind → number of warnings, for the RMs `owner_ids` (one query per kind)."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in owner_ids}
    for kind, queryset in warning_querysets(viewer, owner_ids, today=today, now=now).items():
        grouped = queryset.order_by().values("rm_id").annotate(n=Count("pk", distinct=True)).values_list("rm_id", "n")
        for rm_id, n in grouped:
            if rm_id in counts:
                counts[rm_id][kind] = n
    return counts


def work_warning_counts(user, *, today=None, now=None, counted=None) -> dict[str, int]:
    """The signed-in RM's own warnings, counted per kind (only the kinds they may read) — for the
    workbench. One query per kind, whatever the size of the book. `counted`: kind → a function
    that gives that kind's count from what the caller has already read by the same rule (the
    workbench's one read of the book's reminders and key customers), instead of a query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    counted = counted or {}
    kinds = visible_kinds(user)
    # (The querysets of the kinds counted elsewhere are not even built: building the key customers'
    # one is a good part of a small book's page.)
    querysets = warning_querysets(user, [user.pk], today=today, now=now, only=set(kinds) - set(counted))
    return {kind: counted[kind]() if kind in counted else querysets[kind].count() for kind in kinds}


def supervised_rms(user):
    """The employees `user` supervises (org.employee:supervise), for the team view."""
    from steward.org.hierarchy import SUPERVISE
    from steward.worklog.services import supervised_employees

    if not has_permission(user, SUPERVISE):
        from steward.org.models import Employee

        return Employee.objects.none()
    return supervised_employees(user).select_related("org").order_by("org__path", "employee_no")
