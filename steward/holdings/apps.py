from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldingsConfig(AppConfig):
    name = "steward.holdings"
    label = "holdings"
    verbose_name = _("Products and holdings")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.holdings import jobs, permissions  # noqa: F401  (registers menus, actions and jobs)
        from steward.holdings.defaults import PARAMETERS, TRANSACTION_CHANNELS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
        if not any(spec.code == TRANSACTION_CHANNELS.code for spec in basedata_defaults.CODE_TABLES):
            basedata_defaults.CODE_TABLES.append(TRANSACTION_CHANNELS)
