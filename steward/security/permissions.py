from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Login security")

registry.add_permissions(
    Permission(
        "security.second_factor:reset",
        _("See who uses a second factor and reset a user's enrolment"),
        GROUP,
        kind="menu",
    ),
)
registry.add_menu(
    MenuItem(
        "second_factors",
        _("Second factors"),
        "security:second_factor_list",
        "security.second_factor:reset",
        _("Administration"),
        "shield-check",
        915,
    ),
)
