from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

registry.add_permissions(
    Permission("core.api:docs", _("Read the API documentation"), _("Integration"), kind="menu", scoped=False),
)
registry.add_menu(
    MenuItem("api_docs", _("API documentation"), "api_docs", "core.api:docs", _("Integration"), "api", 990),
)
