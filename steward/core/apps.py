from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "steward.core"
    label = "core"
    verbose_name = _("Framework")

    def ready(self):
        from django.core import checks

        from steward.core import permissions  # noqa: F401  (registers menus and actions)

        checks.register(check_permission_registry)


def check_permission_registry(app_configs, **kwargs):
    from django.core.checks import Error

    from steward.access.registry import registry

    return [Error(problem, id="steward.E001") for problem in registry.validate()]
