"""The call centre's end-of-day job (SVC-05, INT-05): steward.interactions.calls does the work."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from steward.interactions import calls
from steward.jobs.registry import system_job


@system_job(
    key="interactions.match_calls",
    label=_("Match the call centre's calls"),
    default_schedule=crontab(minute="30", hour="23"),
    description=_(
        "Loads the call-detail files waiting in the drop folder, then matches the calls not matched yet (of the "
        "last week) to customers by their number's blind index and to employees by extension or employee "
        "number, records their contacts and moves the customers' last contact forward."
    ),
    count_labels={
        "processed": _("calls looked at"),
        "created": _("contacts recorded"),
        "updated": _("calls matched to a customer"),
        "failed": _("calls not matched to a customer"),
    },
)
def match_calls(job_run, now):
    return calls.run_end_of_day(now=now, progress=job_run.set_progress).counts()
