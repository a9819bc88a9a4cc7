from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "steward.allocation"
    label = "allocation"
    verbose_name = _("Lead allocation")

    def ready(self):
        from steward.allocation import jobs, permissions  # noqa: F401  (permissions, menu, the automatic rules' job)
        from steward.allocation.approvals import register_types

        register_types()  # the application for leads (LEAD-08)
