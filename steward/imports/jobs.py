"""The import pipeline's system jobs (PLT-08)."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy

from steward.imports import services
from steward.jobs.registry import system_job


@system_job(
    key="imports.forget_old_uploads",
    label=gettext_lazy("Delete import files no run will use"),
    default_schedule=crontab(minute="30", hour="3"),
    description=gettext_lazy(
        "Deletes uploaded import files (personal data) of checks nobody imported and of refused or "
        "failed imports, a week after their run (an installation setting). The runs and their "
        "rejected rows stay."
    ),
    count_labels={"processed": gettext_lazy("old files found"), "deleted": gettext_lazy("files deleted")},
)
def forget_old_uploads(job_run, now):
    return services.forget_old_uploads(now, progress=job_run.set_progress)
