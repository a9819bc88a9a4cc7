from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "steward.leads"
    label = "leads"
    verbose_name = _("Potential customers")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.leads import calendar, home, jobs, merging, permissions, reclaim  # noqa: F401  (registrations)
        from steward.leads.defaults import LEAD_CHANNELS, PARAMETERS
        from steward.leads.permissions import VIEW
        from steward.privacy.services import REVEAL_PERMISSIONS

        # A lead's number and ID number are revealed (audited) to those who may see the lead.
        REVEAL_PERMISSIONS.setdefault("leads.lead", VIEW)

        from steward.holdings.signals import file_loaded
        from steward.leads.conversion import convert_after_load

        # The day's customers file is in: leads whose person became a customer convert (LEAD-05).
        file_loaded.connect(convert_after_load, dispatch_uid="leads.convert_after_load")

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
        if not any(spec.code == LEAD_CHANNELS.code for spec in basedata_defaults.CODE_TABLES):
            basedata_defaults.CODE_TABLES.append(LEAD_CHANNELS)
