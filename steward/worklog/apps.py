from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklogConfig(AppConfig):
    name = "steward.worklog"
    label = "worklog"
    verbose_name = _("Work plans and journal")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.worklog import merging, permissions  # noqa: F401  (registers menus, actions, merge rules)
        from steward.worklog.defaults import PARAMETERS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
