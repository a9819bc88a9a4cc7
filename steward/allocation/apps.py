from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "steward.allocation"
    label = "allocation"
    verbose_name = _("Lead allocation")
