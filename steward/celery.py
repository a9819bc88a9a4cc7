"""The Celery app. Tasks are thin wrappers around services (DESIGN.md, "Jobs")."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")

app = Celery("steward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_personal_data(logger=None, **kwargs):
    """The worker sets up its own log handlers: they get the personal-data filter too (PLT-13)."""
    from steward.privacy.logging import install

    install(logger)
