from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

ORG = _("Organization")
STAFF = _("Employees")

registry.add_permissions(
    Permission("org.org:view", _("View orgs and branches"), ORG, kind="menu"),
    Permission("org.org:add", _("Create orgs"), ORG),
    Permission("org.org:change", _("Edit, move and deactivate orgs"), ORG),
    Permission("org.org:export", _("Export orgs"), ORG),
    Permission("org.employee:view", _("View employees"), STAFF, kind="menu"),
    Permission("org.employee:add", _("Add employees"), STAFF),
    Permission("org.employee:change", _("Edit employees, change status"), STAFF),
    Permission("org.employee:grade", _("Promote or demote employees"), STAFF),
    Permission("org.employee:export", _("Export employees"), STAFF),
    Permission("org.employee:online", _("See online users"), STAFF, kind="menu"),
    # Line management (steward/org/hierarchy.py): the nearest holder above an employee is their
    # direct superior; it sees their schedules and gives them work and guidance.
    Permission(
        "org.employee:supervise",
        _("Supervise the employees of the org: see their schedules, assign work, give guidance"),
        STAFF,
    ),
)

SEED_ROLE_PERMISSIONS = {
    "team_lead": {"org.employee:supervise"},
    "branch_manager": {"org.employee:supervise"},
}
registry.add_menu(
    MenuItem("orgs", _("Org tree"), "org:org_list", "org.org:view", _("Organization"), "sitemap", 800),
    MenuItem(
        "branches", _("Branch directory"), "org:branch_list", "org.org:view", _("Organization"), "building-bank", 805
    ),
    MenuItem("employees", _("Employees"), "org:employee_list", "org.employee:view", _("Organization"), "users", 810),
    MenuItem(
        "online", _("Online users"), "org:online_users", "org.employee:online", _("Organization"), "plug-connected", 820
    ),
)
