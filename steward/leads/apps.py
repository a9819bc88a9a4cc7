from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "steward.leads"
    label = "leads"
    verbose_name = _("Potential customers")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.leads import merging, permissions  # noqa: F401  (permissions, merge rule)
        from steward.leads.defaults import PARAMETERS
        from steward.leads.permissions import VIEW
        from steward.privacy.services import REVEAL_PERMISSIONS

        # A lead's number and ID number are revealed (audited) to those who may see the lead.
        REVEAL_PERMISSIONS.setdefault("leads.lead", VIEW)

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
