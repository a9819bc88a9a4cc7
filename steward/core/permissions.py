from django.utils.translation import gettext_lazy as _

from steward.access.registry import Permission, registry

registry.add_permissions(
    Permission("core.api:docs", _("Read the API documentation"), _("Integration"), kind="menu", scoped=False),
)
