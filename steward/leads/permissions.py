"""Permissions and menu of potential customers (LEAD-01 … LEAD-12)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Potential customers")

VIEW = "leads.lead:view"
ADD = "leads.lead:add"
# Claim a lead from a pool of one's org (or an org above it): the pool's rules decide how many.
CLAIM = "leads.lead:claim"
# The region table (LEAD-02): bank-wide, read and edited by head office.
ROUTE_VIEW = "leads.route:view"
ROUTE_CHANGE = "leads.route:change"
# An external channel's account (mobile banking, a partner site) posting its leads.
FEED = "leads.lead_feed:post"

registry.add_permissions(
    Permission(VIEW, _("See the potential customers in the data scope"), GROUP, kind="menu"),
    Permission(ADD, _("Enter potential customers by hand"), GROUP),
    Permission(CLAIM, _("Claim potential customers from the pools of one's org"), GROUP, kind="menu", scoped=False),
    Permission(ROUTE_VIEW, _("See which org receives the leads of each region"), GROUP, kind="menu", scoped=False),
    Permission(ROUTE_CHANGE, _("Change which org receives the leads of each region"), GROUP, scoped=False),
    Permission(FEED, _("Post leads from an external channel (the channel's account)"), GROUP, scoped=False),
)

registry.add_menu(
    MenuItem("leads", _("Potential customers"), "leads:list", VIEW, _("Customers"), "user-plus", 228),
    MenuItem("leads_to_claim", _("Leads to claim"), "leads:claimable", CLAIM, _("Customers"), "inbox", 229),
    MenuItem(
        "lead_regions", _("Lead routing by region"), "leads:region_list", ROUTE_VIEW, _("Customers"), "map-pin", 230
    ),
)

# FEED is given to no seed role: the administrator creates a role holding only it for each
# channel's account and its API token (docs/leads.md).
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (VIEW, ADD, CLAIM),
    "team_lead": (VIEW, ADD, CLAIM),
    "branch_manager": (VIEW, ADD, CLAIM),
    "marketing_manager": (VIEW, ROUTE_VIEW, ROUTE_CHANGE),
    "compliance_auditor": (VIEW, ROUTE_VIEW),
}
