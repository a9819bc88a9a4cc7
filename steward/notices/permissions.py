from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("System notices")

# Reading notices needs no permission: every member of staff reads what is addressed to them
# (the audience is the rule). These are the administrators' permissions, scoped by publishing org.
registry.add_permissions(
    Permission("notices.notice:view", _("View system notices (administration)"), GROUP, kind="menu"),
    Permission("notices.notice:add", _("Create system notices"), GROUP),
    Permission("notices.notice:change", _("Edit, publish and unpublish system notices"), GROUP),
    Permission("notices.notice:delete", _("Delete unpublished system notices"), GROUP),
)
registry.add_menu(
    MenuItem(
        "notices",
        _("System notices"),
        "notices:manage_list",
        "notices.notice:view",
        _("Administration"),
        "speakerphone",
        935,
    ),
)

SEED_ROLE_PERMISSIONS = {
    "branch_manager": ("notices.notice:view", "notices.notice:add", "notices.notice:change", "notices.notice:delete"),
    "compliance_auditor": ("notices.notice:view",),
}
