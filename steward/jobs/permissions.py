from django.utils.translation import gettext_lazy as _

from steward.access.registry import MenuItem, Permission, registry

GROUP = _("Scheduling centre")

# Jobs are bank-wide: the permissions carry no data scope.
registry.add_permissions(
    Permission("jobs.job:view", _("View the scheduling centre and job runs"), GROUP, kind="menu", scoped=False),
    Permission("jobs.job:change", _("Change job schedules, pause and resume jobs"), GROUP, scoped=False),
    Permission("jobs.job:run", _("Run jobs now"), GROUP, scoped=False),
)
registry.add_menu(
    MenuItem(
        "jobs", _("Scheduling centre"), "jobs:job_list", "jobs.job:view", _("Administration"), "calendar-time", 930
    ),
)

SEED_ROLE_PERMISSIONS = {
    # Auditors follow the nightly audit-chain checks.
    "compliance_auditor": ("jobs.job:view",),
}
