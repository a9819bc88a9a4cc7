from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Work plans and journal")
VIEW = "worklog.entry:view"
ADD = "worklog.entry:add"

registry.add_permissions(
    Permission(VIEW, _("View my schedule and those of my direct superiors and subordinates"), GROUP, kind="menu"),
    Permission(ADD, _("Write work plans and journal entries"), GROUP),
)
registry.add_menu(
    MenuItem(
        "schedule",
        pgettext_lazy("work schedule", "Schedule"),
        "worklog:entry_list",
        VIEW,
        _("Work"),
        "calendar-event",
        330,
    ),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": {VIEW, ADD},
    "team_lead": {VIEW, ADD},
    "branch_manager": {VIEW, ADD},
}

ITEM_VIEW = "worklog.item:view"
ASSIGN = "worklog.item:assign"
GUIDE = "worklog.guidance:give"

registry.add_permissions(
    Permission(ITEM_VIEW, _("See work items given to me and to those I supervise"), GROUP, kind="menu"),
    Permission(ASSIGN, _("Assign work items to the employees I supervise"), GROUP),
    Permission(GUIDE, _("Give guidance on the work of the employees I supervise"), GROUP),
)
registry.add_menu(
    # Work warnings (SVC-06): overdue plans, key customers not contacted, reminders left open …
    MenuItem("work_warnings", _("Work warnings"), "worklog:warnings", VIEW, _("Work"), "alert-triangle", 332),
    MenuItem("work_items", _("Work items"), "worklog:item_list", ITEM_VIEW, _("Work"), "checklist", 335),
)
for role, extra in {
    "relationship_manager": {ITEM_VIEW},
    "team_lead": {ITEM_VIEW, ASSIGN, GUIDE},
    "branch_manager": {ITEM_VIEW, ASSIGN, GUIDE},
}.items():
    SEED_ROLE_PERMISSIONS[role] = SEED_ROLE_PERMISSIONS[role] | extra

WORKFLOW_VIEW = "worklog.workflow:view"
WORKFLOW_START = "worklog.workflow:start"
WORKFLOW_MANAGE = "worklog.workflow:manage"

registry.add_permissions(
    Permission(WORKFLOW_VIEW, _("Follow standard workflows on customers in scope"), GROUP, kind="menu"),
    Permission(WORKFLOW_START, _("Start standard workflows and complete their steps"), GROUP),
    Permission(WORKFLOW_MANAGE, _("Define standard workflow templates"), GROUP, scoped=False),
)
registry.add_menu(
    MenuItem("workflows", _("Standard workflows"), "worklog:run_list", WORKFLOW_VIEW, _("Work"), "list-check", 338),
)
for role, extra in {
    "relationship_manager": {WORKFLOW_VIEW, WORKFLOW_START},
    "team_lead": {WORKFLOW_VIEW, WORKFLOW_START},
    "branch_manager": {WORKFLOW_VIEW, WORKFLOW_START, WORKFLOW_MANAGE},
}.items():
    SEED_ROLE_PERMISSIONS[role] = SEED_ROLE_PERMISSIONS[role] | extra
