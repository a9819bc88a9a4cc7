"""Permissions of potential customers (LEAD-01 … LEAD-12). The pages and menus come with the pools
and allocation; for now the leads are read and written through the API and the admin."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import Permission, registry

GROUP = _("Potential customers")

VIEW = "leads.lead:view"
ADD = "leads.lead:add"
# An external channel's account (mobile banking, a partner site) posting its leads.
FEED = "leads.lead_feed:post"

registry.add_permissions(
    Permission(VIEW, _("See the potential customers in the data scope"), GROUP),
    Permission(ADD, _("Enter potential customers by hand"), GROUP),
    Permission(FEED, _("Post leads from an external channel (the channel's account)"), GROUP, scoped=False),
)

# FEED is given to no seed role: the administrator creates a role holding only it for each
# channel's account and its API token (docs/leads.md).
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (VIEW, ADD),
    "team_lead": (VIEW, ADD),
    "branch_manager": (VIEW, ADD),
    "marketing_manager": (VIEW,),
    "compliance_auditor": (VIEW,),
}
