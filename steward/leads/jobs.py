"""The leads' scheduled job (LEAD-09)."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from steward.jobs.registry import system_job
from steward.leads.reclaim import run_protection


@system_job(
    key="leads.protection",
    label=_("Reclaim potential customers whose protection ended"),
    default_schedule=crontab(minute="5"),
    description=_(
        "Every hour: leads whose holder did not follow them up as their org's protection rule asks go back "
        "to the pool (or the rule's group or person), with the rule that fired; holders are reminded the "
        "day before."
    ),
)
def lead_protection_job(job_run, now):
    result = run_protection(now=now)
    return {"processed": result.expired, "updated": result.reclaimed, "created": result.reminded}
