"""Menus and actions of the interaction record (SVC-05)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry
from steward.approvals.permissions import WORK

GROUP = _("Contacts")

VIEW = "interactions.interaction:view"
ADD = "interactions.interaction:add"
EXPORT = "interactions.interaction:export"

# No change or delete: a contact is a record of what happened. The API therefore answers PUT,
# PATCH and DELETE with 405 (ScopedModelViewSet serves only registered actions).
registry.add_permissions(
    Permission(VIEW, _("See the contacts with customers in the data scope"), GROUP, kind="menu"),
    Permission(ADD, _("Record contacts with customers"), GROUP),
    Permission(EXPORT, _("Export the contact list"), GROUP),
)
registry.add_menu(
    MenuItem("interactions", _("Contacts"), "interactions:list", VIEW, WORK, "phone-call", 330),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (VIEW, ADD, EXPORT),
    "team_lead": (VIEW, ADD, EXPORT),
    "branch_manager": (VIEW, ADD, EXPORT),
    "compliance_auditor": (VIEW, EXPORT),
    "marketing_manager": (VIEW,),
}
