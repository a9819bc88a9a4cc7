from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Contact plans and key customers")
VIEW = "contactplans.plan:view"
ADD = "contactplans.plan:add"
KEY_VIEW = "contactplans.key:view"
KEY_FLAG = "contactplans.key:flag"

registry.add_permissions(
    Permission(VIEW, _("View contact plans of customers in scope"), GROUP, kind="menu"),
    Permission(ADD, _("Plan contacts (also in bulk) and complete them"), GROUP),
    Permission(KEY_VIEW, _("See key customers and their contact warnings"), GROUP, kind="menu"),
    Permission(KEY_FLAG, _("Flag customers as key customers by hand"), GROUP),
)
registry.add_menu(
    MenuItem("contact_plans", _("Contact plans"), "contactplans:plan_list", VIEW, _("Customers"), "calendar-plus", 224),
    MenuItem("key_customers", _("Key customers"), "contactplans:key_list", KEY_VIEW, _("Customers"), "star", 226),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": {VIEW, ADD, KEY_VIEW, KEY_FLAG},
    "team_lead": {VIEW, ADD, KEY_VIEW, KEY_FLAG},
    # A branch manager holds what the roles they hand out hold (no escalation, PLT-03).
    "branch_manager": {VIEW, ADD, KEY_VIEW, KEY_FLAG},
    "compliance_auditor": {VIEW, KEY_VIEW},
}
