"""Menus and actions of the wealth calendar (SVC-04)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry
from steward.approvals.permissions import WORK

GROUP = _("Calendar")

CALENDAR_VIEW = "agenda.calendar:view"
NOTE_VIEW = "agenda.note:view"
NOTE_CHANGE = "agenda.note:change"

# A note is private to its owner whatever the role's data scope: the scope does not apply.
registry.add_permissions(
    Permission(CALENDAR_VIEW, _("Calendar: my calendar and its iCalendar feed"), GROUP, kind="menu", scoped=False),
    Permission(NOTE_VIEW, _("See my own calendar notes"), GROUP, scoped=False),
    Permission(NOTE_CHANGE, _("Write, change and delete my own calendar notes"), GROUP, scoped=False),
)
registry.add_menu(
    MenuItem("calendar", _("Calendar"), "agenda:calendar", CALENDAR_VIEW, WORK, "calendar", 340),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (CALENDAR_VIEW, NOTE_VIEW, NOTE_CHANGE),
    "team_lead": (CALENDAR_VIEW, NOTE_VIEW, NOTE_CHANGE),
    "branch_manager": (CALENDAR_VIEW, NOTE_VIEW, NOTE_CHANGE),
}
