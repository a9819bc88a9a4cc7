from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_jobs_after_migrate(sender, using="default", **kwargs):
    """Every registered job gets its schedule row after `migrate` (existing rows are left as they are)."""
    from django.db import connections

    from steward.jobs.services import sync_jobs

    tables = set(connections[using].introspection.table_names())
    if {"jobs_job", "django_celery_beat_periodictask"} <= tables:
        sync_jobs(using)


class JobsConfig(AppConfig):
    name = "steward.jobs"
    label = "jobs"
    verbose_name = _("Scheduling centre")

    def ready(self):
        from steward.jobs import builtin, permissions  # noqa: F401  (menus, actions, built-in jobs)

        post_migrate.connect(sync_jobs_after_migrate, sender=self, dispatch_uid="steward.jobs.sync")
        # Audit entries written by a job's run name it by its label ("job:<key>").
        from steward.audit.labels import register_source
        from steward.jobs.registry import jobs

        register_source("job", lambda key: jobs.get(key) and jobs.get(key).label)
