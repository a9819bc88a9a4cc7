from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

CUSTOMERS = _("Customers")
SEGMENTS = _("Customer segments")

VIEW = "segments.segment:view"
ADD = "segments.segment:add"
CHANGE = "segments.segment:change"
EXPORT = "segments.segment:export"

registry.add_permissions(
    Permission(VIEW, _("View customer segments, screens and the filter builder"), SEGMENTS, kind="menu"),
    Permission(ADD, _("Save customer segments"), SEGMENTS),
    Permission(CHANGE, _("Edit, refresh and delete customer segments"), SEGMENTS),
    Permission(EXPORT, _("Export segment members"), SEGMENTS),
)
registry.add_menu(
    MenuItem("segment_builder", _("Customer filter"), "segments:builder", VIEW, CUSTOMERS, "filter", 230),
    MenuItem("segments", _("Segments"), "segments:segment_list", VIEW, CUSTOMERS, "list-details", 232),
    MenuItem("segment_screens", _("Screens"), "segments:screen_list", VIEW, CUSTOMERS, "radar", 234),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": [VIEW, ADD, CHANGE],
    "team_lead": [VIEW, ADD, CHANGE, EXPORT],
    "branch_manager": [VIEW, ADD, CHANGE, EXPORT],
    "marketing_manager": [VIEW, ADD, CHANGE, EXPORT],
}
