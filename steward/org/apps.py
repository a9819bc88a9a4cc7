from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "steward.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self):
        from steward.org import home, permissions  # noqa: F401  (registers menus, actions, widgets)
