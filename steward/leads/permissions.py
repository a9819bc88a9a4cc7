"""Permissions and menu of potential customers (LEAD-01 … LEAD-12)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Potential customers")

VIEW = "leads.lead:view"
ADD = "leads.lead:add"
# Claim a lead from a pool of one's org (or an org above it): the pool's rules decide how many.
CLAIM = "leads.lead:claim"
# Record follow-ups on the leads one holds, move their stage, give them back (LEAD-10, LEAD-11).
FOLLOW_UP = "leads.lead:follow_up"
# Merge duplicate leads (LEAD-05) in the data scope.
MERGE = "leads.lead:merge"
# The pools of the orgs in scope with their rules, the protection rules and the institutions (LEAD-04, LEAD-06).
POOL_VIEW = "leads.pool:view"
POOL_CHANGE = "leads.pool:change"
# The region table (LEAD-02): bank-wide, read and edited by head office.
ROUTE_VIEW = "leads.route:view"
ROUTE_CHANGE = "leads.route:change"
# An external channel's account (mobile banking, a partner site) posting its leads.
FEED = "leads.lead_feed:post"

registry.add_permissions(
    Permission(VIEW, _("See the potential customers in the data scope"), GROUP, kind="menu"),
    Permission(ADD, _("Enter potential customers by hand"), GROUP),
    Permission(FOLLOW_UP, _("Follow up the potential customers one holds"), GROUP, scoped=False),
    Permission(MERGE, _("Merge duplicate potential customers"), GROUP),
    Permission(POOL_VIEW, _("See the lead pools, their rules, protection rules and institutions"), GROUP, kind="menu"),
    Permission(POOL_CHANGE, _("Change the lead pools' rules, protection rules and institutions"), GROUP),
    Permission(CLAIM, _("Claim potential customers from the pools of one's org"), GROUP, kind="menu", scoped=False),
    Permission(ROUTE_VIEW, _("See which org receives the leads of each region"), GROUP, kind="menu", scoped=False),
    Permission(ROUTE_CHANGE, _("Change which org receives the leads of each region"), GROUP, scoped=False),
    Permission(FEED, _("Post leads from an external channel (the channel's account)"), GROUP, scoped=False),
)

registry.add_menu(
    MenuItem("leads", _("Potential customers"), "leads:list", VIEW, _("Customers"), "user-plus", 228),
    MenuItem("leads_to_claim", _("Leads to claim"), "leads:claimable", CLAIM, _("Customers"), "inbox", 229),
    MenuItem("lead_pools", _("Lead pools and rules"), "leads:pool_list", POOL_VIEW, _("Customers"), "adjustments", 231),
    MenuItem(
        "lead_regions", _("Lead routing by region"), "leads:region_list", ROUTE_VIEW, _("Customers"), "map-pin", 230
    ),
)

# FEED is given to no seed role: the administrator creates a role holding only it for each
# channel's account and its API token (docs/leads.md).
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (VIEW, ADD, CLAIM, FOLLOW_UP),
    "team_lead": (VIEW, ADD, CLAIM, FOLLOW_UP),
    "branch_manager": (VIEW, ADD, CLAIM, FOLLOW_UP, MERGE, POOL_VIEW, POOL_CHANGE),
    "marketing_manager": (VIEW, MERGE, POOL_VIEW, POOL_CHANGE, ROUTE_VIEW, ROUTE_CHANGE),
    "compliance_auditor": (VIEW, POOL_VIEW, ROUTE_VIEW),
}
