"""Contact plans on the wealth calendar (SVC-04): my planned contacts are entries, and every
reminder offers "Plan a contact" (the calendar's plan_contact slot), which opens the plan form
with the customer, the purpose and the day filled in."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import quote_plus

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.agenda.registry import CalendarEntry, CalendarSource, EntryAction, EntryType, UrlFor, calendar_registry
from steward.contactplans.permissions import ADD, VIEW

PLAN_TYPE = "contact_plan"
PLAN_COLOUR = "#17a2b8"
PLAN_LENGTH = dt.timedelta(minutes=30)


def plan_entries(user, start, end, filters):
    from steward.contactplans.models import ContactPlan

    plans = (
        ContactPlan.objects.filter(owner=user, planned_at__gte=start, planned_at__lt=end)
        .exclude(status=ContactPlan.Status.CANCELLED)
        .order_by("planned_at", "pk")
        .values_list("pk", "customer_id", "customer__name", "planned_at", "channel", "purpose", "status")
    )
    # Labels and URLs once per call: a month of an RM holds hundreds of plans.
    channels = {value: str(label) for value, label in ContactPlan._meta.get_field("channel").flatchoices}
    plan_url, customer_url = UrlFor("contactplans:plan_detail"), UrlFor("customers:customer_detail")
    for pk, customer_id, customer_name, planned_at, channel, purpose, status in plans:
        at = timezone.localtime(planned_at)
        yield CalendarEntry(
            id=f"plan-{pk}",
            title=f"{channels.get(channel, channel)} · {customer_name} · {purpose}",
            start=at,
            end=at + PLAN_LENGTH,
            all_day=False,
            type=PLAN_TYPE,
            url=plan_url(pk),
            customer_id=customer_id,
            customer_name=customer_name,
            customer_url=customer_url(customer_id),
            text=purpose,
            state="done" if status == ContactPlan.Status.DONE else "",
        )


@lru_cache(maxsize=8)
def _plan_add_url(script_prefix: str, urlconf) -> str:
    return reverse("contactplans:plan_add")


def plan_from_entry(entry: CalendarEntry) -> str | None:
    """The plan form for the entry's customer, on the entry's day at 10:00, about the entry."""
    if not entry.customer_id or entry.state in ("done", "dismissed"):
        return None
    day = entry.start.date() if isinstance(entry.start, dt.datetime) else entry.start
    today = timezone.localdate()
    when = dt.datetime.combine(max(day, today), dt.time(10, 0))
    # What urlencode({"customer": …, "purpose": …, "planned_at": …, "reminder": …}) gives, without
    # its per-character work on every field (≈ 800 reminders a month).
    query = (
        f"customer={int(entry.customer_id)}&purpose={quote_plus(entry.title[:200])}"
        f"&planned_at={when:%Y-%m-%dT%H}%3A{when:%M}"
    )
    if entry.extra.get("reminder_id"):
        query += f"&reminder={int(entry.extra['reminder_id'])}"
    return _plan_add_url(get_script_prefix(), get_urlconf()) + "?" + query


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
