from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "steward.tags"
    label = "tags"
    verbose_name = _("Customer tags and groups")

    def ready(self):
        from steward.holdings.signals import day_loaded
        from steward.tags import batch, bulk, jobs, permissions  # noqa: F401  (permissions, menus, jobs, actions)
        from steward.tags.receivers import recompute_after_load

        day_loaded.connect(recompute_after_load, dispatch_uid="tags.recompute_after_load")
