from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "steward.tasks"
    label = "tasks"
    verbose_name = _("Assigned tasks")

    def ready(self):
        from steward.tasks import home, jobs, merging, permissions  # noqa: F401  (widget, menus, job, merge rule)
