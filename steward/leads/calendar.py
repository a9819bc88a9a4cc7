"""Leads on the wealth calendar (LEAD-10, LEAD-09): the holder's appointments with their leads,
and the day each held lead's protection ends (it goes back to the pool unless followed up)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.agenda.registry import CalendarEntry, CalendarSource, EntryType, UrlFor, calendar_registry
from steward.leads.permissions import FOLLOW_UP

APPOINTMENT_TYPE = "lead_appointment"
EXPIRY_TYPE = "lead_protection_end"
APPOINTMENT_LENGTH = dt.timedelta(minutes=30)


def lead_entries(user, start, end, filters):
    from steward.leads.models import Lead

    types = filters.get("types") or {APPOINTMENT_TYPE, EXPIRY_TYPE}
    lead_url = UrlFor("leads:detail")
    held = Lead.objects.filter(holder=user, merged_into__isnull=True)
    if APPOINTMENT_TYPE in types:
        for pk, name, at, note in (
            held.filter(appointment_at__gte=start, appointment_at__lt=end)
            .order_by("appointment_at", "pk")
            .values_list("pk", "name", "appointment_at", "appointment_note")
        ):
            at = timezone.localtime(at)
            yield CalendarEntry(
                id=f"lead-appointment-{pk}",
                title=_("Appointment · %(name)s") % {"name": name} + (f" · {note}" if note else ""),
                start=at,
                end=at + APPOINTMENT_LENGTH,
                all_day=False,
                type=APPOINTMENT_TYPE,
                url=lead_url(pk),
                text=note,
            )
    if EXPIRY_TYPE in types:
        for pk, name, until in (
            held.filter(protected_until__gte=start, protected_until__lt=end)
            .order_by("protected_until", "pk")
            .values_list("pk", "name", "protected_until")
        ):
            yield CalendarEntry(
                id=f"lead-protection-{pk}",
                title=_("Protection ends · %(name)s") % {"name": name},
                start=timezone.localtime(until).date(),
                type=EXPIRY_TYPE,
                url=lead_url(pk),
            )


calendar_registry.register(
    CalendarSource(
        key="leads",
        label=gettext_lazy("Potential customers"),
        permission=FOLLOW_UP,
        entries=lead_entries,
        types=(
            EntryType(APPOINTMENT_TYPE, gettext_lazy("Appointment with a potential customer"), "#ae3ec9"),
            EntryType(EXPIRY_TYPE, gettext_lazy("Lead protection ends"), "#f76707"),
        ),
        order=30,
    )
)
