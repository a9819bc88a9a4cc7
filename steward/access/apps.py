from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "steward.access"
    label = "access"
    verbose_name = _("Access control")

    def ready(self):
        from steward.access import permissions  # noqa: F401  (registers menus and actions)
