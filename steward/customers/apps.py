from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "steward.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from steward.customers import permissions, signals  # noqa: F401  (menus and actions; figures rows)
        from steward.customers.approvals import register_types
        from steward.customers.defaults import register_defaults

        register_defaults()
        register_types()
