"""System jobs that ship with Steward (PLT-08). Other apps register theirs the same way."""

from __future__ import annotations

from celery.schedules import crontab
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.jobs import housekeeping
from steward.jobs.registry import JobFailed, system_job


@system_job(
    key="audit.verify_chain",
    label=gettext_lazy("Verify the audit trail"),
    default_schedule=crontab(minute="0", hour="3"),
    description=gettext_lazy(
        "Walks the hash-chained audit trail from its first entry and fails if any entry was removed, "
        "reordered or altered (PLT-07)."
    ),
    count_labels={"checked": gettext_lazy("entries checked"), "broken_at": gettext_lazy("first broken entry")},
)
def verify_audit_chain(job_run, now):
    from steward.audit.services import verify_chain

    report = verify_chain()
    job_run.add_counts(checked=report.checked)
    if not report.ok:
        job_run.counts["broken_at"] = report.broken_at
        raise JobFailed(
            _("The audit trail is broken at entry #%(seq)s: %(reason)s")
            % {"seq": report.broken_at, "reason": report.reason}
        )
    return None


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
