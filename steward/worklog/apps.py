from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklogConfig(AppConfig):
    name = "steward.worklog"
    label = "worklog"
    verbose_name = _("Work plans and journal")

    def ready(self):
        from steward.worklog import merging, permissions  # noqa: F401  (registers menus, actions, merge rules)
