from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "steward.segments"
    label = "segments"
    verbose_name = _("Customer segments")

    def ready(self):
        from steward.basedata import defaults as basedata_defaults
        from steward.segments import permissions  # noqa: F401  (registers permissions and menus)
        from steward.segments.defaults import PARAMETERS

        declared = {spec.key for spec in basedata_defaults.PARAMETERS}
        basedata_defaults.PARAMETERS.extend(spec for spec in PARAMETERS if spec.key not in declared)
