"""Menus and actions of the interaction record (SVC-05)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry
from steward.approvals.permissions import WORK

GROUP = _("Contacts")

VIEW = "interactions.interaction:view"
ADD = "interactions.interaction:add"
EXPORT = "interactions.interaction:export"
# The call centre (CTI): the calls and their matching report, and the telephone system's account.
CALL_VIEW = "interactions.call:view"
CALL_FEED = "interactions.call_feed:post"

# No change or delete: a contact is a record of what happened. The API therefore answers PUT,
# PATCH and DELETE with 405 (ScopedModelViewSet serves only registered actions).
registry.add_permissions(
    Permission(VIEW, _("See the contacts with customers in the data scope"), GROUP, kind="menu"),
    Permission(ADD, _("Record contacts with customers"), GROUP),
    Permission(EXPORT, _("Export the contact list"), GROUP),
    Permission(CALL_VIEW, _("See the call centre's calls and the calls not matched"), GROUP, kind="menu"),
    Permission(
        CALL_FEED, _("Post call events and call-detail files (the telephone system's account)"), GROUP, scoped=False
    ),
)
registry.add_menu(
    MenuItem("interactions", _("Contacts"), "interactions:list", VIEW, WORK, "phone-call", 330),
    MenuItem("calls", _("Call centre calls"), "interactions:calls", CALL_VIEW, WORK, "phone-incoming", 331),
)

# CALL_FEED is given to no seed role: there is no integration role; the administrator creates one
# holding only it for the telephone system's account and its API token (docs/interactions.md).
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (VIEW, ADD, EXPORT, CALL_VIEW),
    "team_lead": (VIEW, ADD, EXPORT, CALL_VIEW),
    "branch_manager": (VIEW, ADD, EXPORT, CALL_VIEW),
    "compliance_auditor": (VIEW, EXPORT, CALL_VIEW),
    "marketing_manager": (VIEW,),
}
