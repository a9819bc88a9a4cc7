"""System jobs that ship with Steward (PLT-08). Other apps register theirs the same way."""

from __future__ import annotations

from celery.schedules import crontab
from django.utils.translation import gettext_lazy

from steward.jobs import housekeeping
from steward.jobs.registry import system_job

# audit.verify_chain and audit.anchor_head are registered by steward/audit/jobs.py.


@system_job(
    key="org.clear_expired_sessions",
    label=gettext_lazy("Clear expired sessions"),
    default_schedule=crontab(minute="15"),
    description=gettext_lazy(
        "Deletes web sessions that have expired and the session records behind the online-users list."
    ),
    count_labels={
        "processed": gettext_lazy("expired sessions found"),
        "deleted": gettext_lazy("sessions deleted"),
        "orphan_records_deleted": gettext_lazy("stale online-user records deleted"),
    },
)
def clear_expired_sessions(job_run, now):
    return housekeeping.clear_expired_sessions(now, progress=job_run.set_progress)


@system_job(
    key="jobs.purge_old_runs",
    label=gettext_lazy("Trim the job run history"),
    default_schedule=crontab(minute="0", hour="4", day_of_week="0"),
    description=gettext_lazy(
        "Deletes finished job runs older than the retention period (180 days unless configured); "
        "the audit trail keeps every run's event."
    ),
    count_labels={"processed": gettext_lazy("old runs found"), "deleted": gettext_lazy("runs deleted")},
)
def purge_old_runs(job_run, now):
    return housekeeping.purge_old_job_runs(now, progress=job_run.set_progress)
