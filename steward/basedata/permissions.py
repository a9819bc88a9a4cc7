from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Base data and parameters")

registry.add_permissions(
    Permission("basedata.codetable:view", _("View code tables"), GROUP, kind="menu", scoped=False),
    Permission("basedata.codetable:change", _("Edit code tables"), GROUP, scoped=False),
    Permission("basedata.parameter:view", _("View system parameters"), GROUP, kind="menu", scoped=False),
    Permission("basedata.parameter:change", _("Edit system parameters and refresh the cache"), GROUP, scoped=False),
    Permission("basedata.calendar:view", _("View the holiday calendar"), GROUP, kind="menu", scoped=False),
    Permission("basedata.calendar:change", _("Edit the holiday calendar"), GROUP, scoped=False),
)
registry.add_menu(
    MenuItem(
        "codetables",
        _("Code tables"),
        "basedata:codetable_list",
        "basedata.codetable:view",
        _("Administration"),
        "list-details",
        920,
    ),
    MenuItem(
        "parameters",
        _("System parameters"),
        "basedata:parameter_list",
        "basedata.parameter:view",
        _("Administration"),
        "adjustments",
        930,
    ),
    MenuItem(
        "holiday_calendar",
        _("Holiday calendar"),
        "basedata:calendar_list",
        "basedata.calendar:view",
        _("Administration"),
        "calendar-off",
        935,
    ),
)

# Who plans work reads which days are business days; the system administrator holds every permission.
SEED_ROLE_PERMISSIONS = {
    "marketing_manager": {"basedata.calendar:view"},
    "compliance_auditor": {"basedata.calendar:view"},
}
