from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

CUSTOMERS = _("Customers")
TABS = _("Customer 360° view tabs")

VIEW = "customers.customer:view"

# The 360° view's tabs, each a separately granted permission (CUS-02, PLT-05), in display order.
TAB_PERMISSIONS = {
    "profile": "customers.tab:profile",
    "assets": "customers.tab:assets",
    "trend": "customers.tab:trend",
    "transactions": "customers.tab:transactions",
    "relations": "customers.tab:relations",
    "notes": "customers.tab:notes",
    "service": "customers.tab:service",
    "ownership": "customers.tab:ownership",
    "household": "customers.tab:household",
}

registry.add_permissions(
    Permission(VIEW, _("View customers (my / related / org customers)"), CUSTOMERS, kind="menu"),
    Permission("customers.orglist:view", _("See the org customer list and unassigned customers"), CUSTOMERS, "menu"),
    Permission("customers.customer:add", _("Create customers"), CUSTOMERS),
    Permission("customers.customer:change", _("Edit customers, relations and subscriptions"), CUSTOMERS),
    Permission("customers.customer:export", _("Export customer lists"), CUSTOMERS),
    Permission("customers.customer:confidential", _("Mark customers confidential and grant access"), CUSTOMERS),
    Permission("customers.customer:transfer", _("Request customer transfers and allocations"), CUSTOMERS),
    Permission("customers.customer:assign", _("Assign owners and co-managers directly"), CUSTOMERS),
    Permission("customers.transfer:approve", _("Approve customer transfers"), CUSTOMERS),
    Permission("customers.allocation:approve", _("Approve customer allocation requests"), CUSTOMERS),
    Permission("customers.note:add", _("Write notes on customers"), CUSTOMERS),
    Permission("customers.customer:merge", _("Merge duplicate customers"), CUSTOMERS),
    Permission(
        "customers.ownership_conflict:resolve",
        _("See and resolve ownership conflicts with the core-banking file"),
        CUSTOMERS,
        kind="menu",
    ),
    Permission("customers.customer:import", _("Import customers from an Excel file"), CUSTOMERS),
    Permission("customers.tab:profile", _("360° view: profile tab"), TABS, scoped=False),
    Permission("customers.tab:assets", _("360° view: assets tab"), TABS, scoped=False),
    Permission("customers.tab:trend", _("360° view: asset trend tab"), TABS, scoped=False),
    Permission("customers.tab:transactions", _("360° view: transactions tab"), TABS, scoped=False),
    Permission("customers.tab:relations", _("360° view: relations tab"), TABS, scoped=False),
    Permission("customers.tab:notes", _("360° view: notes tab"), TABS, scoped=False),
    Permission("customers.tab:service", _("360° view: service history tab"), TABS, scoped=False),
    Permission("customers.tab:ownership", _("360° view: ownership history tab"), TABS, scoped=False),
    Permission("customers.tab:household", _("360° view: household tab"), TABS, scoped=False),
)
registry.add_menu(
    MenuItem("my_customers", _("My customers"), "customers:my_customers", VIEW, CUSTOMERS, "user-heart", 200),
    MenuItem("related_customers", _("Related customers"), "customers:related_customers", VIEW, CUSTOMERS, "users", 205),
    # Colleagues' notes on my and my co-managed customers, and notes that mention me (SVC-12).
    MenuItem(
        "shared_notes", _("Team notes"), "customers:shared_notes", TAB_PERMISSIONS["notes"], CUSTOMERS, "notes", 206
    ),
    MenuItem(
        "org_customers",
        _("Org customers"),
        "customers:org_customers",
        "customers.orglist:view",
        CUSTOMERS,
        "building-community",
        210,
    ),
    MenuItem(
        "unassigned_customers",
        _("Unassigned customers"),
        "customers:unassigned_customers",
        VIEW,
        CUSTOMERS,
        "user-question",
        215,
    ),
    MenuItem(
        "duplicate_candidates",
        _("Duplicate customers"),
        "customers:duplicate_candidates",
        "customers.customer:merge",
        CUSTOMERS,
        "users-group",
        225,
    ),
    MenuItem(
        "ownership_conflicts",
        _("Ownership conflicts"),
        "customers:ownership_conflicts",
        "customers.ownership_conflict:resolve",
        CUSTOMERS,
        "arrows-exchange",
        230,
    ),
    MenuItem(
        "import_customers",
        _("Import customers"),
        "customers:customer_import",
        "customers.customer:import",
        CUSTOMERS,
        "file-spreadsheet",
        220,
    ),
)

_ALL_TABS = tuple(TAB_PERMISSIONS.values())
_RM = (
    VIEW,
    "customers.customer:add",
    "customers.customer:change",
    "customers.customer:export",
    "customers.customer:transfer",
    "customers.note:add",
    *_ALL_TABS,
)
_SUPERVISOR = (
    *_RM,
    "customers.orglist:view",
    "customers.customer:confidential",
    "customers.customer:assign",
    "customers.transfer:approve",
    "customers.allocation:approve",
)
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": _RM,
    "team_lead": _SUPERVISOR,
    "branch_manager": (
        *_SUPERVISOR,
        "customers.customer:merge",
        "customers.customer:import",
        "customers.ownership_conflict:resolve",
    ),
    "marketing_manager": (
        VIEW,
        "customers.orglist:view",
        "customers.customer:export",
        "customers.tab:profile",
        "customers.tab:assets",
        "customers.tab:trend",
    ),
    "compliance_auditor": (
        VIEW,
        "customers.orglist:view",
        "customers.tab:profile",
        "customers.tab:ownership",
        "customers.tab:service",
    ),
}
