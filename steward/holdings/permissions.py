from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Products and holdings")
INTAKE = _("Data intake")

registry.add_permissions(
    Permission("holdings.product:view", _("View the product catalogue"), GROUP, kind="menu", scoped=False),
    Permission("holdings.account:view", _("View customers' accounts and holdings"), GROUP),
    Permission("holdings.transaction:view", _("View customers' transactions"), GROUP),
    Permission("holdings.reminder:view", _("View reminders raised from the daily data"), GROUP, kind="menu"),
    Permission("holdings.intake:view", _("View intake batches and rejected rows"), INTAKE, kind="menu", scoped=False),
    Permission("holdings.intake:upload", _("Upload daily intake files"), INTAKE, scoped=False),
    Permission(
        "holdings.intake:confirm", _("Confirm a held intake snapshot (one that shrank sharply)"), INTAKE, scoped=False
    ),
)
registry.add_menu(
    MenuItem(
        "products", _("Products"), "holdings:product_list", "holdings.product:view", _("Customers"), "package", 260
    ),
    MenuItem(
        "reminders", _("My reminders"), "holdings:reminder_list", "holdings.reminder:view", _("Customers"), "bell", 250
    ),
    MenuItem(
        "intake",
        _("Data intake"),
        "holdings:batch_list",
        "holdings.intake:view",
        _("Administration"),
        "database-import",
        940,
    ),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        "holdings.reminder:view",
    ),
    "team_lead": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        "holdings.reminder:view",
    ),
    "branch_manager": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        "holdings.reminder:view",
    ),
    "marketing_manager": ("holdings.product:view", "holdings.account:view"),
    "compliance_auditor": ("holdings.product:view", "holdings.intake:view"),
}
