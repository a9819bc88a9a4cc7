from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "steward.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from steward.audit import checks, jobs, permissions, signals  # noqa: F401  (checks, jobs, menus, change capture)
