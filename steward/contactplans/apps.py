from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactPlansConfig(AppConfig):
    name = "steward.contactplans"
    label = "contactplans"
    verbose_name = _("Contact plans and key customers")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.contactplans import (  # noqa: F401  (menus, actions, batch action, merge rules, calendar)
            batch,
            calendar,
            merging,
            permissions,
        )
        from steward.contactplans.defaults import PARAMETERS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
