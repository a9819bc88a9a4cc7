"""The contacts in the 360° view's service history (CUS-02, SVC-05): registered with
steward.customers.services.register_service_history_source by this app's AppConfig.ready()."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from steward.customers.services import ServiceEvent
from steward.interactions.services import interactions_for


def contact_events(user, customer, limit: int) -> list[ServiceEvent]:
    """The customer's contacts `user` may see (their interactions permission and scope), newest
    first, at most `limit`: one query."""
    events = []
    for row in interactions_for(user, customer, limit):
        kind = _("Contact: %(channel)s") % {"channel": row.get_channel_display()}
        parts = [
            _direction_word(row.direction),
            row.get_outcome_display(),
            row.summary[:200],
        ]
        if row.next_step:
            parts.append(_("next: %(step)s") % {"step": row.next_step[:100]})
        detail = " · ".join(str(part) for part in parts if part)
        by = row.employee.name if row.employee else ""
        events.append(ServiceEvent(timezone.localtime(row.occurred_at).date(), row.occurred_at, kind, detail, by))
    return events


def _direction_word(direction: str) -> str:
    return _("outbound") if direction == "outbound" else _("inbound")
