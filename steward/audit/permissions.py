from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Audit trail")

registry.add_permissions(
    Permission("audit.entry:view", _("Search the audit trail"), GROUP, kind="menu"),
    Permission("audit.entry:export", _("Export the audit trail"), GROUP),
)
registry.add_menu(
    MenuItem("audit", _("Audit trail"), "audit:entry_list", "audit.entry:view", _("Administration"), "history", 940),
)

SEED_ROLE_PERMISSIONS = {
    "compliance_auditor": ("audit.entry:view", "audit.entry:export"),
    "branch_manager": ("audit.entry:view",),
}
