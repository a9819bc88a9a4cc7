"""Contact plans on the wealth calendar (SVC-04): my planned contacts are entries, and every
reminder offers "Plan a contact" (the calendar's plan_contact slot), which opens the plan form
with the customer, the purpose and the day filled in."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from steward.agenda.registry import CalendarEntry, CalendarSource, EntryAction, EntryType, calendar_registry
from steward.contactplans.permissions import ADD, VIEW

PLAN_TYPE = "contact_plan"
PLAN_COLOUR = "#17a2b8"
PLAN_LENGTH = dt.timedelta(minutes=30)


def plan_entries(user, start, end, filters):
    from steward.contactplans.models import ContactPlan

    plans = (
        ContactPlan.objects.filter(owner=user, planned_at__gte=start, planned_at__lt=end)
        .exclude(status=ContactPlan.Status.CANCELLED)
        .select_related("customer")
        .order_by("planned_at", "pk")
    )
    for plan in plans:
        at = timezone.localtime(plan.planned_at)
        yield CalendarEntry(
            id=f"plan-{plan.pk}",
            title=f"{plan.get_channel_display()} · {plan.customer.name} · {plan.purpose}",
            start=at,
            end=at + PLAN_LENGTH,
            all_day=False,
            type=PLAN_TYPE,
            url=plan.get_absolute_url(),
            customer_id=plan.customer_id,
            customer_name=plan.customer.name,
            customer_url=plan.customer.get_absolute_url(),
            text=plan.purpose,
            state="done" if plan.status == ContactPlan.Status.DONE else "",
        )


def plan_from_entry(entry: CalendarEntry) -> str | None:
    """The plan form for the entry's customer, on the entry's day at 10:00, about the entry."""
    if not entry.customer_id:
        return None
    day = entry.start.date() if isinstance(entry.start, dt.datetime) else entry.start
    today = timezone.localdate()
    when = dt.datetime.combine(max(day, today), dt.time(10, 0))
    query = {"customer": entry.customer_id, "purpose": entry.title[:200], "planned_at": when.strftime("%Y-%m-%dT%H:%M")}
    if entry.extra.get("reminder_id"):
        query["reminder"] = entry.extra["reminder_id"]
    return reverse("contactplans:plan_add") + "?" + urlencode(query)


calendar_registry.register(
    CalendarSource(
        key="contact_plans",
        label=_("Contact plans"),
        permission=VIEW,
        entries=plan_entries,
        types=(EntryType(PLAN_TYPE, _("Contact plan"), PLAN_COLOUR),),
        order=20,
    )
)
calendar_registry.register_action(EntryAction("plan_contact", _("Plan a contact"), ADD, plan_from_entry))
