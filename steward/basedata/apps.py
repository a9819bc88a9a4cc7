from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasedataConfig(AppConfig):
    name = "steward.basedata"
    label = "basedata"
    verbose_name = _("Base data")

    def ready(self):
        from django.db.models.signals import post_migrate

        from steward.basedata import permissions  # noqa: F401  (registers menus and actions)
        from steward.basedata.services import sync_declared_defaults

        post_migrate.connect(sync_declared_defaults, sender=self)
