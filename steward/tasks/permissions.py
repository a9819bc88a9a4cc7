"""Permissions and menu of assigned tasks (TASK-01 … TASK-04)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Assigned tasks")
WORK_SECTION = _("Work")

# An agent's own items, the pool of untaken items of the tasks they are assigned to, and the
# buttons that take (draw, pick) and finish (complete, skip) them.
WORK = "tasks.item:work"
# The tasks of the orgs in scope, with their progress per assignee.
VIEW = "tasks.task:view"
# Create and close tasks of the orgs in scope (and run a dynamic task's evaluation now).
MANAGE = "tasks.task:manage"
# The task categories: one list for the whole bank.
CATEGORY_CHANGE = "tasks.category:change"

registry.add_permissions(
    Permission(WORK, _("Work on one's assigned task items: draw, pick, complete, skip"), GROUP, kind="menu"),
    Permission(VIEW, _("See the assigned tasks in the data scope and their progress"), GROUP, kind="menu"),
    Permission(MANAGE, _("Create and close assigned tasks in the data scope"), GROUP),
    Permission(CATEGORY_CHANGE, _("Add and change task categories"), GROUP, scoped=False),
)

registry.add_menu(
    MenuItem("my_tasks", _("My tasks"), "tasks:my_items", WORK, WORK_SECTION, "clipboard-check", 336),
    MenuItem("assigned_tasks", _("Assigned tasks"), "tasks:task_list", VIEW, WORK_SECTION, "clipboard-list", 337),
    MenuItem("task_categories", _("Task categories"), "tasks:category_list", VIEW, WORK_SECTION, "category", 338),
)

SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (WORK,),
    "team_lead": (WORK, VIEW, MANAGE, CATEGORY_CHANGE),
    # A branch manager holds what the roles they give hold (PLT-03's escalation rule).
    "branch_manager": (WORK, VIEW, MANAGE, CATEGORY_CHANGE),
    "marketing_manager": (VIEW, MANAGE, CATEGORY_CHANGE),
    "compliance_auditor": (VIEW,),
}
