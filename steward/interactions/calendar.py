"""Quick entry from a reminder (SVC-05, SVC-03): every reminder on the wealth calendar offers
"Record a contact" (the calendar's record_contact slot), which opens the contact form with the
customer filled in; saving the contact marks the reminder done."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.agenda.registry import CalendarEntry, EntryAction, calendar_registry
from steward.interactions.permissions import ADD


def record_from_entry(entry: CalendarEntry) -> str | None:
    if not entry.customer_id or not entry.extra.get("reminder_id") or entry.state in ("done", "dismissed"):
        return None
    query = {"customer": entry.customer_id, "reminder": entry.extra["reminder_id"]}
    return reverse("interactions:add") + "?" + urlencode(query)


def record_from_reminder(reminder) -> str:
    """The contact form for a reminder's customer, the reminder handled when the contact is saved."""
    query = {"customer": reminder.customer_id, "reminder": reminder.pk}
    return reverse("interactions:add") + "?" + urlencode(query)


calendar_registry.register_action(EntryAction("record_contact", _("Record a contact"), ADD, record_from_entry))
