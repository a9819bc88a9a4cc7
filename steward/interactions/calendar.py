"""Quick entry from a reminder (SVC-05, SVC-03): every reminder on the wealth calendar offers
"Record a contact" (the calendar's record_contact slot), which opens the contact form with the
customer filled in; saving the contact marks the reminder done."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.agenda.registry import CalendarEntry, EntryAction, calendar_registry
from steward.interactions.permissions import ADD


def record_from_entry(entry: CalendarEntry) -> str | None:
    if not entry.customer_id or not entry.extra.get("reminder_id") or entry.state in ("done", "dismissed"):
        return None
    # Formatted, not reversed and url-encoded, per entry: a month holds ~800 reminders.
    return f"{_add_path()}?customer={int(entry.customer_id)}&reminder={int(entry.extra['reminder_id'])}"


@lru_cache(maxsize=1)
def _add_path() -> str:
    return reverse("interactions:add")


def record_from_reminder(reminder) -> str:
    """The contact form for a reminder's customer, the reminder handled when the contact is saved."""
    query = {"customer": reminder.customer_id, "reminder": reminder.pk}
    return reverse("interactions:add") + "?" + urlencode(query)


calendar_registry.register_action(EntryAction("record_contact", _("Record a contact"), ADD, record_from_entry))
