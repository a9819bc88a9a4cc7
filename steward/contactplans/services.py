"""Business rules of contact plans (SVC-01, CUS-04) and key customers (CUS-14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import PercentRank
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission, require_visible
from steward.basedata.services import parameter
from steward.contactplans.defaults import KEY_CONTACT_DAYS, KEY_SHARE
from steward.contactplans.models import ContactPlan, KeyCustomerFlag
from steward.contactplans.permissions import ADD, KEY_FLAG, KEY_VIEW, VIEW
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer
from steward.interactions.models import Interaction

PURPOSE_MAX = 200
# A bulk plan for a very large segment is a marketing campaign, not an RM's contact plan.
MAX_BULK = 20_000
PLAN_HORIZON_DAYS = 366


def visible_plans(user, permission: str = VIEW):
    return ContactPlan.objects.visible_to(user, permission)


def _check_plan(planned_at, channel: str, purpose: str, now: dt.datetime) -> str:
    if not isinstance(planned_at, dt.datetime):
        raise DomainError(_("Enter the date and time of the contact."), field="planned_at")
    if timezone.is_naive(planned_at):
        planned_at = timezone.make_aware(planned_at)
    if abs((planned_at - now).days) > PLAN_HORIZON_DAYS:
        raise DomainError(_("A contact is planned within a year of today."), field="planned_at")
    if channel not in Interaction.Channel.values:
        raise DomainError(_("Choose how the customer will be contacted."), field="channel")
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_("Say why the customer will be contacted."), field="purpose")
    if len(purpose) > PURPOSE_MAX:
        raise DomainError(_("The purpose has at most %(n)s characters.") % {"n": PURPOSE_MAX}, field="purpose")
    return purpose


@service
def plan_contacts(
    actor,
    customer_ids: Iterable[int],
    *,
    planned_at: dt.datetime,
    channel: str,
    purpose: str,
    source: str = ContactPlan.Source.MANUAL,
    now: dt.datetime | None = None,
) -> int:
    """Plan a contact with each customer (one, a selection, a group's or a segment's members);
    every customer must be one the actor may serve. A customer who already has a plan at that very
    time is skipped, so a repeated click adds nothing. Set-based; answers how many were planned."""
    now = now or timezone.now()
    require_permission(actor, ADD)
    purpose = _check_plan(planned_at, channel, purpose, now)
    wanted = {int(pk) for pk in customer_ids}
    if not wanted:
        raise DomainError(_("Choose at least one customer."), field="customers")
    if len(wanted) > MAX_BULK:
        raise DomainError(
            _("Plan at most %(n)s customers at once; a larger audience is a marketing campaign.")
            % {"n": f"{MAX_BULK:,}"},
            field="customers",
        )
    visible = Customer.objects.visible_to(actor, ADD).filter(pk__in=wanted).exclude(status=Customer.Status.MERGED)
    allowed = set(visible.values_list("pk", flat=True))
    if wanted - allowed:
        raise DomainError(_("Some of the customers are not ones you may serve."), field="customers")
    already = set(
        ContactPlan.objects.filter(
            customer_id__in=allowed, owner=actor, planned_at=planned_at, status=ContactPlan.Status.PLANNED
        ).values_list("customer_id", flat=True)
    )
    plans = [
        ContactPlan(
            customer_id=pk,
            owner=actor,
            planned_at=planned_at,
            channel=channel,
            purpose=purpose,
            source=source,
            created_by=actor,
            created_at=now,
        )
        for pk in sorted(allowed - already)
    ]
    ContactPlan.objects.bulk_create(plans, batch_size=2000)
    return len(plans)


@service
def complete_plan(
    actor,
    plan: ContactPlan,
    *,
    outcome: str,
    occurred_at: dt.datetime | None = None,
    duration_seconds: int | None = None,
    summary: str = "",
    next_step: str = "",
    channel: str | None = None,
    now: dt.datetime | None = None,
) -> ContactPlan:
    """Complete a plan by recording the contact made (SVC-01, SVC-05): the interaction is written
    through the one interaction record and linked to the plan."""
    from steward.interactions.services import record_interaction

    now = now or timezone.now()
    require_visible(actor, ADD, plan.customer)
    _require_own_plan(actor, plan)
    if plan.status != ContactPlan.Status.PLANNED:
        raise DomainError(_("This contact plan is not open any more."), field="status")
    interaction = record_interaction(
        actor,
        plan.customer,
        channel=channel or plan.channel,
        direction=Interaction.Direction.OUTBOUND,
        occurred_at=occurred_at or now,
        duration_seconds=duration_seconds,
        outcome=outcome,
        summary=summary,
        next_step=next_step,
        now=now,
    )
    plan.interaction = interaction
    plan.status = ContactPlan.Status.DONE
    plan.completed_at = now
    plan.save(update_fields=["interaction", "status", "completed_at"])
    return plan


def _require_own_plan(actor, plan: ContactPlan) -> None:
    """A plan is its RM's to complete or cancel: a supervisor reads it (and may guide), a colleague
    records their own contact instead (SVC-01, SVC-13)."""
    if plan.owner_id != actor.pk:
        raise DomainError(
            _("This contact plan is %(name)s's; only they complete or cancel it.")
            % {"name": plan.owner.name if plan.owner_id else "—"},
            field="owner",
        )


@service
def cancel_plan(actor, plan: ContactPlan) -> ContactPlan:
    require_visible(actor, ADD, plan.customer)
    _require_own_plan(actor, plan)
    if plan.status != ContactPlan.Status.PLANNED:
        raise DomainError(_("This contact plan is not open any more."), field="status")
    plan.status = ContactPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    return plan


@dataclass
class MonthCount:
    employee_id: int
    planned: int
    planned_done: int
    contacts: int


def planned_vs_actual(employee_ids: Iterable[int], month: dt.date) -> dict[int, MonthCount]:
    """Per RM for the month of `month`: contacts planned in it, of those completed, and contacts
    actually made (every interaction that counts as a contact, planned or not). Two queries."""
    from steward.interactions.services import contact_counts

    ids = list({int(pk) for pk in employee_ids})
    start_day = month.replace(day=1)
    next_month = (start_day + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(start_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(next_month, dt.time.min, tzinfo=tz)
    rows = (
        ContactPlan.objects.filter(owner_id__in=ids, planned_at__gte=start, planned_at__lt=end)
        .exclude(status=ContactPlan.Status.CANCELLED)
        .values("owner_id")
        .annotate(planned=Count("pk"), done=Count("pk", filter=Q(status=ContactPlan.Status.DONE)))
    )
    counts = {pk: MonthCount(pk, 0, 0, 0) for pk in ids}
    for row in rows:
        counts[row["owner_id"]].planned = row["planned"]
        counts[row["owner_id"]].planned_done = row["done"]
    for pk, contacts in contact_counts(ids, start, end).items():
        if pk in counts:
            counts[pk].contacts = contacts
    return counts


# ---------------------------------------------------------------- key customers (CUS-14)


def contact_days_for(tier: str) -> int:
    """The longest gap between contacts a key customer of `tier` may have."""
    table = parameter(KEY_CONTACT_DAYS) or {}
    try:
        return int(table.get(tier, table.get("default", 60)))
    except (TypeError, ValueError):
        return 60


def key_customers(user, owner=None):
    """The key customers of `owner`'s book (default: `user` themselves) as `user` may see them:
    the top share by AUM (parameter, 20 %) plus those flagged by hand. Each row carries
    `is_flagged`, `aum`, `tier` and `last_contact_at`. The book is one RM's (≈ 2,000 customers):
    ranked in the database with a window function over that book only."""
    owner = owner or user
    share = Decimal(str(parameter(KEY_SHARE)))
    book = Customer.objects.filter(owner=owner, status=Customer.Status.ACTIVE)
    ranked = book.annotate(
        rank=Window(expression=PercentRank(), order_by=[F("figures__aum").desc(nulls_last=True), F("pk").asc()])
    ).values("pk", "rank")
    # PercentRank is 0 for the first row and 1 for the last: the top share are those below it.
    top = [row["pk"] for row in ranked if row["rank"] < float(share)] if book.exists() else []
    flagged = KeyCustomerFlag.objects.filter(customer__owner=owner).values("customer_id")
    return (
        Customer.objects.visible_to(user, KEY_VIEW)
        .filter(Q(pk__in=top) | Q(pk__in=flagged), owner=owner)
        .annotate(aum=F("figures__aum"), tier=F("figures__tier"), last_contact_at=F("last_contact__at"))
        .select_related("figures")
    )


@dataclass
class KeyCustomerWarning:
    customer: Customer
    is_flagged: bool
    contact_days: int
    due_by: dt.date
    is_overdue: bool


def key_customer_warnings(user, owner=None, *, today: dt.date | None = None) -> list[KeyCustomerWarning]:
    """Every key customer of the book with the date they must be contacted by (the last contact +
    their tier's frequency; never contacted: today) and whether that date has passed."""
    today = today or timezone.localdate()
    # Without the personal-data columns nobody here reads: the ID number alone is decrypted per row.
    customers = list(
        key_customers(user, owner).defer("id_number", "mobile", "address", "email").order_by("-figures__aum", "pk")
    )
    flagged = set(KeyCustomerFlag.objects.filter(customer__in=customers).values_list("customer_id", flat=True))
    result = []
    for customer in customers:
        days = contact_days_for(customer.tier or "")
        last = timezone.localdate(customer.last_contact_at) if customer.last_contact_at else None
        due_by = last + dt.timedelta(days=days) if last else today
        result.append(
            KeyCustomerWarning(customer, customer.pk in flagged, days, due_by, due_by < today or last is None)
        )
    return result


@service
def flag_key_customer(actor, customer: Customer, *, flagged: bool, note: str = "") -> None:
    """Flag (or unflag) a customer by hand as a key customer."""
    require_visible(actor, KEY_FLAG, customer)
    if flagged:
        KeyCustomerFlag.objects.update_or_create(
            customer=customer, defaults={"flagged_by": actor, "note": (note or "")[:200]}
        )
    else:
        KeyCustomerFlag.objects.filter(customer=customer).delete()


def close_reminder_planned(actor, reminder_id: int) -> bool:
    """A contact planned from a reminder (the calendar's "Plan a contact") handles the reminder:
    it is marked done when the actor may act on it; otherwise it stays as it is."""
    from steward.holdings.reminders import close_reminder_handled

    return close_reminder_handled(actor, reminder_id)
