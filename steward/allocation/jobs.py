"""The automatic allocation rules' schedule (LEAD-08 自动分配): steward.allocation.services does the work."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from steward.allocation import services
from steward.jobs.registry import system_job


@system_job(
    key="allocation.run_automatic_rules",
    label=_("Run the automatic lead allocation rules"),
    # Every quarter of an hour: a rule runs at the first tick after its daily time, once a day.
    default_schedule=dt.timedelta(minutes=15),
    description=_(
        "Runs each active automatic allocation rule once a day, from its daily run time: the waiting leads of its "
        "pool go to its targets by its method, skipping people on leave or at a limit; every run is recorded."
    ),
    count_labels={"processed": _("rules run"), "updated": _("leads allocated")},
)
def run_automatic_rules(job_run, now):
    return services.run_due_rules(now=now)
