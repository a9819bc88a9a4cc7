from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "steward.approvals"
    label = "approvals"
    verbose_name = _("Applications and approvals")

    def ready(self):
        from django.core import checks

        from steward.approvals import home, permissions  # noqa: F401  (registers menus, actions, widgets)
        from steward.approvals.builtin import register_builtin_types

        register_builtin_types()
        checks.register(check_application_types)


def check_application_types(app_configs, **kwargs):
    """Start-up fails when an application type's step asks for an unregistered permission."""
    from django.core.checks import Error

    from steward.approvals.registry import application_types

    return [Error(problem, id="approvals.E001") for problem in application_types.validate()]
