from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.registry import MenuItem, Permission, registry
from steward.approvals.permissions import WORK
from steward.audit.labels import register_actions

GROUP = _("Products and holdings")
INTAKE = _("Data intake")
REMINDERS = _("Reminders")

REMINDER_VIEW = "holdings.reminder:view"
REMINDER_ACT = "holdings.reminder:act"
DATE_VIEW = "holdings.important_date:view"
DATE_CHANGE = "holdings.important_date:change"

registry.add_permissions(
    Permission("holdings.product:view", _("View the product catalogue"), GROUP, kind="menu", scoped=False),
    Permission("holdings.account:view", _("View customers' accounts and holdings"), GROUP),
    Permission("holdings.transaction:view", _("View customers' transactions"), GROUP),
    Permission(REMINDER_VIEW, _("Reminder centre: see the reminders on customers"), REMINDERS, kind="menu"),
    Permission(REMINDER_ACT, _("Mark reminders done, dismiss or snooze them"), REMINDERS),
    Permission(DATE_VIEW, _("See customers' important dates"), REMINDERS),
    Permission(DATE_CHANGE, _("Enter, change and remove customers' important dates"), REMINDERS),
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
    MenuItem("reminders", _("Reminders"), "holdings:reminder_list", REMINDER_VIEW, WORK, "bell", 345),
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

# The audit action of acting on many reminders at once, in the reader's language (PLT-07).
register_actions({"holdings.reminders_handled": pgettext_lazy("audit action", "Reminders handled")})

REMINDER_WORK = (REMINDER_VIEW, REMINDER_ACT, DATE_VIEW, DATE_CHANGE)
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        *REMINDER_WORK,
    ),
    "team_lead": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        *REMINDER_WORK,
    ),
    "branch_manager": (
        "holdings.product:view",
        "holdings.account:view",
        "holdings.transaction:view",
        *REMINDER_WORK,
    ),
    "marketing_manager": ("holdings.product:view", "holdings.account:view"),
    "compliance_auditor": ("holdings.product:view", "holdings.intake:view"),
}
