"""Menus and actions of applications and approvals — PLT-09.

Menus (what a user sees) and authority (what a user may decide) are separate names:
"handle" opens the to-approve inbox; "approve" (supervisor) and "review" (same-level
review) are the authority a routing step asks for. Types declared by later modules may
ask for their own permission instead (e.g. ``customers.transfer:approve``).
"""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Applications and approvals")
WORK = _("Work")

SUBMIT = "approvals.application:submit"
HANDLE = "approvals.application:handle"
APPROVE = "approvals.application:approve"
REVIEW = "approvals.application:review"
MONITOR = "approvals.application:monitor"
EXPORT = "approvals.application:export"
REROUTE = "approvals.application:reroute"

# Any one of these lets a user open the detail of an application they take part in.
PARTICIPANT_PERMISSIONS = (SUBMIT, HANDLE, MONITOR)

registry.add_permissions(
    Permission(SUBMIT, _("My applications: submit, follow and withdraw applications"), GROUP, kind="menu"),
    Permission(HANDLE, _("To approve: handle the applications routed to you"), GROUP, kind="menu"),
    Permission(APPROVE, _("Approve, reject and forward applications as a supervisor"), GROUP),
    Permission(REVIEW, _("Review applications of colleagues at the same org (same-level review)"), GROUP),
    Permission(MONITOR, _("Monitor all applications in the data scope"), GROUP, kind="menu"),
    Permission(EXPORT, _("Export the application monitor"), GROUP),
    Permission(REROUTE, _("Re-route pending applications whose handlers can no longer act"), GROUP),
)
registry.add_menu(
    MenuItem("my_applications", _("My applications"), "approvals:mine", SUBMIT, WORK, "file-text", 300),
    MenuItem("to_approve", _("To approve"), "approvals:inbox", HANDLE, WORK, "checkbox", 310),
    MenuItem("application_monitor", _("Application monitor"), "approvals:monitor", MONITOR, WORK, "eye", 320),
)

# What the seed roles (steward/access/seed.py) should grant; kept here so the report, the
# demo and the tests agree. Scopes come from the role assignment (team lead: team, …).
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (SUBMIT,),
    "team_lead": (SUBMIT, HANDLE, APPROVE),
    "branch_manager": (SUBMIT, HANDLE, APPROVE, MONITOR, EXPORT, REROUTE),
    "marketing_manager": (SUBMIT, HANDLE, REVIEW),
    "compliance_auditor": (MONITOR, EXPORT),
    # system_admin holds "*" (every permission).
}
