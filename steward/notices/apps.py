from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "steward.notices"
    label = "notices"
    verbose_name = _("System notices")

    def ready(self):
        from steward.notices import permissions  # noqa: F401  (registers menus and actions)
