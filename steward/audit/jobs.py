"""The audit trail's scheduled jobs (PLT-07): verify the chain nightly, anchor its head daily."""

from __future__ import annotations

from celery.schedules import crontab
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.jobs.registry import JobFailed, system_job

LISTED_IN_ERROR = 200  # breaks written into the run's error; the command lists them all


@system_job(
    key="audit.verify_chain",
    label=gettext_lazy("Verify the audit trail"),
    default_schedule=crontab(minute="0", hour="3"),
    description=gettext_lazy(
        "Walks the keyed hash chain of the audit trail from its first entry, compares it with the anchors "
        "written outside the database, and fails listing every entry that was removed, reordered or "
        "altered, and any rewrite of the chain (PLT-07)."
    ),
    count_labels={
        "checked": gettext_lazy("entries checked"),
        "broken_at": gettext_lazy("first broken entry"),
        "breaks": gettext_lazy("breaks found"),
        "anchors": gettext_lazy("anchors compared"),
    },
)
def verify_audit_chain(job_run, now):
    from steward.audit.services import verify_chain

    report = verify_chain(progress=lambda done: job_run.set_progress(done))
    job_run.add_counts(checked=report.verified, anchors=report.anchors_checked)
    if not report.ok:
        job_run.counts["broken_at"] = report.broken_at
        job_run.counts["breaks"] = report.break_count
        lines = report.lines()
        listed = "\n".join(f"• {line}" for line in lines[:LISTED_IN_ERROR])
        if len(lines) > LISTED_IN_ERROR:
            listed += "\n" + _("… and %(count)s more (run manage.py verify_audit for all)") % {
                "count": len(lines) - LISTED_IN_ERROR
            }
        raise JobFailed(
            _("The audit trail is broken at entry #%(seq)s: %(reason)s")
            % {"seq": report.broken_at, "reason": report.reason}
            + "\n"
            + _("%(count)s breaks in all:") % {"count": report.break_count}
            + "\n"
            + listed
        )
    return None


@system_job(
    key="audit.anchor_head",
    label=gettext_lazy("Anchor the audit trail outside the database"),
    default_schedule=crontab(minute="50", hour="2"),
    description=gettext_lazy(
        "Appends the head of the audit chain (sequence number, hash, time) to the append-only sinks of the "
        "setting AUDIT_ANCHOR_SINKS (a file, syslog or a webhook), so that a rewrite of the whole trail is "
        "detected by the verification (PLT-07)."
    ),
    count_labels={"anchored_seq": gettext_lazy("anchored entry"), "sinks": gettext_lazy("sinks written")},
)
def anchor_audit_head(job_run, now):
    from steward.audit.anchors import AnchorError, anchor_head, configured_sinks

    sinks = configured_sinks()
    try:
        anchor = anchor_head(now=now, sinks=sinks)
    except AnchorError as exc:
        raise JobFailed(_("The audit head could not be anchored: %(error)s") % {"error": exc}) from exc
    job_run.counts["anchored_seq"] = anchor.seq
    job_run.counts["sinks"] = len(sinks)
    job_run.message = _("Entry #%(seq)s anchored to %(sinks)s.") % {"seq": anchor.seq, "sinks": ", ".join(sinks)}
    return None
