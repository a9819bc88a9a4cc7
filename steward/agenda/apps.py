from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "steward.agenda"
    label = "agenda"
    verbose_name = _("Calendar")

    def ready(self):
        from steward.agenda import merging, permissions, sources  # noqa: F401  (menus, actions, sources, merge rule)
