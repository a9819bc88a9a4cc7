from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "steward.attendance"
    label = "attendance"
    verbose_name = _("Attendance, quotas and the task calendar")

    def ready(self):
        from steward.attendance import home, measures, permissions  # noqa: F401  (widget, measures, permissions)
