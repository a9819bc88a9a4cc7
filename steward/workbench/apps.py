from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The RM's workbench (SVC-07, SVC-09, SVC-10): home-page widgets that bring the day together.
    It owns no data: each widget reads the modules' services (contact plans, interactions,
    reminders, work items, notices, figures). Later modules register their own widgets."""

    name = "steward.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.workbench import home  # noqa: F401  (registers the widgets)
        from steward.workbench.assistants import PARAMETERS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
