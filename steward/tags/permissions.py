from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry
from steward.customers.permissions import TAB_PERMISSIONS, TABS

CUSTOMERS = _("Customers")
TAGS = _("Customer tags and groups")

TAG_VIEW = "tags.tag:view"  # see categories, tags and the customers carrying a tag
TAG_MANAGE = "tags.tag:manage"  # categories, tags, rule definitions, recompute
TAG_APPLY = "tags.customertag:change"  # put manual tags on customers and take them off
TAG_EXPORT = "tags.tag:export"
GROUP_VIEW = "tags.group:view"  # own personal groups and the system groups in scope
GROUP_ADD = "tags.group:add"  # keep personal groups; add / remove visible customers
GROUP_MANAGE = "tags.group:manage"  # create, rename and delete system groups
GROUP_EXPORT = "tags.group:export"
TAB = "customers.tab:tags"

registry.add_permissions(
    Permission(TAG_VIEW, _("View customer tags"), TAGS, kind="menu", scoped=False),
    Permission(TAG_MANAGE, _("Manage tag categories, tags and tag rules"), TAGS, scoped=False),
    Permission(TAG_APPLY, _("Tag and untag customers"), TAGS, scoped=False),
    Permission(TAG_EXPORT, _("Export the customers carrying a tag"), TAGS, scoped=False),
    Permission(GROUP_VIEW, _("View customer groups"), TAGS, kind="menu"),
    Permission(GROUP_ADD, _("Keep personal customer groups and add customers to groups"), TAGS),
    Permission(GROUP_MANAGE, _("Manage system customer groups"), TAGS),
    Permission(GROUP_EXPORT, _("Export customer group members"), TAGS),
    Permission(TAB, _("360° view: tags tab"), TABS, scoped=False),
)
registry.add_menu(
    MenuItem("customer_groups", _("Customer groups"), "tags:group_list", GROUP_VIEW, CUSTOMERS, "users-group", 236),
    MenuItem("customer_tags", _("Customer tags"), "tags:tag_list", TAG_VIEW, CUSTOMERS, "tags", 238),
)

# The 360° view's tags tab (shown after the customers app's own tabs).
TAB_PERMISSIONS.setdefault("tags", TAB)

_READ = (TAG_VIEW, GROUP_VIEW, TAB)
_RM = (*_READ, TAG_APPLY, GROUP_ADD, GROUP_EXPORT)
_MARKETING = (*_RM, TAG_MANAGE, TAG_EXPORT, GROUP_MANAGE)
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": _RM,
    "team_lead": (*_RM, TAG_EXPORT),
    "branch_manager": (*_RM, TAG_EXPORT),
    "marketing_manager": _MARKETING,
    "compliance_auditor": _READ,
}
