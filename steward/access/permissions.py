from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Roles and permissions")

registry.add_permissions(
    Permission("access.role:view", _("View roles"), GROUP, kind="menu", scoped=False),
    Permission("access.role:change", _("Create and edit roles"), GROUP, scoped=False),
    Permission("access.assignment:view", _("View role assignments"), GROUP),
    Permission("access.assignment:change", _("Assign and revoke roles"), GROUP),
    Permission("access.token:view", _("View employees' API tokens"), GROUP),
    Permission("access.token:revoke", _("Revoke employees' API tokens"), GROUP),
)
registry.add_menu(
    MenuItem("roles", _("Roles"), "access:role_list", "access.role:view", _("Administration"), "shield-lock", 910),
)
