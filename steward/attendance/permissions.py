"""Permissions and menu of attendance, quotas and the task calendar (TASK-05 … TASK-07, OFF-07)."""

from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry
from steward.approvals.permissions import WORK
from steward.org.permissions import ORG

GROUP = _("Attendance, quotas and the task calendar")

# Attendance of the employees in the data scope: read it, record it (one or many, a day or a range).
ATTENDANCE_VIEW = "attendance.day:view"
ATTENDANCE_CHANGE = "attendance.day:change"
# Quotas of the orgs in the data scope (a quota applies to its org and every org below it).
QUOTA_VIEW = "attendance.quota:view"
QUOTA_CHANGE = "attendance.quota:change"
# The task calendar of the employees in the data scope: "own" is one's own calendar, a team
# lead's "team" their team's, a branch manager's "subtree" the branch's.
CALENDAR_VIEW = "attendance.calendar:view"

registry.add_permissions(
    Permission(ATTENDANCE_VIEW, _("See the attendance of the employees in the data scope"), GROUP, kind="menu"),
    Permission(ATTENDANCE_CHANGE, _("Record attendance (leave, business trips …) of employees"), GROUP),
    Permission(QUOTA_VIEW, _("See the daily quotas of the orgs in the data scope"), GROUP, kind="menu"),
    Permission(QUOTA_CHANGE, _("Set the daily quotas of the orgs in the data scope"), GROUP),
    Permission(CALENDAR_VIEW, _("Task calendar: done against quota, day by day"), GROUP, kind="menu"),
)

registry.add_menu(
    MenuItem("task_calendar", _("Task calendar"), "attendance:calendar", CALENDAR_VIEW, WORK, "calendar-check", 341),
    MenuItem("attendance", _("Attendance"), "attendance:list", ATTENDANCE_VIEW, ORG, "calendar-user", 815),
    MenuItem("quotas", _("Quotas"), "attendance:quota_list", QUOTA_VIEW, ORG, "target", 816),
)

# Every staff role sees a task calendar within its scope (an RM's own, a team lead's team …);
# branch managers keep their branch's attendance and quotas, head office marketing the quotas.
SEED_ROLE_PERMISSIONS = {
    "relationship_manager": (CALENDAR_VIEW,),
    "team_lead": (CALENDAR_VIEW, ATTENDANCE_VIEW, QUOTA_VIEW),
    "branch_manager": (CALENDAR_VIEW, ATTENDANCE_VIEW, ATTENDANCE_CHANGE, QUOTA_VIEW, QUOTA_CHANGE),
    "marketing_manager": (CALENDAR_VIEW, QUOTA_VIEW, QUOTA_CHANGE),
    "compliance_auditor": (CALENDAR_VIEW, ATTENDANCE_VIEW, QUOTA_VIEW),
}
