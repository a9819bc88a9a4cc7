"""Permissions and menu of lead allocation (LEAD-03, LEAD-08)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Lead allocation")

# Rules and runs of the orgs in the data scope.
VIEW = "allocation.rule:view"
# Add and edit rules of orgs in scope (their targets must be in scope too).
CHANGE = "allocation.rule:change"
# Preview and run a rule, and allocate picked leads by hand, within the data scope.
RUN = "allocation.rule:run"
# A relationship manager asks for waiting leads of a pool they may claim from (LEAD-08) …
APPLY = "allocation.lead:apply"
# … and their supervisor decides (the approvals engine routes to the nearest holder).
APPROVE = "allocation.application:approve"

registry.add_permissions(
    Permission(VIEW, _("See the lead allocation rules and runs in the data scope"), GROUP, kind="menu"),
    Permission(CHANGE, _("Add and change lead allocation rules"), GROUP),
    Permission(RUN, _("Run lead allocation (rules and by hand)"), GROUP),
    Permission(APPLY, _("Apply for leads waiting in a pool"), GROUP, scoped=False),
    Permission(APPROVE, _("Approve applications for leads"), GROUP),
)

registry.add_menu(
    MenuItem(
        "lead_allocation", _("Lead allocation"), "allocation:rule_list", VIEW, _("Customers"), "arrows-split", 231
    ),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (APPLY,),
    "team_lead": (VIEW, CHANGE, RUN, APPLY, APPROVE),
    # A branch manager holds what the roles they give hold (PLT-03's escalation rule).
    "branch_manager": (VIEW, CHANGE, RUN, APPLY, APPROVE),
    "marketing_manager": (VIEW, CHANGE, RUN),
    "compliance_auditor": (VIEW,),
}
