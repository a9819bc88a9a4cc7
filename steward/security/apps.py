from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "steward.security"
    label = "security"
    verbose_name = _("Login security")

    def ready(self):
        from steward.security import permissions, signals  # noqa: F401  (registers menus, actions and receivers)
